"""compose.yaml is a valid Compose file that runs what `make run` runs, image by image."""

import json
import re
import shlex
from pathlib import Path

import jsonschema
import pytest
import yaml

from scripts.processes import (
    DEV_SIGN_IN,
    GUNICORN,
    MIGRATED,
    SERVICES,
    run_environment,
    system_processes,
)
from tests.support.nginx import CERTS, CONFIGS, DEPLOY, upstream_servers

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SCHEMA = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text())
ONE_SHOT = {f"{service.name}-migrate" for service in MIGRATED}
PROXY = "proxy"
# gunicorn's settings that must be the same under make run (the rest are paths or hosts).
GUNICORN_VARIABLES = ("PORT", "GUNICORN_THREADS")


def compose_service(name: str) -> dict:
    assert name in COMPOSE["services"], f"compose.yaml has no service {name!r}"
    return COMPOSE["services"][name]


def as_args(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_compose_file_follows_the_specification():
    jsonschema.Draft7Validator(SCHEMA).validate(COMPOSE)
    assert "version" not in COMPOSE


def test_every_long_running_service_has_a_healthcheck():
    for name, service in COMPOSE["services"].items():
        if name not in ONE_SHOT:
            assert "healthcheck" in service, f"{name} has no healthcheck"


@pytest.mark.parametrize("process", system_processes(), ids=lambda p: p.name)
def test_compose_runs_the_same_command_with_the_same_variables(process):
    service = compose_service(process.name)
    assert as_args(service["command"]) == shlex.split(process.command)
    environment = service["environment"]
    run_variables = set(run_environment({})) - {"PYTHONUNBUFFERED", "PATH", DEV_SIGN_IN}
    owns_data = process.name.split("-")[0] in {service.name for service in MIGRATED}
    database = {"DATABASE_URL"} if owns_data else set()
    missing = (run_variables | set(process.env) | database) - set(environment)
    assert not missing, f"{process.name} lacks {sorted(missing)} that make run sets"
    for name in set(GUNICORN_VARIABLES) & set(process.env):
        assert environment[name] == process.env[name], f"{process.name}: {name} differs"


def test_compose_never_offers_the_development_sign_in():
    for name, service in COMPOSE["services"].items():
        assert DEV_SIGN_IN not in service.get("environment", {}), name


@pytest.mark.parametrize("service", MIGRATED, ids=lambda s: s.name)
def test_migrations_run_once_before_the_service_starts(service):
    migrate = compose_service(f"{service.name}-migrate")
    assert as_args(migrate["command"]) == shlex.split(service.flask("migrate"))
    assert migrate["restart"] == "no"
    for process in service.processes():
        condition = compose_service(process.name)["depends_on"][f"{service.name}-migrate"]
        assert condition == {"condition": "service_completed_successfully"}


def image_files(dockerfile: Path) -> set[str]:
    """The repository files a Dockerfile copies into its image."""
    files = set()
    for line in dockerfile.read_text().splitlines():
        match = re.match(r"^COPY\s+(\S+)\s+\S+$", line)
        if match:
            source = ROOT / match.group(1)
            paths = source.rglob("*") if source.is_dir() else [source]
            files |= {str(p.relative_to(ROOT)) for p in paths if p.is_file()}
    return files


def module_file(module: str) -> str:
    return module.replace(".", "/") + ".py"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_dockerfile_entry_point_exists_in_the_image(service):
    dockerfile = ROOT / "services" / service.name / "Dockerfile"
    text = dockerfile.read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"^USER (?!root)\w+$", text, re.M), "the image must not run as root"
    files = image_files(dockerfile)
    assert "requirements.txt" in files
    assert not any(f.startswith(("tests/", "bench/", "scripts/")) for f in files)
    others = {s.name for s in SERVICES} - {service.name}
    assert not any(f.startswith(tuple(f"services/{o}/" for o in others)) for f in files)
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    app_module = cmd[-1].split(":")[0]
    config_module = cmd[cmd.index("-c") + 1].removeprefix("python:")
    for module in (app_module, config_module):
        assert module_file(module) in files, f"{module} is not in the {service.name} image"
    for name, compose in COMPOSE["services"].items():
        if compose.get("build", {}).get("dockerfile") == f"services/{service.name}/Dockerfile":
            modules = re.findall(r"services\.[\w.]+|shared\.[\w.]+", " ".join(
                as_args(compose["command"]) + as_args(compose["healthcheck"]["test"])
                if "healthcheck" in compose else as_args(compose["command"])))
            for module in modules:
                module = module.split(":")[0]
                assert module_file(module) in files, f"{name} runs {module}, not in its image"


def proxy_volumes() -> dict[str, str]:
    """The proxy's volumes, target -> source; each must be read-only."""
    volumes = {}
    for volume in compose_service(PROXY)["volumes"]:
        assert isinstance(volume, str) and volume.endswith(":ro"), f"{volume} is not read-only"
        source, target, _ = volume.rsplit(":", 2)  # a source's ${VAR:-default} holds a colon
        volumes[target] = source
    return volumes


def test_the_proxy_runs_an_exact_nginx_release():
    image = compose_service(PROXY)["image"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-alpine", image), f"{image}: pin nginx's version"


def test_the_proxy_reads_its_configuration_and_certificate_read_only():
    volumes = proxy_volumes()
    assert volumes["/etc/nginx/lederdialog"] == "./deploy/nginx"
    site = re.fullmatch(r"\./deploy/nginx/\$\{PROXY_CONFIG:-(\w+)\}\.conf",
                        volumes["/etc/nginx/conf.d/default.conf"])
    assert site and site[1] == "https", "production's default is https"
    assert all((DEPLOY / f"{config}.conf").is_file() for config in CONFIGS)
    https = (DEPLOY / "https.conf").read_text()
    certificates = re.findall(r"ssl_certificate(?:_key)?\s+(\S+);", https)
    assert certificates and all(path.startswith(CERTS) for path in certificates)
    assert CERTS.rstrip("/") in volumes, "the certificate comes from a volume"


def test_only_the_proxy_faces_the_network():
    assert sorted(compose_service(PROXY)["ports"]) == ["443:443", "80:80"]
    # Operators' tools (Mailpit's web view, Flower) listen on the host's loopback only.
    for name, service in COMPOSE["services"].items():
        for port in service.get("ports", []) if name != PROXY else []:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} to the network"


def test_the_proxy_passes_each_service_to_the_port_it_listens_on():
    upstreams = upstream_servers((DEPLOY / "proxy.conf").read_text())
    served = {p.name for p in system_processes() if p.command.startswith(GUNICORN)}
    assert {host for host, _ in upstreams.values()} == served, "every HTTP service is behind it"
    for host, port in upstreams.values():
        environment = compose_service(host)["environment"]
        assert environment["PORT"] == str(port), f"{host} listens on {environment['PORT']}"
        assert environment.get("TRUSTED_PROXIES") == "1", f"{host} must trust the proxy"
        condition = compose_service(PROXY)["depends_on"][host]
        assert condition == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", ["notify-consumer", "notify-worker"])
def test_notify_processes_in_containers_of_their_own_serve_their_metrics(name):
    # In its own container a process's metrics folder is its own: the notify API's
    # /metrics cannot add it up, so the process serves it (tests/notify/
    # test_metrics_in_containers.py starts them so), to the compose network alone.
    service = compose_service(name)
    assert service["environment"].get("PROMETHEUS_MULTIPROC_DIR")
    assert service["environment"].get("METRICS_PORT") == "9100"
    assert "ports" not in service
