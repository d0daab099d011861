"""nginx on the production configuration (deploy/nginx/), in front of test servers.

The production files are copied and changed only where a test machine must differ: the
upstreams point at 127.0.0.1 ports, every `listen` takes a free port, and the certificate
and the logs are the test's own. They are included the way the nginx image includes them,
from a main configuration like the image's /etc/nginx/nginx.conf.

Debian 12's nginx (1.22) predates two things the image's nginx (compose.yaml) reads:
`http2 on;` (1.25.1), which is left out here, and an upstream server's `resolve` (1.27.3),
which goes with the rewritten upstream address.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.config import REPO_ROOT
from tests.support.processes import kill_group
from tests.support.smtp_sink import free_port

DEPLOY = REPO_ROOT / "deploy" / "nginx"
CONFIGS = ("http", "https")  # the two sites compose.yaml chooses from (PROXY_CONFIG)
INSTALL = "apt-get install -y --no-install-recommends nginx"
CERTS = "/etc/nginx/certs/"  # where compose.yaml mounts the certificate
ACCESS_LOG = "/var/log/nginx/access.log"
UPSTREAM = re.compile(r"^\s*upstream\s+([\w-]+)\s*\{(.*?)\}", re.M | re.S)
UPSTREAM_SERVER = re.compile(r"^(\s*server\s+)([\w.-]+):(\d+)(?:\s+resolve)?;", re.M)
LISTEN = re.compile(r"^(\s*listen\s+)(?:[\d.]+:)?(\d+)", re.M)

# What the nginx image's /etc/nginx/nginx.conf holds around the included files.
MAIN = """\
{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{
    worker_connections 1024;
}}
http {{
    default_type application/octet-stream;
    log_format main '$remote_addr "$request" $status';
    access_log {folder}/image-access.log main;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include conf.d/*.conf;
}}
"""


def nginx_binary() -> str:
    """The nginx program; a clear failure when it is not installed."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        raise AssertionError(f"nginx is needed for the proxy tests: {INSTALL} (Debian's nginx)")
    return found


def upstream_servers(text: str) -> dict[str, tuple[str, int]]:
    """Each upstream block of an nginx configuration: name -> (host, port) of its server."""
    found = {}
    for name, body in UPSTREAM.findall(text):
        servers = UPSTREAM_SERVER.findall(body)
        assert len(servers) == 1, f"upstream {name} should name one server: {servers}"
        _, host, port = servers[0]
        found[name] = (host, int(port))
    return found


@dataclass
class Proxy:
    """A rendered configuration: its folder and the test port of each production port."""

    folder: Path
    ports: dict[int, int]

    @property
    def main(self) -> Path:
        return self.folder / "nginx.conf"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def url(self, path: str = "/", *, port: int = 80) -> str:
        scheme = "https" if port == 443 else "http"
        return f"{scheme}://127.0.0.1:{self.ports[port]}{path}"

    def check(self) -> str:
        """`nginx -t` on it: its report, or an AssertionError holding the report."""
        result = subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30)
        report = result.stdout + result.stderr
        assert result.returncode == 0, f"nginx -t refused the configuration:\n{report}"
        return report

    @contextmanager
    def running(self, timeout: float = 10.0) -> Iterator[Proxy]:
        """nginx serving this configuration until the block ends."""
        process = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not all(_accepts(port) for port in self.ports.values()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not start:\n{self._error_log()}")
                time.sleep(0.05)
            yield self
        finally:
            kill_group(process)

    def _command(self, *args: str) -> list[str]:
        return [nginx_binary(), "-p", str(self.folder), "-c", str(self.main), *args]

    def _error_log(self) -> str:
        log = self.folder / "error.log"
        return log.read_text() if log.exists() else "(no error log)"


def render(folder: Path, config: str, upstreams: dict[str, int], certs: Path | None = None,
           ) -> Proxy:
    """deploy/nginx/<config>.conf in folder, each upstream at 127.0.0.1:upstreams[name]."""
    assert config in CONFIGS, config
    (folder / "temp").mkdir(parents=True)
    (folder / "conf.d").mkdir()
    (folder / "lederdialog").mkdir()
    ports: dict[int, int] = {}

    def local(text: str) -> str:
        text = LISTEN.sub(lambda m: f"{m[1]}127.0.0.1:{ports.setdefault(int(m[2]), free_port())}",
                          text)
        text = text.replace(ACCESS_LOG, str(folder / "access.log"))
        text = text.replace(CERTS, f"{certs}/" if certs else CERTS)
        return re.sub(r"^\s*http2 on;\n", "", text, flags=re.M)

    for source in DEPLOY.glob("*.conf"):
        if source.stem in CONFIGS and source.stem != config:
            continue  # compose.yaml mounts one of the two
        text = local(source.read_text())
        missing = set(upstream_servers(text)) - set(upstreams)
        assert not missing, f"no test server given for the upstreams {sorted(missing)}"
        text = UPSTREAM.sub(lambda m: _pointed(m[0], upstreams[m[1]]), text)
        # The site is mounted as the image's conf.d/default.conf, the rest under lederdialog/.
        site = source.stem == config
        (folder / ("conf.d/default.conf" if site else f"lederdialog/{source.name}")
         ).write_text(text)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers that may write the test's folder
    (folder / "nginx.conf").write_text(MAIN.format(user=user, folder=folder))
    return Proxy(folder, ports)


def self_signed_certificate(folder: Path) -> Path:
    """fullchain.pem and privkey.pem in folder, as the certificate volume holds them, for
    127.0.0.1 and localhost; returns the certificate, for a client to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    chain = folder / "fullchain.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return chain


def _pointed(block: str, port: int) -> str:
    return UPSTREAM_SERVER.sub(lambda m: f"{m[1]}127.0.0.1:{port};", block)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0
