"""The framework document's text paths, edits, localization and diff."""

import pytest

from services.content import document

DOC = {
    "title": {"da": "Titel", "en": "Title"},
    "focus_areas": [
        {"key": "area", "title": {"da": "Område", "en": "Area"},
         "commitments": [{"key": "c1", "text": {"da": "vi gør", "en": "we do"}}],
         "leader_role": [{"da": "Afsnit", "en": "Paragraph"}]},
    ],
    "settings": [{"key": "s", "led_by": None, "questions": [
        {"key": "q", "part": None, "text": {"da": "Hvad?", "en": "What?"}}]}],
}


def test_paths_follow_the_stable_keys():
    assert list(document.texts(DOC)) == [
        "title", "focus_areas.area.title", "focus_areas.area.commitments.c1.text",
        "focus_areas.area.leader_role.0", "settings.s.questions.q.text",
    ]


def test_with_texts_copies_and_changes_one_language():
    changed = document.with_texts(DOC, {"settings.s.questions.q.text": {"en": "What now?"}})
    assert changed["settings"][0]["questions"][0]["text"] == {"da": "Hvad?", "en": "What now?"}
    assert DOC["settings"][0]["questions"][0]["text"]["en"] == "What?"
    with pytest.raises(KeyError):
        document.with_texts(DOC, {"nowhere": {"da": "x"}})


def test_localize_keeps_keys_and_nulls():
    english = document.localize(DOC, "en")
    assert english["focus_areas"][0]["commitments"][0] == {"key": "c1", "text": "we do"}
    assert english["settings"][0]["led_by"] is None


def test_diff_lists_changed_texts_per_language():
    changed = document.with_texts(DOC, {"title": {"da": "Ny titel"}})
    assert document.diff(DOC, changed) == [
        {"path": "title", "lang": "da", "old": "Titel", "new": "Ny titel"}
    ]
    assert document.diff(DOC, DOC) == []
