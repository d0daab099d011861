"""5xx: the email is dead-lettered, not retried for ever; HR admins list and retry it."""

import pytest
from sqlalchemy import select

from services.notify.models import DEAD, SENT, Delivery
from tests.support.dialogues import individual_body, record
from tests.support.waiting import wait_until


def dead_delivery(notify_sessions) -> Delivery | None:
    """The one delivery, once it is dead."""
    with notify_sessions() as session:
        [delivery] = session.scalars(select(Delivery)).all() or [None]
    return delivery if delivery is not None and delivery.state == DEAD else None


@pytest.mark.slow  # starts notify's processes
def test_refused_email_is_dead_lettered_then_retried_by_hr(
    stack, assessment, sink, token, notify_sessions, api, tmp_path, monkeypatch
):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    stack.env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)  # the API adds up every process
    sink.refuse(550, seconds=600, text="mailbox unavailable")
    stack.start()
    record(assessment.client, token("leader", "leader"), individual_body())
    assessment.publish()

    # Dead once the worker has given up on it: a retry would have come before that.
    delivery = wait_until(lambda: dead_delivery(notify_sessions), message=lambda: (
        f"no dead delivery; the server refused {sink.refused}:\n{stack.logs()}"))
    assert sink.refused == 1, "a permanent failure is not retried"

    hr = token("hr-1", "hr_admin")
    assert api.get("/api/v1/dead-letters").status_code == 401
    assert api.get("/api/v1/dead-letters", headers=token("leader", "leader")).status_code == 403
    response = api.get("/api/v1/dead-letters?status=dead", headers=hr)
    assert response.status_code == 200
    [letter] = response.get_json()
    assert letter["kind"] == "dialogue_summary"
    assert letter["person_id"] == "leader"
    assert letter["smtp_code"] == 550
    assert "mailbox unavailable" in letter["error"]
    assert response.headers["X-Pagination"]

    sink.accept()
    assert api.post("/api/v1/dead-letters/999/retry", headers=hr).status_code == 404
    retried = api.post(f"/api/v1/dead-letters/{letter['id']}/retry", headers=hr)
    assert retried.status_code == 202, retried.get_json()
    assert retried.get_json()["status"] == "retrying"
    [mail] = sink.wait_for(1, timeout=30)
    assert mail.rcpt_tos == ["leader@gentofte.test"]
    assert mail.message_id == delivery.message_id, "a retry keeps the Message-ID"

    def status() -> str:
        [letter] = api.get("/api/v1/dead-letters", headers=hr).get_json()
        return letter["status"]

    wait_until(lambda: status() == "delivered", timeout=10,
               message=lambda: f"the dead letter is {status()}, not delivered")
    with notify_sessions() as session:
        assert session.get(Delivery, delivery.key).state == SENT
    assert len(sink.settle()) == 1

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics))
    exposed = api.get("/metrics").get_data(as_text=True)
    for line in (
        'lederdialog_notify_emails_dead_lettered_total{kind="dialogue_summary"} 1.0',
        'lederdialog_notify_emails_sent_total{kind="dialogue_summary"} 1.0',
        'lederdialog_notify_events_consumed_total{outcome="handled",'
        'type="lederdialog.dialogue.recorded.v1"} 1.0',
    ):
        assert line in exposed, line


def test_health_readiness_and_metrics(api):
    assert api.get("/healthz").get_json() == {"status": "ok", "service": "notify"}
    assert api.get("/readyz").status_code == 200
    assert b"lederdialog_http_requests_total" in api.get("/metrics").data
