"""Jinja2 templates per language: each kind has a .txt (which also sets the subject) and a .html."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("da", "en")
BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def language(value: str | None) -> str:
    """The language an email is written in: the person's if we have it, else Danish."""
    return value if value in LANGUAGES else "da"


class Templates:
    def __init__(self, directory: Path = TEMPLATES):
        self._env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(["html"], default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # templates ship with the code: no stat of the file per email
        )

    def render(self, kind: str, lang: str, context: dict) -> Rendered:
        """The subject, plain text and HTML of one email."""
        context = {**context, "lang": lang, "day": _day_filter(lang)}
        text_module = self._env.get_template(f"{lang}/{kind}.txt").make_module(context)
        html = self._env.get_template(f"{lang}/{kind}.html").render(context)
        return Rendered(subject=text_module.subject, text=str(text_module), html=html)


def _day_filter(lang: str):
    locale = BABEL_LOCALES[lang]

    def day(value: str | date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return _long_date(value, locale)

    return day


@functools.lru_cache(maxsize=1024)
def _long_date(value: date, locale: str) -> str:
    """`1. december 2026`: Babel's long format, the same few dates over and over."""
    return format_date(value, format="long", locale=locale)
