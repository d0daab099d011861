"""As compose.yaml runs them, each in a container of its own with a metrics folder of its
own, notify's consumer and Celery worker each serve what they count on METRICS_PORT.

The processes start with the commands and environment of `make run` (which
tests/test_compose.py keeps in step with compose.yaml), each given a folder and a port
of its own as its container has; the services they read, Redis and the SMTP server are
the tests' own.
"""

import pytest

from scripts import processes
from scripts.processes import run_environment, system_processes
from services.notify.config import load_notify_settings
from tests.notify.test_metrics_under_make_run import READY, exposed, value
from tests.support.dialogues import dialogue_body, record
from tests.support.notify_processes import Process
from tests.support.smtp_sink import free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # starts notify's consumer and worker


def test_consumer_and_worker_each_serve_their_own_metrics(
    stack, assessment, sink, token, tmp_path, monkeypatch
):
    monkeypatch.setattr(processes, "VAR_DIR", tmp_path)
    env = run_environment(stack.env)
    ports, started = {}, []
    for process in system_processes():
        if process.name not in ("notify-consumer", "notify-worker"):
            continue
        folder = tmp_path / "containers" / process.name / "metrics"
        folder.mkdir(parents=True)
        ports[process.name] = free_port()
        own = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "METRICS_PORT": str(ports[process.name])}
        started.append(Process(process.name, ["/bin/sh", "-c", process.command],
                               env={**env, **process.env, **own}, log_dir=tmp_path).start())
    assert len(started) == 2
    try:
        for process in started:
            process.wait_for_log(READY[process.name], timeout=60)
        record(assessment.client, token("leader", "leader"), dialogue_body())
        assessment.publish()
        received = sink.wait_for(1, timeout=60)
        consumer = f"http://127.0.0.1:{ports['notify-consumer']}"
        worker = f"http://127.0.0.1:{ports['notify-worker']}"

        def counted() -> bool:
            return bool(
                value(exposed(consumer), "lederdialog_notify_events_consumed_total",
                      type="lederdialog.dialogue.recorded.v1", outcome="handled")
                and value(exposed(worker), "lederdialog_notify_emails_sent_total",
                          kind="dialogue_summary"))

        wait_until(counted, timeout=30, ignoring=(OSError,),
                   message="the consumer's or the worker's /metrics lacks its figures")
        received = sink.settle(quiet=2)
        assert value(exposed(worker), "lederdialog_notify_emails_sent_total",
                     kind="dialogue_summary") == len(received)
        assert not value(exposed(consumer), "lederdialog_notify_emails_sent_total",
                         kind="dialogue_summary"), "each serves its own counts"
    finally:
        for process in started:
            process.stop()


@pytest.mark.parametrize("text", ["0", "65536", "eighty", "-1", "80.5"])
def test_a_metrics_port_that_is_no_port_stops_notify_at_start(text):
    with pytest.raises(ValueError, match="METRICS_PORT must be a port number"):
        load_notify_settings({"METRICS_PORT": text})


def test_without_a_metrics_port_nothing_is_served():
    assert load_notify_settings({}).metrics_port is None
    assert load_notify_settings({"METRICS_PORT": "9100"}).metrics_port == 9100
