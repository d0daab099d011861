"""Record a dialogue: a leader's form, its review, the save, and every error at its field."""

from __future__ import annotations

import re
from datetime import date, timedelta

import requests

from tests.web.conftest import csrf_token, sign_in
from tests.web.html_forms import form_fields

TODAY = date.today()
HELD_ON = (TODAY - timedelta(days=7)).isoformat()
DUE_ON = (TODAY + timedelta(days=30)).isoformat()
FOLLOW_UP_ON = (TODAY + timedelta(days=60)).isoformat()
AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")


def open_form(web, query: str = "?unit_id=skole&setting=work_community") -> dict[str, str]:
    page = web.get(f"/dialogues/new{query}")
    assert page.status_code == 200, page.status_code
    return form_fields(page.get_data(as_text=True), "record-form")


def row_of(fields: dict[str, str], person_id: str) -> str:
    """The participants row (its name prefix) of a person."""
    for name, value in fields.items():
        if name.endswith("-person_id") and value == person_id:
            return name.removesuffix("-person_id")
    raise AssertionError(f"{person_id} is not among the participants")


def filled(fields: dict[str, str], **changes) -> dict[str, str]:
    """A work-community dialogue as a leader types it into the form."""
    fields = dict(fields)
    fields[f"{row_of(fields, 'emp1')}-included"] = "yes"
    fields.update({
        "held_on": HELD_ON,
        "answers-wc_collaboration": "Vi samarbejder godt.\nPå tværs af årgangene.",
        "answers-wc_expectations": "Klare aftaler om vikardækning.",
        "strengths-meaningful_communities": "Stærke relationer",
        "development_areas-reliable_communities": "Planlægning",
        "actions-0-title": "Fælles planlægningsmøde hver fredag",
        "actions-0-owner_id": "emp1",
        "actions-0-due_on": DUE_ON,
        "actions-0-focus_area": "reliable_communities",
        "actions-0-commitment": "proactive_management",
        "follow_up_on": FOLLOW_UP_ON,
        "visibility": "shared",
    })
    for area, rating, weight in zip(AREAS, "4352", ("40", "30", "20", "10"), strict=True):
        fields[f"focus_areas-{area}-rating"] = rating
        fields[f"focus_areas-{area}-weight"] = weight
    return {**fields, **changes}


def send(web, fields: dict[str, str], step: str):
    return web.post("/dialogues/new", data={**fields, "step": step})


def assert_kept(html: str, sent: dict[str, str]) -> None:
    """The form came back with every value sent (the CSRF token aside)."""
    again = form_fields(html, "record-form")
    for name, value in sent.items():
        if name != "csrf_token":
            assert again.get(name) == value, (name, again.get(name), value)


def error_summary(html: str) -> str:
    start = html.index('<div class="alert alert-error" role="alert"')
    return html[start:html.index("</div>", start)]


def assert_error_at(html: str, field_id: str, message: str) -> None:
    """The message shows at the field (DKFDS markup) and in the summary, linked to it."""
    summary = error_summary(html)
    assert f'href="#{field_id}"' in summary and message in summary, summary
    assert re.search(rf'<span class="form-error-message" id="{field_id}-error">'
                     rf'<span class="sr-only">[^<]+</span>[^<]*{re.escape(message)}', html)
    assert re.search(rf'id="{field_id}"[^>]*aria-describedby="[^"]*{field_id}-error', html)


def test_a_leader_records_a_work_community_dialogue(web, token, assessment_url):
    sign_in(web, "leader")
    fields = open_form(web)
    # The unit's TRIO takes part by default, each in their role; employees are ticked by hand.
    for person, role in (("leader", "leader"), ("tr", "tr"), ("amr", "amr")):
        row = row_of(fields, person)
        assert fields.get(f"{row}-included") == "yes" and fields[f"{row}-role"] == role
    assert f"{row_of(fields, 'emp1')}-included" not in fields
    typed = filled(fields)

    review = send(web, typed, "review")
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert "Gennemse dialogen" in html
    assert "Fælles planlægningsmøde hver fredag" in html and "Eva Ansat" in html
    assert "Vi samarbejder godt.<br>På tværs af årgangene." in html
    assert '<td id="weight-sum">100</td>' in html  # the weights' sum

    saved = send(web, form_fields(html, "review-form"), "save")
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    found = re.fullmatch(r"/dialogues/([0-9a-f-]+)", saved.headers["Location"])
    assert found, saved.headers["Location"]

    dialogue = requests.get(f"{assessment_url}/api/v1/dialogues/{found.group(1)}",
                            headers=token("leader", "leader"), timeout=10).json()
    assert (dialogue["setting"], dialogue["unit_id"], dialogue["held_on"]) == (
        "work_community", "skole", HELD_ON)
    assert sorted((p["person_id"], p["role"]) for p in dialogue["participants"]) == [
        ("amr", "amr"), ("emp1", "employee"), ("leader", "leader"), ("tr", "tr")]
    assert dialogue["answers"] == {
        "wc_collaboration": "Vi samarbejder godt.\nPå tværs af årgangene.",
        "wc_expectations": "Klare aftaler om vikardækning.",
    }
    assert [(a["focus_area"], a["rating"], a["weight"]) for a in dialogue["focus_areas"]] == [
        (AREAS[0], 4, 40), (AREAS[1], 3, 30), (AREAS[2], 5, 20), (AREAS[3], 2, 10)]
    assert dialogue["strengths"] == [
        {"focus_area": "meaningful_communities", "text": "Stærke relationer"}]
    assert dialogue["development_areas"] == [
        {"focus_area": "reliable_communities", "text": "Planlægning"}]
    assert [(a["title"], a["owner_id"], a["due_on"], a["focus_area"], a["commitment"])
            for a in dialogue["actions"]] == [
        ("Fælles planlægningsmøde hver fredag", "emp1", DUE_ON, "reliable_communities",
         "proactive_management")]
    assert (dialogue["follow_up_on"], dialogue["visibility"]) == (FOLLOW_UP_ON, "shared")
    assert dialogue["task_description"] is None


def test_edit_on_the_review_returns_to_the_form_with_everything_kept(web):
    sign_in(web, "leader")
    typed = filled(open_form(web))
    review = send(web, typed, "review").get_data(as_text=True)
    carried = form_fields(review, "review-form")
    assert "step" not in carried  # the buttons choose: save or edit
    edit = send(web, carried, "edit")
    assert edit.status_code == 200
    assert_kept(edit.get_data(as_text=True), typed)


def test_the_apis_refusal_shows_at_the_field_and_in_the_summary_keeping_every_value(web):
    sign_in(web, "leader")
    # Due before the dialogue was held: the web leaves that to the API, which refuses it.
    typed = filled(open_form(web), **{"actions-0-due_on": (TODAY - timedelta(days=30)).isoformat()})
    review = send(web, typed, "review")
    assert review.status_code == 200
    answer = send(web, form_fields(review.get_data(as_text=True), "review-form"), "save")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert_error_at(html, "actions-0-due_on", "due before the dialogue was held")
    assert re.search(r'<div class="form-group form-error">\s*'
                     r'<label class="form-label" for="actions-0-due_on">', html)
    assert_kept(html, typed)


def test_weights_not_summing_to_100_are_refused_at_once_keeping_every_value(web):
    sign_in(web, "leader")
    typed = filled(open_form(web), **{f"focus_areas-{AREAS[0]}-weight": "30"})
    answer = send(web, typed, "review")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    summary = error_summary(html)
    assert f'href="#focus_areas-{AREAS[0]}-weight"' in summary
    assert "90" in summary
    assert '<output id="weight-total" aria-live="polite">90</output>' in html
    assert_kept(html, typed)


def test_a_specific_task_without_its_description_is_refused(web):
    sign_in(web, "leader")
    fields = open_form(web, "?unit_id=skole&setting=specific_task")
    assert "task_description" in fields
    answer = send(web, filled(fields, task_description=""), "review")
    assert answer.status_code == 422
    assert_error_at(answer.get_data(as_text=True), "task_description",
                    "Beskriv den opgave, dialogen handlede om.")


def test_another_action_row_and_another_setting_keep_what_was_typed(web):
    sign_in(web, "leader")
    typed = filled(open_form(web))
    more = send(web, typed, "add_action")
    assert more.status_code == 200
    html = more.get_data(as_text=True)
    assert 'id="actions-3-title"' in html
    assert_kept(html, typed)

    changed = send(web, {**typed, "setting": "specific_task"}, "review")
    html = changed.get_data(as_text=True)
    # The form again, not the review: its questions are those of the setting now chosen.
    assert changed.status_code == 200 and 'id="task_description"' in html
    assert 'id="answers-task_focus_areas"' in html and 'id="answers-wc_collaboration"' not in html
    kept = form_fields(html, "record-form")
    assert kept["actions-0-title"] == "Fælles planlægningsmøde hver fredag"
    assert kept[f"{row_of(kept, 'emp1')}-included"] == "yes"


def test_the_form_starts_with_the_unit_and_setting_and_a_private_own_reflection(web):
    sign_in(web, "leader")
    first = web.get("/dialogues/new")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    # Skovgårdsskolen (led) and SFO Skovgården (its parent led): no setting chosen yet.
    assert 'value="skole"' in html and 'value="sfo"' in html
    assert 'id="section-participants"' not in html
    fields = form_fields(html, "record-form")
    nothing = send(web, fields, "update")  # "Continue" without a unit or a setting
    assert nothing.status_code == 422
    assert_error_at(nothing.get_data(as_text=True), "unit_id", "Vælg den enhed")
    chosen = send(web, {**fields, "unit_id": "sfo", "setting": "individual_leader"}, "update")
    fields = form_fields(chosen.get_data(as_text=True), "record-form")
    assert fields["visibility"] == "private"
    assert not [name for name in fields if name.endswith("-included")]  # no one ticked
    assert {value for name, value in fields.items() if name.endswith("-person_id")} == {
        "sfo-leader", "sfo-tr", "sfo-amr", "sfo-emp", "leader"}


def test_only_leaders_record_dialogues(web):
    sign_in(web, "emp1")
    assert web.get("/dialogues/new").status_code == 404
    page = web.get("/overview")
    assert web.post("/dialogues/new", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "step": "review",
    }).status_code == 404


def test_a_form_without_its_csrf_token_is_refused(web):
    sign_in(web, "leader")
    fields = open_form(web)
    del fields["csrf_token"]
    assert send(web, filled(fields), "review").status_code == 400
