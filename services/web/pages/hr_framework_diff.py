"""What a draft changes against the current version, word by word, for HR to read before
publishing: the content API says which texts changed (old and new); the words that changed
are worked out here with difflib."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from services.web.pages.hr_framework_sections import LANGUAGES, Section

# Each word with the spaces after it (and any spaces the text begins with), so that the
# pieces put back together are the text; words are compared without their spaces.
_WORDS = re.compile(r"^\s+|\S+\s*")

SAME, REMOVED, ADDED = "same", "removed", "added"


@dataclass(frozen=True)
class ChangedText:
    label: str
    path: str
    words: dict[str, list[tuple[str, str]]]  # by language, only the languages that changed


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """old turned into new as (SAME | REMOVED | ADDED, text) pieces, in reading order."""
    before, after = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    pieces: list[tuple[str, str]] = []
    matcher = SequenceMatcher(a=[w.strip() for w in before], b=[w.strip() for w in after],
                              autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append((SAME, "".join(after[j1:j2])))  # as it will read
            continue
        if i1 < i2:
            pieces.append((REMOVED, "".join(before[i1:i2])))
        if j1 < j2:
            pieces.append((ADDED, "".join(after[j1:j2])))
    return pieces


def changes_by_section(
    changes: list[dict], all_sections: list[Section]
) -> list[tuple[Section, list[ChangedText]]]:
    """The API's diff ([{path, lang, old, new}]) as the sections show it: each section with
    its changed texts, in the document's order."""
    by_path: dict[str, dict[str, dict]] = {}
    for change in changes:
        by_path.setdefault(change["path"], {})[change["lang"]] = change
    result = []
    for section in all_sections:
        changed = [
            ChangedText(label=text.label, path=text.path, words={
                lang: word_diff(by_path[text.path][lang]["old"], by_path[text.path][lang]["new"])
                for lang in LANGUAGES if lang in by_path[text.path]
            })
            for text in section.texts if text.path in by_path
        ]
        if changed:
            result.append((section, changed))
    return result
