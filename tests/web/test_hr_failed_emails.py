"""Failed emails, for HR: the dead letters of a real notify API over HTTP, named by the
assessment API, each sent again with a button, or all at once; no one else finds the page."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
from redis import Redis
from sqlalchemy import delete, select

from services.notify.models import DeadEvent, DeadLetter, ProcessedEvent, QueuedJob
from services.web.apis import Api
from services.web.pages import hr_failed_emails
from services.web.session import APIS
from shared.db import make_engine, make_session_factory
from shared.events import new_event
from shared.outbox import stream_fields, utcnow
from tests.support.servers import UNREACHABLE, notify_server
from tests.web.conftest import csrf_token, sign_in

NOW = utcnow()
QUEUE = "notify"  # notify's queue under the test server's settings (NOTIFY_QUEUE unset)


@dataclass
class Notify:
    """The notify API the pages call, and a way to write its dead letters as notify does."""

    url: str
    sessions: object

    def holds(self, *rows: DeadLetter | DeadEvent) -> None:
        """These dead letters and dead events, and no others."""
        with self.sessions() as session:
            for table in (DeadLetter, DeadEvent, QueuedJob, ProcessedEvent):
                session.execute(delete(table))
            session.add_all(rows)
            session.commit()

    def statuses(self) -> dict[str | None, str]:
        with self.sessions() as session:
            return {row.person_id: row.status for row in session.scalars(select(DeadLetter))}

    def id_of(self, person_id: str) -> int:
        with self.sessions() as session:
            return session.scalar(select(DeadLetter.id).where(DeadLetter.person_id == person_id))


@pytest.fixture(scope="module")
def notify(tmp_path_factory, redis_url, jwt_settings):
    """A real notify API over HTTP on a database of its own, which the tests write to."""
    database = {}
    server = notify_server(tmp_path_factory, name="web-hr-notify", redis_url=redis_url,
                           jwt_settings=jwt_settings,
                           seed=lambda session: database.update(url=session.get_bind().url))
    url = next(server)
    engine = make_engine(database["url"].render_as_string(hide_password=False))
    yield Notify(url=url, sessions=make_session_factory(engine))
    engine.dispose()
    server.close()


def use_notify_at(web_app, url: str, monkeypatch) -> None:
    """Have the web call notify's API at url for this test."""
    apis = web_app.extensions[APIS]
    monkeypatch.setattr(apis, "notify", Api(url, requests.Session(), timeout=5))


@pytest.fixture
def hr_web(web, web_app, notify, monkeypatch):
    """The web, on the test's notify API, with HR signed in."""
    use_notify_at(web_app, notify.url, monkeypatch)
    sign_in(web, "hr-1")
    return web


@pytest.fixture
def queued(raw_queue):
    """The dead-letter keys of the jobs the test put on notify's queue (taken off after)."""
    mine: list[bytes] = []

    def keys() -> list[str]:
        found = []
        for message in raw_queue.lrange(QUEUE, 0, -1):
            args = json.loads(base64.b64decode(json.loads(message)["body"]))[0]
            if str(args[0].get("dead_letter", "")).startswith("test-hr|"):
                mine.append(message)
                found.append(args[0]["dead_letter"])
        return sorted(found)

    yield keys
    for message in mine:
        raw_queue.lrem(QUEUE, 0, message)


@pytest.fixture
def raw_queue(redis_url):
    client = Redis.from_url(redis_url)
    yield client
    client.close()


def letter(person_id: str | None, kind: str = "action_reminder", *, status: str = "dead",
           hours_ago: int = 1, retried: bool = False, **values) -> DeadLetter:
    """A dead letter as notify writes one when the SMTP server refuses for good."""
    key = f"test-hr|{kind}|{person_id}|{hours_ago}"
    return DeadLetter(
        key=key, kind=kind, person_id=person_id, job={"kind": kind, "source": key},
        error=values.get("error", "550 5.1.1 mailbox unavailable"),
        smtp_code=values.get("smtp_code", 550), failures=values.get("failures", 1),
        status=status, failed_at=NOW - timedelta(hours=hours_ago),
        retried_at=NOW - timedelta(minutes=5) if retried else None,
    )


def dead_event(data: dict, *, reason: str, error: str, hours_ago: int = 1) -> DeadEvent:
    """A person.erased event the consumer set aside, its whole stream entry kept."""
    fields = stream_fields(new_event(type="lederdialog.person.erased.v1",
                                     source="/lederdialog/assessment", data=data))
    return DeadEvent(stream="test.web-hr", entry_id=f"{hours_ago}-0", event_id=fields["id"],
                     type=fields["type"], entry=fields, reason=reason, error=error,
                     attempts=5 if reason == "failed" else 1,
                     failed_at=NOW - timedelta(hours=hours_ago))


# Handled once replayed (its cause was fixed meanwhile), and one that never fits.
FIXED = dict(data={"person_id": "gone", "pseudonym": "erased-00000000000000aa"},
             reason="failed", error="OperationalError: the database was away", hours_ago=1)
UNFIT = dict(data={}, reason="unfit", hours_ago=2,
             error='does not fit its schema: {"data": {"person_id": ["Missing data."]}}')


def page(client, path: str = "/hr/failed-emails") -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def rows(html: str) -> list[str]:
    """The table's rows, as text of their cells (tags dropped)."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in body.split("</tr>") if "<td" in row]


def test_hr_sees_who_which_kind_when_and_the_servers_answer(hr_web, notify):
    notify.holds(
        letter("emp1", failures=2, hours_ago=1),
        letter("erased-0123456789abcdef", "action_due", hours_ago=2),
        letter(None, "follow_up", error="KeyError: 'due_on' (services/notify/tasks.py:80)",
               smtp_code=None, hours_ago=3),
        letter("leader", "dialogue_summary", status="retrying", retried=True, hours_ago=4),
        letter("emp2", "action_agreed", status="delivered", retried=True, hours_ago=5),
    )
    html = page(hr_web)
    assert "<h1>Fejlede e-mails</h1>" in html
    assert "3 e-mails venter på at blive sendt igen." in html
    emp1, erased, job, leader, emp2 = rows(html)
    assert emp1.startswith("Eva Ansat Påmindelse om en handling")
    assert " 2 550 5.1.1 mailbox unavailable Opgivet Send igen" in emp1, "failed twice"
    assert erased.startswith("erased-0123456789abcdef En handling med frist i dag")
    assert job.startswith("Ingen bestemt: hele udsendelsen kunne ikke sendes")
    assert "KeyError: &#39;due_on&#39; (services/notify/tasks.py:80) Opgivet" in job
    assert "Sendt igen den" in leader and "Send igen" not in leader
    assert emp2.startswith("Emil Ansat") and "Leveret (sendt igen den" in emp2
    assert html.count(">Send igen</button>") == 3
    assert ">Send alle igen</button>" in html


def test_a_retry_is_sent_and_the_page_says_when(hr_web, notify, queued):
    notify.holds(letter("emp1"), letter("emp2", hours_ago=2))
    html = page(hr_web)
    letter_id = notify.id_of("emp1")
    assert f'action="/hr/failed-emails/{letter_id}/retry"' in html
    answer = hr_web.post(f"/hr/failed-emails/{letter_id}/retry",
                         data={"csrf_token": csrf_token(html)})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/hr/failed-emails?retried={letter_id}"

    html = page(hr_web, answer.headers["Location"])
    assert "E-mailen blev sendt igen den " in html
    assert "1 e-mail venter på at blive sendt igen." in html
    first, second = rows(html)
    assert first.startswith("Eva Ansat") and "Sendt igen den" in first
    assert "Send igen" not in first
    assert second.startswith("Emil Ansat") and "Opgivet Send igen" in second
    assert queued() == ["test-hr|action_reminder|emp1|1"], "the job is on notify's queue"


def test_retry_all_sends_every_one_waiting(hr_web, notify, queued):
    notify.holds(letter("emp1"), letter("emp2", hours_ago=2),
                   letter("leader", status="delivered", hours_ago=3))
    html = page(hr_web, "/hr/failed-emails?status=dead")
    answer = hr_web.post("/hr/failed-emails/retry",
                         data={"csrf_token": csrf_token(html), "status": "dead"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == (
        "/hr/failed-emails?status=dead&retried_all=2&remaining=0")
    html = page(hr_web, "/hr/failed-emails")
    assert "Ingen e-mail venter på at blive sendt igen." in html
    assert "Send igen</button>" not in html and "Send alle igen</button>" not in html
    assert all("Sendt igen den" in row for row in rows(html)[:2])
    assert queued() == ["test-hr|action_reminder|emp1|1", "test-hr|action_reminder|emp2|2"]

    html = page(hr_web, answer.headers["Location"])
    assert "2 e-mails blev sendt igen." in html
    assert "Ingen fejlet e-mail har denne status." in html  # none dead any more


def test_the_page_says_when_more_wait_than_one_round_sends(hr_web):
    html = page(hr_web, "/hr/failed-emails?retried_all=500&remaining=1")
    assert "500 e-mails blev sendt igen." in html
    assert "1 mere venter: vælg »Send alle igen« en gang til." in html


def test_nothing_failed(hr_web, notify):
    notify.holds()
    html = page(hr_web)
    assert "Ingen e-mails har fejlet." in html
    assert "Ingen e-mail venter på at blive sendt igen." in html
    assert "<table" not in html


def test_the_list_is_filtered_by_status_and_paged(hr_web, notify, monkeypatch):
    monkeypatch.setattr(hr_failed_emails, "PAGE_SIZE", 2)
    notify.holds(letter("emp1", hours_ago=1), letter("emp2", hours_ago=2),
                   letter("tr", hours_ago=3), letter("amr", status="delivered", hours_ago=4))
    delivered = rows(page(hr_web, "/hr/failed-emails?status=delivered"))
    assert [row.split(" Påmindelse")[0] for row in delivered] == ["Anders Arbejdsmiljø"]

    first = page(hr_web, "/hr/failed-emails")
    assert [row.split(" Påmindelse")[0] for row in rows(first)] == ["Eva Ansat", "Emil Ansat"]
    assert "side 1 af 2" in first
    assert 'href="/hr/failed-emails?page=2">Næste side</a>' in first
    second = page(hr_web, "/hr/failed-emails?page=2")
    assert [row.split(" Påmindelse")[0] for row in rows(second)] == [
        "Tina Tillid", "Anders Arbejdsmiljø"]
    assert 'href="/hr/failed-emails?page=1">Forrige side</a>' in second
    # What the page cannot use shows the whole list's first page.
    assert rows(page(hr_web, "/hr/failed-emails?status=lost&page=x")) == rows(first)


def test_in_english(hr_web, notify):
    notify.holds(letter("emp1"))
    hr_web.get("/language/en")
    html = page(hr_web)
    assert "<h1>Failed emails</h1>" in html
    [row] = rows(html)
    assert row.startswith("Eva Ansat Reminder of an action")
    assert "Given up Send again" in row


def test_hr_finds_it_in_the_menu(hr_web):
    assert '<a href="/hr/failed-emails" class="nav-link"><span>Fejlede e-mails</span>' in page(
        hr_web, "/framework")


@pytest.mark.parametrize("sub", ["leader", "emp1", "tr"])
def test_no_one_else_finds_the_page(web, web_app, notify, monkeypatch, sub):
    use_notify_at(web_app, notify.url, monkeypatch)
    notify.holds(letter("emp1"))
    sign_in(web, sub)
    framework = page(web, "/framework")
    assert 'href="/hr/failed-emails"' not in framework
    assert web.get("/hr/failed-emails").status_code == 404
    token = csrf_token(framework)
    assert web.post("/hr/failed-emails/retry", data={"csrf_token": token}).status_code == 404
    assert web.post("/hr/failed-emails/1/retry", data={"csrf_token": token}).status_code == 404
    assert notify.statuses() == {"emp1": "dead"}


def test_signed_out_it_asks_to_sign_in(web):
    answer = web.get("/hr/failed-emails")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")


def test_a_retry_without_the_forms_token_is_refused(hr_web, notify):
    notify.holds(letter("emp1"))
    assert hr_web.post("/hr/failed-emails/retry").status_code == 400
    assert notify.statuses() == {"emp1": "dead"}


def test_when_notify_cannot_answer(hr_web, web_app, monkeypatch):
    use_notify_at(web_app, UNREACHABLE, monkeypatch)
    answer = hr_web.get("/hr/failed-emails")
    assert answer.status_code == 503
    assert "Lederdialog kan ikke svare lige nu" in answer.get_data(as_text=True)


def test_hr_handles_a_set_aside_event_again(hr_web, notify):
    notify.holds(dead_event(**FIXED), dead_event(**UNFIT))
    html = page(hr_web)
    events = html[html.index('id="events-heading"'):]
    fixed, unfit = rows(events)
    assert fixed.startswith("lederdialog.person.erased.v1 Behandlingen blev ved med at fejle "
                            "OperationalError: the database was away 5 ")
    assert fixed.endswith(" Behandl igen")
    assert unfit.startswith("lederdialog.person.erased.v1 Den passer ikke til sin slags")

    fixed_id, unfit_id = (int(row.split('"')[0]) for row in events.split('<tr id="event-')[1:])
    answer = hr_web.post(f"/hr/failed-emails/events/{fixed_id}/replay",
                         data={"csrf_token": csrf_token(html)})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/hr/failed-emails?replayed={fixed_id}"
    html = page(hr_web, answer.headers["Location"])
    assert "Hændelsen er behandlet; dens e-mails er på vej." in html
    assert [row.split(" ")[0] for row in rows(html[html.index('id="events-heading"'):])] == [
        "lederdialog.person.erased.v1"], "the handled one is no longer waiting"

    again = hr_web.post(f"/hr/failed-emails/events/{unfit_id}/replay",
                        data={"csrf_token": csrf_token(html)})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "Hændelsen kan stadig ikke behandles. Dens fejl herunder er den nye." in html
    assert f'href="#event-{unfit_id}"' in html
    [unfit] = rows(html[html.index('id="events-heading"'):])
    assert " 2 " in unfit, "one attempt more"


def test_no_event_waits(hr_web, notify):
    notify.holds()
    assert "Ingen hændelse venter." in page(hr_web)
