"""The framework's texts as HR edits them: in the document's own sections (the title and
closing, each part of the introduction, each focus area, each setting), each text named
as a reader would name it ("Commitment 2"), with the API's path beside it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

LANGUAGES = ("da", "en")
GENERAL = "general"  # the texts outside the introduction, the focus areas and the settings
_GROUPS = ("intro", "focus_areas", "settings")


@dataclass(frozen=True)
class Text:
    path: str
    label: str
    da: str
    en: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    texts: list[Text]


def section_key(path: str) -> str:
    """The section a text belongs to: 'focus_areas.competent_communities', ..., or GENERAL."""
    parts = path.split(".")
    if parts[0] in _GROUPS and len(parts) > 2:
        return ".".join(parts[:2])
    return GENERAL


def sections(texts: list[dict], lang: str) -> list[Section]:
    """The API's texts ([{path, da, en}], in document order) grouped by section, in order;
    each section titled by its own title text in lang."""
    grouped: dict[str, list[dict]] = {}
    for text in texts:
        grouped.setdefault(section_key(text["path"]), []).append(text)
    by_path = {text["path"]: text for text in texts}
    result = []
    for key, members in grouped.items():
        title = by_path.get(f"{key}.title", {}).get(lang) if key != GENERAL else None
        ordinals: dict[tuple[str, str], int] = {}
        named = [Text(path=t["path"], label=_label(key, t["path"], ordinals), da=t["da"],
                      en=t["en"]) for t in members]
        result.append(Section(key=key, title=title or _("Title and closing"), texts=named))
    return result


def find(all_sections: list[Section], key: str) -> Section | None:
    return next((section for section in all_sections if section.key == key), None)


def _label(section: str, path: str, ordinals: dict[tuple[str, str], int]) -> str:
    """A text's name within its section; numbered items count from 1 in document order."""
    rest = path.split(".") if section == GENERAL else path.split(".")[2:]
    kind = rest[0]
    if len(rest) == 1:
        return {
            "title": _("Title"), "quote": _("Quote"), "statement": _("Statement"),
            "led_by": _("Led by"), "commitments_intro": _("Before the commitments"),
            "closing": _("Closing"),
        }.get(kind, path)
    if len(rest) == 2 and rest[1].isdigit():
        number = int(rest[1]) + 1
        if kind == "paragraphs":
            return _("Paragraph %(number)s", number=number)
        if kind == "leader_role":
            return _("The leader's role, paragraph %(number)s", number=number)
    if len(rest) == 3:
        number = ordinals.setdefault((kind, rest[1]), 1 + sum(k == kind for k, _key in ordinals))
        labels = {
            ("commitments", "text"): _("Commitment %(number)s", number=number),
            ("commitments", "pledge"): _("Commitment %(number)s, as a pledge", number=number),
            ("questions", "text"): _("Question %(number)s", number=number),
            ("parts", "title"): _("Part %(number)s, its title", number=number),
        }
        return labels.get((kind, rest[2]), path)
    return path
