"""Actions that need a new owner: the leader of a dialogue hands on the open actions of
someone who left, from the email's link, without JavaScript; each problem at its field."""

from __future__ import annotations

from datetime import date

import pytest
import requests

from tests.web.conftest import csrf_token, sign_in
from tests.web.html_forms import form_fields

LINK = "/actions?owner_left=true"


@pytest.fixture
def left(assessment_url, token):
    """Mark a person as left, as HR does: left("emp1")."""

    def mark(person_id: str) -> None:
        answer = requests.patch(f"{assessment_url}/api/v1/people/{person_id}",
                                json={"left_on": date.today().isoformat()},
                                headers=token("hr", "hr_admin"), timeout=10)
        assert answer.status_code == 200, answer.text

    return mark


@pytest.fixture
def orphaned(record, left) -> dict:
    """An open action whose owner (emp1) left."""
    action = record()["actions"][0]
    left("emp1")
    return action


def reassign_page(web, sub: str = "leader") -> str:
    sign_in(web, sub, next_url=LINK)
    page = web.get(LINK)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_leader_sees_the_action_of_someone_who_left_and_whom_to_choose(web, orphaned):
    html = reassign_page(web)
    assert "Handlinger, der skal have en ny ejer" in html
    assert orphaned["title"] in html
    assert "Eva Ansat" in html  # the owner who left, by name
    choices = html[html.index(f'id="owner_id-{orphaned["id"]}"'):]
    choices = choices[:choices.index("</select>")]
    assert "Emil Ansat" in choices and "Lars Leder" in choices  # the unit's people
    assert "Eva Ansat" not in choices  # not the one who left


def test_the_leader_hands_the_action_over_and_its_history_says_so(web, orphaned):
    html = reassign_page(web)
    fields = form_fields(html, f"form-{orphaned['id']}")
    answer = web.post(f"/actions/{orphaned['id']}/owner", data={
        **fields, "owner_id": "emp2", "reason": "Eva er stoppet",
    })
    assert answer.status_code == 302
    after = web.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Handlingen har fået en ny ejer." in after
    assert orphaned["title"] not in after  # it no longer waits
    action = web.get(f"/actions/{orphaned['id']}").get_data(as_text=True)
    assert "Eva Ansat → Emil Ansat" in action
    assert "Eva er stoppet" in action


def test_a_hand_over_without_a_reason_is_refused_at_its_field_in_danish(web, orphaned):
    html = reassign_page(web)
    refused = web.post(f"/actions/{orphaned['id']}/owner", data={
        "csrf_token": csrf_token(html), "owner_id": "emp2", "reason": " ",
    })
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f'id="reason-{orphaned["id"]}-error"' in page
    assert "Skriv, hvorfor ejeren skiftes." in page
    assert '<option value="emp2" selected>' in page  # the choice is kept
    assert f'href="#reason-{orphaned["id"]}"' in page  # the summary leads to the field


def test_the_apis_refusal_of_the_new_owner_shows_at_the_field(web, orphaned, left):
    html = reassign_page(web)
    left("emp2")  # while the page was open: the choice is no longer possible
    refused = web.post(f"/actions/{orphaned['id']}/owner", data={
        "csrf_token": csrf_token(html), "owner_id": "emp2", "reason": "Emil tager over",
    })
    assert refused.status_code == 422
    assert f'id="owner_id-{orphaned["id"]}-error"' in refused.get_data(as_text=True)


def test_a_reader_who_does_not_lead_the_dialogue_has_nothing_to_hand_over(web, orphaned):
    html = reassign_page(web, "tr")  # the TR reads the dialogue; its leader hands on
    assert "Ingen af dine åbne handlinger venter på en ny ejer." in html
    assert orphaned["title"] not in html


def test_the_list_without_its_filter_leads_to_the_overview(web, orphaned):
    sign_in(web, "leader")
    answer = web.get("/actions")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/overview"
