"""Insights (/insights): HR and leaders read the balance of a unit's shared dialogues over a
period; a figure held back reads "too few to show", never 0; every table is also a CSV file
with the same cells; a leader reads their own part of the organisation; no one else does."""

from __future__ import annotations

import csv
import io
from datetime import date
from html.parser import HTMLParser

import pytest
import requests

from services.web.pages.hr_insights import csv_cell
from tests.support.dialogues import HELD_ON, action, ratings
from tests.web.conftest import sign_in
from tests.web.html_forms import form_fields

QUARTER = f"{HELD_ON.year}-Q{(HELD_ON.month - 1) // 3 + 1}"
SFO_PEOPLE = [{"person_id": "sfo-leader", "role": "leader"},
              {"person_id": "sfo-emp", "role": "employee"}, {"person_id": "sfo-tr", "role": "tr"}]


@pytest.fixture
def shared_dialogues(record, assessment_url, token):
    """Six shared dialogues in skole and sfo below it by three leaders, enough to publish the
    figures of skole with the units below it (sfo alone, with one leader, is not): one rates
    competent communities 5 (the others 3), one agreed an overdue action, one action is done."""
    competent_five = [{**ratings()[0], "rating": 5}, *ratings()[1:]]
    dialogues = [
        record("leader", focus_areas=competent_five), record("leader"),
        record("director", actions=[action(due_on=HELD_ON.isoformat())]), record("director"),
        *(record("sfo-leader", unit_id="sfo", participants=SFO_PEOPLE,
                 actions=[action(owner_id="sfo-emp")]) for _ in range(2)),
    ]
    done = requests.post(
        f"{assessment_url}/api/v1/actions/{dialogues[0]['actions'][0]['id']}/complete",
        json={"reflection": "Det virkede."}, headers=token("emp1", "employee"), timeout=10,
    )
    assert done.status_code == 200, done.text
    return dialogues


class _Tables(HTMLParser):
    """Every table of a page by its caption: rows of cell texts, the header row first."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._text: list[str] | None = None
        self._caption: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], []
        elif tag == "caption":
            self._text = self._caption
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._text = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._text = None
        elif tag in ("th", "td") and self._text is not None:
            self._rows[-1].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "table":
            self.tables["".join(self._caption).strip()] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    reader = _Tables()
    reader.feed(html)
    return reader.tables


def insights(web, **query) -> str:
    answer = web.get("/insights", query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_data(as_text=True)


def test_hr_reads_the_figures_of_a_unit_with_the_units_below(web, shared_dialogues):
    sign_in(web, "hr-1")
    found = tables(insights(web, unit_id="skole", subtree="true", period=QUARTER))

    assert found["Balancen mellem fokusområderne"][:2] == [
        ["Fokusområde", "Vurdering (1–5)", "Vægt (%)"],
        ["Fagligt kompetente fællesskaber", "3,33", "40"],  # (5 + 5 × 3) / 6, in Danish
    ]
    assert found["Dialoger pr. ramme"] == [
        ["Ramme", "Dialoger"], ["Lederens egen refleksion", "0"], ["Arbejdsfællesskab", "6"],
        ["Specifik opgave", "0"], ["Ledergruppe", "0"], ["Alle rammer", "6"],
    ]
    assert found["Handlinger aftalt i dialogerne"][1:] == [
        ["Aftalt", "6"], ["Udført", "1"],
        ["Forsinket (hverken udført eller droppet, efter fristen)", "1"],
    ]
    trend = found["De seneste fire perioder"]
    assert trend[1][-1] == "6" and trend[0][-1].endswith(str(HELD_ON.year))
    assert "for få til at vise" not in str(found)


def test_a_unit_alone_shows_its_figures_as_too_few_never_as_zero(web, shared_dialogues):
    sign_in(web, "hr-1")
    html = insights(web, unit_id="sfo", subtree="true", period=QUARTER)
    found = tables(html)

    assert "Disse tal holdes tilbage" in html
    assert found["Balancen mellem fokusområderne"][1] == [
        "Fagligt kompetente fællesskaber", "for få til at vise", "for få til at vise"]
    assert found["Dialoger pr. ramme"][-1] == ["Alle rammer", "for få til at vise"]
    for _label, *cells in found["Handlinger aftalt i dialogerne"][1:]:
        assert cells == ["for få til at vise"]
    assert all(row[-1] == "for få til at vise" for row in found["De seneste fire perioder"][1:])


def test_each_csv_file_holds_the_table_as_the_page_shows_it(web, shared_dialogues):
    sign_in(web, "hr-1")
    for unit in ("skole", "sfo"):  # published, and held back
        found = tables(insights(web, unit_id=unit, subtree="true", period=QUARTER))
        for name, caption in (("balance", "Balancen mellem fokusområderne"),
                              ("settings", "Dialoger pr. ramme"),
                              ("actions", "Handlinger aftalt i dialogerne"),
                              ("trend", "De seneste fire perioder")):
            answer = web.get("/insights.csv", query_string={
                "unit_id": unit, "subtree": "true", "period": QUARTER, "table": name})
            assert answer.status_code == 200
            assert answer.content_type == "text/csv; charset=utf-8"
            assert answer.headers["Content-Disposition"] == (
                f'attachment; filename="lederdialog-insights-{name}-{unit}-{QUARTER}.csv"')
            body = answer.get_data().decode("utf-8")
            assert body.startswith("\ufeff"), "a byte order mark, for Excel"
            assert list(csv.reader(io.StringIO(body[1:]), delimiter=";")) == found[caption]


def test_the_csv_in_english_says_too_few_to_show(web, shared_dialogues):
    sign_in(web, "hr-1")
    web.get("/language/en")
    answer = web.get("/insights.csv", query_string={
        "unit_id": "sfo", "subtree": "true", "period": QUARTER, "table": "actions"})
    rows = list(csv.reader(io.StringIO(answer.get_data().decode("utf-8")[1:]), delimiter=";"))
    assert rows[:2] == [["Actions", "Number"], ["Agreed", "too few to show"]]


def test_a_wrong_table_or_period_is_refused_naming_the_field(web, shared_dialogues):
    sign_in(web, "hr-1")
    answer = web.get("/insights.csv", query_string={"period": QUARTER, "table": "people"})
    assert answer.status_code == 422
    assert answer.get_data(as_text=True).startswith("table: ")
    page = web.get("/insights", query_string={"period": "1999"})
    assert page.status_code == 422
    assert 'id="period-error"' in page.get_data(as_text=True)


def test_the_form_works_without_script_and_remembers_the_choice(web, shared_dialogues):
    sign_in(web, "hr-1")
    first = insights(web)  # the whole organisation, this year, with the units below
    fields = form_fields(first, "insights-form")
    assert fields == {"unit_id": "", "subtree": "true", "period": str(date.today().year)}
    unticked = {**fields, "unit_id": "skole", "period": QUARTER}
    del unticked["subtree"]  # an unticked box sends nothing
    html = insights(web, **unticked)
    assert form_fields(html, "insights-form") == {"unit_id": "skole", "period": QUARTER}
    assert "Enheden alene." in html
    assert tables(html)["Dialoger pr. ramme"][-1] == ["Alle rammer", "for få til at vise"]


def test_hr_reads_the_whole_organisation(web, shared_dialogues):
    sign_in(web, "hr-1")
    found = tables(insights(web, unit_id="", period=QUARTER))
    assert found["Dialoger pr. ramme"][-1] == ["Alle rammer", "6"]


def test_a_leader_reads_the_units_they_lead_and_those_below_only(web, shared_dialogues):
    sign_in(web, "leader")
    html = insights(web, subtree="true", period=QUARTER)
    assert '<option value="skole" selected>' in html and '<option value="sfo">' in html
    assert 'value="kommune"' not in html and "Hele organisationen" not in html
    assert tables(html)["Dialoger pr. ramme"][-1] == ["Alle rammer", "6"]
    assert web.get("/insights", query_string={"unit_id": "kommune"}).status_code == 404
    assert web.get("/insights", query_string={"unit_id": ""}).status_code == 404
    assert web.get("/insights.csv", query_string={
        "unit_id": "kommune", "table": "balance"}).status_code == 404


def test_an_empty_period_says_so_and_shows_counted_zeros(web, org):
    sign_in(web, "director")
    html = insights(web, period=str(HELD_ON.year - 1))
    assert "Der blev ikke holdt nogen delte dialoger i perioden." in html
    assert "Intet fokusområde blev vurderet i perioden." in html
    assert tables(html)["Dialoger pr. ramme"][-1] == ["Alle rammer", "0"]


@pytest.mark.parametrize("sub", ["emp1", "tr"])
def test_employees_and_trio_members_find_no_such_page(web, sub):
    sign_in(web, sub)
    assert web.get("/insights").status_code == 404
    assert web.get("/insights.csv", query_string={"table": "balance"}).status_code == 404
    assert "Indsigt" not in web.get("/overview").get_data(as_text=True)


def test_the_menu_leads_hr_and_leaders_here(web_app, org):
    for sub in ("hr-1", "leader"):
        client = web_app.test_client()
        sign_in(client, sub)
        assert 'href="/insights"' in client.get("/overview").get_data(as_text=True)


def test_a_text_a_spreadsheet_would_run_as_a_formula_stays_text():
    assert [csv_cell(text) for text in ("=HYPERLINK(1)", "@SUM(1)", "3,33", "for få til at vise")] \
        == ["'=HYPERLINK(1)", "'@SUM(1)", "3,33", "for få til at vise"]
