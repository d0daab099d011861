"""The bytes of a first visit of a page: its HTML and what a browser then fetches for it.

bench/web.py prints them; its docstring says what is counted and what is not.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests

PARTS = ("HTML", "CSS + JS", "fonts", "total")
FONT_FORMATS = {"woff2", "woff", "truetype", "opentype"}  # what a current browser reads
ENCODINGS = ("identity", "gzip")


def body_bytes(url: str, cookie: str | None, encoding: str) -> tuple[int, bytes]:
    """Status and body as sent (not decoded) of one GET."""
    headers = {"Accept-Encoding": encoding, **({"Cookie": cookie} if cookie else {})}
    with requests.get(url, headers=headers, stream=True, allow_redirects=False,
                      timeout=10) as response:
        return response.status_code, response.raw.read(decode_content=False)


def font_files(css: str, css_url: str) -> list[str]:
    """Per @font-face, what a browser fetches: its src entries in order up to the first in a
    format it reads (one without format() is fetched too, even an .eot it then drops)."""
    urls = []
    for face in re.findall(r"@font-face\s*{[^}]*}", css):
        for src, hint in re.findall(r"url\(([^)]+)\)(?:\s*format\([\"']?([^\"')]+))?", face):
            urls.append(urljoin(css_url, src.strip("'\"")))
            if hint in FONT_FORMATS or not (hint or src.endswith(".eot")):
                break
    return urls


def first_visit(base_url: str, path: str, cookie: str | None) -> tuple[int, list]:
    """Status, and bytes (uncompressed, gzip) of the HTML, the CSS and JS it links, the fonts."""
    status, html = body_bytes(base_url + path, cookie, "identity")
    if status != 200:
        return status, []
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"',
                       html.decode())
    assets = [urljoin(base_url + path, href or src) for href, src in links]
    fonts = [font for url in assets if ".css" in url
             for font in font_files(body_bytes(url, None, "identity")[1].decode(), url)]

    def sizes(urls: list[str]) -> tuple[int, int]:
        return tuple(sum(len(body_bytes(url, None, encoding)[1]) for url in urls)
                     for encoding in ENCODINGS)

    html_gzip = len(body_bytes(base_url + path, cookie, "gzip")[1])
    return status, [(len(html), html_gzip), sizes(assets), sizes(fonts)]


def print_first_visits(base_url: str, visits: list[tuple[str, str, str | None]]) -> None:
    """One line per (label, path, Cookie header or None): each part, uncompressed / gzip."""
    print("bytes for a first visit, bodies, uncompressed / as sent for Accept-Encoding: gzip "
          "(fonts: every @font-face of the stylesheets, an upper bound):")
    print(f"  {'page':<16}" + "".join(f"{part:>20}" for part in PARTS))
    for label, path, cookie in visits:
        status, parts = first_visit(base_url, path, cookie)
        if status != 200:
            print(f"  {label:<16} not measured: it answered {status}")
            continue
        parts.append(tuple(map(sum, zip(*parts, strict=True))))
        print(f"  {label:<16}" + "".join(f"{f'{a:,} / {b:,}':>20}" for a, b in parts))
