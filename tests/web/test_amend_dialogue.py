"""Amend a dialogue: its leader, within its 14 days, in the record form filled in with it;
the review, the save as a new revision, and every refusal with everything typed kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

import requests
from sqlalchemy import update

from services.assessment.models import Dialogue
from shared.outbox import utcnow
from tests.support.dialogues import HELD_ON
from tests.web.conftest import csrf_token, sign_in
from tests.web.html_forms import form_fields
from tests.web.test_record_dialogue import assert_error_at, assert_kept, error_summary

NEW_ANSWER = "Vi samarbejder bedre nu.\nOgså med SFO'en."
NEW_ACTION = {
    "actions-0-title": "Ny plan for vikardækning",
    "actions-0-owner_id": "tr",
    "actions-0-due_on": (date.today() + timedelta(days=45)).isoformat(),
    "actions-0-focus_area": "competent_communities",
    "actions-0-commitment": "potential_and_expertise",
}
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)" id="record-form"')


def open_amendment(web, dialogue_id: str) -> tuple[str, str]:
    """The amend form, opened from the dialogue's page: its HTML and where it is sent."""
    page = web.get(f"/dialogues/{dialogue_id}")
    assert page.status_code == 200
    link = re.search(r'href="(/dialogues/[^"]+/amend)"', page.get_data(as_text=True))
    assert link, "the dialogue's page has no link to amend it"
    form_page = web.get(link.group(1))
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    return html, FORM_ACTION.search(html).group(1)


def review_and_save(web, url: str, typed: dict[str, str]):
    review = web.post(url, data={**typed, "step": "review"})
    assert review.status_code == 200, review.get_data(as_text=True)[:2000]
    html = review.get_data(as_text=True)
    return html, web.post(url, data={**form_fields(html, "review-form"), "step": "save"})


def age(assessment_app, dialogue_id: str, days: int) -> None:
    """Make the dialogue recorded `days` ago."""
    with assessment_app.extensions["lederdialog.deps"].session_factory() as session:
        session.execute(update(Dialogue).where(Dialogue.id == dialogue_id)
                        .values(recorded_at=utcnow() - timedelta(days=days)))
        session.commit()


def read(assessment_url, token, dialogue_id: str, what: str = "") -> dict | list:
    answer = requests.get(f"{assessment_url}/api/v1/dialogues/{dialogue_id}{what}",
                          headers=token("leader", "leader"), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_leader_amends_a_dialogue_changing_an_answer_and_adding_an_action(
        web, record, token, assessment_url):
    dialogue = record()
    sign_in(web, "leader")
    web.get("/language/en")
    html, url = open_amendment(web, dialogue["id"])
    assert url == f"/dialogues/{dialogue['id']}/amend"
    fields = form_fields(html, "record-form")
    # The dialogue as it stands, its unit, setting and version shown but not fields.
    assert fields["held_on"] == HELD_ON.isoformat()
    assert fields["answers-wc_collaboration"] == dialogue["answers"]["wc_collaboration"]
    assert fields["focus_areas-competent_communities-rating"] == "3"
    assert fields["focus_areas-competent_communities-weight"] == "40"
    assert fields["strengths-meaningful_communities"] == "Stærke relationer"
    assert fields["framework_version"] == "1" and fields["visibility"] == "shared"
    assert "unit_id" not in fields and "setting" not in fields
    assert "Skovgårdsskolen" in html and "Work community" in html
    ticked = {value for name, value in fields.items() if name.endswith("-person_id")
              and fields.get(name.replace("-person_id", "-included")) == "yes"}
    assert ticked == {"leader", "emp1", "tr"}
    # Its action is listed, linked to its own page; the rows are for new ones.
    action = dialogue["actions"][0]
    assert f'href="/actions/{action["id"]}">{action["title"]}</a>' in html
    assert fields["actions-0-title"] == "" and 'id="actions-2-title"' in html

    typed = {**fields, "answers-wc_collaboration": NEW_ANSWER, **NEW_ACTION}
    review, saved = review_and_save(web, url, typed)
    assert "Vi samarbejder bedre nu.<br>Også med SFO&#39;en." in review
    assert NEW_ACTION["actions-0-title"] in review and action["title"] in review
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    assert saved.headers["Location"] == f"/dialogues/{dialogue['id']}"

    page = web.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Vi samarbejder bedre nu." in page
    assert NEW_ACTION["actions-0-title"] in page and action["title"] in page
    revisions = page[page.index("<h2>Revisions</h2>"):]
    assert len(re.findall(r"<li>Revision \d, recorded", revisions)) == 2

    amended = read(assessment_url, token, dialogue["id"])
    assert amended["answers"]["wc_collaboration"] == NEW_ANSWER
    assert amended["answers"]["wc_expectations"] == dialogue["answers"]["wc_expectations"]
    assert (amended["unit_id"], amended["setting"], amended["framework_version"]) == (
        "skole", "work_community", 1)
    assert sorted(a["title"] for a in amended["actions"]) == sorted(
        [action["title"], NEW_ACTION["actions-0-title"]])
    assert [r["revision"] for r in read(assessment_url, token, dialogue["id"], "/revisions")
            ] == [1, 2]


def test_no_one_but_the_dialogues_leader_amends_it(web, record):
    dialogue = record()
    sign_in(web, "tr")  # a participant: reads the dialogue, does not amend it
    page = web.get(f"/dialogues/{dialogue['id']}")
    assert page.status_code == 200 and "/amend" not in page.get_data(as_text=True)
    assert web.get(f"/dialogues/{dialogue['id']}/amend").status_code == 404
    token = csrf_token(web.get("/overview").get_data(as_text=True))
    sent = web.post(f"/dialogues/{dialogue['id']}/amend",
                    data={"csrf_token": token, "step": "save"})
    assert sent.status_code == 404
    stranger = web.application.test_client()
    sign_in(stranger, "emp2")  # may not even read it
    assert stranger.get(f"/dialogues/{dialogue['id']}/amend").status_code == 404
    leader = web.application.test_client()
    sign_in(leader, "leader")
    assert leader.get("/dialogues/no-such-dialogue/amend").status_code == 404


def test_a_dialogue_past_its_14_days_is_not_amended(web, record, assessment_app):
    dialogue = record()
    age(assessment_app, dialogue["id"], days=15)
    sign_in(web, "leader")
    page = web.get(f"/dialogues/{dialogue['id']}").get_data(as_text=True)
    assert "/amend" not in page
    assert web.get(f"/dialogues/{dialogue['id']}/amend").status_code == 404


def test_a_form_that_outlives_the_14_days_gets_the_refusal_keeping_every_value(
        web, record, assessment_app):
    dialogue = record()
    sign_in(web, "leader")
    html, url = open_amendment(web, dialogue["id"])
    typed = {**form_fields(html, "record-form"), "answers-wc_collaboration": NEW_ANSWER,
             **NEW_ACTION}
    age(assessment_app, dialogue["id"], days=15)
    _review, refused = review_and_save(web, url, typed)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    summary = error_summary(html)
    assert 'href="#record-form"' in summary and "14 days" in summary
    assert re.search(r'<div class="form-group form-error"><span class="form-error-message" '
                     r'id="form-error">', html)
    assert_kept(html, typed)


def test_a_refused_amendment_shows_at_its_field_keeping_every_value(web, record):
    dialogue = record()
    sign_in(web, "leader")
    html, url = open_amendment(web, dialogue["id"])
    # Due before the dialogue was held: the web leaves that to the API, which refuses it.
    typed = {**form_fields(html, "record-form"), "answers-wc_collaboration": NEW_ANSWER,
             **NEW_ACTION, "actions-0-due_on": (HELD_ON - timedelta(days=1)).isoformat()}
    _review, refused = review_and_save(web, url, typed)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert_error_at(html, "actions-0-due_on", "due before the dialogue was held")
    assert_kept(html, typed)
    assert FORM_ACTION.search(html).group(1) == url  # still the amendment


def test_the_unit_setting_and_version_stay_whatever_is_sent(web, record, token,
                                                           assessment_url):
    dialogue = record()
    sign_in(web, "leader")
    html, url = open_amendment(web, dialogue["id"])
    typed = {**form_fields(html, "record-form"), "unit_id": "sfo",
             "setting": "individual_leader", "framework_version": "2", "shown_for": "sfo/x",
             "answers-wc_collaboration": NEW_ANSWER}  # an amendment that changes something
    again = web.post(url, data={**typed, "step": "update"})
    assert again.status_code == 200
    fields = form_fields(again.get_data(as_text=True), "record-form")
    assert (fields["framework_version"], fields["shown_for"]) == ("1", "skole/work_community")
    _review, saved = review_and_save(web, url, typed)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    amended = read(assessment_url, token, dialogue["id"])
    assert (amended["unit_id"], amended["setting"], amended["revision"]) == (
        "skole", "work_community", 2)
