"""Under `make run`, notify's /metrics shows what its consumer and Celery worker count.

notify's processes start here as scripts/run.py starts them: the commands and the
environment of scripts/processes.py, the metrics folders emptied first; only the
services they read (content, assessment), Redis and the SMTP server are the tests' own.
"""

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from scripts import processes
from scripts.processes import run_environment, system_processes
from scripts.run import empty_metrics_folders
from tests.support.dialogues import dialogue_body, record
from tests.support.notify_processes import Process
from tests.support.smtp_sink import free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # starts notify's consumer, worker, beat and API

READY = {"notify-consumer": "consumer started", "notify-worker": "ready.",
         "notify-beat": "beat: Starting"}


def exposed(url: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of the API's /metrics: (name, labels) -> value."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_notify_api_shows_what_the_consumer_and_the_worker_count(
    stack, assessment, sink, token, tmp_path, monkeypatch
):
    # Where `make run` keeps its data (the processes' LEDERDIALOG_VAR_DIR), and a free port.
    monkeypatch.setattr(processes, "VAR_DIR", tmp_path)
    monkeypatch.setenv("NOTIFY_PORT", str(free_port()))
    empty_metrics_folders()
    env = run_environment(stack.env)
    notify = [process for process in system_processes() if process.name.startswith("notify")]
    assert [p.name for p in notify] == ["notify", *READY], "notify's processes under make run"
    started = [Process(p.name, ["/bin/sh", "-c", p.command], env={**env, **p.env},
                       log_dir=tmp_path).start() for p in notify]
    api_url = f"http://127.0.0.1:{next(p for p in notify if p.name == 'notify').env['PORT']}"
    try:
        for process in started:
            if process.name in READY:
                process.wait_for_log(READY[process.name], timeout=60)
        wait_until(lambda: requests.get(f"{api_url}/readyz", timeout=2).status_code == 200,
                   ignoring=(requests.RequestException,), message="notify's API is not ready")

        record(assessment.client, token("leader", "leader"), dialogue_body())
        assessment.publish()
        sink.wait_for(1, timeout=60)

        def counted() -> bool:
            samples = exposed(api_url)
            return bool(
                value(samples, "lederdialog_notify_events_consumed_total",  # the consumer's
                      type="lederdialog.dialogue.recorded.v1", outcome="handled")
                and value(samples, "lederdialog_notify_emails_sent_total",  # the worker's
                          kind="dialogue_summary")
                # The worker's, at the poll beat asks for every NOTIFY_POLL_SECONDS.
                and value(samples, "lederdialog_notify_reminder_backlog", state="scheduled")
            )

        wait_until(counted, timeout=30, message=lambda: (
            "notify's /metrics lacks the consumer's, the worker's or beat's figures:\n"
            + ("\n".join(f"{name} {dict(labels)} {v}" for (name, labels), v
                         in exposed(api_url).items() if name.startswith("lederdialog_notify"))
               or "(none of notify's own)")))
        received = sink.settle(quiet=2)
        samples = exposed(api_url)
        sent = sum(v for (name, _labels), v in samples.items()
                   if name == "lederdialog_notify_emails_sent_total")
        assert sent == len(received), "every email the SMTP server took, counted once"
        assert value(samples, "lederdialog_notify_reminder_backlog", state="due") == 0
    finally:
        for process in started:
            process.stop()
