"""Danish first, English second: the language of every page, and the switch between them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, request, session
from flask_babel import Babel

from services.web.session import safe_next

LANGUAGES = ("da", "en")
DEFAULT = "da"
# Dates on the pages, and "today" for a form's defaults, are Danish: the municipality's.
TIMEZONE = ZoneInfo("Europe/Copenhagen")
TRANSLATIONS = Path(__file__).parent / "translations"

blp = Blueprint("language", __name__)


def current_language() -> str:
    """The language chosen with the switch, else the person's own setting, else Danish."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def local_today() -> date:
    """Today in Denmark."""
    return datetime.now(TIMEZONE).date()


def init_language(app) -> None:
    Babel(app, locale_selector=current_language, timezone_selector=lambda: TIMEZONE.key,
          default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["current_language"] = current_language
    app.register_blueprint(blp)


@blp.get("/language/<lang>")
def switch(lang: str):
    """Switch the pages' language and go back to the page the switch was on."""
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.args.get("next")))
