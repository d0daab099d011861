"""One string value replaced wherever it stands in a JSON document.

An erasure puts a pseudonym in place of a person's id in what a service keeps as JSON (a
job's data, a dead letter's job, an event set aside): the id is a whole value there, never
part of a text and never a key. Ids of other kinds may be spelt the same (a unit "1001"
and a person "1001"), so a caller names the keys under which people's ids stand.
"""

from __future__ import annotations

from collections.abc import Collection


def replace_value(
    document: object, old: str, new: str, *, under: Collection[str] | None = None
) -> object:
    """document (dicts, lists and scalars, as json.loads gives them) with every string value
    equal to `old` replaced by `new`, at any depth: everywhere, or (`under`) only in the
    values of entries whose key is one of those, however deep they are and whatever they
    hold. Keys and other values stay as they are. The document given is not changed:
    compare the answer with it to learn whether anything was replaced."""
    if isinstance(document, str):
        return new if under is None and document == old else document
    if isinstance(document, dict):
        return {key: replace_value(value, old, new,
                                   under=None if under is None or key in under else under)
                for key, value in document.items()}
    if isinstance(document, list):
        return [replace_value(value, old, new, under=under) for value in document]
    return document
