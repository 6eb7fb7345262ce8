"""Review of round 25's text and date rules: a date "ahead of now" is ahead of the time the page was fetched,
so a stored page re-extracted a year later gives the item the crawl gave, not the typo'd year once it has
passed; a numbered list whose items carry their own numbers, running on from 3 or down from 10, is read
with those, not with a 1 drawn before them; a sitemap's publication day written as its midnight is a day
alone, dated by the story's id as a day alone is."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler import stats as stat
from crawler.extraction import Article, extract
from crawler.extraction.discovery import parse_feed_or_sitemap, parse_sitemap
from crawler.extraction.normalize import iso_ist
from crawler.extraction.text import block_paragraphs, fragment
from crawler.pipelines import ArticleValidationPipeline
from crawler.reextract.sources import StoredResponse
from crawler.spiders.archive import ArchiveSpider
from tests.test_discovery_probes_round24 import _month, _news_sitemap
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_reextract import make_spider
from tests.test_spiders_unit import SITE
from tests.test_spiders_unit import make_spider as make_discovery_spider
from tests.test_text_probes_round25 import LAYOUTS, _story_lines

NEXT = "nextjs-2023/no-image"
# The Next.js page: published 16:30, updated 17:02 of Sep 12 2024 in every source (see test_date_probes_round25).
LD_PUBLISHED = '"datePublished": "2024-09-12T16:30:00+05:30"'
LD_MODIFIED = '"dateModified": "2024-09-12T17:02:00+05:30"'
META_PUBLISHED = '<meta property="article:published_time" content="2024-09-12T16:30:00+05:30">'
NEXT_PUBLISHED = '"publishDate": 1726138800'
SHOWN_PUBLISHED = "First Published: Sep 12 2024 | 4:30 PM IST"
PUBLISHED = "2024-09-12T16:30:00+05:30"
MODIFIED = "2024-09-12T17:02:00+05:30"
# Fetched that evening, 18:30 in India: a year on from it lies ahead of the fetch, and behind today.
FETCHED = datetime(2024, 9, 12, 13, 0, tzinfo=timezone.utc)

# One source's year typo'd forward to the next, which has since come: ahead when the page was fetched.
TYPO_NEXT_YEAR = [
    pytest.param((LD_PUBLISHED, '"datePublished": "2025-09-12T16:30:00+05:30"'), id="datePublished"),
    pytest.param((LD_MODIFIED, '"dateModified": "2025-09-12T17:02:00+05:30"'), id="dateModified"),
]


def _page(*changes: tuple[str, str]) -> tuple[bytes, str]:
    html, url, _ = _fixture(NEXT)
    for old, new in changes:
        html = _once(html, old, new)
    return html.encode(), url


def _reextracted(tmp_path: Path, body: bytes, url: str, fetched_at: datetime | None) -> Article:
    spider = make_spider(tmp_path)
    record = StoredResponse(url=url, status=200, headers={}, body=body, fetched_at=fetched_at, origin="test")
    (item,) = spider.parse_article(HtmlResponse(url, body=body, request=spider.stored_request(record)))
    assert isinstance(item, Article)
    return item


@pytest.mark.parametrize("typo", TYPO_NEXT_YEAR)
def test_a_stored_page_is_read_as_of_its_fetch_not_of_the_day_it_is_reextracted(tmp_path: Path, typo: tuple[str, str]) -> None:
    # Before: the crawl of Sep 12 2024 wrote the page's dates; reextract of the same stored page after
    # Sep 2025 wrote the typo'd year as good (datePublished 2025, or dateModified 2025 over the 17:02 the page shows).
    body, url = _page(typo)
    item = _reextracted(tmp_path, body, url, FETCHED)
    assert (item.datePublished, item.dateModified, item.dateDownloaded) == (PUBLISHED, MODIFIED, iso_ist(FETCHED))


@pytest.mark.parametrize("typo", TYPO_NEXT_YEAR)
def test_the_extraction_reads_a_page_as_of_the_time_it_is_given(typo: tuple[str, str]) -> None:
    # What reextract, a benchmark or a fixture's check give it: the item of the day the page was fetched,
    # whatever day it is read on.
    body, url = _page(typo)
    extraction = extract(body, url, read_at=FETCHED)
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert "datePublished" in extraction.provenance.disagreements or "dateModified" in extraction.provenance.disagreements


def test_a_stored_page_with_no_fetch_time_is_read_as_of_now(tmp_path: Path) -> None:
    # A saved page that says nothing of when it was fetched: fetched before now, so a date ahead of now
    # was ahead then too (the century typo'd), and gives way to the page's; the year after now as well.
    body, url = _page((LD_PUBLISHED, f'"datePublished": "{datetime.now(timezone.utc).year + 1}-09-12T16:30:00+05:30"'))
    item = _reextracted(tmp_path, body, url, None)
    assert (item.datePublished, item.dateModified) == (PUBLISHED, MODIFIED)


def test_a_date_every_source_gives_after_the_fetch_is_counted_as_of_the_fetch(tmp_path: Path) -> None:
    # Every source typo'd to the next year: written as the page gives it, and said so, as the crawl
    # of the day said so (before: reextract after that year came counted nothing).
    body, url = _page(
        (LD_PUBLISHED, '"datePublished": "2025-09-12T16:30:00+05:30"'),
        (META_PUBLISHED, '<meta property="article:published_time" content="2025-09-12T16:30:00+05:30">'),
        (NEXT_PUBLISHED, '"publishDate": 1757674800'),
        (SHOWN_PUBLISHED, "First Published: Sep 12 2025 | 4:30 PM IST"),
    )
    item = _reextracted(tmp_path, body, url, FETCHED)
    assert item.datePublished == "2025-09-12T16:30:00+05:30"
    crawler = make_spider(tmp_path).crawler
    ArticleValidationPipeline.from_crawler(crawler).process_item(item)
    assert crawler.stats is not None and crawler.stats.get_value(stat.FUTURE_DATE_PUBLISHED) == 1


# --- a numbered list whose items carry their numbers ------------------------------------------------------

# A list the CMS split where an ad, an image or a tweet sits between its items: its second <ol> starts
# at 1 again, its items typed "3.", "4." by the writer (the site's stylesheet hiding the browser's
# numbers, as it must for a list numbered by hand). Before: "1. 3. Keep the receipt", a 1 no reader saw
# before the third step, and "2. 4. …".
SPLIT = (
    "<ol><li>1. File the return by July 31</li><li>2. Pay the tax due</li></ol>"
    "<p>The department sends a notice if either is late.</p>"
    "<ol><li>3. Keep the receipt</li><li>4. Check the refund status</li></ol>"
)
SPLIT_LINES = [
    "1. File the return by July 31", "2. Pay the tax due", "The department sends a notice if either is late.",
    "3. Keep the receipt", "4. Check the refund status",
]
SPLIT_PLAIN = "\n".join(SPLIT_LINES)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_split_list_numbered_by_hand_keeps_the_numbers_the_page_shows(layout: str) -> None:
    assert _story_lines(layout, SPLIT, SPLIT_PLAIN) == SPLIT_LINES


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # A countdown typed by hand: "10. Reliance", not "1. 10. Reliance".
        ("<ol><li>10. Reliance</li><li>9. TCS</li><li><strong>8.</strong> HDFC Bank</li></ol>", ["10. Reliance", "9. TCS", "8. HDFC Bank"]),
        # The rest of a list in roman numerals or letters, typed in brackets or with a full stop.
        ("<ol><li>(iii) the third</li><li>(iv) the fourth</li></ol>", ["(iii) the third", "(iv) the fourth"]),
        ("<ol><li>c) the third</li><li>d) the fourth</li></ol>", ["c) the third", "d) the fourth"]),
        # The Hindi edition's digits.
        ("<ol><li>३. पहला</li><li>४. दूसरा</li></ol>", ["३. पहला", "४. दूसरा"]),
        # One item left of a list split so, its number typed: that number.
        ("<ol><li>5. The fifth step</li></ol>", ["5. The fifth step"]),
        # An item left empty (its embed removed) breaks no run.
        ("<ol><li>3. x</li><li><script>ad()</script></li><li>4. z</li></ol>", ["3. x", "4. z"]),
        # Numbers that run on by one are the list's; others are words of the items, numbered by the browser.
        ("<ol><li>3. x</li><li>7. y</li></ol>", ["1. 3. x", "2. 7. y"]),
        ("<ol><li>3. x</li><li>y</li></ol>", ["1. 3. x", "2. y"]),
        # Initials are no numbers, even two that run on ("B. Ravi", "C. Rao"): a letter or a roman
        # numeral is the list's number in brackets only.
        ("<ol><li>R. Dinesh said</li></ol>", ["1. R. Dinesh said"]),
        ("<ol><li>B. Ravi</li><li>C. Rao</li></ol>", ["1. B. Ravi", "2. C. Rao"]),
        ("<ol><li>(c) 2024 Reuters</li></ol>", ["1. (c) 2024 Reuters"]),
    ],
)
def test_a_lists_own_numbers_running_on_by_one_are_the_ones_drawn(markup: str, lines: list[str]) -> None:
    root = fragment(markup)
    assert root is not None
    assert block_paragraphs(root) == lines


# --- a publication day written as its midnight -------------------------------------------------------------

# Published at 00:15 in India on March 1 (its id says 240301); the sitemap's writer gives the UTC day,
# February 29, as a time of day: its midnight, in UTC or with any zone (a day alone, as 501fd59 reads it).
AFTER_MIDNIGHT = "/markets/news/sensex-opens-higher-124030100015_1.html"
MIDNIGHTS = ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00+00:00", "2024-02-29T00:00Z", "2024-02-29T00:00:00.000Z", "2024-02-29T00:00:00+05:30"]


@pytest.mark.parametrize("midnight", MIDNIGHTS)
def test_a_publication_day_written_as_its_midnight_the_day_before_the_id_is_the_id_s_day(midnight: str) -> None:
    # Before: February 29 (05:30 in India for UTC's midnight): the id's day only for "2024-02-29" alone.
    (entry,) = parse_sitemap(_news_sitemap((AFTER_MIDNIGHT, None, midnight)), SITE).entries
    assert entry.publication_day == date(2024, 3, 1)


@pytest.mark.parametrize("midnight", ["Thu, 29 Feb 2024 00:00:00 GMT", "Thu, 29 Feb 2024 00:00:00 +0000"])
def test_a_feed_s_publication_day_written_as_its_midnight_is_read_alike(midnight: str) -> None:
    feed = f'<rss version="2.0"><channel><title>t</title><item><link>{SITE}{AFTER_MIDNIGHT}</link><pubDate>{midnight}</pubDate></item></channel></rss>'.encode()
    (entry,) = parse_feed_or_sitemap(feed, SITE).entries
    assert entry.publication_day == date(2024, 3, 1)


def test_archive_of_a_month_keeps_a_story_its_sitemap_dates_at_the_utc_midnight_before(tmp_path: Path) -> None:
    # Before: left out of March's backfill as February's, and February's sitemap does not list it: lost.
    spider = make_discovery_spider(ArchiveSpider, tmp_path, since="2024-03-01", until="2024-03-31")
    assert _month(spider, _news_sitemap((AFTER_MIDNIGHT, None, "2024-02-29T00:00:00Z"))) == [SITE + AFTER_MIDNIGHT]
    assert spider.crawler.stats is not None and not spider.crawler.stats.get_value(stat.DISCOVERY_NOT_ACCEPTED)
    february = make_discovery_spider(ArchiveSpider, tmp_path / "february", since="2024-02-01", until="2024-02-29")
    assert _month(february, _news_sitemap((AFTER_MIDNIGHT, None, "2024-02-29T00:00:00Z"))) == []


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("2024-03-01T00:00:00Z", date(2024, 3, 1)),  # the id's own day
        ("2024-02-28T00:00:00Z", date(2024, 2, 28)),  # two days before: the date's as it is
        ("2024-02-29T00:00:01Z", date(2024, 2, 29)),  # a second past midnight is a time of day
        ("2024-02-29T00:30:00+05:30", date(2024, 2, 29)),
    ],
)
def test_a_publication_time_not_at_midnight_or_another_day_keeps_its_day(published: str, day: date) -> None:
    (entry,) = parse_sitemap(_news_sitemap((AFTER_MIDNIGHT, None, published)), SITE).entries
    assert entry.publication_day == day
