"""Pathological sizes and shapes a hostile or broken server, or a CMS bug, can send: numbers of
thousands of digits, structured data and markup nested past Python's recursion limit, thousands of
comments left open in a feed. Each ends in a sane result or one line and a stat, in bounded time,
never a traceback nor a page lost as unreadable."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from crawler.extraction import extract
from crawler.extraction.discovery import parse_rss
from crawler.extraction.normalize import read_time_minutes
from crawler.spiders.article import ArticleSpider
from tests.conftest import PAGES, SITE
from tests.pages.specs import SEED
from tests.test_spider_probes import SEED_BODY, SEED_URL, answer, articles
from tests.test_spiders_unit import make_spider

SEED_HTML = SEED_BODY.decode("utf-8")
# What should take milliseconds, bounded so a loaded machine never fails it.
BOUND = 10.0


def seed_with(old: str, new: str) -> str:
    assert old in SEED_HTML, old
    return SEED_HTML.replace(old, new, 1)


# --- a feed with a flaw and thousands of comments or CDATA sections left open ----------------------


@pytest.mark.parametrize("opening", ["<!--", "<![CDATA["])
def test_a_feed_with_a_stray_entity_and_thousands_of_open_comments_is_read_in_bounded_time(opening: str) -> None:
    # The stray &nbsp; sends the feed to the recovering parser, whose "&" rewriting looked for each
    # opening's end from every opening again: 200 KB of them took a minute, 1 MB hours.
    items = "".join(f"<item><title>T {i}</title><link>{SITE}/markets/news/story-{i}-12402280{i:04d}_1.html</link></item>" for i in range(20))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>M&amp;M&nbsp;news</title>{items}'.encode()
    body += opening.encode() * (200_000 // len(opening)) + b"</channel></rss>"
    started = time.perf_counter()
    feed = parse_rss(body, SITE + "/rss/latest.rss")
    assert time.perf_counter() - started < BOUND
    # The items closed before the flaw's end are read, the feed told apart as cut.
    assert len(feed.entries) == 20 and feed.cut


# --- a JSON answer the decoder cannot take whole ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"error":' * 50_000 + b"1" + b"}" * 50_000, b'{"error": "gone", "id": ' + b"9" * 5000 + b"}"],
    ids=["nested-lists", "nested-objects", "5000-digit-number"],
)
def test_a_json_answer_too_deep_or_too_long_a_number_for_the_decoder_is_skipped_as_not_html(tmp_path: Path, body: bytes) -> None:
    # Before: a RecursionError out of the callback (a traceback, counted as a bug), or, for the
    # number, the answer taken for a page of an unknown layout, which is how a redesign shows.
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    assert articles(spider, answer(body, {"Content-Type": "application/json"})) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/skipped/not-html") == 1 and stats.get_value("bs/skipped/unknown-layout") is None
