"""The reverse proxy (deploy/nginx/) for real: Debian's nginx on the production files.

nginx stands in front of test servers that answer with what reached them
(tests/support/echo_app.py), under gunicorn with the services' own settings
(shared/gunicorn_conf.py) where the workers matter. Without nginx installed every test
here fails, saying how to install it.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress

import pytest
import requests

from services.assessment.app import create_app as create_assessment_app
from services.content.app import create_app as create_content_app
from services.notify.app import create_app as create_notify_app
from services.notify.config import load_notify_settings
from services.web.app import create_app as create_web_app
from services.web.settings import load_web_settings
from shared.config import load_settings
from tests.support.echo_app import create_app as echo_app
from tests.support.nginx import CONFIGS, Proxy, nginx_binary, render, self_signed_certificate
from tests.support.processes import gunicorn
from tests.support.servers import serving
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # starts nginx and gunicorn

UPSTREAMS = ("web", "content", "assessment", "notify")
MIB = 1024 * 1024
# The services' gunicorn settings, with the APIs' two sync workers.
PRODUCTION_GUNICORN = {"GUNICORN_CMD_ARGS": "--config python:shared.gunicorn_conf",
                       "GUNICORN_THREADS": "1"}
SLOW_CLIENTS = 4  # twice the workers of a service


def port_of(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


@pytest.fixture(scope="module", autouse=True)
def nginx() -> str:
    try:
        return nginx_binary()
    except AssertionError as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="module")
def echo(tmp_path_factory) -> Iterator[int]:
    """The echo app under gunicorn as the APIs run (two sync workers): its port."""
    log = tmp_path_factory.mktemp("echo") / "gunicorn.log"
    with gunicorn("tests.support.echo_app:create_app()", env=PRODUCTION_GUNICORN,
                  log=log) as (_, base_url):
        yield port_of(base_url)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, echo) -> Iterator[Proxy]:
    """The plain-http site in front of the echo app, which plays every service."""
    folder = tmp_path_factory.mktemp("proxy")
    with render(folder, "http", dict.fromkeys(UPSTREAMS, echo)).running() as running:
        yield running


@pytest.mark.parametrize("config", CONFIGS)
def test_nginx_accepts_each_configuration(tmp_path, config):
    certs = self_signed_certificate(tmp_path / "certs").parent
    unused_port = 9  # nginx -t connects to no upstream
    report = render(tmp_path / "nginx", config, dict.fromkeys(UPSTREAMS, unused_port),
                    certs).check()
    assert "test is successful" in report
    assert "[warn]" not in report, report


def service_routes(tmp_path, redis_url) -> dict[str, list[str]]:
    """Every route of every service the proxy serves, by service (the APIs' /api/ routes)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'routes.db'}", "REDIS_URL": redis_url,
           "JWT_SECRET": "routes-" + "x" * 32, "WEB_DEV_SIGN_IN": "true"}
    apps = {
        "content": create_content_app(load_settings("content", env)),
        "assessment": create_assessment_app(load_settings("assessment", env)),
        "notify": create_notify_app(load_notify_settings(env)),
        "web": create_web_app(load_web_settings(env)),
    }
    routes = {}
    for name, app in apps.items():
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        routes[name] = sorted(
            rule for rule in rules
            if (rule != "/metrics" if name == "web" else rule.startswith("/api/")))
    return routes


def test_every_route_of_every_service_reaches_that_service(tmp_path, redis_url):
    routes = service_routes(tmp_path, redis_url)
    with ExitStack() as stack:
        ports = {name: port_of(stack.enter_context(serving(echo_app(name))))
                 for name in UPSTREAMS}
        proxy = stack.enter_context(render(tmp_path / "nginx", "http", ports).running())
        wrong = {}
        for service, rules in routes.items():
            for rule in rules:
                path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m[1] == "int" else "k", rule)
                answer = requests.get(proxy.url(path), timeout=5)
                reached = answer.json()["upstream"] if answer.status_code == 200 else answer
                if reached != service:
                    wrong[rule] = f"{reached} instead of {service}"
        metrics = requests.get(proxy.url("/metrics"), timeout=5)
    assert routes["content"] and routes["assessment"] and routes["notify"] and routes["web"]
    assert not wrong, wrong
    assert metrics.status_code == 404, "the services' metrics are for Prometheus inside only"


def test_the_proxy_sets_the_forwarded_headers_and_passes_the_request_id(proxy):
    seen = requests.get(proxy.url("/overview"), timeout=5,
                        headers={"X-Request-ID": "trace-42", "X-Forwarded-For": "10.9.8.7"})
    headers = seen.json()["headers"]
    # The last address is the one the proxy saw: what the services trust (TRUSTED_PROXIES=1).
    assert headers["X-Forwarded-For"] == "10.9.8.7, 127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Host"] == f"127.0.0.1:{proxy.ports[80]}"
    assert headers["X-Request-ID"] == "trace-42"

    new = requests.get(proxy.url("/api/v1/me"), timeout=5, headers={"X-Request-ID": "a b"})
    request_id = new.json()["headers"]["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), "a new id in place of one the services refuse"

    def logged() -> list[dict]:
        return [json.loads(line) for line in proxy.access_log.read_text().splitlines()]

    wait_until(lambda: any(line["request_id"] == request_id and line["path"] == "/api/v1/me"
                           for line in logged()),
               timeout=5, message=lambda: f"the proxy's log has no line of it: {logged()[-3:]}")


def test_bodies_over_the_limit_get_413_from_the_proxy(proxy):
    def post(path: str, size: int, **kwargs) -> requests.Response:
        return requests.post(proxy.url(path), data=b"x" * size, timeout=30, **kwargs)

    assert post("/api/v1/dialogues", MIB).json()["body_bytes"] == MIB
    too_large = post("/api/v1/dialogues", MIB + 1)
    assert too_large.status_code == 413
    assert too_large.json()["message"] == "The body is over 1 MiB"
    # A body without a length is counted as it arrives.
    chunked = requests.post(proxy.url("/api/v1/units"), timeout=30,
                            data=(b"x" * 65536 for _ in range(17)))
    assert chunked.status_code == 413

    assert post("/api/v1/org/import", 20 * MIB).json()["body_bytes"] == 20 * MIB
    import_too_large = post("/api/v1/org/import", 21 * MIB + 1)
    assert import_too_large.status_code == 413
    assert import_too_large.json()["message"].startswith("The body is over 21 MiB")

    page = post("/dialogues/new", MIB + 1)
    assert page.status_code == 413
    assert "for stort" in page.text and page.headers["Content-Type"].startswith("text/plain")
    # HR's page for the import takes the file as the API does, and says so past it.
    assert post("/hr/organisation/import", 20 * MIB).json()["body_bytes"] == 20 * MIB
    page_too_large = post("/hr/organisation/import", 21 * MIB + 1)
    assert page_too_large.status_code == 413
    assert "over 21 MiB" in page_too_large.text


@contextmanager
def slow_clients(port: int) -> Iterator[None]:
    """SLOW_CLIENTS connections sending their requests a little at a time, every 0.5 s:
    half never finish their headers, half their body."""
    connections = []
    for number in range(SLOW_CLIENTS):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(
            b"POST /api/v1/dialogues HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"
            if number % 2 else b"GET /overview HTTP/1.1\r\nHost: x\r\n")
        connections.append(connection)
    stop = threading.Event()

    def dribble():
        while not stop.wait(0.5):
            for number, connection in enumerate(connections):
                with suppress(OSError):  # a connection the server gave up on
                    connection.sendall(b" " if number % 2 else b"X-Slow: 1\r\n")

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # every slow request is under way
        yield
    finally:
        stop.set()
        thread.join()
        for connection in connections:
            connection.close()


def test_slow_clients_do_not_hold_up_others_behind_the_proxy(proxy):
    with slow_clients(proxy.ports[80]):
        started = time.monotonic()
        answer = requests.get(proxy.url("/overview"), timeout=5)
        elapsed = time.monotonic() - started
    assert answer.status_code == 200
    assert elapsed < 1, f"a normal request waited {elapsed:.1f} s behind the slow clients"


def test_slow_clients_stop_gunicorn_without_the_proxy(tmp_path):
    """What the proxy is for: the same slow clients straight at gunicorn take every worker."""
    served = gunicorn("tests.support.echo_app:create_app()", env=PRODUCTION_GUNICORN,
                      log=tmp_path / "gunicorn.log")
    with served as (_, base_url), slow_clients(port_of(base_url)), \
            pytest.raises(requests.Timeout):
        requests.get(f"{base_url}/overview", timeout=2)


def test_https_with_the_mounted_certificate_and_http_sent_there(tmp_path, echo):
    certificate = self_signed_certificate(tmp_path / "certs")
    proxy = render(tmp_path / "nginx", "https", dict.fromkeys(UPSTREAMS, echo),
                   certificate.parent)
    with proxy.running():
        redirect = requests.get(proxy.url("/overview?lang=en"), allow_redirects=False, timeout=5)
        seen = requests.get(proxy.url("/overview", port=443), verify=certificate, timeout=5)
        with socket.create_connection(("127.0.0.1", proxy.ports[443])) as raw:
            context = ssl.create_default_context(cafile=certificate)
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                version = tls.version()
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == "https://127.0.0.1/overview?lang=en"
    assert seen.json()["headers"]["X-Forwarded-Proto"] == "https"
    assert version == "TLSv1.3"


def test_a_service_behind_the_proxy_knows_its_answers_go_out_over_https(tmp_path, redis_url):
    """TRUSTED_PROXIES=1, as compose.yaml sets it: the service takes the scheme from the
    proxy, so its answers carry Strict-Transport-Security (the proxy sets none itself)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'content.db'}", "REDIS_URL": redis_url,
           "JWT_SECRET": "https-" + "x" * 32, "TRUSTED_PROXIES": "1"}
    certificate = self_signed_certificate(tmp_path / "certs")
    with serving(create_content_app(load_settings("content", env))) as service:
        proxy = render(tmp_path / "nginx", "https", dict.fromkeys(UPSTREAMS, port_of(service)),
                       certificate.parent)
        with proxy.running():
            proxied = requests.get(proxy.url("/healthz", port=443), verify=certificate, timeout=5)
        direct = requests.get(f"{service}/healthz", timeout=5)
    assert proxied.status_code == direct.status_code == 200
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in direct.headers
