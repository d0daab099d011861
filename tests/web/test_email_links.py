"""Every link in every email kind resolves.

Each kind of email notify sends is rendered by notify's own code (its mailings' load,
context and template, its Templates, its Directory and framework client on the real
assessment and content services, with a service token) about a dialogue recorded through
the assessment API. Every link into the web (`base_url`) in the email's HTML, its text and
its calendar entry is then followed in the web app: signed in as the email's recipient it
shows what the email is about; signed in as someone who may not read the dialogue it is
404 (the framework is public, and the list of actions whose owner left shows each person
only their own dialogues' actions: 200 for anyone, without what the email is about).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import requests

from services.assessment.dialogue_rules import local_today
from services.notify.config import load_notify_settings
from services.notify.directory import Directory
from services.notify.framework import FrameworkClient
from services.notify.mailings import Mailing, Recipient, mailings
from services.notify.rendering import Templates, language
from shared.config import load_settings
from shared.http import http_session
from tests.notify.outside import hand_to_outsider
from tests.support.dialogues import action, dialogue_body, individual_body, participants_with
from tests.web.conftest import sign_in

BASE = "http://web.test"  # notify's PUBLIC_BASE_URL: links starting so lead into the web
SHARED_ANSWER = "Vi samarbejder godt på tværs af årgangene."
PRIVATE_ANSWER = "Jeg lytter mere, end jeg taler."
QUESTION = "settings.individual_leader.questions.individual_strengths.text"
OWNER_LEFT = "/actions?owner_left=true"  # the actions of the leader's dialogues whose owner left
# Pages anyone signed in may open, showing them only what they may see.
OPEN_TO_ALL = {"/framework", OWNER_LEFT}


# --- the dialogues the emails are about ---------------------------------------------------

@dataclass
class Scenario:
    dialogue: dict | None  # as notify reads it (None: the framework notice concerns none)
    answer: str | None  # a text of the dialogue its page shows
    outsiders: tuple[str, ...]  # may read neither the dialogue nor any of its actions
    left: str | None = None  # an owner of its actions who has left


def shared_dialogue(assessment_url, token, assessment_app, notify) -> Scenario:
    """A work-community dialogue of skole with two actions: one owned by emp1, who took part,
    and one by emp2, an owner outside the dialogue (as dialogues from before owners had to
    take part may have): emp2 is told of their own action alone."""
    body = dialogue_body(
        answers={"wc_collaboration": SHARED_ANSWER, "wc_expectations": "Klare aftaler."},
        participants=participants_with(),
        actions=[action(title="Fælles planlægningsmøde hver fredag"),
                 action(title="Ny vikarplan for indskolingen",
                        focus_area="competent_communities", commitment="potential_and_expertise")],
    )
    dialogue = _record(assessment_url, token, body)
    outside = next(a for a in dialogue["actions"] if a["title"].startswith("Ny vikarplan"))
    hand_to_outsider(assessment_app.extensions["lederdialog.deps"].session_factory,
                     outside["id"], "emp2")
    dialogue = notify.directory.dialogue(dialogue["id"])
    assert dialogue["owners_told"] == ["emp2"], dialogue["owners_told"]
    return Scenario(dialogue, SHARED_ANSWER, outsiders=("sfo-emp", "sfo-leader"))


def private_dialogue(assessment_url, token, assessment_app, notify) -> Scenario:
    """The leader's own reflection (private) with an action of their own: its emails go to the
    leader alone, and neither the TR nor the leader's leader may follow their links."""
    body = individual_body(
        answers={"individual_strengths": PRIVATE_ANSWER},
        actions=[action(title="Ugentlig refleksion over egen ledelse", owner_id="leader")],
    )
    dialogue = notify.directory.dialogue(_record(assessment_url, token, body)["id"])
    assert dialogue["visibility"] == "private"
    return Scenario(dialogue, PRIVATE_ANSWER, outsiders=("tr", "director"))


def leaver_dialogue(assessment_url, token, assessment_app, notify) -> Scenario:
    """A work-community dialogue of skole whose action emp1 owns, and emp1 has left (HR set
    the day): its leader is to give the action a new owner; the TR's action stays."""
    body = dialogue_body(
        answers={"wc_collaboration": SHARED_ANSWER, "wc_expectations": "Klare aftaler."},
        actions=[action(title="Fælles planlægningsmøde hver fredag"),
                 action(title="Trivselsmåling i indskolingen", owner_id="tr")],
    )
    recorded = _record(assessment_url, token, body)
    left = requests.patch(f"{assessment_url}/api/v1/people/emp1", headers=token("hr", "hr_admin"),
                          json={"left_on": local_today().isoformat()}, timeout=10)
    assert left.status_code == 200, left.text
    dialogue = notify.directory.dialogue(recorded["id"])
    return Scenario(dialogue, SHARED_ANSWER, outsiders=("sfo-emp", "sfo-leader"), left="emp1")


def no_dialogue(assessment_url, token, assessment_app, notify) -> Scenario:
    return Scenario(None, None, outsiders=("sfo-emp",))


def _record(assessment_url: str, token, body: dict) -> dict:
    answer = requests.post(f"{assessment_url}/api/v1/dialogues", json=body,
                           headers=token("leader", "leader"), timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


# --- notify, rendering the emails ---------------------------------------------------------

@dataclass
class Email:
    kind: str
    template: str
    recipient: Recipient
    lang: str
    subject: str
    text: str
    html: str
    calendar_links: list[str]


class Notify:
    """notify's own clients and mailings, as its runtime builds them, with BASE as the web."""

    def __init__(self, *, jwt_settings, assessment_url: str, content_url: str):
        self.settings = load_notify_settings(environ={}, base=load_settings(
            "notify", environ={}, jwt=jwt_settings, assessment_url=assessment_url,
            content_url=content_url, public_base_url=BASE))
        base = self.settings.base
        self.directory = Directory(base.assessment_url, http_session(token=self.settings.token()))
        self.framework = FrameworkClient(base.content_url, http_session())
        self.mailings = mailings(self.framework,
                                 follow_up_areas=self.settings.policy.follow_up_focus_areas)
        self.templates = Templates()

    def emails(self, kind: str, data: dict) -> list[Email]:
        """Every email of a job of this kind, as services/notify/jobs.py composes them."""
        mailing: Mailing = self.mailings[kind]
        loaded = mailing.load(self.directory, data)
        assert loaded is not None, f"{kind}: nothing to send for {data}"
        people = self.directory.people([r.person_id for r in loaded.recipients])
        found = []
        for recipient in loaded.recipients:
            person = people[recipient.person_id]
            lang = language(person.get("language"))
            version = mailing.framework_version(loaded)  # None: it quotes no framework text
            framework = None if version is None else self.framework.version(version, lang)
            context = {**mailing.context(loaded, framework, recipient),
                       "person": person, "base_url": self.settings.base.public_base_url}
            template = mailing.template(recipient)
            rendered = self.templates.render(template, lang, context)
            invitation = (mailing.invitation(loaded, framework, recipient, BASE)
                          if mailing.invites else None)
            calendar = [invitation.url, invitation.description] if invitation else []
            found.append(Email(kind, template, recipient, lang, rendered.subject,
                               rendered.text, rendered.html, calendar))
        return found


@pytest.fixture
def notify(jwt_settings, assessment_url, content_url) -> Notify:
    return Notify(jwt_settings=jwt_settings, assessment_url=assessment_url,
                  content_url=content_url)


def jobs(kind: str, scenario: Scenario, notify: Notify, content_url: str) -> list[dict]:
    """The data of the jobs notify plans for this kind (one per action for an action's)."""
    policy = notify.settings.policy
    dialogue = scenario.dialogue
    if kind == "framework_changed":
        # The content service is the session's: publishing a version here would show in the
        # other web tests. The notice of the current version against itself still carries
        # every link a notice has.
        version = requests.get(f"{content_url}/api/v1/framework", timeout=10).json()["version"]
        return [{"version_id": version["id"], "previous_version_id": version["id"],
                 "changed_paths": [QUESTION], "published_at": version["published_at"]}]
    if kind == "actions_to_reassign":
        return [{"person_id": scenario.left, "unit_id": dialogue["unit_id"],
                 "left_on": local_today().isoformat(),
                 "open_action_ids": [a["id"] for a in dialogue["actions"]
                                     if a["owner_id"] == scenario.left]}]
    if kind in ("dialogue_summary", "follow_up"):
        return [{"dialogue_id": dialogue["id"], "follow_up_on": dialogue["follow_up_on"],
                 "send_on": dialogue["follow_up_on"]}]
    send_after = {"action_reminder": -policy.reminder_days_before, "action_due": 0,
                  "action_overdue": policy.escalate_owner_after_days,
                  "action_escalated": policy.escalate_up_after_days}[kind]
    return [{
        "action_id": a["id"], "dialogue_id": dialogue["id"], "unit_id": dialogue["unit_id"],
        "leader_id": dialogue["leader_id"], "owner_id": a["owner_id"], "due_on": a["due_on"],
        "send_on": (date.fromisoformat(a["due_on"]) + timedelta(days=send_after)).isoformat(),
    } for a in dialogue["actions"]]


# --- the links in an email ----------------------------------------------------------------

class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if name == "href" and value]


def html_links(markup: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(markup)
    parser.close()
    return parser.hrefs


def text_links(text: str) -> list[str]:
    return [link.rstrip(".,;:)") for link in re.findall(r"https?://[^\s<>\"']+", text)]


def links_of(email: Email) -> list[tuple[str, str]]:
    """(part, link) of every link in the email; each part has one at least, and every link
    leads into the web (a link elsewhere would escape this test)."""
    found = []
    for part, links in (("html", html_links(email.html)), ("text", text_links(email.text)),
                        ("calendar", email.calendar_links)):
        assert links or part == "calendar", f"{email.template} to {email.recipient}: no link " \
                                            f"in its {part} part"
        for link in links:
            assert link.startswith(BASE + "/"), f"{email.template} {part}: {link!r} leads elsewhere"
            found.append((part, link))
    return found


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the web, signed in --------------------------------------------------------------------

class Browsers:
    """One signed-in test client of the web per person (a fresh one, its own cookies)."""

    def __init__(self, web_app):
        self._app = web_app
        self._clients = {}

    def __call__(self, person_id: str):
        if person_id not in self._clients:
            client = self._app.test_client()
            sign_in(client, person_id)
            self._clients[person_id] = client
        return self._clients[person_id]


def framework_titles(content_url: str) -> dict[str, str]:
    return {lang: requests.get(f"{content_url}/api/v1/framework", params={"lang": lang},
                               timeout=10).json()["title"] for lang in ("da", "en")}


def expected_on_pages(scenario: Scenario) -> dict[str, str]:
    """What each page an email may link to must show (escaped as HTML), by path."""
    expected = {}
    if scenario.dialogue is not None:
        expected[f"/dialogues/{scenario.dialogue['id']}"] = scenario.answer
        expected |= {f"/actions/{a['id']}": a["title"] for a in scenario.dialogue["actions"]}
    if scenario.left is not None:
        [expected[OWNER_LEFT]] = [a["title"] for a in scenario.dialogue["actions"]
                                  if a["owner_id"] == scenario.left]
    return expected


# --- the table ----------------------------------------------------------------------------

SHARED_SUMMARY = {"leader", "tr", "amr", "emp1"}  # readers: leader (and unit leader), TRIO, emp1
CASES = [
    # scenario, kind, template, who gets it
    (shared_dialogue, "dialogue_summary", "dialogue_summary", SHARED_SUMMARY),
    (shared_dialogue, "dialogue_summary", "action_agreed", {"emp2"}),  # owner outside it
    (shared_dialogue, "action_reminder", "action_reminder", {"emp1", "emp2"}),
    (shared_dialogue, "action_due", "action_due", {"emp1", "emp2"}),
    (shared_dialogue, "action_overdue", "action_overdue", {"emp1", "emp2", "leader"}),
    (shared_dialogue, "action_escalated", "action_escalated", {"director", "tr", "amr"}),
    (shared_dialogue, "follow_up", "follow_up", {"leader", "tr", "amr"}),
    (private_dialogue, "dialogue_summary", "dialogue_summary", {"leader"}),
    (private_dialogue, "action_reminder", "action_reminder", {"leader"}),
    (private_dialogue, "action_due", "action_due", {"leader"}),
    (private_dialogue, "action_overdue", "action_overdue", {"leader"}),
    (private_dialogue, "action_escalated", "action_escalated", {"leader"}),
    (private_dialogue, "follow_up", "follow_up", {"leader"}),
    (leaver_dialogue, "actions_to_reassign", "actions_to_reassign", {"leader"}),
    (no_dialogue, "framework_changed", "framework_changed", {"director", "leader", "sfo-leader"}),
]


def test_the_table_covers_every_kind_notify_sends(notify):
    assert {kind for _, kind, _, _ in CASES} == set(notify.mailings)


@pytest.mark.parametrize(
    ("make_scenario", "kind", "template", "recipients"), CASES,
    ids=[f"{make.__name__.removesuffix('_dialogue')}-{template}"
         for make, _, template, _ in CASES],
)
def test_every_link_in_the_email_resolves(
    make_scenario, kind, template, recipients, web, web_app, notify, assessment_url,
    content_url, token, assessment_app,
):
    scenario = make_scenario(assessment_url, token, assessment_app, notify)
    emails = [email for data in jobs(kind, scenario, notify, content_url)
              for email in notify.emails(kind, data) if email.template == template]
    assert {email.recipient.person_id for email in emails} == recipients

    browsers, titles = Browsers(web_app), framework_titles(content_url)
    expected = expected_on_pages(scenario)
    checked = 0
    for email in emails:
        reader = email.recipient.person_id
        for part, link in links_of(email):
            path = path_of(link)
            where = f"{email.template} to {reader}, {part} part: {link}"
            page = browsers(reader).get(path)
            assert page.status_code == 200, f"{where}: {page.status_code}"
            shown = page.get_data(as_text=True)
            if path == "/framework":
                assert html.escape(titles[email.lang], quote=False) in shown, where
            else:
                assert path in expected, f"{where}: not a page of this dialogue"
                assert html.escape(expected[path], quote=False) in shown, where
            if not email.recipient.reader:  # told of their own action alone
                assert f"/dialogues/{scenario.dialogue['id']}" not in shown, where
                assert html.escape(scenario.answer, quote=False) not in shown, where
            for outsider in scenario.outsiders:
                other = browsers(outsider).get(path)
                assert other.status_code == (200 if path in OPEN_TO_ALL else 404), \
                    f"{where}, as {outsider}: {other.status_code}"
                if path in expected:
                    assert html.escape(expected[path], quote=False) not in \
                        other.get_data(as_text=True), f"{where}, as {outsider}: shown"
            checked += 1
        if not email.recipient.reader:  # nor can they follow the action to its dialogue
            assert browsers(reader).get(
                f"/dialogues/{scenario.dialogue['id']}").status_code == 404
    assert checked > 0, f"{kind} ({template}): no link was checked"
