"""Failed emails in Debian's Chromium: HR finds the page in the menu, sends one email again,
then all of them, and handles a set-aside event again, without a line of the page's own
script; axe-core finds nothing serious or critical in either language, empty, with letters,
after a retry and when an event still fails."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.test_hr_failed_emails import (  # noqa: F401 (fixtures)
    FIXED,
    UNFIT,
    dead_event,
    letter,
    notify,
    queued,
    raw_queue,
    use_notify_at,
)
from tests.web.test_pages_in_chromium import check, sign_in_as

pytestmark = pytest.mark.slow  # each test drives Chromium


@pytest.fixture
def hr_page(page, web_app, notify, monkeypatch):  # noqa: F811
    """The browser tab, with the web on the test's notify API and HR signed in."""
    use_notify_at(web_app, notify.url, monkeypatch)
    sign_in_as(page, "HR")
    return page


def test_nothing_has_failed(hr_page, notify):  # noqa: F811
    notify.holds()
    hr_page.get_by_role("link", name="Fejlede e-mails").click()
    expect(hr_page.get_by_role("heading", level=1)).to_have_text("Fejlede e-mails")
    expect(hr_page.get_by_text("Ingen e-mails har fejlet.")).to_be_visible()
    check(hr_page, "hr-failed-emails-empty")


def test_hr_sends_one_again_then_all(hr_page, notify, queued):  # noqa: F811
    notify.holds(
        letter("emp1", failures=2),
        letter("emp2", "action_due", hours_ago=2),
        letter(None, "follow_up", error="KeyError: 'due_on' (services/notify/tasks.py:80)",
               smtp_code=None, hours_ago=3),
        letter("leader", "dialogue_summary", status="delivered", retried=True, hours_ago=4),
    )
    hr_page.goto("/hr/failed-emails")
    emp1 = hr_page.get_by_role("row").filter(has_text="Eva Ansat")
    expect(emp1.get_by_role("cell", name="Påmindelse om en handling")).to_be_visible()
    expect(emp1).to_contain_text("550 5.1.1 mailbox unavailable")
    expect(hr_page.get_by_text("3 e-mails venter på at blive sendt igen.")).to_be_visible()
    check(hr_page, "hr-failed-emails")

    emp1.get_by_role("button", name="Send igen").click()
    expect(hr_page.get_by_role("status")).to_contain_text("E-mailen blev sendt igen den")
    expect(emp1).to_contain_text("Sendt igen den")
    expect(emp1.get_by_role("button")).to_have_count(0)
    check(hr_page, "hr-failed-emails-retried")

    hr_page.get_by_role("button", name="Send alle igen").click()
    expect(hr_page.get_by_role("status")).to_have_text("2 e-mails blev sendt igen.")
    expect(hr_page.get_by_role("button", name="Send igen")).to_have_count(0)
    expect(hr_page.get_by_text("Ingen e-mail venter på at blive sendt igen.")).to_be_visible()
    check(hr_page, "hr-failed-emails-retried-all")
    assert len(queued()) == 3


def test_hr_handles_events_again(hr_page, notify):  # noqa: F811
    notify.holds(dead_event(**FIXED), dead_event(**UNFIT))
    hr_page.goto("/hr/failed-emails")
    events = hr_page.get_by_role("region", name="Hændelser, der ikke kunne behandles")
    unfit = events.get_by_role("row").filter(has_text="Den passer ikke til sin slags")
    unfit.get_by_role("button", name="Behandl igen").click()
    expect(hr_page.get_by_role("alert")).to_contain_text("Hændelsen kan stadig ikke behandles.")
    check(hr_page, "hr-failed-events-error")  # the language switch shows the list afresh

    fixed = events.get_by_role("row").filter(has_text="Behandlingen blev ved med at fejle")
    fixed.get_by_role("button", name="Behandl igen").click()
    expect(hr_page.get_by_role("status")).to_have_text(
        "Hændelsen er behandlet; dens e-mails er på vej.")
    expect(events.get_by_role("button", name="Behandl igen")).to_have_count(1)
    check(hr_page, "hr-failed-events-replayed")
