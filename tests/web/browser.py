"""Browser tests' support: Debian's chromium under Playwright, axe-core, screenshots.

Playwright never downloads a browser here: it drives /usr/bin/chromium (`apt-get install
chromium`; .ci/run installs it). axe-core comes inside axe-playwright-python.

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto(url)
        assert_accessible(page, "the framework page")
        screenshot(page, "framework")
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, Request

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The WCAG 2.1 A and AA rules; a violation of these with one of the impacts below fails.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("critical", "serious")

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"

_axe = Axe()


def launch_chromium(playwright: Playwright, **options) -> Browser:
    """Debian's chromium, headless; fails the test, naming the package, when it is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}: "
            "apt-get install chromium (.ci/run installs it)",
            pytrace=False,
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, **options
    )


def record_requests(page: Page) -> list[Request]:
    """Every request the page makes from now on (documents, styles, fonts, images, scripts)."""
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    return requests


def foreign_hosts(requests: list[Request], allowed: tuple[str, ...] = ("127.0.0.1",)) -> list[str]:
    """The URLs among `requests` that go over the network to a host not in `allowed`."""
    return [
        request.url
        for request in requests
        if urlsplit(request.url).scheme not in ("data", "blob", "about")
        and urlsplit(request.url).hostname not in allowed
    ]


def assert_accessible(page: Page, context: str) -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now; fail listing every
    serious or critical violation. `context` names the page (or its state) in the message."""
    response = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    ).response
    failing = [v for v in response["violations"] if v.get("impact") in FAILING_IMPACTS]
    if not failing:
        return
    version = response.get("testEngine", {}).get("version", "?")
    lines = [
        f"{context}: {len(failing)} serious or critical accessibility violation(s) "
        f"(axe-core {version}, WCAG 2.1 A/AA) at {page.url}"
    ]
    for violation in failing:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            lines.append(f"    at {_selector(node['target'])}")
    pytest.fail("\n".join(lines), pytrace=False)


def _selector(target: list) -> str:
    """axe's target: one CSS selector per frame or shadow root, each a string or a list."""
    return " >>> ".join(part if isinstance(part, str) else json.dumps(part) for part in target)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as var/screenshots/NAME.png under the repository; return its path."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError(f"not a plain file name: {name!r}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
