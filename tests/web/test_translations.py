"""Danish first: every text the pages show has a Danish translation, compiled as it stands."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "services" / "web"
CATALOG = WEB / "translations" / "da" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages() -> set[str]:
    """The msgids `make translations` extracts from the pages' code and templates."""
    with open(WEB / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map, keywords={"_": None, "_l": None, "gettext": None,
                                                     "ngettext": (1, 2), "lazy_gettext": None},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def danish() -> dict[str, object]:
    with open(CATALOG / "messages.po", "rb") as po:
        catalog = read_po(po, locale="da")
    return {_key(m): m for m in catalog if m.id}


def test_every_text_of_the_pages_is_translated_into_danish():
    catalog = danish()
    untranslated = sorted(
        message for message in source_messages()
        if message not in catalog or not all(_strings(catalog[message]))
        or "fuzzy" in catalog[message].flags
    )
    assert not untranslated, f"run `make translations` and translate: {untranslated}"


def test_translations_keep_their_placeholders():
    for message in danish().values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for string in _strings(message):
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(ids[-1])), string


def test_the_compiled_catalog_is_the_catalog():
    with open(CATALOG / "messages.mo", "rb") as mo:
        compiled = {_key(m): _strings(m)
                    for m in read_mo(mo) if m.id}
    written = {key: _strings(m) for key, m in danish().items() if "fuzzy" not in m.flags}
    assert compiled == written, "run `make translations` to compile the catalog"


def _key(message) -> str:
    """A message's msgid (the singular one of a plural message)."""
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]
