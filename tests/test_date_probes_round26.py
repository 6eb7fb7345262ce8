"""Probes of a story's dates where one source typo'd them into the past (the year, the day and month
swapped) and the others agree; of date forms a page or feed writes that were left unread (noon, a
needless PM, "+5:30", a Java zone's name in brackets, "I.S.T."); and of BS_FUTURE_DATE_SKEW governing
what extraction takes for a typo'd future date."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler import stats as stat
from crawler.extraction import extract
from crawler.extraction.discovery import parse_sitemap
from crawler.extraction.normalize import IST, iso_ist, normalize_date, parse_date
from crawler.pipelines import ArticleValidationPipeline
from crawler.spiders.article import ArticleSpider
from tests.test_date_probes_round25 import (
    LD_MODIFIED,
    LD_PUBLISHED,
    META_MODIFIED,
    META_PUBLISHED,
    MODIFIED,
    NEXT,
    NEXT_PUBLISHED,
    PUBLISHED,
    SHOWN_PUBLISHED,
    SHOWN_UPDATED,
    EXPANDED,
    _next_js,
)
from tests.test_discovery_probes_round24 import _news_sitemap
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_spiders_unit import SITE, make_spider

# --- a date one source typo'd into the past, the others agreeing -------------------------------------------

PAST_TYPOS = [
    "2014-09-12T16:30:00+05:30",  # the year's third digit
    "2024-12-09T16:30:00+05:30",  # day and month swapped (September 12 written as December 9: also ahead of Sep 12, behind now)
    "2023-09-12T16:30:00+05:30",  # last year
    "2024-09-12T04:30:00+05:30",  # the wrong half of the day
    "2024-09-12T11:00:00+05:30",  # UTC's wall time given as India's
]


@pytest.mark.parametrize("typo", PAST_TYPOS)
def test_a_publication_date_one_source_typo_d_gives_way_to_the_sources_that_agree(typo: str) -> None:
    # Before: datePublished was JSON-LD's typo, read first, though __NEXT_DATA__, the meta tag and the
    # "First Published" line the page shows all say Sep 12 2024, 4:30 PM.
    extraction = _next_js((LD_PUBLISHED, f'"datePublished": "{typo}"'))
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert extraction.provenance.sources["datePublished"] == "next"
    assert "datePublished" in extraction.provenance.disagreements


@pytest.mark.parametrize("typo", ["2014-09-12T17:02:00+05:30", "2024-12-09T17:02:00+05:30", "2024-09-12T05:02:00+05:30"])
def test_an_update_date_one_source_typo_d_gives_way_to_the_sources_that_agree(typo: str) -> None:
    # Before: December 9 (after the publication, before now) was taken from JSON-LD, though the meta
    # tag, the "Last Updated" line and its data-expandedtime say Sep 12 2024, 5:02 PM.
    extraction = _next_js((LD_MODIFIED, f'"dateModified": "{typo}"'))
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert "dateModified" in extraction.provenance.disagreements


def test_two_sources_against_two_the_shown_date_decides() -> None:
    # JSON-LD and the meta tag (one template) against __NEXT_DATA__ and the line the page shows.
    extraction = _next_js(
        (LD_PUBLISHED, '"datePublished": "2014-09-12T16:30:00+05:30"'),
        (META_PUBLISHED, '<meta property="article:published_time" content="2014-09-12T16:30:00+05:30">'),
    )
    assert extraction.article.datePublished == PUBLISHED


def test_one_source_against_the_shown_date_the_shown_date_decides() -> None:
    extraction = _next_js((LD_PUBLISHED, '"datePublished": "2014-09-12T16:30:00+05:30"'), (META_PUBLISHED, ""), (NEXT_PUBLISHED, '"publishDate": null'))
    assert extraction.article.datePublished == PUBLISHED
    assert extraction.provenance.sources["datePublished"] == "dom"


def test_one_source_against_one_with_nothing_shown_the_article_id_s_day_decides() -> None:
    # The story's id (124091200347) says 2024-09-12: the meta tag's year, not JSON-LD's.
    extraction = _next_js(
        (LD_PUBLISHED, '"datePublished": "2014-09-12T16:30:00+05:30"'),
        (NEXT_PUBLISHED, '"publishDate": null'),
        (SHOWN_PUBLISHED, "Sep 12 2024"),
    )
    assert extraction.article.datePublished == PUBLISHED
    assert extraction.provenance.sources["datePublished"] == "meta"


def test_the_majority_typo_d_is_still_the_majority() -> None:
    # Three sources agree on 2014 against the line shown: what most sources say stands (no guess).
    extraction = _next_js(
        (LD_PUBLISHED, '"datePublished": "2014-09-12T16:30:00+05:30"'),
        (META_PUBLISHED, '<meta property="article:published_time" content="2014-09-12T16:30:00+05:30">'),
        (NEXT_PUBLISHED, '"publishDate": 1410519600'),
    )
    assert extraction.article.datePublished == "2014-09-12T16:30:00+05:30"


# Sources that do not disagree: the same instant in another zone, or minutes apart (the time the CMS saved
# the story against the minute the page shows): the first source's time, to the second, stands.
AGREEING = [
    ("2024-09-12T11:00:00Z", PUBLISHED),
    ("2024-09-12T11:00:00.000+00:00", PUBLISHED),
    ("2024-09-12T16:30:41+05:30", "2024-09-12T16:30:41+05:30"),
    ("2024-09-12T16:34:00+05:30", "2024-09-12T16:34:00+05:30"),
    ("2024-09-12T06:00:00-05:00", PUBLISHED),
]


@pytest.mark.parametrize(("written", "published"), AGREEING)
def test_sources_minutes_or_a_zone_apart_agree_and_the_first_stands(written: str, published: str) -> None:
    extraction = _next_js((LD_PUBLISHED, f'"datePublished": "{written}"'))
    assert extraction.article.datePublished == published
    assert extraction.provenance.sources["datePublished"] == "ld"


def test_the_amp_page_s_typo_d_year_gives_way_too() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(html, '"datePublished": "2024-02-28T15:42:00+05:30"', '"datePublished": "2014-02-28T15:42:00+05:30"')
    article = extract(html.encode(), url).article
    assert (article.datePublished, article.dateModified) == (expected["datePublished"], expected["dateModified"])


def test_the_disagreement_is_counted_by_the_pipeline(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + "/a-124091200347_1.html")
    pipeline = ArticleValidationPipeline.from_crawler(spider.crawler)
    article = _next_js((LD_PUBLISHED, '"datePublished": "2014-09-12T16:30:00+05:30"')).article
    pipeline.process_item(article, spider)
    assert spider.crawler.stats.get_value(stat.disagree("datePublished")) == 1
    assert article.datePublished == PUBLISHED


# --- forms left unread -------------------------------------------------------------------------------------

READ_FORMS = [
    ("Sep 12 2024 | 12 noon IST", "2024-09-12T12:00:00+05:30"),
    ("Sep 12 2024 | 12 Noon", "2024-09-12T12:00:00+05:30"),
    ("Sep 12 2024 | 0:15 AM IST", "2024-09-12T00:15:00+05:30"),
    ("Sep 12 2024 | 00:15 AM IST", "2024-09-12T00:15:00+05:30"),
    ("Sep 12 2024 | 16:30 PM IST", "2024-09-12T16:30:00+05:30"),
    ("Sep 12 2024 | 4:30 PM I.S.T.", "2024-09-12T16:30:00+05:30"),
    ("Sep 12 2024 | 4:30 PM +5:30", "2024-09-12T16:30:00+05:30"),
    ("Sep 12 2024 | 4:30 PM +0530", "2024-09-12T16:30:00+05:30"),
    ("Sep 12 2024 | 11:00 AM GMT", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12T16:30:00+5:30", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12 16:30:00 +5:30", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12T16:30:00+05:30[Asia/Kolkata]", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12T16:30+05:30[Asia/Calcutta]", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12T11:00:00Z[UTC]", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12T11:00:00.123456789Z", "2024-09-12T16:30:00+05:30"),
    ("2024-09-12T16:30:00.1234567+05:30", "2024-09-12T16:30:00+05:30"),
    ("Sep 12, 2024, 4:30 PM IST", "2024-09-12T16:30:00+05:30"),
    ("Sep 12 2024 at 4:30 PM IST", "2024-09-12T16:30:00+05:30"),
    # A feed's RFC 822 date with them.
    ("Thu, 12 Sep 2024 16:30:00 I.S.T.", "2024-09-12T16:30:00+05:30"),
    ("Thu, 12 Sep 2024 04:30 PM +5:30", "2024-09-12T16:30:00+05:30"),
    ("Thu, 12 Sep 2024 00:15 AM +0530", "2024-09-12T00:15:00+05:30"),
]


@pytest.mark.parametrize(("written", "read"), READ_FORMS)
def test_a_date_form_is_read(written: str, read: str) -> None:
    # Before: None for noon, "0:15 AM", "16:30 PM", "I.S.T.", "+5:30", "+0530" after a display time and the bracketed zone.
    assert normalize_date(written) == read


# What cannot be read surely stays unread: "12 midnight" of Sep 12 is its first minute to some, its
# last to others; "16:30 AM" says two things; a zone in brackets alone, with no offset, is Java's wall time
# of a zone the crawler does not look up.
UNREAD_FORMS = [
    "Sep 12 2024 | 12 midnight IST",
    "Sep 12 2024 | 16:30 AM IST",
    "Sep 12 2024 | 13 noon",
    "2024-09-12T16:30:00[Asia/Kolkata]",
    "2024-09-12T16:30:00+05:30[Asia/Kolkata",
    "Sep 12 2024 | 4:30 PM +25:30",
    "Sep 12 2024 -2025",  # a year's range, no offset
]


@pytest.mark.parametrize("written", UNREAD_FORMS)
def test_a_date_form_that_cannot_be_read_surely_is_left_unread(written: str) -> None:
    assert parse_date(written) is None


@pytest.mark.parametrize(
    ("shown", "published"),
    [("First Published: Sep 12 2024 | 12 noon IST", "2024-09-12T12:00:00+05:30"), ("First Published: Sep 12 2024 | 16:30 PM I.S.T.", PUBLISHED)],
)
def test_a_shown_line_in_such_a_form_is_the_page_s_date(shown: str, published: str) -> None:
    # The structured data gone: the shown line alone dates the story (before: datePublished null).
    extraction = _next_js(
        (LD_PUBLISHED, ""), (META_PUBLISHED, ""), (NEXT_PUBLISHED, '"publishDate": null'), (SHOWN_PUBLISHED, shown)
    )
    assert extraction.article.datePublished == published
    assert extraction.article.datePublishedRaw == shown.removeprefix("First Published: ")


def test_a_sitemap_s_date_in_such_a_form_is_read() -> None:
    path = "/markets/news/sensex-opens-higher-124091200015_1.html"
    (entry,) = parse_sitemap(_news_sitemap((path, None, "2024-09-12T16:30:00+05:30[Asia/Kolkata]")), SITE).entries
    assert entry.published is not None and iso_ist(entry.published) == PUBLISHED


# --- BS_FUTURE_DATE_SKEW governs extraction too ------------------------------------------------------------


def _an_hour_ahead() -> tuple[str, str, str]:
    # The structured data (one template) dates the story an hour after the fetch; the line shown, now.
    now = datetime.now(IST).replace(second=0, microsecond=0)
    html, url, _ = _fixture(NEXT)
    ahead = iso_ist(now + timedelta(hours=1))
    assert ahead is not None
    html = _once(html, LD_PUBLISHED, f'"datePublished": "{ahead}"')
    html = _once(html, LD_MODIFIED, f'"dateModified": "{ahead}"')
    html = _once(html, META_PUBLISHED, f'<meta property="article:published_time" content="{ahead}">')
    html = _once(html, NEXT_PUBLISHED, f'"publishDate": {int((now + timedelta(hours=1)).timestamp())}')
    html = _once(html, SHOWN_PUBLISHED, "First Published: " + now.strftime("%b %d %Y | %I:%M %p IST"))
    for old in (META_MODIFIED, SHOWN_UPDATED, EXPANDED):
        html = _once(html, old, "")
    return html, url, ahead


def test_the_skew_extraction_allows_is_its_caller_s() -> None:
    html, url, ahead = _an_hour_ahead()
    assert extract(html.encode(), url).article.datePublished != ahead
    assert extract(html.encode(), url, future_skew=timedelta(hours=2)).article.datePublished == ahead


@pytest.mark.parametrize(("skew", "kept"), [(None, False), ("7200", True)])
def test_bs_future_date_skew_governs_what_the_spider_s_extraction_takes_for_a_typo(tmp_path: Path, skew: str | None, kept: bool) -> None:
    # Before: the setting of two hours changed the pipeline's WARNING alone; extraction's own ten
    # minutes still set JSON-LD's date aside for the others'.
    html, url, ahead = _an_hour_ahead()
    settings = {"BS_STATE_DIR": str(tmp_path / "state"), "BS_BASE_URL": SITE, **({"BS_FUTURE_DATE_SKEW": skew} if skew else {})}
    crawler = get_crawler(ArticleSpider, settings)
    spider = ArticleSpider.from_crawler(crawler, url=url)
    crawler.spider = spider
    (item,) = spider.parse_article(HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url)))
    assert (item.datePublished == ahead) is kept


def test_a_stored_page_read_again_uses_the_skew_of_the_run() -> None:
    html, url, ahead = _an_hour_ahead()
    fetched = datetime.now(timezone.utc)
    assert extract(html.encode(), url, read_at=fetched, future_skew=timedelta(hours=2)).article.datePublished == ahead
    assert extract(html.encode(), url, read_at=fetched, future_skew=timedelta(0)).article.datePublished != ahead
