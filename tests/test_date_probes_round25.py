"""Probes of a story's two dates where one source of them is wrong and the others agree: an update
dated before the publication (a CMS's last save of the draft), a date typo'd into the future. The
item carries the date the page shows, never the wrong one nor none. And of the day ``archive`` files a
story under when its sitemap gives its publication as a day alone, UTC's, between midnight and 05:30 in India."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from crawler import stats as stat
from crawler.extraction import Extraction, extract
from crawler.extraction.discovery import parse_feed_or_sitemap, parse_sitemap
from crawler.extraction.normalize import IST, iso_ist
from crawler.spiders.archive import ArchiveSpider
from tests.test_discovery_probes_round24 import _month, _news_sitemap
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_spiders_unit import SITE, make_spider

NEXT = "nextjs-2023/no-image"
GENERIC = "generic/jsonld-unknown-layout"
AMP = "amp/seed-syndicated"

# The Next.js page: published 16:30, updated 17:02 of Sep 12 2024, in JSON-LD, its meta tags, __NEXT_DATA__
# (publication alone) and the lines it shows.
LD_PUBLISHED = '"datePublished": "2024-09-12T16:30:00+05:30"'
LD_MODIFIED = '"dateModified": "2024-09-12T17:02:00+05:30"'
META_PUBLISHED = '<meta property="article:published_time" content="2024-09-12T16:30:00+05:30">'
META_MODIFIED = '<meta http-equiv="Last-Modified" content="2024-09-12T17:02:00+05:30">'
NEXT_PUBLISHED = '"publishDate": 1726138800'
SHOWN_PUBLISHED = "First Published: Sep 12 2024 | 4:30 PM IST"
SHOWN_UPDATED = "Last Updated : Sep 12 2024 | 5:02 PM IST"
EXPANDED = 'data-expandedtime="Sep 12 2024 | 5:02 PM IST"'
PUBLISHED = "2024-09-12T16:30:00+05:30"
MODIFIED = "2024-09-12T17:02:00+05:30"


def _next_js(*changes: tuple[str, str]) -> Extraction:
    html, url, _ = _fixture(NEXT)
    for old, new in changes:
        html = _once(html, old, new)
    return extract(html.encode(), url)


# --- an update dated before the publication by its first source -------------------------------------

EARLIER_UPDATES = [
    "2024-09-12T16:00:00+05:30",  # the draft's last save, half an hour before it went out
    "2024-09-11T21:10:00+05:30",  # the evening before
    "2024-09-12T11:00:00+05:30",  # a UTC wall time given as IST's
    "2023-09-12T17:02:00+05:30",  # the year typo'd back
]


@pytest.mark.parametrize("earlier", EARLIER_UPDATES)
def test_an_update_dated_before_the_publication_gives_way_to_the_one_the_page_shows(earlier: str) -> None:
    # Before: dateModified null, though the page, its meta tag and its data-expandedtime say 17:02.
    extraction = _next_js((LD_MODIFIED, f'"dateModified": "{earlier}"'))
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert extraction.article.dateModifiedRaw == "Sep 12 2024 | 5:02 PM IST"
    assert extraction.provenance.sources["dateModified"] == "meta"
    assert "dateModified" in extraction.provenance.disagreements


def test_an_update_dated_before_the_publication_gives_way_to_the_line_the_page_shows() -> None:
    # No meta tag: the "Last Updated" line is the date left.
    extraction = _next_js((LD_MODIFIED, '"dateModified": "2024-09-12T16:00:00+05:30"'), (META_MODIFIED, ""))
    assert extraction.article.dateModified == MODIFIED
    assert extraction.provenance.sources["dateModified"] == "dom"


def test_an_update_of_the_generic_layout_dated_before_the_publication_gives_way_to_its_meta_tag() -> None:
    html, url, expected = _fixture(GENERIC)
    html = _once(html, '"dateModified": "2026-05-12T17:02:45+05:30"', '"dateModified": "2026-05-12T09:00:00+05:30"')
    html = _once(html, "</head>", '<meta property="article:modified_time" content="2026-05-12T17:02:45+05:30"></head>')
    article = extract(html.encode(), url).article
    assert (article.datePublished, article.dateModified) == (expected["datePublished"], "2026-05-12T17:02:45+05:30")


def test_an_update_every_source_dates_before_the_publication_is_still_none() -> None:
    earlier = "2024-09-12T16:00:00+05:30"
    extraction = _next_js(
        (LD_MODIFIED, f'"dateModified": "{earlier}"'),
        (META_MODIFIED, f'<meta http-equiv="Last-Modified" content="{earlier}">'),
        (SHOWN_UPDATED, "Last Updated : Sep 12 2024 | 4:00 PM IST"),
        (EXPANDED, 'data-expandedtime="Sep 12 2024 | 4:00 PM IST"'),
    )
    assert extraction.article.dateModified is None


def test_an_update_in_the_minute_of_the_publication_is_still_the_publication() -> None:
    # (Every source of the update says 4:30 PM: one alone against the page's 5:02 PM gives way to it, round 26.)
    extraction = _next_js(
        (LD_MODIFIED, '"dateModified": "2024-09-12T16:30:00+05:30"'),
        (LD_PUBLISHED, '"datePublished": "2024-09-12T16:30:41+05:30"'),
        (META_MODIFIED, '<meta http-equiv="Last-Modified" content="2024-09-12T16:30:00+05:30">'),
        (SHOWN_UPDATED, "Last Updated : Sep 12 2024 | 4:30 PM IST"),
        (EXPANDED, 'data-expandedtime="Sep 12 2024 | 4:30 PM IST"'),
    )
    assert extraction.article.dateModified == "2024-09-12T16:30:41+05:30"


# --- a date one source typo'd into the future -------------------------------------------------------------

FUTURE_FORMS = [
    "2099-09-12T16:30:00+05:30",  # far ahead: a typo'd century
    "{next_year}-09-12T16:30:00+05:30",  # the year after this one
]


def _ahead(form: str) -> str:
    return form.format(next_year=datetime.now(IST).year + 1)


@pytest.mark.parametrize("form", FUTURE_FORMS, ids=["century", "next-year"])
def test_a_publication_date_in_the_future_gives_way_to_the_sources_that_agree(form: str) -> None:
    # Before: datePublished was the typo'd year, and dateModified null (before it).
    extraction = _next_js((LD_PUBLISHED, f'"datePublished": "{_ahead(form)}"'))
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert extraction.provenance.sources["datePublished"] == "next"
    assert "datePublished" in extraction.provenance.disagreements


@pytest.mark.parametrize("form", FUTURE_FORMS, ids=["century", "next-year"])
def test_an_update_date_in_the_future_gives_way_to_the_sources_that_agree(form: str) -> None:
    # Before: dateModified was the typo'd year.
    extraction = _next_js((LD_MODIFIED, f'"dateModified": "{_ahead(form).replace("16:30", "17:02")}"'))
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert extraction.provenance.sources["dateModified"] == "meta"


def test_a_publication_date_in_the_future_gives_way_on_the_amp_page_too() -> None:
    html, url, expected = _fixture(AMP)
    html = _once(html, '"datePublished": "2024-02-28T15:42:00+05:30"', '"datePublished": "2099-02-28T15:42:00+05:30"')
    article = extract(html.encode(), url).article
    assert (article.datePublished, article.dateModified) == (expected["datePublished"], expected["dateModified"])


def test_a_date_every_source_gives_in_the_future_is_written_as_the_page_gives_it() -> None:
    extraction = _next_js(
        (LD_PUBLISHED, '"datePublished": "2099-09-12T16:30:00+05:30"'),
        (META_PUBLISHED, '<meta property="article:published_time" content="2099-09-12T16:30:00+05:30">'),
        (NEXT_PUBLISHED, '"publishDate": 4092283200'),
        (SHOWN_PUBLISHED, "First Published: Sep 12 2099 | 4:30 PM IST"),
    )
    assert extraction.article.datePublished == "2099-09-12T16:30:00+05:30"


def test_a_date_minutes_ahead_is_clock_skew_and_kept() -> None:
    # The site's clock a few minutes ahead of ours: a story just published is dated so, and its
    # JSON-LD's time is kept over the line shown, as for any date its sources mostly agree on.
    soon = datetime.now(IST).replace(microsecond=0) + timedelta(minutes=3)
    extraction = _next_js(
        (LD_PUBLISHED, f'"datePublished": "{iso_ist(soon)}"'),
        (LD_MODIFIED, f'"dateModified": "{iso_ist(soon)}"'),
        (META_PUBLISHED, f'<meta property="article:published_time" content="{iso_ist(soon)}">'),
        (NEXT_PUBLISHED, f'"publishDate": {int(soon.timestamp())}'),
    )
    assert extraction.article.datePublished == iso_ist(soon)
    assert extraction.provenance.sources["datePublished"] == "ld"


def test_structured_dates_all_in_the_future_give_way_to_the_line_the_page_shows() -> None:
    # JSON-LD, the meta tag and __NEXT_DATA__ alike typo'd (one template): the page's own line is the date.
    extraction = _next_js(
        (LD_PUBLISHED, '"datePublished": "2099-09-12T16:30:00+05:30"'),
        (META_PUBLISHED, '<meta property="article:published_time" content="2099-09-12T16:30:00+05:30">'),
        (NEXT_PUBLISHED, '"publishDate": 4092283200'),
    )
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert extraction.provenance.sources["datePublished"] == "dom"
    assert "datePublished" in extraction.provenance.disagreements


# --- a publication day alone, UTC's, at the turn of India's day -----------------------------------------

# Published at 00:15 in India on March 1 (February 29, 18:45 UTC): its id says 240301.
AFTER_MIDNIGHT = "/markets/news/sensex-opens-higher-124030100015_1.html"


@pytest.mark.parametrize("day", ["2024-02-29", "Feb 29 2024"])
def test_a_publication_day_alone_the_day_before_the_id_is_the_id_s_day(day: str) -> None:
    (entry,) = parse_sitemap(_news_sitemap((AFTER_MIDNIGHT, None, day)), SITE).entries
    assert entry.publication_day == date(2024, 3, 1)


def test_archive_of_a_month_keeps_a_story_its_sitemap_dates_by_the_utc_day_before(tmp_path: Path) -> None:
    # Before: dated February 29, left out of March's backfill (and February's sitemap, which does not
    # list it, is not read): the story lost, counted with those of other months.
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-03-01", until="2024-03-31")
    assert _month(spider, _news_sitemap((AFTER_MIDNIGHT, None, "2024-02-29"))) == [SITE + AFTER_MIDNIGHT]
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_NOT_ACCEPTED)
    february = make_spider(ArchiveSpider, tmp_path / "february", since="2024-02-01", until="2024-02-29")
    assert _month(february, _news_sitemap((AFTER_MIDNIGHT, None, "2024-02-29"))) == []


def test_an_atom_feed_s_publication_day_alone_is_read_alike() -> None:
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        f'<entry><link href="{SITE}{AFTER_MIDNIGHT}"/><published>2024-02-29</published></entry></feed>'
    ).encode()
    (entry,) = parse_feed_or_sitemap(feed, SITE).entries
    assert entry.publication_day == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("2024-03-01", date(2024, 3, 1)),  # the id's own day
        ("2024-02-28", date(2024, 2, 28)),  # two days before: no zone's day, the date's as it is
        ("2024-02-29T23:50:00+05:30", date(2024, 2, 29)),  # a time of day: its instant's day in India
        ("2024-02-29T18:45:00Z", date(2024, 3, 1)),
        ("2024-03-02", date(2024, 3, 2)),  # after the id's: drafted the day before
    ],
)
def test_a_publication_date_with_a_time_or_another_day_keeps_its_day(published: str, day: date) -> None:
    (entry,) = parse_sitemap(_news_sitemap((AFTER_MIDNIGHT, None, published)), SITE).entries
    assert entry.publication_day == day
