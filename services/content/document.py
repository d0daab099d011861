"""The framework document: every text is a {"da": ..., "en": ...} node with a stable path.

Paths are built from the document's stable keys, e.g.
``focus_areas.innovative_communities.commitments.courage.text`` or
``intro.why.paragraphs.0``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

LANGUAGES = ("da", "en")
_NON_TEXT_KEYS = ("key", "part")


def is_text(node: object) -> bool:
    return isinstance(node, dict) and set(node) == set(LANGUAGES)


def _children(node) -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for name, child in node.items():
            if name not in _NON_TEXT_KEYS:
                yield name, child
    elif isinstance(node, list):
        for index, child in enumerate(node):
            keyed = isinstance(child, dict) and "key" in child
            yield (child["key"] if keyed else str(index)), child


def iter_texts(document: dict, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """Every (path, text node) of the document, in document order."""
    for segment, child in _children(document):
        path = f"{prefix}.{segment}" if prefix else segment
        if is_text(child):
            yield path, child
        elif isinstance(child, dict | list):
            yield from iter_texts(child, path)


def texts(document: dict) -> dict[str, dict]:
    return dict(iter_texts(document))


def with_texts(document: dict, changes: dict[str, dict[str, str]]) -> dict:
    """A copy of document with the texts at the given paths changed (unknown path: KeyError)."""
    updated = copy.deepcopy(document)
    nodes = texts(updated)
    for path, languages in changes.items():
        if path not in nodes:
            raise KeyError(path)
        nodes[path].update(languages)
    return updated


def localize(node, lang: str):
    """The document (or any part of it) with every text node replaced by its lang text."""
    if is_text(node):
        return node[lang]
    if isinstance(node, dict):
        return {name: localize(child, lang) for name, child in node.items()}
    if isinstance(node, list):
        return [localize(child, lang) for child in node]
    return node


def diff(old: dict, new: dict) -> list[dict]:
    """The texts that differ between two documents, path by path and language by language."""
    old_texts, new_texts = texts(old), texts(new)
    changes = []
    for path in dict.fromkeys([*old_texts, *new_texts]):
        before, after = old_texts.get(path, {}), new_texts.get(path, {})
        for lang in LANGUAGES:
            if before.get(lang) != after.get(lang):
                changes.append(
                    {"path": path, "lang": lang, "old": before.get(lang), "new": after.get(lang)}
                )
    return changes
