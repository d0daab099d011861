"""One job's path through claim, SMTP and record, on fakes passed in through the runtime."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from services.content.document import localize
from services.notify import jobs
from services.notify.config import load_notify_settings
from services.notify.framework import Framework
from services.notify.mailings import mailings
from services.notify.models import DEAD, SENDING, SENT, DeadLetter, Delivery
from services.notify.rendering import Templates
from services.notify.runtime import Runtime
from services.notify.smtp import PermanentFailure, TemporaryFailure
from shared.config import REPO_ROOT, load_settings

DOCUMENT = json.loads(Path(REPO_ROOT, "services/content/data/ledelsesgrundlag.json").read_text())
UNIT = {"id": "skole", "parent_id": "kommune", "leader_id": "leader", "tr_id": "tr",
        "amr_id": None}


class FakeDirectory:
    def __init__(self, people: dict[str, dict], leaders: int = 1):
        self.known = people
        self.leaders = leaders

    def people(self, person_ids):
        return {p: self.known[p] for p in person_ids if p in self.known}

    def units(self):
        yield [{**UNIT, "id": f"u{n}", "leader_id": f"l{n}"} for n in range(self.leaders)]


class FakeFramework:
    def version(self, version, lang):
        return Framework(version, lang, localize(DOCUMENT, lang))

    def diff(self, old, new):
        return [{"path": "x", "lang": "da", "old": "a", "new": "b"}]


class FakeSender:
    def __init__(self, fail: Exception | None = None):
        self.sent: list[str] = []
        self.fail = fail

    def send(self, data, *, sender, recipient):
        if self.fail is not None:
            raise self.fail
        self.sent.append(recipient)


class FakeLog:
    def __init__(self):
        self.lines: list[str] = []

    def __getattr__(self, _level):
        return lambda event, **_fields: self.lines.append(event)


def person(person_id: str, email: str | None = None) -> dict:
    return {"id": person_id, "name": person_id.title(), "language": "da",
            "email": email or f"{person_id}@gentofte.test"}


@pytest.fixture
def make_runtime(notify_sessions, notify_database_url):
    """A runtime on the test database with fake directory, framework and SMTP sender."""

    def make(directory, sender) -> Runtime:
        settings = load_notify_settings(
            environ={}, base=load_settings("notify", environ={},
                                           database_url=notify_database_url))
        framework = FakeFramework()
        return Runtime(
            settings=settings, engine=None, session_factory=notify_sessions,
            directory=directory, framework=framework,
            mailings=mailings(framework, follow_up_areas=2), templates=Templates(),
            sender=sender, domain="lederdialog.local",
        )

    return make


@pytest.fixture
def log(monkeypatch) -> FakeLog:
    fake = FakeLog()
    monkeypatch.setattr(jobs, "log", fake)
    return fake


JOB = {"kind": "framework_changed", "source": "event-1",
       "data": {"version_id": 2, "previous_version_id": 1, "changed_paths": ["x"]}}


def deliveries(sessions) -> dict[str, str]:
    with sessions() as session:
        return {d.person_id: d.state for d in session.scalars(select(Delivery))}


def test_a_job_delivered_twice_sends_once(make_runtime, notify_sessions, log):
    sender = FakeSender()
    runtime = make_runtime(FakeDirectory({"l0": person("l0")}), sender)
    for _ in range(2):
        assert jobs.run_job(JOB, rt=runtime, last_try=False, enqueue=None) is None
    assert sender.sent == ["l0@gentofte.test"]
    assert deliveries(notify_sessions) == {"l0": SENT}


def test_an_unknown_or_erased_person_gets_nothing(make_runtime, notify_sessions, log):
    sender = FakeSender()
    runtime = make_runtime(FakeDirectory({}), sender)
    jobs.run_job(JOB, rt=runtime, last_try=False, enqueue=None)
    assert sender.sent == []
    assert "not sending: person unknown or erased" in log.lines
    assert deliveries(notify_sessions) == {}


def test_a_key_left_sending_is_sent_again_and_logged(make_runtime, notify_sessions, log):
    key = jobs.idempotency_key("event-1", "framework_changed", "l0")
    with notify_sessions() as session:  # a worker died between the claim and the record
        session.add(Delivery(key=key, message_id="<m@x>", kind="framework_changed",
                             person_id="l0", state=SENDING))
        session.commit()
    sender = FakeSender()
    jobs.run_job(JOB, rt=make_runtime(FakeDirectory({"l0": person("l0")}), sender),
                 last_try=False, enqueue=None)
    assert sender.sent == ["l0@gentofte.test"]
    assert "re-sending within the acceptance window" in log.lines
    assert deliveries(notify_sessions) == {"l0": SENT}


def test_many_recipients_fan_out(make_runtime, log):
    parts: list[dict] = []
    directory = FakeDirectory({}, leaders=jobs.FAN_OUT * 2 + 1)
    jobs.run_job(JOB, rt=make_runtime(directory, FakeSender()), last_try=False,
                 enqueue=parts.extend)
    assert [len(part["people"]) for part in parts] == [jobs.FAN_OUT, jobs.FAN_OUT, 1]


def test_temporary_failure_is_retried_then_dead_lettered(make_runtime, notify_sessions, log):
    runtime = make_runtime(FakeDirectory({"l0": person("l0")}),
                           FakeSender(TemporaryFailure("451 later", 451)))
    failure = jobs.run_job(JOB, rt=runtime, last_try=False, enqueue=None)
    assert isinstance(failure, TemporaryFailure)
    assert deliveries(notify_sessions) == {"l0": "failed"}
    assert jobs.run_job(JOB, rt=runtime, last_try=True, enqueue=None) is None
    assert deliveries(notify_sessions) == {"l0": DEAD}


def test_permanent_failures_and_bad_addresses_are_dead_letters(
    make_runtime, notify_sessions, log
):
    runtime = make_runtime(
        FakeDirectory({"l0": person("l0", email="not an address")}, leaders=1),
        FakeSender(PermanentFailure("550 no such user", 550)),
    )
    jobs.run_job(JOB, rt=runtime, last_try=False, enqueue=None)
    with notify_sessions() as session:
        [letter] = session.scalars(select(DeadLetter)).all()
    assert "not an email address" in letter.error
    assert letter.job == {**JOB, "people": ["l0"], "retry": True}
