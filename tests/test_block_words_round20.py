"""The block check looks for a bot wall's words only on small pages without an article's markup: the
verdicts it gave when it read every word on every page."""

from __future__ import annotations

import pytest

from crawler.extraction.blocking import block_page_kind, may_be_block_page

ARTICLE_HEAD = '<head><script type="application/ld+json">{"@type": "NewsArticle"}</script>'


@pytest.mark.parametrize(
    ("page", "verdict"),
    [
        # A wall's title in capitals of its own, on a page that loads Bot Manager's script.
        ('<title>Just a Moment...</title><script src="/_sec/sbsd/x.js"></script>', "bot wall 'Just a Moment...'"),
        ("<title>Pardon Our Interruption</title><p>Please enable cookies.</p>", "bot wall 'Pardon Our Interruption'"),
        ("<h1>Access to this page has been denied.</h1>", "bot wall 'Access to this page has been denied.'"),
        ('<html><body><iframe id="sec-if-cpt-container"></iframe></body></html>', "Akamai bot challenge"),
        # An article headlined as a wall, its words ("human", "moment") in its story: no block.
        (f"<html>{ARTICLE_HEAD}<title>Just a moment...</title></head><body><h1>Just a moment...</h1><p>A human moment.</p></body></html>", None),
        (f'<html><head><meta property="og:title" content="x"><title>Attention Required! | Cloudflare</title></head></html>', None),
        ("<html><head><title>Markets</title></head><body><p>A human moment of attention.</p></body></html>", None),
    ],
)
def test_block_verdicts(page: str, verdict: str | None) -> None:
    assert block_page_kind(page) == verdict
    if verdict is not None:
        assert may_be_block_page(page.encode())


def test_large_page_is_never_a_challenge() -> None:
    page = '<title>Just a moment...</title><iframe id="sec-if-cpt-container"></iframe>' + " " * 70_000
    assert block_page_kind(page) is None
