"""A leader's and an employee's journey in Debian's Chromium, on the whole running system.

The content, assessment and web services over HTTP (tests/web/conftest.py), and notify as
it runs in production: its stream consumer and a Celery worker process
(tests/support/notify_stack.py), sending to a real SMTP server (aiosmtpd). notify reads the
stream the assessment service's outbox relay publishes onto, asks that same assessment
service, and its emails link to the web under test (PUBLIC_BASE_URL).

- Lars Leder records a dialogue of each of the four kinds through the record page; each
  saved dialogue's page shows what he typed; the work-community dialogue's summary email
  reaches him, and its link opens the dialogue.
- Eva Ansat follows the link to her action in her email while signed out, signs in, lands
  on the action and completes it.
- A whole recording with the keyboard alone (Tab, Shift+Tab, Space, Enter, arrows, typing),
  the focus visible on the way.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from redis import Redis

from services.assessment.models import Outbox
from services.notify.app import MIGRATIONS as NOTIFY_MIGRATIONS
from shared.migrations import upgrade
from shared.outbox import OutboxRelay
from tests.notify.mail import html as html_part
from tests.notify.mail import subject
from tests.notify.mail import text as text_part
from tests.support.notify_stack import Assessment, NotifyStack, notify_environment
from tests.support.smtp_sink import Received, SmtpSink
from tests.support.waiting import wait_until
from tests.web.browser import (
    assert_accessible,
    screenshot,
)

pytestmark = pytest.mark.slow  # each test drives Chromium

AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")
DUE_ON = (date.today() + timedelta(days=30)).isoformat()
MAIL_TIMEOUT = 30


# --- the system ---------------------------------------------------------------------------

@dataclass
class Notify:
    """notify running on the web's assessment service, and the SMTP server it sends to."""

    assessment: Assessment
    stack: NotifyStack
    sink: SmtpSink

    def publish(self) -> None:
        """What the assessment relay does: the outbox's events onto notify's stream."""
        self.assessment.publish()

    def email(self, to: str, containing: str) -> Received:
        """The first email to `to` whose text holds `containing`, once it has arrived."""

        def found() -> Received | None:
            return next((mail for mail in list(self.sink.received)
                         if to in mail.rcpt_tos and containing in text_part(mail.message)), None)

        def got() -> str:
            received = [(m.rcpt_tos, subject(m.message)) for m in self.sink.received]
            return (f"no email to {to} holding {containing!r}; the SMTP server got {received}"
                    f"\n{self.stack.logs()}")

        return wait_until(found, timeout=MAIL_TIMEOUT, message=got)


@pytest.fixture(scope="module")
def notify(tmp_path_factory, redis_url, jwt_settings, content_url, assessment_url,
           assessment_app, web_url):
    """notify's consumer and a Celery worker for the module: a notify database and a stream
    of their own, the web's assessment and content services, a real SMTP server, and links
    to the web under test."""
    var_dir = tmp_path_factory.mktemp("journey-notify")
    database_url = f"sqlite:///{var_dir / 'notify.db'}"
    upgrade(NOTIFY_MIGRATIONS, database_url)
    stream = f"test.web.journey.{uuid.uuid4().hex}"
    redis = Redis.from_url(redis_url)
    relay = OutboxRelay(
        session_factory=assessment_app.extensions["lederdialog.deps"].session_factory,
        model=Outbox, redis=redis, stream=stream, service="assessment",
    )
    sink = SmtpSink().start()
    stack = NotifyStack(env=notify_environment(
        database_url=database_url, redis_url=redis_url, stream=stream,
        assessment_url=assessment_url, content_url=content_url, smtp_url=sink.url,
        public_base_url=web_url, jwt_settings=jwt_settings, var_dir=var_dir,
    ), log_dir=var_dir)
    try:
        stack.start()
        yield Notify(Assessment(url=assessment_url, app=assessment_app, relay=relay), stack,
                     sink)
    finally:
        stack.stop()
        sink.stop()
        redis.delete(stream)
        redis.close()


@pytest.fixture
def mail(notify, org) -> Notify:
    """notify with an empty mailbox and the organisation in place (no dialogues); the test's
    emails all sent before the next test empties the organisation they are about."""
    notify.sink.clear()
    yield notify
    notify.sink.settle(quiet=1.0, timeout=20)




# --- recording through the form -----------------------------------------------------------

@dataclass
class Action:
    title: str
    owner: str  # the owner's name as the form lists it
    focus_area: str
    commitment: str


@dataclass
class Recording:
    setting: str
    heading: str  # the dialogue page's heading starts so (the setting, in Danish)
    answers: dict[str, str]
    ratings: tuple[int, int, int, int]
    weights: tuple[int, int, int, int]
    participants: tuple[str, ...] = ()  # ticked besides those ticked already
    task: str = ""
    strength: str = ""  # of the first focus area
    actions: list[Action] = field(default_factory=list)

    def typed(self) -> list[str]:
        """The texts typed into the form, which the review and the dialogue page show."""
        return [*self.answers.values(), *filter(None, (self.task, self.strength)),
                *(action.title for action in self.actions)]


WORK_COMMUNITY = Recording(
    "work_community", "Arbejdsfællesskab",
    answers={"wc_collaboration": "Vi samarbejder godt på tværs af årgangene.",
             "wc_expectations": "Klare aftaler om vikardækning og forberedelse."},
    ratings=(4, 3, 5, 2), weights=(40, 30, 20, 10), participants=("Eva Ansat",),
    strength="Vi deler vores faglighed på teammøderne.",
    actions=[Action("Fælles planlægningsmøde hver fredag", "Eva Ansat",
                    "reliable_communities", "proactive_management")],
)
RECORDINGS = [
    Recording(
        "individual_leader", "Lederens egen refleksion",
        answers={"individual_strengths": "Jeg lytter, før jeg beslutter."},
        ratings=(3, 4, 3, 2), weights=(25, 25, 25, 25),
    ),
    WORK_COMMUNITY,
    Recording(
        "specific_task", "Specifik opgave",
        answers={"task_focus_areas": "Pålidelige fællesskaber: en plan alle kan regne med."},
        ratings=(3, 3, 3, 3), weights=(10, 20, 30, 40),
        task="Ny skemalægning for indskolingen fra august.",
        actions=[Action("Udkast til skema til MED-udvalget", "Lars Leder",
                        "reliable_communities", "proactive_management")],
    ),
    Recording(
        "leader_group", "Ledergruppe",
        answers={"group_collaboration": "Vi mødes hver måned og deler erfaringer.",
                 "group_development": "Jeg vil uddelegere mere."},
        ratings=(2, 4, 4, 3), weights=(30, 30, 20, 20),
    ),
]


def button(page: Page, step: str):
    return page.locator(f'button[name="step"][value="{step}"]')


def sign_in_as(page: Page, name: str) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name=f"Log ind som {name}", exact=True).click()
    expect(page.get_by_text(name, exact=True).first).to_be_visible()


def record_in_the_browser(page: Page, recording: Recording, *, check: bool = False) -> str:
    """Fill the record form as a leader would, review it, save it; the dialogue's id.
    With `check`: axe and a screenshot of the filled form, the review and the saved page."""
    page.goto("/dialogues/new")
    page.locator("#unit_id").select_option(label="Skovgårdsskolen")
    page.locator(f"#setting-{recording.setting}").check()
    button(page, "update").click()
    expect(page.locator("#section-participants")).to_be_visible()
    if recording.task:
        page.locator("#task_description").fill(recording.task)
    for name in recording.participants:
        page.get_by_label(name, exact=True).check()
    for key, answer in recording.answers.items():
        page.locator(f"#answers-{key}").fill(answer)
    for area, rating, weight in zip(AREAS, recording.ratings, recording.weights, strict=True):
        page.locator(f"#focus_areas-{area}-rating-{rating}").check()
        page.locator(f"#focus_areas-{area}-weight").fill(str(weight))
    expect(page.locator("#weight-total")).to_have_text("100")
    if recording.strength:
        page.locator(f"#strengths-{AREAS[0]}").fill(recording.strength)
    for row, action in enumerate(recording.actions):
        page.locator(f"#actions-{row}-title").fill(action.title)
        page.locator(f"#actions-{row}-owner_id").select_option(label=action.owner)
        page.locator(f"#actions-{row}-due_on").fill(DUE_ON)
        page.locator(f"#actions-{row}-focus_area").select_option(action.focus_area)
        page.locator(f"#actions-{row}-commitment").select_option(action.commitment)
    if check:
        assert_accessible(page, f"the filled record form ({recording.setting})")
        screenshot(page, "record-form")

    button(page, "review").click()
    expect(page.locator("#review-form")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gennemse dialogen")
    review = page.locator("#main-content")
    for typed in recording.typed():
        expect(review).to_contain_text(typed)
    expect(page.locator("#weight-sum")).to_have_text("100")
    if check:
        assert_accessible(page, f"the review ({recording.setting})")
        screenshot(page, "record-review")

    button(page, "save").click()
    expect(page).to_have_url(re.compile(r"/dialogues/[0-9a-f-]+$"))
    dialogue_id = page.url.rsplit("/", 1)[1]
    expect_the_dialogue(page, recording)
    if check:
        assert_accessible(page, f"the saved dialogue ({recording.setting})")
        screenshot(page, "dialogue-saved")
    return dialogue_id


def expect_the_dialogue(page: Page, recording: Recording) -> None:
    """The dialogue's page shows what was typed, who took part and the ratings."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(recording.heading)
    content = page.locator("#main-content")
    expect(content).to_contain_text("Skovgårdsskolen")
    for typed in recording.typed():
        expect(content).to_contain_text(typed)
    for name in recording.participants:
        expect(content.get_by_role("listitem").filter(has_text=name)).to_have_count(1)
    for action in recording.actions:
        row = content.get_by_role("row").filter(has_text=action.title)
        expect(row).to_contain_text(action.owner)
        expect(row).to_contain_text("Åben")


def link_in(mail: Received, path: str) -> str:
    """The one link in the email's HTML whose path starts with `path` (e.g. "/dialogues/")."""
    links = {html.unescape(href) for href in re.findall(r'href="([^"]+)"', html_part(mail.message))
             if re.search(rf"^https?://[^/]+{re.escape(path)}", html.unescape(href))}
    assert len(links) == 1, f"{subject(mail.message)}: links to {path}: {sorted(links)}"
    return links.pop()


# --- 1. a leader records each kind of dialogue and follows the summary email ---------------

def test_a_leader_records_each_kind_of_dialogue_and_opens_the_summary_emails_link(
    page, mail, web_url
):
    sign_in_as(page, "Lars Leder")
    saved = {recording.setting: record_in_the_browser(
        page, recording, check=recording is WORK_COMMUNITY) for recording in RECORDINGS}
    assert len(set(saved.values())) == 4, saved

    mail.publish()
    summary = mail.email("leader@gentofte.test",
                         containing=WORK_COMMUNITY.answers["wc_collaboration"])
    assert subject(summary.message).startswith("Opsummering af dialog: ")
    link = link_in(summary, "/dialogues/")
    assert link == f"{web_url}/dialogues/{saved['work_community']}", link

    page.goto(link)
    expect(page).to_have_url(link)
    expect_the_dialogue(page, WORK_COMMUNITY)


# --- 2. an action's owner completes it from the email's link -------------------------------

def test_an_action_owner_completes_the_action_from_the_link_in_the_email(
    page, mail, record, web_url
):
    dialogue = record("leader", participants=[
        {"person_id": "leader", "role": "leader"}, {"person_id": "emp1", "role": "employee"}])
    [action] = dialogue["actions"]
    mail.publish()
    email = mail.email("emp1@gentofte.test", containing=f"/actions/{action['id']}")
    link = link_in(email, "/actions/")
    assert link == f"{web_url}/actions/{action['id']}", link

    page.goto(link)  # signed out: first the sign-in page
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    page.get_by_role("button", name="Log ind som Eva Ansat", exact=True).click()
    expect(page).to_have_url(link)  # back to the action
    expect(page.get_by_role("heading", level=1)).to_have_text(action["title"])
    facts = page.locator(".dialogue-facts")
    expect(facts).to_contain_text("Eva Ansat")
    expect(facts).to_contain_text("med Lars Leder")  # his name, which she may not look up
    expect(facts).to_contain_text("Åben")

    reflection = "Møderne kører nu hver fredag; teamet forbereder sig på skift."
    page.get_by_label("Refleksion").fill(reflection)
    page.get_by_role("button", name="Afslut", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Gemt.")
    expect(facts).to_contain_text("Udført")
    expect(facts).to_contain_text(reflection)
    expect(page.get_by_role("button", name="Afslut", exact=True)).to_have_count(0)
    assert_accessible(page, "a completed action")
    screenshot(page, "action-completed")

    # She took part: the action leads to its dialogue, where it is done too.
    facts.get_by_role("link", name=re.compile("^Arbejdsfællesskab")).click()
    expect(page).to_have_url(f"{web_url}/dialogues/{dialogue['id']}")
    content = page.locator("#main-content")
    expect(content.locator(".dialogue-facts")).to_contain_text("Lars Leder")
    expect(content.get_by_role("row").filter(has_text=action["title"])).to_contain_text("Udført")


# --- 3. a whole recording with the keyboard alone ------------------------------------------

FOCUS_RING = """() => {
  const element = document.activeElement;
  const ring = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  const styles = [getComputedStyle(element)];
  if (element.labels && element.labels.length) {  // a radio's or checkbox's ring is its label's
    styles.push(getComputedStyle(element.labels[0]),
                getComputedStyle(element.labels[0], "::before"));
  }
  return styles.some(ring);
}"""


def focused(page: Page) -> str:
    """The focused element, as a tag with its id, name and value."""
    return page.evaluate("""() => { const e = document.activeElement;
        return `<${e.tagName.toLowerCase()} id=${e.id} name=${e.name || ""} `
             + `value=${e.value || ""}>`; }""")


def tab_to(page: Page, selector: str, *, key: str = "Tab", limit: int = 120) -> None:
    """Press Tab (or `key`) until the focus is on an element matching `selector`."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{limit} presses of {key} never reached {selector}; the focus is on "
                f"{focused(page)}", pytrace=False)


def expect_focus_visible(page: Page, where: str) -> None:
    assert page.evaluate(FOCUS_RING), f"{where}: no visible focus on {focused(page)}"


def test_a_whole_recording_with_the_keyboard_alone(page):
    answer = "Jeg giver plads til, at andre tager initiativ."
    page.goto("/sign-in?next=/dialogues/new")
    tab_to(page, 'button[name="sub"][value="leader"]')
    expect_focus_visible(page, "the sign-in button")
    page.keyboard.press("Enter")
    expect(page.locator("#record-form")).to_be_visible()

    # The unit and the kind of dialogue, then Continue.
    tab_to(page, "#unit_id")
    expect_focus_visible(page, "the unit")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#unit_id")).to_have_value("skole")
    tab_to(page, 'input[name="setting"]')
    expect_focus_visible(page, "a kind of dialogue")
    page.keyboard.press("Space")
    expect(page.locator("#setting-individual_leader")).to_be_checked()
    tab_to(page, 'button[name="step"][value="update"]')
    expect_focus_visible(page, "Continue")
    page.keyboard.press("Enter")
    expect(page.locator("#section-answers")).to_be_visible()

    # One answer; each focus area rated 3 (Space on 1, then down twice) and weighed.
    tab_to(page, "#answers-individual_strengths")
    expect_focus_visible(page, "an answer")
    page.keyboard.type(answer)
    for area, weight in zip(AREAS, ("40", "30", "20", "10"), strict=True):
        tab_to(page, f'input[name="focus_areas-{area}-rating"]')
        expect_focus_visible(page, f"the rating of {area}")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(page.locator(f"#focus_areas-{area}-rating-3")).to_be_checked()
        tab_to(page, f"#focus_areas-{area}-weight")
        expect_focus_visible(page, f"the weight of {area}")
        page.keyboard.type(weight)
    expect(page.locator("#weight-total")).to_have_text("100")
    # Back to the answer with Shift+Tab: what was typed is still there.
    tab_to(page, "#answers-individual_strengths", key="Shift+Tab")
    expect(page.locator("#answers-individual_strengths")).to_have_value(answer)

    tab_to(page, 'button[name="step"][value="review"]')
    expect_focus_visible(page, "Review")
    page.keyboard.press("Enter")
    expect(page.locator("#review-form")).to_be_visible()
    expect(page.locator("#main-content")).to_contain_text(answer)

    tab_to(page, 'button[name="step"][value="save"]')
    expect_focus_visible(page, "Save")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dialogues/[0-9a-f-]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lederens egen refleksion")
    expect(page.locator("#main-content")).to_contain_text(answer)

