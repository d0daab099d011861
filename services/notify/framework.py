"""The framework texts emails quote, from the content service (public; versions never change)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import requests

from services.notify.directory import Unavailable, get_json
from shared.dialogue_settings import SETTING_QUESTIONS


@dataclass(frozen=True)
class Framework:
    """One published version in one language, indexed the way the templates need it."""

    version: int
    lang: str
    document: dict

    def area(self, key: str) -> dict | None:
        return next((a for a in self.document["focus_areas"] if a["key"] == key), None)

    def area_title(self, key: str) -> str:
        area = self.area(key)
        return area["title"] if area else key

    def commitment(self, area_key: str, commitment_key: str) -> str | None:
        area = self.area(area_key) or {"commitments": []}
        found = next((c for c in area["commitments"] if c["key"] == commitment_key), None)
        return found["text"] if found else None

    def setting_title(self, setting: str) -> str:
        framework_setting, part = SETTING_QUESTIONS.get(setting, (setting, None))
        found = next((s for s in self.document["settings"] if s["key"] == framework_setting),
                     None)
        if found is None:
            return setting
        if part is not None:
            return next((p["title"] for p in found["parts"] if p["key"] == part), found["title"])
        return found["title"]

    def section_title(self, path: str) -> str:
        """A reader's name for where a text path points: its focus area or setting."""
        section, _, rest = path.partition(".")
        key = rest.partition(".")[0]
        if section == "focus_areas":
            return self.area_title(key)
        if section == "settings":
            found = next((s for s in self.document["settings"] if s["key"] == key), None)
            return found["title"] if found else key
        return self.document.get("title", section) if section == "title" else section

    def questions(self, setting: str) -> list[dict]:
        """The reflection questions of a dialogue setting: [{key, text}], in order."""
        framework_setting, part = SETTING_QUESTIONS.get(setting, (setting, None))
        for candidate in self.document["settings"]:
            if candidate["key"] == framework_setting:
                return [q for q in candidate["questions"] if part is None or q["part"] == part]
        return []


class FrameworkClient:
    """Fetches a version once per (version, language) and keeps it: published ones never change."""

    def __init__(self, base_url: str, session: requests.Session):
        self._base = base_url.rstrip("/") + "/api/v1/framework"
        self._session = session
        self._lock = threading.Lock()
        self._versions: dict[tuple[int, str], Framework] = {}
        self._diffs: dict[tuple[int, int], list[dict]] = {}

    def version(self, version: int, lang: str) -> Framework:
        """A published version in lang (Unavailable if the content service can't say)."""
        key = (version, lang)
        if key not in self._versions:
            response = get_json(self._session, f"{self._base}/versions/{version}?lang={lang}")
            if response is None:
                raise Unavailable(f"framework version {version} is not published")
            with self._lock:
                self._versions[key] = Framework(version, lang, response.json())
        return self._versions[key]

    def diff(self, old: int, new: int) -> list[dict]:
        """The texts that differ between two versions: [{path, lang, old, new}]."""
        key = (old, new)
        if key not in self._diffs:
            response = get_json(self._session, f"{self._base}/diff?from={old}&to={new}")
            if response is None:
                raise Unavailable(f"no diff between framework versions {old} and {new}")
            with self._lock:
                self._diffs[key] = response.json()["changes"]
        return self._diffs[key]
