"""`make run` on a fresh copy: everything starts, a dialogue leads to an email (counted in
notify's /metrics), Ctrl-C stops all.

This is the slowest test (it installs a fresh virtual environment), and the
one closest to a person trying the system for the first time.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest
import requests

from scripts.processes import EMBEDDED_REDIS_PORT, MAILBOX_SMTP_PORT, MAILBOX_WEB_PORT, SERVICES
from shared.auth import mint_token
from shared.config import JWTSettings
from tests.support.dialogues import dialogue_body
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # a fresh virtual environment, then the whole system

ROOT = Path(__file__).resolve().parent.parent
COPY_IGNORE = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", ".pytest_cache",
                                     ".ruff_cache", "*.egg-info")
ORGANISATION = """kind,id,name,email,language,unit_id,parent_id,leader_id,tr_id,amr_id
unit,kommune,Gentofte Kommune,,,,,director,,
unit,skole,Skovgårdsskolen,,,,kommune,leader,tr,amr
person,director,Dorthe Direktør,director@example.org,da,kommune,,,,
person,leader,Lars Leder,leader@example.org,da,skole,,,,
person,tr,Tina Tillid,tr@example.org,da,skole,,,,
person,amr,Anders Arbejdsmiljø,amr@example.org,en,skole,,,,
person,emp1,Eva Ansat,emp1@example.org,da,skole,,,,
"""
PORTS = [s.port for s in SERVICES] + [EMBEDDED_REDIS_PORT, MAILBOX_SMTP_PORT, MAILBOX_WEB_PORT]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for(url: str, deadline: float) -> None:
    wait_until(lambda: requests.get(url, timeout=2).status_code == 200,
               timeout=deadline - time.monotonic(), interval=1,
               ignoring=(requests.RequestException,), message=f"{url} did not answer 200")


def processes_in(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        try:
            if process.info["cwd"] and Path(process.info["cwd"]).is_relative_to(folder):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.fixture
def fresh_copy(tmp_path) -> Path:
    """The repository, copied without its virtual environment or data."""
    busy = [port for port in PORTS if not port_is_free(port)]
    if busy:
        pytest.fail(f"make run needs ports {busy}; stop what uses them", pytrace=False)
    copy = tmp_path / "lederdialog"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    return copy


def test_make_run_starts_everything_mails_a_summary_and_stops_cleanly(fresh_copy):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "REDIS_URL", "SMTP_URL", "VIRTUAL_ENV"))}
    # As in a new terminal: no virtual environment on the PATH.
    env["PATH"] = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p
    )
    log = (fresh_copy / "make-run.log").open("w")
    make = subprocess.Popen(["make", "run"], cwd=fresh_copy, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600  # a fresh virtual environment is installed first
        for service in SERVICES:
            wait_for(f"http://127.0.0.1:{service.port}/readyz", deadline)
        wait_for(f"http://127.0.0.1:{MAILBOX_WEB_PORT}/messages/", deadline)

        jwt = JWTSettings()  # the embedded development defaults
        hr = {"Authorization": f"Bearer {mint_token(jwt, sub='hr', roles=['hr_admin'])}"}
        leader = {"Authorization": f"Bearer {mint_token(jwt, sub='leader', roles=['leader'])}"}
        port = next(s.port for s in SERVICES if s.name == "assessment")
        assessment = f"http://127.0.0.1:{port}"
        imported = requests.post(f"{assessment}/api/v1/org/import", data=ORGANISATION.encode(),
                                 headers={**hr, "Content-Type": "text/csv"}, timeout=10)
        assert imported.status_code == 200, imported.text
        recorded = requests.post(f"{assessment}/api/v1/dialogues", json=dialogue_body(),
                                 headers=leader, timeout=10)
        assert recorded.status_code == 201, recorded.text

        mailbox = f"http://127.0.0.1:{MAILBOX_WEB_PORT}/messages/"
        wait_until(lambda: any("leader@example.org" in m["recipients"]["to"]
                               for m in requests.get(mailbox, timeout=5).json()["messages"]),
                   timeout=deadline - time.monotonic(), interval=1,
                   message="no summary email reached the development mailbox")
        # notify's API shows what its Celery worker counted.
        notify = f"http://127.0.0.1:{next(s.port for s in SERVICES if s.name == 'notify')}"
        wait_until(lambda: 'lederdialog_notify_emails_sent_total{kind="dialogue_summary"}'
                   in requests.get(f"{notify}/metrics", timeout=5).text, timeout=30,
                   message="notify's /metrics does not count the summaries its worker sent")

        # The summary's link leads to the pages, where the leader signs in and reads it.
        web = requests.Session()
        sign_in_page = web.get("http://127.0.0.1:8000/sign-in", timeout=10)
        assert sign_in_page.status_code == 200, sign_in_page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', sign_in_page.text).group(1)
        signed_in = web.post("http://127.0.0.1:8000/sign-in/dev", timeout=10, data={
            "csrf_token": csrf, "sub": "leader", "next": f"/dialogues/{recorded.json()['id']}",
        })
        assert signed_in.status_code == 200, signed_in.text
        assert "Klare aftaler om vikardækning." in signed_in.text
    finally:
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            make.wait(timeout=60)
        finally:
            log.close()
    # Each process has a moment to end after make has.
    wait_until(lambda: not processes_in(fresh_copy), timeout=5, message=lambda: (
        f"processes left behind: {[p.info['cmdline'] for p in processes_in(fresh_copy)]}"))
    assert (fresh_copy / "var" / "assessment.db").exists(), "the data is kept for the next run"
