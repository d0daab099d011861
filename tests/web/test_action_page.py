"""An action's page: its owner or its dialogue's leader changes it, each problem in Danish."""

from __future__ import annotations

from datetime import date, timedelta

from tests.web.conftest import csrf_token, sign_in


def action_page(web, record, sub: str) -> tuple[str, str]:
    action = record()["actions"][0]
    sign_in(web, sub)
    page = web.get(f"/actions/{action['id']}")
    assert page.status_code == 200
    return action["id"], page.get_data(as_text=True)


def test_the_owner_moves_the_due_date_with_a_reason_and_sees_it_in_the_history(web, record):
    action_id, html = action_page(web, record, "emp1")
    new_date = (date.today() + timedelta(days=60)).isoformat()
    moved = web.post(f"/actions/{action_id}/due-date", data={
        "csrf_token": csrf_token(html), "due_on": new_date, "reason": "Ferien kom i vejen",
    })
    assert moved.status_code == 302
    page = web.get(moved.headers["Location"]).get_data(as_text=True)
    assert "Gemt." in page
    assert "Ferien kom i vejen" in page  # the history keeps the reason


def test_a_move_without_a_reason_is_refused_at_the_field_in_danish(web, record):
    action_id, html = action_page(web, record, "emp1")
    refused = web.post(f"/actions/{action_id}/due-date", data={
        "csrf_token": csrf_token(html), "due_on": date.today().isoformat(), "reason": "",
    })
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="reason-error"' in page
    assert "Skriv, hvorfor fristen flyttes." in page
    assert f'value="{date.today().isoformat()}"' in page  # what was typed is kept


def test_completing_without_a_reflection_asks_for_one_in_danish(web, record):
    action_id, html = action_page(web, record, "emp1")
    refused = web.post(f"/actions/{action_id}/complete", data={
        "csrf_token": csrf_token(html), "reflection": "  ",
    })
    assert refused.status_code == 422
    assert "Skriv et par ord om, hvordan det gik." in refused.get_data(as_text=True)


def test_the_api_refusal_of_a_date_too_far_ahead_shows_at_the_field(web, record):
    action_id, html = action_page(web, record, "emp1")
    refused = web.post(f"/actions/{action_id}/due-date", data={
        "csrf_token": csrf_token(html), "due_on": "2999-01-01", "reason": "Senere",
    })
    assert refused.status_code == 422
    assert 'id="due_on-error"' in refused.get_data(as_text=True)


def test_the_owner_sees_who_agreed_the_action_by_name(web, record):
    _action_id, html = action_page(web, record, "emp1")
    assert "med Lars Leder" in html


def test_a_reader_who_may_not_change_it_sees_no_forms(web, record):
    _action_id, html = action_page(web, record, "tr")
    assert "Afslut handlingen" not in html
    assert "Fælles planlægningsmøde hver fredag" in html


def test_someone_who_may_not_see_it_gets_the_page_of_nothing(web, record):
    action = record()["actions"][0]
    sign_in(web, "sfo-emp")
    answer = web.get(f"/actions/{action['id']}")
    assert answer.status_code == 404
    assert "Siden findes ikke" in answer.get_data(as_text=True)
