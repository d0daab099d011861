"""The framework keys a dialogue is checked against, fetched from the content service.

Published versions never change, so each version's keys are cached for good;
which version is current is cached for `current_ttl` seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from shared.dialogue_settings import SETTING_QUESTIONS
from shared.http import TIMEOUT


class FrameworkUnavailable(Exception):
    """The content service could not be reached or answered with a server error."""


class UnknownFrameworkVersion(Exception):
    """The content service has no published version with that id."""


@dataclass(frozen=True)
class FrameworkKeys:
    version: int
    commitments: dict[str, frozenset[str]]  # focus area -> its commitment keys
    questions: dict[str, tuple[str, ...]]  # dialogue setting -> its question keys, in order

    @property
    def focus_areas(self) -> frozenset[str]:
        return frozenset(self.commitments)


def keys_from_document(version: int, document: dict) -> FrameworkKeys:
    commitments = {
        area["key"]: frozenset(c["key"] for c in area["commitments"])
        for area in document["focus_areas"]
    }
    by_setting = {s["key"]: s["questions"] for s in document["settings"]}
    questions = {
        setting: tuple(
            q["key"] for q in by_setting.get(framework_setting, [])
            if part is None or q["part"] == part
        )
        for setting, (framework_setting, part) in SETTING_QUESTIONS.items()
    }
    return FrameworkKeys(version=version, commitments=commitments, questions=questions)


class FrameworkClient:
    def __init__(self, base_url: str, session: requests.Session, current_ttl: float = 30.0):
        self._base = base_url.rstrip("/")
        self._session = session
        self._ttl = current_ttl
        self._lock = threading.Lock()
        self._versions: dict[int, FrameworkKeys] = {}
        self._current: tuple[int | None, float] = (None, 0.0)

    def _get(self, path: str) -> dict:
        try:
            response = self._session.get(f"{self._base}{path}", timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise FrameworkUnavailable(f"content service unreachable: {exc}") from exc
        if response.status_code == 404:
            raise UnknownFrameworkVersion(path)
        if response.status_code >= 500:
            raise FrameworkUnavailable(f"content service answered {response.status_code}")
        response.raise_for_status()
        return response.json()

    def current_version(self) -> int:
        version, fetched = self._current
        if version is None or time.monotonic() - fetched > self._ttl:
            document = self._get("/api/v1/framework?lang=da")
            version = document["version"]["id"]
            self._remember(version, document)
            self._current = (version, time.monotonic())
        return version

    def keys(self, version: int) -> FrameworkKeys:
        """The keys of a published version (UnknownFrameworkVersion if there is none)."""
        if version not in self._versions:
            document = self._get(f"/api/v1/framework/versions/{version}?lang=da")
            if document["version"]["status"] != "published":
                raise UnknownFrameworkVersion(str(version))
            self._remember(version, document)
        return self._versions[version]

    def _remember(self, version: int, document: dict) -> None:
        with self._lock:
            self._versions.setdefault(version, keys_from_document(version, document))
