"""The browser tooling on the vendored design system: Debian's chromium loads a page built
from DKFDS markup, the stylesheet, its fonts and images and the JavaScript come from this
machine alone, axe-core finds nothing serious, and a screenshot is written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.web.browser import (
    REPO,
    assert_accessible,
    foreign_hosts,
    launch_chromium,
    record_requests,
    screenshot,
)

STATIC = REPO / "services" / "web" / "static"
SPRITE = "/static/dkfds/img/all-svg-icons.svg"

PAGE = f"""<!DOCTYPE html>
<html lang="da">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Lederdialog – røgtest</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/static/dkfds/css/dkfds.min.css">
</head>
<body>
  <header class="header">
    <a href="#main-content" class="skipnav">Gå til sidens indhold</a>
    <div class="portal-info">
      <div class="portal-info-inner container">
        <a href="/" class="logo" aria-label="Gentofte Kommune"><span>Gentofte Kommune</span></a>
        <button class="function-link button-menu-open js-menu-open ml-auto d-print-none"
                aria-haspopup="dialog"><svg class="icon-svg" focusable="false"
                aria-hidden="true"><use href="{SPRITE}#menu"></use></svg>Menu</button>
      </div>
    </div>
    <div class="solution-info">
      <div class="solution-info-inner container">
        <div class="solution-heading"><a href="/">Lederdialog</a></div>
      </div>
    </div>
    <div class="overlay"></div>
    <div class="mobile-drawer" role="dialog" aria-modal="true" aria-labelledby="menu-heading">
      <div class="menu-top">
        <h2 id="menu-heading" class="menu-heading">Menu</h2>
        <button class="function-link button-menu-close js-menu-close" aria-label="Luk menu"><svg
                class="icon-svg" focusable="false" aria-hidden="true"><use
                href="{SPRITE}#close"></use></svg>Luk</button>
      </div>
    </div>
  </header>
  <main id="main-content" class="container page-container">
    <h1>Ledelsesgrundlaget</h1>
    <p>En side bygget af designsystemets opmærkning.</p>
    <form method="post" action="/">
      <div class="form-group">
        <label class="form-label" for="title">Titel</label>
        <input class="form-input" type="text" id="title" name="title">
      </div>
      <button type="submit" class="button button-primary">Gem</button>
      <button type="button" class="button button-secondary">Annullér</button>
    </form>
    <div class="table--responsive-scroll" tabindex="0">
      <table class="table">
        <caption>Fokusområder</caption>
        <thead><tr><th scope="col">Fokusområde</th><th scope="col">Forpligtelser</th></tr></thead>
        <tbody><tr><td>Fagligt kompetente fællesskaber</td><td>3</td></tr></tbody>
      </table>
    </div>
  </main>
  <footer>
    <div class="footer">
      <div class="container">
        <ul class="align-text-left unstyled-list inline-list">
          <li><strong class="weight-semibold">Gentofte Kommune</strong></li>
        </ul>
      </div>
    </div>
  </footer>
  <script src="/static/dkfds/js/dkfds.min.js"></script>
  <script>
    document.addEventListener("DOMContentLoaded", function () {{
      DKFDS.init();
      window.dkfdsInitialised = true;
    }});
  </script>
</body>
</html>
"""


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """The page above and services/web/static/, over HTTP on a free local port."""
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    app.add_url_rule("/", "page", lambda: PAGE)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def test_a_page_on_the_vendored_design_system(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests = record_requests(page)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))

    response = page.goto(f"{site_url}/", wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_function("window.dkfdsInitialised === true", timeout=5_000)
    page.evaluate("document.fonts.ready.then(() => true)")

    # The stylesheet applies, and its own IBM Plex Sans loaded from here.
    assert "IBM Plex Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate(
        "[...document.fonts].some(f => f.family.includes('IBM Plex Sans') && f.status === 'loaded')"
    ), "no IBM Plex Sans face loaded"
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.button-primary')).backgroundColor"
    ) != "rgba(0, 0, 0, 0)", "the primary button has no DKFDS colour"
    urls = [request.url for request in requests]
    assert any(url.endswith(".woff2") for url in urls), urls
    assert any(url.endswith("logo-header-placeholder.png") for url in urls), urls
    assert any("all-svg-icons.svg" in url for url in urls), urls

    assert problems == []
    assert foreign_hosts(requests) == [], "requests left this machine"
    assert_accessible(page, "the design-system smoke page")

    path = screenshot(page, "dkfds-smoke")
    assert path == REPO / "var" / "screenshots" / "dkfds-smoke.png"
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.close()
