"""The seeded framework is Gentofte's Ledelsesgrundlag, whole, clean, in Danish and English."""

import re

import pytest

from services.content import document, service

ARTEFACTS = [
    (re.compile(r"\w- \w"), "a word broken by a hyphen and a line break"),
    (re.compile(r"\n"), "a line break inside a text"),
    (re.compile(r"  "), "two spaces in a row"),
    (re.compile(r"^\s|\s$"), "leading or trailing space"),
    (re.compile(r"^Hvad gør vi\?$|^Vi vil lede:$"), "a stray page heading"),
]
# A real Danish compound hyphen ("klima- og miljømæssigt"), not a broken word.
ALLOWED_HYPHEN = "klima- og miljømæssigt"


@pytest.fixture(scope="module")
def seed():
    return service.load_seed()


def test_four_focus_areas_with_three_commitments_each(seed):
    areas = seed["focus_areas"]
    assert [a["key"] for a in areas] == [
        "competent_communities", "innovative_communities",
        "meaningful_communities", "reliable_communities",
    ]
    assert all(len(a["commitments"]) == 3 for a in areas)
    assert all(3 <= len(a["leader_role"]) <= 4 for a in areas)


def test_nine_reflection_questions_in_three_settings(seed):
    settings = {s["key"]: s for s in seed["settings"]}
    assert list(settings) == ["work_community", "individual_leader", "leader_group"]
    assert sum(len(s["questions"]) for s in settings.values()) == 9
    parts = [q["part"] for q in settings["work_community"]["questions"]]
    assert parts == ["general", "general", "specific_task"]


def test_every_text_is_in_danish_and_english(seed):
    for path, text in document.iter_texts(seed):
        assert text["da"].strip() and text["en"].strip(), path
        assert text["da"] != text["en"], f"{path} is not translated"


def test_no_extraction_artefacts(seed):
    for path, text in document.iter_texts(seed):
        for lang in document.LANGUAGES:
            value = text[lang].replace(ALLOWED_HYPHEN, "")
            for pattern, what in ARTEFACTS:
                assert not pattern.search(value), f"{path} ({lang}) has {what}: {value!r}"


def test_summary_block_is_not_duplicated(seed):
    pledges = [c["pledge"]["da"] for a in seed["focus_areas"] for c in a["commitments"]]
    assert len(pledges) == len(set(pledges)) == 12


def test_keys_are_unique(seed):
    paths = [path for path, _ in document.iter_texts(seed)]
    assert len(paths) == len(set(paths))
    commitments = [c["key"] for a in seed["focus_areas"] for c in a["commitments"]]
    questions = [q["key"] for s in seed["settings"] for q in s["questions"]]
    assert len(set(commitments)) == 12 and len(set(questions)) == 9


def test_danish_is_the_source_text(seed):
    why = seed["intro"][0]
    assert why["title"]["da"] == "Hvorfor et fælles ledelsesgrundlag?"
    assert "Det skal styrke vores samarbejde lokalt og på tværs" in why["paragraphs"][2]["da"]
    innovative = seed["focus_areas"][1]
    assert innovative["statement"]["da"] == (
        "Vi vil lede innovative fællesskaber, hvor vi skaber sammen"
    )
    assert "italesætte egne fejltrin" in innovative["leader_role"][0]["da"]


def test_fresh_database_serves_the_seed_as_published_version_1(client):
    versions = client.get("/api/v1/framework/versions").get_json()
    assert [(v["id"], v["status"]) for v in versions] == [(1, "published")]
    for lang in ("da", "en"):
        framework = client.get(f"/api/v1/framework?lang={lang}").get_json()
        assert framework["version"]["id"] == 1
        assert len(framework["focus_areas"]) == 4
        assert sum(len(s["questions"]) for s in framework["settings"]) == 9
    english = client.get("/api/v1/framework?lang=en").get_json()
    assert english["focus_areas"][0]["title"].startswith("Professionally competent")
