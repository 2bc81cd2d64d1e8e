"""Crafted share links in a real browser: the error that quotes them is text, not Markdown.

Streamlit's own renderer is the judge here. Each link carries one family of Markdown (and
Streamlit's additions) short enough to be quoted whole; the page must show it character
for character, with no link, image, formatting, icon or math, and fetch nothing from the
address it names.
"""

from __future__ import annotations

from urllib.parse import quote, urlparse

from playwright.sync_api import Page, expect

LOAD_TIMEOUT = 60_000  # ms: the first page load imports torch on the server
WORD_JOINER = "\u2060"  # invisible; ui.plain_text puts it in bare addresses
PAYLOADS = [  # each at most 60 characters, so the message quotes it whole
    "[x](https://evil.example/a) ![t](https://evil.example/t.png)",
    "https://evil.example/b www.evil.example me@evil.example",
    ":red[r] :material/home: :smile: $x^2$ **b** _i_ `c` ~~d~~",
    '<img src="https://evil.example/h.png"><b>h</b> &amp; | a |',
    "# h",
]
FORMATTING = "a, img, strong, em, del, code, h1, h2, h3, table, li, blockquote, .katex, span"


def test_markdown_in_a_link_is_shown_as_text(page: Page, app_server: str):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlparse(request.url).hostname or ""))
    for payload in PAYLOADS:
        page.goto(f"{app_server}/?seed={quote(payload, safe='')}")
        alert = page.get_by_test_id("stAlert").filter(has_text="could not be used")
        expect(alert).to_be_visible(timeout=LOAD_TIMEOUT)
        text = alert.inner_text().replace(WORD_JOINER, "")
        assert f"seed: {payload!r} is not a valid value (int expected)" in text, text
        assert alert.locator(FORMATTING).count() == 0, alert.inner_html()
        assert page.locator('a[href*="evil.example"]').count() == 0
        assert page.locator('img[src*="evil.example"]').count() == 0
    assert "evil.example" not in requested  # the tracking image was never fetched
