"""Bounded input fields for the services' marshmallow schemas.

Every value a client sends is bounded where it comes in: texts free of control
characters and lone surrogates (one-line texts free of line breaks too), integers
within what a database column holds, dates within a window that makes sense for
what they mean. Each violation is a ValidationError naming the field, so a client
gets a 422 and never a 500 from a database or a date overflow further on.
"""

from __future__ import annotations

import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# The largest value of a PostgreSQL integer column: ids, versions, pages.
MAX_INT = 2**31 - 1
# Line breaks are allowed in multi-line texts (answers, reflections) and nowhere else;
# tabs are kept in multi-line texts as people paste them. Lone surrogates cannot be
# stored or sent as UTF-8 at all.
NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(value: str) -> None:
    """Refuse control characters (line breaks included) and lone surrogates."""
    if _NOT_IN_LINE.search(value):
        raise ValidationError("must be one line without control characters")


def plain_text(value: str) -> None:
    """Refuse control characters other than line breaks and tabs, and lone surrogates."""
    if NOT_IN_TEXT.search(value):
        raise ValidationError("must not contain control characters")


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


def Line(*, max_length: int, **kwargs) -> fields.String:
    """A one-line text of 1 to max_length characters, not only spaces."""
    return fields.String(
        validate=[validate.Length(min=1, max=max_length), not_blank, one_line], **kwargs
    )


def Text(*, max_length: int, **kwargs) -> fields.String:
    """A text of 1 to max_length characters that may span lines."""
    return fields.String(
        validate=[validate.Length(min=1, max=max_length), not_blank, plain_text], **kwargs
    )


def Key(**kwargs) -> fields.String:
    """A key or id (of a person, a unit, a focus area): 1 to 64 characters on one line."""
    return fields.String(validate=[validate.Length(min=1, max=64), one_line], **kwargs)


def Count(*, minimum: int = 1, maximum: int = MAX_INT, **kwargs) -> fields.Integer:
    """A whole number from minimum to maximum.

    In a JSON body it must be a JSON integer (strict, the default); a query string's
    digits need strict=False.
    """
    kwargs.setdefault("strict", True)
    return fields.Integer(validate=validate.Range(min=minimum, max=maximum), **kwargs)


def years_from(day: date, years: int) -> date:
    """The same day some years later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class DateWindow(validate.Validator):
    """A date no more than `past_years` before today and `future_years` after it.

    Today is read when the value is checked, so a long-running process moves with it.
    """

    def __init__(self, *, past_years: int, future_years: int):
        self.past_years = past_years
        self.future_years = future_years

    def bounds(self) -> tuple[date, date]:
        today = date.today()
        return years_from(today, -self.past_years), years_from(today, self.future_years)

    def __call__(self, value: date) -> date:
        earliest, latest = self.bounds()
        if not earliest <= value <= latest:
            raise ValidationError(
                f"must be from {earliest.isoformat()} to {latest.isoformat()}"
            )
        return value


def Day(*, past_years: int, future_years: int, **kwargs) -> fields.Date:
    """An ISO date within a window around today (see DateWindow)."""
    return fields.Date(
        validate=DateWindow(past_years=past_years, future_years=future_years), **kwargs
    )


class ChangeSchema(Schema):
    """A PATCH body: any of the schema's fields, but at least one (an empty body is a 422)."""

    @validates_schema
    def _changes_something(self, data: dict, **_kwargs) -> None:
        if not data:
            raise ValidationError("give at least one field to change")
