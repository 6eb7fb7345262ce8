"""Discovery against a hostile and changing site, across cron runs: one story listed by several
sources with different dates, arguments at their bounds, and what the next run makes of it."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import UsageError
from scrapy.http import Request, Response, XmlResponse

from crawler.extraction.normalize import iso_ist
from crawler.incremental.pipeline import IncrementalPipeline, UnchangedArticle
from crawler.spiders.archive import ArchiveSpider, today_ist
from crawler.spiders.discovery import SOURCE_DATE_META
from crawler.spiders.latest import LatestSpider
from crawler.visited import VisitedSources
from tests.conftest import SITE
from tests.pages.specs import SEED
from tests.test_spiders_unit import make_spider, seed_response

SEED_URL = SITE + SEED.path
SEED_ID = "124022800873"
FEED_URL = SITE + "/rss/latest.rss"
NEWS_URL = SITE + "/sitemap/google-news-sitemap.xml"


def _feed(url: str, date: str) -> bytes:
    item = f"<item><link>{url}</link><pubDate>{date}</pubDate></item>"
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'.encode()


def _news(url: str, date: str) -> bytes:
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{url}</loc><lastmod>{date}</lastmod></url></urlset>"
    ).encode()


def _read(spider: Any, url: str, body: bytes) -> list[Request]:
    return list(spider.parse_source(XmlResponse(url, body=body, request=Request(url))))


class _Run:
    """One cron run of ``latest`` on ``tmp_path/state``: its sources read, its article pages answered
    with the seed page, its items through the seen-store as the feeds would confirm them."""

    def __init__(self, tmp_path: Path) -> None:
        self.spider = make_spider(LatestSpider, tmp_path)
        self.pipeline = IncrementalPipeline.from_crawler(self.spider.crawler)
        self.pipeline.open_spider(self.spider)
        self.emitted: list[int] = []

    def read(self, *sources: tuple[str, bytes]) -> list[Request]:
        return [request for url, body in sources for request in _read(self.spider, url, body)]

    def fetch(self, request: Request) -> None:
        response = seed_response(request.url).replace(request=request)
        for item in self.spider.parse_article(response):
            seen = self.pipeline.seen
            assert seen is not None
            try:
                self.emitted.append(self.pipeline.process_item(item, self.spider).version)
            except UnchangedArticle:
                continue
            seen.confirm(item.articleId)


@pytest.mark.parametrize("sitemap_first", [False, True])
def test_a_story_two_sources_date_apart_is_not_fetched_again_by_the_next_run(tmp_path: Path, sitemap_first: bool) -> None:
    # The feed dates the story by its publication, the news sitemap by its update; whichever source
    # answers first, the page fetched holds the update, and a second run over the same site finds
    # nothing to fetch. (The first source's date alone was stored: the next run fetched the story
    # again for the other's, found it unchanged, every time a story was listed by both.)
    # (The seed page's dateModified is 2024-02-28T15:42:00+05:30: the update the sitemap dates.)
    feed = (FEED_URL, _feed(SEED_URL, "Wed, 28 Feb 2024 11:00:00 +0530"))
    news = (NEWS_URL, _news(SEED_URL, "2024-02-28T15:42:20+05:30"))
    sources = (news, feed) if sitemap_first else (feed, news)
    first = _Run(tmp_path)
    requests = first.read(*sources)
    assert len(requests) == 1
    first.fetch(requests[0])
    assert first.emitted == [1]
    second = _Run(tmp_path)
    assert second.read(*sources) == [], "nothing changed since the first run"
    assert second.spider.crawler.stats.get_value("bs/discovery/unchanged_skipped") == 1


def test_a_date_given_after_the_run_began_is_not_taken_for_the_page_fetched(tmp_path: Path) -> None:
    # A story updated while the run goes on: its page may have been fetched before the update, so
    # the update's date is not stored for it, and the next run fetches it for that date.
    just_now = iso_ist(datetime.now(timezone.utc) + timedelta(seconds=2))
    assert just_now is not None
    _fetched_with_two_dates(tmp_path, just_now, stored="2024-02-28T11:00:00+05:30")


def test_a_later_date_than_the_page_holds_is_not_taken_for_it(tmp_path: Path) -> None:
    # The sitemap dates an update at 18:00, the page fetched is dated 15:42: a CDN edge's copy from
    # before the update. Stored, the 18:00 date would hide the update from every later run.
    _fetched_with_two_dates(tmp_path, "2024-02-28T18:00:00+05:30", stored="2024-02-28T11:00:00+05:30")


def _fetched_with_two_dates(tmp_path: Path, later: str, stored: str) -> None:
    run = _Run(tmp_path)
    (request,) = run.read((FEED_URL, _feed(SEED_URL, "Wed, 28 Feb 2024 11:00:00 +0530")), (NEWS_URL, _news(SEED_URL, later)))
    run.fetch(request)
    assert run.pipeline.seen is not None and run.pipeline.seen.store is not None
    seen = run.pipeline.seen.store.get(SEED_ID)
    assert seen is not None and seen.source_date == stored
    following = _Run(tmp_path)
    (again,) = following.read((NEWS_URL, _news(SEED_URL, later)))
    assert again.meta[SOURCE_DATE_META] == later, "fetched again for the date not stored"


def test_the_latest_of_several_dates_is_the_one_stored(tmp_path: Path) -> None:
    run = _Run(tmp_path)
    (request,) = run.read(
        (FEED_URL, _feed(SEED_URL, "Wed, 28 Feb 2024 11:00:00 +0530")),
        (NEWS_URL, _news(SEED_URL, "2024-02-28T15:42:00+05:30")),
        (SITE + "/sitemap/latest-news-sitemap.xml", _news(SEED_URL, "2024-02-28T13:00:00+05:30")),
        (SITE + "/rss/markets-106.rss", _feed(SEED_URL, "not a date")),
    )
    run.fetch(request)
    assert run.pipeline.seen is not None and run.pipeline.seen.store is not None
    seen = run.pipeline.seen.store.get(SEED_ID)
    assert seen is not None and seen.source_date == "2024-02-28T15:42:00+05:30"
    assert run.spider.later_source_dates == {}, "nothing is kept for a page read"


# --- arguments at their bounds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "since", "until"),
    [
        ({"since": "2024-02-01 "}, "2024-02-01", None),
        ({"since": " 2024-02-01", "until": "\t2024-02-29 "}, "2024-02-01", "2024-02-29"),
        ({"since": "2024-02-01", "until": " "}, "2024-02-01", None),
    ],
)
def test_archive_dates_are_read_as_every_other_argument_is_white_space_and_all(
    tmp_path: Path, arguments: dict[str, str], since: str, until: str | None
) -> None:
    # Every other -a value is stripped (pages, sections, fresh, urls): a quoted cron line's stray
    # space made "since" no date, exit 2, and a blank "until" was refused where an empty one is today.
    ArchiveSpider.check_arguments(arguments)
    spider = make_spider(ArchiveSpider, tmp_path, **arguments)
    assert (str(spider.since), str(spider.until)) == (since, until or str(today_ist()))


def test_an_archive_range_after_today_is_refused_before_any_request() -> None:
    # "since=2204-02-01 until=2204-12-31" (a mistyped year) read the index, found no month of its
    # range and ended "ok" with nothing, every run.
    tomorrow = today_ist() + timedelta(days=1)
    with pytest.raises(UsageError, match="after today"):
        ArchiveSpider.check_arguments({"since": str(tomorrow), "until": str(tomorrow + timedelta(days=300))})
    ArchiveSpider.check_arguments({"since": str(today_ist()), "until": str(tomorrow + timedelta(days=300))})


# --- feeds and sitemaps as a CDN may store them ------------------------------------------------------


@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize(
    ("url", "document"),
    [
        (SITE + "/sitemap/2024-february-1.xml.gz", _news(SEED_URL, "2024-02-28T18:00:00+05:30")),
        (SITE + "/sitemap/google-news-sitemap.xml", _news(SEED_URL, "2024-02-28T18:00:00+05:30")),
        (FEED_URL, _feed(SEED_URL, "Wed, 28 Feb 2024 15:42:00 +0530")),
    ],
)
def test_a_feed_or_sitemap_gzipped_more_than_once_without_saying_so_is_read(tmp_path: Path, url: str, document: bytes, layers: int) -> None:
    # A ``.xml.gz`` file that a CDN stores gzipped once more and serves without a Content-Encoding
    # saying so (as article pages and listings come, and are read): the month was lost, exit 1.
    body = document
    for _ in range(layers):
        body = gzip.compress(body)
    spider = make_spider(LatestSpider, tmp_path)
    requests = list(spider.parse_source(Response(url, body=body, request=Request(url))))
    assert [request.url for request in requests] == [SEED_URL]
    assert spider.crawler.stats.get_value("bs/discovery/sources_read") == 1


# --- dates finer than the seen-store keeps ----------------------------------------------------------


@pytest.mark.parametrize("written", ["2024-02-28T12:30:00.532Z", "2024-02-28T18:00:00.999999+05:30", "2024-02-28T18:00:00,5+05:30"])
def test_a_sitemap_dated_to_the_millisecond_is_not_fetched_again_at_every_run(tmp_path: Path, written: str) -> None:
    # Dates are stored to the second; a <lastmod> with a fraction of a second (what a JavaScript
    # toISOString() writes) was newer than the date stored for it at every run: every story of the
    # news sitemap fetched again every fifteen minutes, found unchanged.
    news = (NEWS_URL, _news(SEED_URL, written))
    first = _Run(tmp_path)
    (request,) = first.read(news)
    first.fetch(request)
    assert first.emitted == [1]
    for _ in range(2):
        following = _Run(tmp_path)
        assert following.read(news) == []
    changed = _Run(tmp_path)
    (again,) = changed.read((NEWS_URL, _news(SEED_URL, "2024-02-28T18:00:01+05:30")))
    assert again.meta[SOURCE_DATE_META] == "2024-02-28T18:00:01+05:30", "a second later is an update"


# --- a sitemap that dates every story by the time it was made ------------------------------------------

OTHERS = [SITE + f"/markets/news/other-story-12402280{n:04d}_1.html" for n in range(900, 904)]


def _urlset(entries: list[tuple[str, str]], published: dict[str, str] | None = None) -> bytes:
    published = published or {}
    urls = "".join(
        f"<url><loc>{url}</loc><lastmod>{date}</lastmod>"
        + (f"<news:news><news:publication_date>{published[url]}</news:publication_date></news:news>" if url in published else "")
        + "</url>"
        for url, date in entries
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def _generated_at(moment: str) -> bytes:
    return _urlset([(url, moment) for url in (SEED_URL, *OTHERS)])


def test_a_sitemap_that_dates_every_story_by_when_it_was_made_does_not_refetch_them_every_run(tmp_path: Path) -> None:
    # next-sitemap (Next.js) writes the time it ran as every <lastmod>: each run saw every story
    # "updated" since the last, and fetched them all again to find them unchanged.
    first = _Run(tmp_path)
    requests = first.read((NEWS_URL, _generated_at("2024-02-28T18:00:00.120Z")))
    assert len(requests) == 1 + len(OTHERS)
    first.fetch(next(r for r in requests if r.url == SEED_URL))
    second = _Run(tmp_path)
    again = second.read((NEWS_URL, _generated_at("2024-02-28T18:15:00.480Z")))
    assert SEED_URL not in [r.url for r in again], "the seen story is not fetched for the generator's date"
    assert second.spider.crawler.stats.get_value("bs/discovery/shared_date") == 1
    assert second.spider.crawler.stats.get_value("bs/discovery/unchanged_skipped") == 1


def test_a_shared_lastmod_leaves_each_storys_own_publication_date(tmp_path: Path) -> None:
    published = {SEED_URL: "2024-02-28T15:42:00+05:30", **{url: f"2024-02-28T1{n}:00:00+05:30" for n, url in enumerate(OTHERS)}}
    entries = [(url, "2024-02-29T00:00:00+05:30") for url in published]
    spider = make_spider(LatestSpider, tmp_path)
    requests = _read(spider, NEWS_URL, _urlset(entries, published))
    assert {r.url: r.meta[SOURCE_DATE_META] for r in requests} == published


@pytest.mark.parametrize(
    "dates",
    [
        ["2024-02-28T18:00:00+05:30", "2024-02-28T18:00:00+05:30"],  # two stories of one second: chance
        ["2024-02-28T18:00:00+05:30", "2024-02-28T18:00:00+05:30", "2024-02-28T18:00:01+05:30"],
    ],
)
def test_dates_that_are_not_all_one_are_each_storys_own(tmp_path: Path, dates: list[str]) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    urls = [SEED_URL, *OTHERS][: len(dates)]
    requests = _read(spider, NEWS_URL, _urlset(list(zip(urls, dates))))
    assert [r.meta[SOURCE_DATE_META] for r in requests] == dates
    assert not spider.crawler.stats.get_value("bs/discovery/shared_date")


def test_a_feed_whose_items_all_carry_the_build_date_is_read_as_undated(tmp_path: Path) -> None:
    items = "".join(f"<item><link>{url}</link><pubDate>Thu, 29 Feb 2024 09:00:00 +0530</pubDate></item>" for url in (SEED_URL, *OTHERS))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    spider = make_spider(LatestSpider, tmp_path)
    requests = _read(spider, FEED_URL, body)
    assert [r.meta[SOURCE_DATE_META] for r in requests] == [None] * (1 + len(OTHERS))


def test_an_archive_month_dated_by_its_generator_still_gives_each_story_by_its_day(tmp_path: Path) -> None:
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-02-28", until="2024-02-28")
    month = SITE + "/sitemap/2024-february-1.xml"
    response = XmlResponse(month, body=_generated_at("2024-03-05T00:00:00+05:30"), request=Request(month, meta={"bs_source_depth": 1}))
    requests = list(spider.parse_source(response))
    assert sorted(r.url for r in requests) == sorted([SEED_URL, *OTHERS])


# --- a JOBDIR kept from one cron run to the next ---------------------------------------------------------


@pytest.mark.parametrize(("reason", "kept"), [("finished", False), ("shutdown", True), ("closespider_timeout", True)])
def test_a_finished_run_leaves_no_sources_to_count_against_the_next(tmp_path: Path, reason: str, kept: bool) -> None:
    # A nightly `section` with -s JOBDIR=… (resumable when killed): each run counted the sources of
    # every run before it against BS_MAX_SOURCES; pages whose URLs change (a cursor) reached it after
    # some weeks, and the walk read nothing, exit 1.
    jobdir = tmp_path / "job"
    for night in range(3):
        spider = make_spider(LatestSpider, tmp_path)
        spider.visited_sources = VisitedSources.for_job(3, str(jobdir))
        for page in range(2):
            assert spider.follow_source(SITE + f"/markets/news/page-{page + 2}?cursor={night}", None) is not None
        spider.closed(reason)
        if kept:
            break
    resumed = VisitedSources.for_job(3, str(jobdir))
    assert resumed.requested == (2 if kept else 0), "an interrupted run is continued; a finished one is not"
    resumed.close()


def test_nothing_is_kept_for_a_page_that_failed_or_held_no_article(tmp_path: Path) -> None:
    from scrapy.http import HtmlResponse
    from twisted.internet.error import TimeoutError as DownloadTimeout
    from twisted.python.failure import Failure

    other = OTHERS[0]
    run = _Run(tmp_path)
    requests = run.read(
        (FEED_URL, _feed(SEED_URL, "Wed, 28 Feb 2024 11:00:00 +0530")),
        (SITE + "/rss/markets-106.rss", _feed(other, "Wed, 28 Feb 2024 11:00:00 +0530")),
        (NEWS_URL, _urlset([(SEED_URL, "2024-02-28T15:42:00+05:30"), (other, "2024-02-28T15:43:00+05:30")])),
    )
    assert set(run.spider.later_source_dates) == {SEED_ID, "124022800900"}
    by_url = {r.url: r for r in requests}
    failure = Failure(DownloadTimeout())
    failure.request = by_url[SEED_URL]  # type: ignore[attr-defined]
    run.spider.article_failed(failure)
    assert list(run.spider.parse_article(HtmlResponse(other, body=b"<html><body>gone</body></html>", request=by_url[other]))) == []
    assert run.spider.later_source_dates == {}


# --- every lastmod form the sitemap protocol takes ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024", "2024-01-01T00:00:00+05:30"),
        ("2024-03", "2024-03-01T00:00:00+05:30"),
        ("2024-03-05", "2024-03-05T00:00:00+05:30"),
        ("2024-03-05T10:12Z", "2024-03-05T15:42:00+05:30"),
        ("2024-03-05T10:12:00+05:30", "2024-03-05T10:12:00+05:30"),
        ("2024-03-05T10:12:00.45Z", "2024-03-05T15:42:00+05:30"),
    ],
)
def test_every_w3c_datetime_form_of_a_lastmod_is_read(tmp_path: Path, written: str, read: str) -> None:
    # W3C Datetime, which sitemaps.org takes, allows a year or a year and a month alone: they were
    # unreadable dates (a WARNING every run), the story undated, so its updates went unseen.
    spider = make_spider(LatestSpider, tmp_path)
    (request,) = _read(spider, NEWS_URL, _urlset([(SEED_URL, written)]))
    assert request.meta[SOURCE_DATE_META] == read
    assert not spider.crawler.stats.get_value("bs/discovery/unreadable_date")


@pytest.mark.parametrize("written", ["2024-13", "0000", "2024-3"])
def test_a_year_and_month_that_is_no_date_is_still_unreadable(tmp_path: Path, written: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    (request,) = _read(spider, NEWS_URL, _urlset([(SEED_URL, written)]))
    assert request.meta[SOURCE_DATE_META] is None
    assert spider.crawler.stats.get_value("bs/discovery/unreadable_date") == 1


# --- a pager that loops ---------------------------------------------------------------------------------


def _section_page(number: int, next_href: str | None) -> bytes:
    links = "".join(f'<a href="/markets/news/story-1240228{number:02d}{i:03d}_1.html">Story</a>' for i in range(3))
    pager = f'<a rel="next" href="{next_href}">Next</a>' if next_href else ""
    return f"<html><body>{links}{pager}</body></html>".encode()


@pytest.mark.parametrize("loops_to", ["/markets/news", "/markets/news/page-2", SITE + "/markets/news/"])
def test_a_next_link_back_to_a_page_read_does_not_end_the_walk(tmp_path: Path, loops_to: str) -> None:
    # Page 2's "next" leads back to page 1 (or to itself): the walk stopped there, with a WARNING,
    # and the pages after it (up to -a pages) were never read.
    from scrapy.http import HtmlResponse

    from crawler.spiders.section import SectionSpider

    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    first = SITE + "/markets/news"
    request = Request(first, meta={"bs_source_depth": 0})
    spider.visited_sources.claim(first)
    out = list(spider.parse_section(HtmlResponse(first, body=_section_page(1, "/markets/news/page-2"), request=request), "markets/news", 1))
    second = out[-1]
    assert second.url == SITE + "/markets/news/page-2"
    out = list(spider.parse_section(HtmlResponse(second.url, body=_section_page(2, loops_to), request=second), "markets/news", 2))
    assert out[-1].url == SITE + "/markets/news/page-3" and out[-1].cb_kwargs == {"section": "markets/news", "page": 3}
    assert not spider.crawler.stats.get_value("bs/discovery/source_repeated")


def test_a_next_link_that_jumps_ahead_is_still_followed(tmp_path: Path) -> None:
    from scrapy.http import HtmlResponse

    from crawler.spiders.section import SectionSpider

    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    first = SITE + "/markets/news"
    spider.visited_sources.claim(first)
    response = HtmlResponse(first, body=_section_page(1, "/markets/news?cursor=abc"), request=Request(first))
    out = list(spider.parse_section(response, "markets/news", 1))
    assert out[-1].url == SITE + "/markets/news?cursor=abc"
