"""POST /api/v1/org/import: one CSV file of units and people, imported whole or not at all."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.assessment.models import Person, Unit

HEADER = "kind,id,name,email,language,unit_id,parent_id,leader_id,tr_id,amr_id\n"
# Children before their parents and people before their units, on purpose.
ORGANISATION = HEADER + """\
unit,sfo,SFO Skovgården,,,,skole,sfo-leader,,
person,sfo-leader,Sofie SFO-leder,sofie@gentofte.test,da,sfo,,,,
unit,skole,Skovgårdsskolen,,,,kommune,leader,tr,amr
unit,kommune,Gentofte Kommune,,,,,director,,
person,director,Dorthe Direktør,dorthe@gentofte.test,da,kommune,,,,
person,leader,Lars Leder,lars@gentofte.test,,skole,,,,
person,tr,Tina Tillid,tina@gentofte.test,da,skole,,,,
person,amr,Anders Arbejdsmiljø,anders@gentofte.test,EN,skole,,,,
person,emp1,"Ansat, Eva",eva@gentofte.test,da,skole,,,,
"""
DOCS = Path(__file__).parents[2] / "docs" / "org-import.md"


def post_csv(client, text: str | bytes, headers: dict):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/api/v1/org/import", data=data, headers=headers, content_type="text/csv")


def problems(response) -> list[tuple[int, str | None]]:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["message"].startswith("nothing was imported")
    return [(problem["line"], problem["field"]) for problem in body["errors"]["csv"]]


def snapshot(sessions) -> dict:
    """Every unit and person as stored, to show that a refused file changed nothing."""
    with sessions() as session:
        units = {u.id: (u.name, u.parent_id, u.leader_id, u.tr_id, u.amr_id, u.updated_at)
                 for u in session.scalars(select(Unit))}
        people = {p.id: (p.name, p.email, p.language, p.unit_id, p.updated_at)
                  for p in session.scalars(select(Person))}
    return {"units": units, "people": people}


def test_a_file_creates_units_and_people(client, hr, assessment_sessions):
    response = post_csv(client, ORGANISATION, hr)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "units": {"created": 3, "updated": 0, "unchanged": 0},
        "people": {"created": 6, "updated": 0, "unchanged": 0},
        "left": [],
    }
    with assessment_sessions() as session:
        skole = session.get(Unit, "skole")
        assert (skole.parent_id, skole.leader_id, skole.tr_id, skole.amr_id) == (
            "kommune", "leader", "tr", "amr"
        )
        assert session.get(Unit, "sfo").parent_id == "skole"
        assert session.get(Person, "emp1").name == "Ansat, Eva"
        assert session.get(Person, "leader").language == "da"
        assert session.get(Person, "amr").language == "en"


def test_reimporting_updates_and_never_duplicates(client, hr, assessment_sessions):
    post_csv(client, ORGANISATION, hr)
    again = post_csv(client, ORGANISATION, hr)
    assert again.get_json() == {
        "units": {"created": 0, "updated": 0, "unchanged": 3},
        "people": {"created": 0, "updated": 0, "unchanged": 6},
        "left": [],
    }
    changed = ORGANISATION.replace("Lars Leder", "Lars Ledersen").replace(
        "unit,sfo,SFO Skovgården,,,,skole", "unit,sfo,SFO Skovgården,,,,kommune"
    ) + "person,emp2,Emil Ansat,emil@gentofte.test,en,sfo,,,,\n"
    assert post_csv(client, changed, hr).get_json() == {
        "units": {"created": 0, "updated": 1, "unchanged": 2},
        "people": {"created": 1, "updated": 1, "unchanged": 5},
        "left": [],
    }
    with assessment_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 3
        assert session.scalar(select(func.count()).select_from(Person)) == 7
        assert session.get(Person, "leader").name == "Lars Ledersen"
        assert session.get(Unit, "sfo").parent_id == "kommune"


def test_references_may_point_into_the_organisation(client, org, hr, assessment_sessions):
    text = HEADER + "unit,bibliotek,Biblioteket,,,,kommune,nyleder,tr,\n" \
        "person,nyleder,Nora Ny,nora@gentofte.test,da,bibliotek,,,,\n" \
        "unit,sfo,SFO Skovgården,,,,bibliotek,sfo-leader,sfo-tr,sfo-amr\n"
    response = post_csv(client, text, hr)
    assert response.get_json() == {
        "units": {"created": 1, "updated": 1, "unchanged": 0},
        "people": {"created": 1, "updated": 0, "unchanged": 0},
        "left": [],
    }
    with assessment_sessions() as session:
        assert session.get(Unit, "sfo").parent_id == "bibliotek"
        assert session.get(Unit, "bibliotek").leader_id == "nyleder"


def test_a_missing_column_leaves_the_field_alone(client, org, hr, assessment_sessions):
    text = "kind,id,name,email\nperson,emp2,Emil Ansat-Hansen,emil@gentofte.test\n" \
        "unit,skole,Skovgårdsskolen,\n"
    response = post_csv(client, text, hr)
    assert response.get_json()["people"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert response.get_json()["units"] == {"created": 0, "updated": 0, "unchanged": 1}
    with assessment_sessions() as session:
        emp2 = session.get(Person, "emp2")
        assert (emp2.name, emp2.language, emp2.unit_id) == ("Emil Ansat-Hansen", "en", "skole")
        assert session.get(Unit, "skole").tr_id == "tr"


def test_an_empty_cell_clears_the_field(client, org, hr, assessment_sessions):
    text = "kind,id,name,tr_id,parent_id\nunit,skole,Skovgårdsskolen,,\n"
    assert post_csv(client, text, hr).status_code == 200
    with assessment_sessions() as session:
        skole = session.get(Unit, "skole")
        assert (skole.tr_id, skole.parent_id, skole.amr_id) == (None, None, "amr")


def test_a_multipart_upload_with_semicolons_and_a_bom(client, hr, assessment_sessions):
    text = "\ufeff" + ORGANISATION.replace(",", ";").replace('"Ansat; Eva"', '"Ansat, Eva"')
    upload = (io.BytesIO(text.encode()), "organisation.csv")
    response = client.post("/api/v1/org/import", data={"file": upload}, headers=hr,
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["people"]["created"] == 6
    with assessment_sessions() as session:
        assert session.get(Person, "emp1").name == "Ansat, Eva"


def test_the_documented_example_imports(client, hr):
    example = DOCS.read_text(encoding="utf-8").split("```csv\n", 1)[1].split("```", 1)[0]
    response = post_csv(client, example, hr)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["units"]["created"] == 3


def test_a_bad_row_is_reported_and_nothing_is_written(client, org, hr, assessment_sessions):
    before = snapshot(assessment_sessions)
    text = HEADER + "unit,nyt,Nyt sted,,,,kommune,leader,,\n" \
        "person,emp1,Eva Omdøbt,eva@gentofte.test,da,skole,,,,\n" \
        "\n" \
        'person,ny,"Ny\nPerson",ny@gentofte.test,da,,,,,\n' \
        "person,ny2,Ny To,not-an-address,da,nyt,,,,\n"
    response = post_csv(client, text, hr)
    body = response.get_json()
    assert problems(response) == [(5, "name"), (7, "email")]
    assert body["errors"]["csv"][1]["message"] == "not a valid email address"
    assert snapshot(assessment_sessions) == before


@pytest.mark.parametrize(("rows", "expected"), [
    ("person,x,X,x@gentofte.test,de,,,,,\n", [(2, "language")]),
    ("person,x/y,X,x@gentofte.test,da,,,,,\n", [(2, "id")]),
    ("person,x,,x@gentofte.test,da,,,,,\n", [(2, "name")]),
    ("person,x,X,,da,,,,,\n", [(2, "email")]),
    ("person,x,X,x@gentofte.test,da,nowhere,,,,\n", [(2, "unit_id")]),
    ("unit,u,U,,,,nowhere,nobody,emp1,\n", [(2, "parent_id"), (2, "leader_id")]),
    ("unit,u,U,u@gentofte.test,,,,,,\n", [(2, "email")]),
    ("person,x,X,x@gentofte.test,da,,skole,,,\n", [(2, "parent_id")]),
    ("team,x,X,,,,,,,\n", [(2, "kind")]),
    ("person,x,X,x@gentofte.test\n", [(2, None)]),
    ("unit,u,U,,,,,,,\nunit,u,U again,,,,,,,\n", [(3, "id")]),
    ("unit,skole,Skolen,,,,sfo,,,\n", [(2, "parent_id")]),
    ("unit,a,A,,,,b,,,\nunit,b,B,,,,a,,,\nunit,c,C,,,,c,,,\n",
     [(2, "parent_id"), (4, "parent_id")]),
    ('person,x,"X,x@gentofte.test,da,,,,,\n', [(2, None)]),
])
def test_each_problem_names_its_line_and_field(
    client, org, hr, assessment_sessions, rows, expected
):
    before = snapshot(assessment_sessions)
    assert problems(post_csv(client, HEADER + rows, hr)) == expected
    assert snapshot(assessment_sessions) == before


def test_windows_line_endings_count_lines_alike(client, hr):
    text = HEADER + "person,x,X,x@gentofte.test,da,,,,,\n" + "person,y,Y,bad,da,,,,,\n"
    assert problems(post_csv(client, text.replace("\n", "\r\n"), hr)) == [(3, "email")]


def test_a_cycle_is_explained(client, org, hr):
    response = post_csv(client, "kind,id,name,parent_id\nunit,kommune,Kommunen,sfo\n", hr)
    [problem] = response.get_json()["errors"]["csv"]
    assert problem["message"] == (
        "a unit can't be placed below itself: kommune → sfo → skole → kommune"
    )


@pytest.mark.parametrize(("text", "expected"), [
    ("", [(1, None)]),
    ("kind,id,navn\nunit,u,U\n", [(1, "navn"), (1, "name")]),
    ("kind,id,name,name\n", [(1, "name")]),
    ("kind,id,name\nperson,x,X\n", [(1, "email")]),
])
def test_a_bad_header_is_reported_on_line_1(client, hr, text, expected):
    assert problems(post_csv(client, text, hr)) == expected


def test_a_file_that_is_not_utf8_is_refused_once(client, hr):
    text = (HEADER + "person,x,Søren,x@gentofte.test,da,,,,,\n"
            "person,y,Åse,y@gentofte.test,da,,,,,\nperson,z,Zoë,bad,da,,,,,\n").encode("cp1252")
    response = post_csv(client, text, hr)
    assert problems(response) == [(2, None), (4, "email")]
    assert "UTF-8" in response.get_json()["errors"]["csv"][0]["message"]


def test_the_list_is_capped_and_the_total_given(client, hr):
    text = HEADER + "".join(f"person,x{n},X,bad,da,,,,,\n" for n in range(1200))
    response = post_csv(client, text, hr)
    assert problems(response) == [(line, "email") for line in range(2, 1002)]
    body = response.get_json()
    assert body["errors"]["total"] == 1200
    assert body["message"] == (
        "nothing was imported: the file has 1200 problem(s); the first 1000 are listed"
    )


def test_row_and_consistency_problems_come_in_one_answer(client, org, hr, assessment_sessions):
    before = snapshot(assessment_sessions)
    text = HEADER + "unit,nyt,Nyt sted,,,,nowhere,nobody,,\n" \
        "person,ny,Ny Person,not-an-address,da,nyt,,,,\n" \
        "unit,skole,Skovgårdsskolen,,,,sfo,leader,tr,amr\n" \
        "person,ny,Ny Igen,ny@gentofte.test,xx,skole,,,,\n"
    response = post_csv(client, text, hr)
    listed = [(p["line"], p["field"], p["kind"]) for p in response.get_json()["errors"]["csv"]]
    assert listed == [
        (2, "parent_id", "consistency"), (2, "leader_id", "consistency"),
        (3, "email", "row"),
        (4, "parent_id", "consistency"),
        (5, "language", "row"), (5, "id", "consistency"),
    ]
    assert response.get_json()["errors"]["total"] == 6
    assert snapshot(assessment_sessions) == before


def test_a_row_of_the_wrong_width_still_counts_as_its_id(client, hr):
    text = HEADER + "unit,hus,Huset,,,,,eva,,\n" \
        "person,eva,Ansat, Eva,eva@gentofte.test,da,hus,,,,\n"
    assert problems(post_csv(client, text, hr)) == [(3, None)]


def test_reading_goes_on_after_invalid_csv(client, hr):
    text = HEADER + 'person,x,"X"Y,x@gentofte.test,da,,,,,\n' \
        "person,y,Y,not-an-address,da,,,,,\n"
    assert problems(post_csv(client, text, hr)) == [(2, None), (3, "email")]


def test_only_what_changed_is_written(client, org, hr, assessment_sessions):
    before = snapshot(assessment_sessions)
    text = "kind,id,name,email\nperson,emp1,Eva Ansat,emp1@gentofte.test\n" \
        "person,emp2,Emil Ansat-Hansen,emp2@gentofte.test\n"
    assert post_csv(client, text, hr).get_json()["people"] == {
        "created": 0, "updated": 1, "unchanged": 1,
    }
    after = snapshot(assessment_sessions)
    assert after["people"]["emp1"] == before["people"]["emp1"]
    assert after["people"]["emp2"][0] == "Emil Ansat-Hansen"
    assert after["people"]["emp2"][-1] > before["people"]["emp2"][-1]  # updated_at


def test_the_body_must_be_csv(client, hr):
    response = client.post("/api/v1/org/import", json={"kind": "unit"}, headers=hr)
    assert response.status_code == 415
    response = client.post("/api/v1/org/import", data={"other": "x"}, headers=hr,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]["files"]


def test_only_hr_imports(client, token):
    assert post_csv(client, ORGANISATION, {}).status_code == 401
    for roles in ((), ("leader",), ("service",)):
        assert post_csv(client, ORGANISATION, token("leader", *roles)).status_code == 403
