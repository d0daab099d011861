"""A dry run of the organisation import lists its changes one by one, for HR to read first:
units and people added, changed and moved, TRIO roles changing hands, who leaves."""

from __future__ import annotations

from services.assessment.org_import import MAX_LISTED
from tests.assessment.test_leavers import WHOLE, state, without
from tests.assessment.test_org_import import HEADER

# The small organisation, a month later: the SFO renamed and moved under the kommune, the
# school's TR now Eva, Emil renamed and speaking Danish, Sara moved to the school, a new
# unit with a new leader, and (whole) Anders gone, with the school's AMR handed to Tina.
CHANGED = without(WHOLE, "amr").replace(
    "unit,sfo,SFO Skovgården,,,,skole,", "unit,sfo,SFO Skovgården Nord,,,,kommune,"
).replace(
    "unit,skole,Skovgårdsskolen,,,,kommune,leader,tr,amr",
    "unit,skole,Skovgårdsskolen,,,,kommune,leader,emp1,tr",
).replace(
    "person,emp2,Emil Ansat,emp2@gentofte.test,en,", "person,emp2,Emil Ansat Berg,"
    "emp2@gentofte.test,da,",
).replace(
    "person,sfo-emp,Sara Ansat,sfo-emp@gentofte.test,da,sfo,", "person,sfo-emp,Sara Ansat,"
    "sfo-emp@gentofte.test,da,skole,",
) + (
    "unit,bib,Biblioteket,,,,kommune,bib-leader,,\n"
    "person,bib-leader,Birgit Bog,birgit@gentofte.test,,bib,,,,\n"
)


def preview(client, hr, text: str, **args) -> dict:
    response = client.post("/api/v1/org/import", query_string={"dry_run": "true", **args},
                           data=text.encode(), headers=hr, content_type="text/csv")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_preview_lists_every_change_and_writes_nothing(client, hr, org, assessment_sessions):
    before = state(assessment_sessions)
    answer = preview(client, hr, CHANGED, whole="true")
    assert state(assessment_sessions) == before
    changes = answer["changes"]
    assert changes["units_added"] == {"total": 1, "items": [{
        "id": "bib", "name": "Biblioteket", "parent_id": "kommune", "leader_id": "bib-leader",
        "tr_id": None, "amr_id": None}]}
    assert changes["units_changed"] == {"total": 1, "items": [{"id": "sfo", "fields": [
        {"field": "name", "old": "SFO Skovgården", "new": "SFO Skovgården Nord"}]}]}
    assert changes["units_moved"] == {"total": 1, "items": [
        {"id": "sfo", "old": "skole", "new": "kommune"}]}
    assert changes["trio"] == {"total": 2, "items": [
        {"unit_id": "skole", "role": "tr", "old": "tr", "new": "emp1"},
        {"unit_id": "skole", "role": "amr", "old": "amr", "new": "tr"},
    ]}
    assert changes["people_added"] == {"total": 1, "items": [{
        "id": "bib-leader", "name": "Birgit Bog", "email": "birgit@gentofte.test",
        "language": "da", "unit_id": "bib"}]}
    assert changes["people_changed"] == {"total": 1, "items": [{"id": "emp2", "fields": [
        {"field": "name", "old": "Emil Ansat", "new": "Emil Ansat Berg"},
        {"field": "language", "old": "en", "new": "da"},
    ]}]}
    assert changes["people_moved"] == {"total": 1, "items": [
        {"id": "sfo-emp", "old": "sfo", "new": "skole"}]}
    assert changes["left"] == {"total": 1, "items": [{"id": "amr", "unit_id": "skole"}]}
    assert answer["left"] == ["amr"]
    # Every unit and person named, as after the import.
    assert changes["names"]["units"] == {
        "bib": "Biblioteket", "kommune": "Gentofte Kommune", "sfo": "SFO Skovgården Nord",
        "skole": "Skovgårdsskolen"}
    assert changes["names"]["people"] == {
        "amr": "Anders Arbejdsmiljø", "bib-leader": "Birgit Bog", "emp1": "Eva Ansat",
        "emp2": "Emil Ansat Berg", "sfo-emp": "Sara Ansat", "tr": "Tina Tillid"}


def test_the_counts_stay_as_the_import_answers_them(client, hr, org):
    answer = preview(client, hr, CHANGED, whole="true")
    imported = client.post("/api/v1/org/import?whole=true", data=CHANGED.encode(), headers=hr,
                           content_type="text/csv")
    assert imported.status_code == 200
    assert "changes" not in imported.get_json()  # the import itself lists nothing
    assert {key: answer[key] for key in ("units", "people", "left")} == imported.get_json()


def test_without_whole_no_one_leaves_and_nothing_is_listed_as_leaving(client, hr, org):
    changes = preview(client, hr, without(WHOLE, "emp1"))["changes"]
    assert changes["left"] == {"total": 0, "items": []}
    assert all(changes[name]["total"] == 0 for name in changes if name != "names")


def test_a_long_list_is_cut_at_its_limit_with_its_total(client, hr):
    people = MAX_LISTED + 5
    text = HEADER + "unit,u,U,,,,,,,\n" + "".join(
        f"person,p{n:05d},P {n},p{n}@gentofte.test,da,u,,,,\n" for n in range(people))
    changes = preview(client, hr, text)["changes"]
    added = changes["people_added"]
    assert added["total"] == people
    assert len(added["items"]) == MAX_LISTED
    assert added["items"][0]["id"] == "p00000"  # in the file's order
    assert len(changes["names"]["units"]) == 1
