"""Insights (/insights): how the shared dialogues of a unit went over a fixed period, for HR
and leaders. The balance of the focus areas as a chart, the dialogues per setting, the actions
agreed, done and overdue, and the same figures over the last four periods as a trend; every
chart has its figures in a table beside it, and every table is also a CSV file.

The assessment API's insight decides what may be shown and to whom (HR: any unit, or the whole
organisation; a leader: the units they lead and those below them). A figure it holds back is
null with "suppressed": true. The page and the file say "too few to show" for it, never 0: a
held-back figure read as zero would tell a reader that nothing happened.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from services.web import session
from services.web.framework_texts import framework_texts
from services.web.labels import SETTINGS
from services.web.language import local_today

blp = Blueprint("insights", __name__)

TREND_LENGTH = 4
YEARS_OFFERED = 5  # this year and the four before; the API reaches further back
PER_YEAR = {"": 1, "H": 2, "Q": 4}  # a period's kind: the year, a half, a quarter
TABLES = ("balance", "settings", "actions", "trend")
# Danish Excel opens a file separated by semicolons as columns (the comma is its decimal mark).
CSV_DELIMITER = ";"


@dataclass(frozen=True)
class Period:
    """A calendar year, half or quarter, as the insight API names them: 2026, 2026-H2, 2026-Q3."""

    year: int
    kind: str = ""
    number: int = 1

    @property
    def label(self) -> str:
        return f"{self.year}-{self.kind}{self.number}" if self.kind else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 12 // PER_YEAR[self.kind] * (self.number - 1) + 1, 1)

    @property
    def title(self) -> str:
        if self.kind == "H":
            return _("H%(number)s %(year)s", number=self.number, year=self.year)
        if self.kind == "Q":
            return _("Q%(number)s %(year)s", number=self.number, year=self.year)
        return str(self.year)

    def back(self, count: int) -> Period:
        """The period of the same kind `count` periods earlier."""
        per_year = PER_YEAR[self.kind]
        ordinal = self.year * per_year + self.number - 1 - count
        return Period(ordinal // per_year, self.kind, ordinal % per_year + 1)


@dataclass(frozen=True)
class Query:
    unit_id: str  # "": the whole organisation (HR only)
    subtree: bool
    period: Period

    def api_params(self, period: Period) -> dict:
        params = {"period": period.label, "subtree": "true" if self.subtree else "false"}
        return {**params, "unit_id": self.unit_id} if self.unit_id else params

    def page_args(self) -> dict:
        """The query as the form sends it, for the CSV links."""
        return {"unit_id": self.unit_id, "subtree": "true" if self.subtree else "false",
                "period": self.period.label}


@dataclass(frozen=True)
class Table:
    """A table as the page and its CSV file show it: every cell the text the page shows."""

    caption: str
    header: list[str]
    rows: list[list[str]]  # each row's first cell names it


@blp.get("/insights")
@session.sign_in_required
def show():
    units = units_offered()
    periods = periods_offered(local_today())
    query, errors = _query(units, periods)
    page = {"units": units, "period_groups": _period_groups(periods), "query": query,
            "errors": errors, "hr": _is_hr()}
    if errors:
        return render_template("pages/hr/insights.html", insight=None, **page), 422
    return render_template("pages/hr/insights.html", insight=_insight(query), **page)


@blp.get("/insights.csv")
@session.sign_in_required
def download():
    """One of the page's tables as a CSV file: the cells as the page writes them, UTF-8 with a
    byte order mark so that Excel reads the Danish letters."""
    query, errors = _query(units_offered(), periods_offered(local_today()))
    name = request.args.get("table", "")
    if name not in TABLES:
        errors["table"] = [_("Choose one of: %(tables)s.", tables=", ".join(TABLES))]
    if errors:
        return Response("".join(f"{field}: {' '.join(messages)}\n"
                                for field, messages in errors.items()),
                        status=422, mimetype="text/plain")
    table = _insight(query)["tables"][name]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerows([[csv_cell(cell) for cell in row] for row in [table.header, *table.rows]])
    unit = re.sub(r"[^A-Za-z0-9_-]", "_", query.unit_id) or "all"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="lederdialog-insights-{name}-{unit}-'
                               f'{query.period.label}.csv"',
        "Cache-Control": "no-store",
    })


def csv_cell(text: str) -> str:
    """The cell as the file holds it: a text a spreadsheet would take for a formula (a focus
    area's title is HR's text) begins with an apostrophe, so it stays text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _is_hr() -> bool:
    return "hr_admin" in session.roles()


def units_offered() -> list[dict]:
    """The units the person may ask about, each followed by those below it (by name): every
    unit for HR; for a leader the units they lead and those below them. 404 for anyone else,
    as for a page that does not exist."""
    if _is_hr():
        roots = None
    elif "leader" in session.roles():
        roots = {unit["id"] for unit in session.me()["leads"]}
    else:
        abort(404)
    units = sorted(session.all_pages("assessment", "/api/v1/units"),
                   key=lambda unit: (unit["name"].casefold(), unit["id"]))
    ids = {unit["id"] for unit in units}
    children: dict[str | None, list[dict]] = {}
    for unit in units:
        children.setdefault(unit["parent_id"] if unit["parent_id"] in ids else None,
                            []).append(unit)
    tops = children.get(None, []) if roots is None else [u for u in units if u["id"] in roots]
    ordered, seen, stack = [], set(), list(reversed(tops))
    while stack:
        unit = stack.pop()
        if unit["id"] in seen:
            continue
        seen.add(unit["id"])
        ordered.append(unit)
        stack.extend(reversed(children.get(unit["id"], [])))
    if not ordered:
        abort(404)
    return ordered


def periods_offered(today: date) -> dict[str, Period]:
    """The periods to choose from by label, newest first: per year the year, its halves and
    its quarters, back YEARS_OFFERED years, none that has not begun."""
    periods = [
        period for year in range(today.year, today.year - YEARS_OFFERED, -1)
        for period in (Period(year), *(Period(year, "H", n) for n in (2, 1)),
                       *(Period(year, "Q", n) for n in (4, 3, 2, 1)))
        if period.start <= today
    ]
    return {period.label: period for period in periods}


def _period_groups(periods: dict[str, Period]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods for the form's select, one group per year."""
    groups: dict[int, list[tuple[str, str]]] = {}
    for period in periods.values():
        groups.setdefault(period.year, []).append((period.label, period.title))
    return [(str(year), options) for year, options in groups.items()]


def _query(units: list[dict], periods: dict[str, Period]) -> tuple[Query, dict[str, list[str]]]:
    """The form's choice (default: the first unit, or for HR the whole organisation, with the
    units below it, this year) and its errors by field. A unit not offered is a 404."""
    args, errors = request.args, {}
    unit_id = args.get("unit_id", "" if _is_hr() else units[0]["id"])
    if unit_id not in {unit["id"] for unit in units} and not (unit_id == "" and _is_hr()):
        abort(404)
    period = periods.get(args.get("period", next(iter(periods))))
    if period is None:
        errors["period"] = [_("Choose a period from the list.")]
        period = next(iter(periods.values()))
    # An unticked checkbox sends nothing: only a sent form (which always has a period) unticks.
    subtree = args.get("subtree") == "true" if "period" in args else True
    return Query(unit_id, subtree, period), errors


def _insight(query: Query) -> dict:
    """The chosen period's insight and the trend's, as the page's chart entries and tables."""
    trend = [query.period.back(count) for count in range(TREND_LENGTH - 1, -1, -1)]
    answers = [session.get("assessment", "/api/v1/insights/balance",
                           params=query.api_params(period)) for period in trend]
    answer, areas = answers[-1], _focus_areas(answers)
    balance = [{"title": title, "rating": cell["average_rating"],
                "weight": cell["average_weight"], "suppressed": cell["suppressed"]}
               for key, title in areas if (cell := _area_cell(answer, key))]
    return {
        "answer": answer, "balance": balance,
        "trend_chart": [{"title": title, "bars": [
            {"period": period.title, "rating": (_area_cell(one, key) or {}).get("average_rating"),
             "text": _figure(_area_cell(one, key), "average_rating")}
            for period, one in zip(trend, answers, strict=True)
        ]} for key, title in areas],
        "tables": {
            "balance": Table(_("Balance of the focus areas"), [
                _("Focus area"), _("Rating (1–5)"), _("Weight (%%)") % {},  # as Jinja formats it
            ], [[entry["title"], _figure(entry, "rating"), _figure(entry, "weight")]
                for entry in balance]),
            "settings": Table(_("Dialogues per setting"), [_("Setting"), _("Dialogues")], [
                *([str(SETTINGS.get(cell["setting"], cell["setting"])),
                   _figure(cell, "dialogues")] for cell in answer["settings"]),
                [_("All settings"), _figure(answer["dialogues"], "count")],
            ]),
            "actions": Table(_("Actions agreed in the dialogues"), [_("Actions"), _("Number")],
                             [[label, _figure(answer["actions"], key)]
                              for key, label, _trend_label in _action_rows()]),
            "trend": _trend_table(trend, answers, areas),
        },
    }


def _focus_areas(answers: list[dict]) -> list[tuple[str, str]]:
    """(key, title) of every focus area rated in any of the answers: the current framework's
    in its order, then any other by key (a version since changed)."""
    rated = {cell["focus_area"] for answer in answers for cell in answer["focus_areas"]}
    texts = framework_texts()
    known = [(area["key"], area["title"]) for area in texts.focus_areas if area["key"] in rated]
    return known + [(key, key) for key in sorted(rated - {key for key, _title in known})]


def _area_cell(answer: dict, key: str) -> dict | None:
    return next((cell for cell in answer["focus_areas"] if cell["focus_area"] == key), None)


def _action_rows() -> list[tuple[str, str, str]]:
    """(key, label in the actions table, label in the trend table) of each action figure."""
    return [("agreed", _("Agreed"), _("Actions agreed")), ("done", _("Done"), _("Actions done")),
            ("overdue", _("Overdue (neither done nor dropped, past the due date)"),
             _("Actions overdue"))]


def _trend_table(trend: list[Period], answers: list[dict],
                 areas: list[tuple[str, str]]) -> Table:
    """One row per figure, one column per period, oldest first."""
    def row(label: str, cell_of, name: str) -> list[str]:
        return [label, *(_figure(cell_of(answer), name) for answer in answers)]

    setting_keys = [cell["setting"] for cell in answers[-1]["settings"]]
    return Table(_("The last four periods"), [_("Figure"), *(p.title for p in trend)], [
        row(_("Dialogues"), lambda answer: answer["dialogues"], "count"),
        *(row(_("%(area)s: average rating", area=title),
              lambda answer, key=key: _area_cell(answer, key), "average_rating")
          for key, title in areas),
        *(row(_("%(area)s: average weight (%%)", area=title),
              lambda answer, key=key: _area_cell(answer, key), "average_weight")
          for key, title in areas),
        *(row(_("Dialogues: %(setting)s", setting=SETTINGS.get(key, key)),
              lambda answer, key=key: next(
                  (c for c in answer["settings"] if c["setting"] == key), None),
              "dialogues") for key in setting_keys),
        *(row(label, lambda answer: answer["actions"], key)
          for key, _label, label in _action_rows()),
    ])


def _figure(cell: dict | None, name: str) -> str:
    """A figure as the page writes it: 'too few to show' when held back (never 0), 'none'
    when nothing was rated, else the number in the page's language (3,25 in Danish)."""
    if cell is not None and cell.get("suppressed"):
        return _("too few to show")
    if cell is None or cell.get(name) is None:
        return _("none")
    return format_decimal(cell[name])
