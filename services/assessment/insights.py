"""The balance insight: the shared dialogues of a unit in aggregate, never one person's.

Per unit (alone, or with every unit below it) and fixed period (a calendar year, half or
quarter): the average rating and weight of each focus area, the dialogues per setting, and
the actions agreed, done and overdue. The figures come from insight_store (kept per unit
and quarter); insight_blocks decides whether they may be published: only when they are made
of whole blocks of at least 5 dialogues, 5 people and 3 leaders, so that no combination of
answers, by any role, singles out a dialogue or a person. Private dialogues never count.
Only keys and numbers leave this module, never a text.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.assessment import access, insight_store
from services.assessment.errors import Forbidden, Invalid, NotFound
from services.assessment.insight_blocks import (
    MIN_DIALOGUES,
    MIN_LEADERS,
    MIN_PEOPLE,
)
from services.assessment.models import SETTINGS, Unit
from services.assessment.periods import Period
from shared.auth import Principal

LEADERS_ONLY = "insights cover the units you lead and the units below them"


def covered_units(
    session: Session, *, principal: Principal, unit_id: str | None, subtree: bool
) -> frozenset[str] | None:
    """The units asked about, if the principal may see them; None: the whole organisation."""
    if not principal.has_any("hr_admin", "leader"):
        raise Forbidden("insights are for HR admins and leaders")
    if unit_id is None:
        if principal.has_any("hr_admin"):
            return None
        raise Invalid.field("unit_id", "required unless you are an HR admin", location="query")
    if session.get(Unit, unit_id) is None:
        raise NotFound(f"unit {unit_id} not found")
    if not principal.has_any("hr_admin") and unit_id not in access.subtree(
        session, access.units_led(session, principal.sub)
    ):
        raise Forbidden(LEADERS_ONLY)
    return frozenset(access.subtree(session, {unit_id}) if subtree else {unit_id})


def balance(
    session: Session, *, principal: Principal, unit_id: str | None, subtree: bool,
    period: Period, today: date,
) -> dict:
    """The balance insight the principal asked for: keys and numbers, or suppressed."""
    units = covered_units(session, principal=principal, unit_id=unit_id, subtree=subtree)
    insight_store.refresh(session)
    blocks = insight_store.blocks(session, period.year)
    everywhere = blocks.units if units is None else units
    shown = blocks.published(everywhere, period.quarters)
    totals = insight_store.totals(session, year=period.year, quarters=period.quarters,
                                  units=units)

    def total(kind: str, key: str | None = None, name: str = "dialogues") -> int:
        return sum(getattr(figure, name) for (figure_kind, figure_key), figure in totals.items()
                   if figure_kind == kind and key in (None, figure_key))

    def shown_or_none(value):
        return value if shown else None

    partly_rated = blocks.partly_rated(everywhere, period.quarters) if shown else set()

    def focus_area(area: str) -> dict:
        rated = total("focus_area", area)
        area_shown = shown and rated > 0 and area not in partly_rated
        return {
            "focus_area": area,
            "average_rating": round(total("focus_area", area, "rating_sum") / rated, 2)
            if area_shown else None,
            "average_weight": round(total("focus_area", area, "weight_sum") / rated, 2)
            if area_shown else None,
            "dialogues": rated if area_shown else None, "suppressed": not area_shown,
        }

    areas = sorted(key for kind, key in totals if kind == "focus_area")
    return {
        "unit_id": unit_id, "subtree": subtree, "period": period.label,
        "from": period.start, "to": period.end,
        "min_group_size": MIN_DIALOGUES, "min_people": MIN_PEOPLE, "min_leaders": MIN_LEADERS,
        "suppressed": not shown,
        "dialogues": {"count": shown_or_none(total("setting")), "suppressed": not shown},
        "focus_areas": [focus_area(area) for area in areas],
        "settings": [{"setting": setting, "dialogues": shown_or_none(total("setting", setting)),
                      "suppressed": not shown} for setting in SETTINGS],
        "actions": {
            "agreed": shown_or_none(total("actions", name="agreed")),
            "done": shown_or_none(total("actions", name="done")),
            "overdue": insight_store.overdue(
                session, year=period.year, quarters=period.quarters, units=units, today=today,
            ) if shown else None,
            "suppressed": not shown,
        },
    }
