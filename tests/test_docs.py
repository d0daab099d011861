"""The docs say what the code does: cheap checks that keep them honest.

Every event type the code names is documented with each of its fields; every setting read
from the environment is documented; notify's documented defaults and commands are the
code's; the architecture's table of who owns which tables matches the models; every link
between the docs leads somewhere; and no file refers to one outside the repository.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
from pathlib import Path

import pytest

from scripts.processes import SERVICES
from services.notify.config import load_notify_settings
from shared.config import REPO_ROOT
from shared.event_schemas import DATA_SCHEMAS

DOCS = REPO_ROOT / "docs"
MARKDOWN = [REPO_ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
EVENTS = (DOCS / "events.md").read_text()
NOTIFY = (DOCS / "notify.md").read_text()
ARCHITECTURE = (DOCS / "architecture.md").read_text()

# Where the services read their settings from the environment.
SETTINGS_MODULES = sorted([
    REPO_ROOT / "shared" / "config.py",
    REPO_ROOT / "shared" / "gunicorn_conf.py",
    REPO_ROOT / "shared" / "healthcheck.py",
    REPO_ROOT / "shared" / "retention.py",
    *REPO_ROOT.glob("services/*/config.py"),
    *REPO_ROOT.glob("services/*/settings.py"),
])
# Folders that are not the project's own text: tools, data, vendored code.
NOT_OURS = {".git", ".venv", "var", "node_modules", "__pycache__", ".hypothesis",
            ".ruff_cache", ".pytest_cache", "dkfds"}
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".txt", ".in",
                 ".html", ".mako", ".sh", ".lua", ".css", ".js", ".sql", ".po", ".example"}
TEXT_NAMES = {"Makefile", "Dockerfile", "run"}

EVENT_TYPE = re.compile(r"""["'](lederdialog\.[a-z_]+\.[a-z_]+\.v\d+)["']""")
BACKTICKED = re.compile(r"`([^`\n]+)`")
VARIABLE = re.compile(r"\b[A-Z][A-Z0-9_]+\b")
VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
UP_PATH = re.compile(r"(?<![\w./])((?:\.\./)+[\w./-]*)")
MARKDOWN_NAME = re.compile(r"(?<![\w./-])([\w./-]*\w\.md)\b")


def section(text: str, heading: str) -> str:
    """The text under a heading (any level), up to the next heading of that level or above."""
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, re.M)
    assert match, f"no heading {heading!r}"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, match.end())
    return text[match.end():end.start() if end else len(text)]


# Events


def event_types_in_code() -> set[str]:
    """Every event type named in the services' and shared code (producers and consumers)."""
    return {kind for folder in ("services", "shared")
            for path in (REPO_ROOT / folder).rglob("*.py")
            for kind in EVENT_TYPE.findall(path.read_text())}


def test_every_event_type_the_code_names_has_its_section_in_events_md():
    named = event_types_in_code()
    assert "lederdialog.framework.published.v1" in named  # the producers' constants are read
    documented = set(re.findall(r"^### `([a-z._0-9]+)`$", EVENTS, re.M))
    assert named | set(DATA_SCHEMAS) <= documented


@pytest.mark.parametrize("kind", sorted(DATA_SCHEMAS))
def test_every_field_of_an_event_is_named_in_its_section(kind):
    text = section(EVENTS, f"`{kind}`")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # the example alone does not explain
    missing = [name for name in DATA_SCHEMAS[kind].fields if f"`{name}`" not in prose]
    assert not missing, f"docs/events.md does not describe {missing} of {kind}"


# Settings


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_environment(node: ast.AST) -> bool:
    """`os.environ`, or the `env`/`environ` mapping a settings loader reads."""
    return (isinstance(node, ast.Name) and node.id in ("env", "environ")) or (
        isinstance(node, ast.Attribute) and node.attr == "environ")


def variables_read(path: Path) -> set[str]:
    """The environment variables a module reads: the names it looks up in the environment,
    and every text that reads like one (`RATE_LIMIT_PER_PERSON`, looked up in a loop)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and (
            (node.func.attr == "get" and _is_environment(node.func.value))
            or (node.func.attr == "getenv" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "os")
        ):
            names.add(_constant(node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_environment(node.value):
            names.add(_constant(node.slice))
        elif (isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn)
              and _is_environment(node.comparators[0])):
            names.add(_constant(node.left))
        elif VARIABLE_NAME.fullmatch(_constant(node) or ""):
            names.add(_constant(node))
    return names - {None}


VARIABLES = sorted({name for path in SETTINGS_MODULES for name in variables_read(path)})
DOCUMENTED = {name for path in MARKDOWN
              for span in BACKTICKED.findall(path.read_text())
              for name in VARIABLE.findall(span)}


def test_the_settings_modules_are_found_and_read():
    assert {"DATABASE_URL", "JWT_ALGORITHM", "NOTIFY_SEND_HOUR", "WEB_SECRET_KEY",
            "WEB_CONCURRENCY", "HEARTBEAT_FILE", "HOST"} <= set(VARIABLES)


@pytest.mark.parametrize("name", VARIABLES)
def test_every_variable_read_from_the_environment_is_documented(name):
    assert name in DOCUMENTED, (
        f"{name} is read from the environment but named in neither README.md nor docs/*.md")


NOTIFY_DEFAULTS = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| `([^`]*)` \|",
                             section(NOTIFY, "Configuration"), re.M)


def test_notifys_configuration_table_is_read():
    assert len(NOTIFY_DEFAULTS) >= 20


@pytest.mark.parametrize(("name", "default"), NOTIFY_DEFAULTS)
def test_notifys_documented_default_is_the_codes(name, default):
    assert load_notify_settings({name: default}) == load_notify_settings({}), (
        f"docs/notify.md says {name} defaults to {default!r}; the code differs")


# Processes and data


NOTIFY_SERVICE = next(service for service in SERVICES if service.name == "notify")


@pytest.mark.parametrize("command", [
    NOTIFY_SERVICE.flask("migrate"), *(p.command for p in NOTIFY_SERVICE.processes())])
def test_notify_md_gives_each_command_make_run_starts(command):
    assert f"`{command}`" in NOTIFY, f"docs/notify.md does not give `{command}`"


def ownership_rows() -> dict[str, set[str]]:
    """The architecture's table: each service's name and the tables it names as its own."""
    rows = {}
    for line in section(ARCHITECTURE, "The services and what they own").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"`[a-z]+`", cells[0]):
            rows[cells[0].strip("`")] = set(BACKTICKED.findall(cells[2]))
    return rows


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_the_architecture_names_each_services_tables(service):
    tables = set(importlib.import_module(f"services.{service.name}.models").Base.metadata.tables
                 ) if service.database else set()
    assert ownership_rows().get(service.name) == tables, (
        f"docs/architecture.md does not name {service.name}'s tables {sorted(tables)}")


# Links and references


def in_repository(path: Path) -> bool:
    found = path.resolve()
    return found.is_relative_to(REPO_ROOT) and found.exists()


def headings(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings, as GitHub makes them."""
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    return {re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
            for title in re.findall(r"^#+ (.+)$", text, re.M)}


LINKS = [(path, target) for path in MARKDOWN for target in LINK.findall(path.read_text())
         if "://" not in target and not target.startswith("mailto:")]


@pytest.mark.parametrize(("path", "target"), LINKS,
                         ids=[f"{p.relative_to(REPO_ROOT)}->{t}" for p, t in LINKS])
def test_every_link_in_the_docs_leads_to_a_file_and_heading_of_the_repository(path, target):
    file, _, anchor = target.partition("#")
    found = (path.parent / file).resolve() if file else path
    assert in_repository(found), f"{target} is not in the repository"
    if anchor:
        assert anchor in headings(found), f"{found.name} has no heading #{anchor}"


def our_files() -> list[Path]:
    """The repository's own files: no tools' folders, data or vendored code."""
    found = []
    for folder, subfolders, names in os.walk(REPO_ROOT):
        subfolders[:] = [name for name in subfolders
                         if name not in NOT_OURS and not name.endswith(".egg-info")]
        found += [Path(folder) / name for name in names]
    return found


def test_no_file_refers_to_a_file_outside_the_repository():
    files = our_files()
    markdown_names = {path.name for path in files if path.suffix == ".md"} | {
        path.name for path in (REPO_ROOT / "services" / "web" / "static").rglob("*.md")}
    wrong = []
    for path in files:
        if path.suffix not in TEXT_SUFFIXES and path.name not in TEXT_NAMES:
            continue
        text = path.read_text(errors="replace")
        for ref in UP_PATH.findall(text):
            if not in_repository(path.parent / ref.rstrip(".")):
                wrong.append(f"{path.relative_to(REPO_ROOT)}: {ref}")
        for ref in MARKDOWN_NAME.findall(text):
            if not (in_repository(path.parent / ref) or in_repository(REPO_ROOT / ref)
                    or Path(ref).name in markdown_names):
                wrong.append(f"{path.relative_to(REPO_ROOT)}: {ref}")
    assert not wrong, f"point these to a file of the repository: {sorted(set(wrong))}"
