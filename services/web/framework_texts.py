"""The framework's texts a page needs, from the content API, in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from services.web.language import current_language
from services.web.session import get
from shared.dialogue_settings import SETTING_QUESTIONS


@dataclass(frozen=True)
class FrameworkTexts:
    version: int
    focus_areas: list[dict]  # in the framework's order, each with its commitments
    settings: list[dict]

    def focus_area_title(self, key: str) -> str:
        return next((a["title"] for a in self.focus_areas if a["key"] == key), key)

    def commitment_text(self, area_key: str, key: str) -> str:
        area = next((a for a in self.focus_areas if a["key"] == area_key), None)
        found = next((c["text"] for c in (area or {}).get("commitments", [])
                      if c["key"] == key), None)
        return found or key

    def questions(self, dialogue_setting: str) -> list[dict]:
        """The reflection questions a dialogue of this setting answers, in the framework's order."""
        setting_key, part = SETTING_QUESTIONS[dialogue_setting]
        setting = next((s for s in self.settings if s["key"] == setting_key), {"questions": []})
        return [q for q in setting["questions"] if part is None or q.get("part") == part]


def framework_texts(version: int | None = None) -> FrameworkTexts:
    """The texts of a framework version (default: the current one)."""
    path = "/api/v1/framework" if version is None else f"/api/v1/framework/versions/{version}"
    document = get("content", path, params={"lang": current_language()})
    return FrameworkTexts(
        version=document["version"]["id"], focus_areas=document["focus_areas"],
        settings=document["settings"],
    )
