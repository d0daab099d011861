"""My overview: a leader's units and actions; an employee's own actions; sign-in first."""

from __future__ import annotations

from datetime import date

from tests.web.conftest import sign_in


def test_a_signed_out_person_is_sent_to_sign_in_and_back(web):
    answer = web.get("/overview")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/sign-in?next=/overview"


def test_a_leader_sees_their_unit_this_year_and_its_open_actions(web, record):
    record()
    sign_in(web, "leader")
    html = web.get("/overview").get_data(as_text=True)
    assert "Skovgårdsskolen" in html
    assert f"Dialogues held in {date.today().year}" in html or "Dialoger holdt" in html
    assert "Fælles planlægningsmøde hver fredag" in html  # the unit's open action
    assert "Eva Ansat" in html  # its owner, by name


def test_an_employee_sees_the_actions_they_own(web, record):
    record()
    sign_in(web, "emp1")
    html = web.get("/overview").get_data(as_text=True)
    assert "Fælles planlægningsmøde hver fredag" in html
    assert "Skovgårdsskolen</h2>" not in html  # no unit section: emp1 leads none
