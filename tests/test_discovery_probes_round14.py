"""Round 14 of the discovery probes: requests Scrapy drops unsent, pages robots.txt forbids, feeds and
sitemaps written with a bare "&", fed to the spiders as Response objects, and crawls against the
loopback site (its documents replaced where a test needs another) where the whole run matters."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from crawler import stats as stat
from crawler.extraction.discovery import Entry, parse_feed_or_sitemap, parse_listing
from crawler.monitoring.verdict import EXIT_FAILED
from crawler.incremental.store import PendingArticle
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.conftest import PAGES, SITE
from tests.e2e import CrawlResult, crawl, stats_from_log
from tests.loopback.site import LoopbackSite, Response
from tests.test_spiders_unit import make_spider

ARTICLE = SITE + "/markets/news/sensex-ends-higher-124022800873_1.html"
FEED = SITE + "/rss/latest.rss"
INDEX = "/sitemap/sitemap-index.xml"


class ChangedSite(LoopbackSite):
    """The loopback site with some of its documents (feeds, sitemaps, robots.txt) answered otherwise:
    ``changed[path](site, normal)`` gives the answer, ``normal`` the one the site would give."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changed: dict[str, Callable[[LoopbackSite, Response], Response]] = {}

    def _render_document(self, path: str, _version: int) -> Response:
        normal = super()._render_document(path, _version)
        change = self.changed.get(path)
        return change(self, normal) if change is not None else normal

    def change(self, path: str, answer: Callable[[LoopbackSite, Response], Response]) -> None:
        self.changed[path] = answer
        self._changed()  # (documents are cached per version)


@pytest.fixture(scope="module")
def site() -> Iterator[ChangedSite]:
    # One calendar month of articles (November 2024), all of the current layout.
    with ChangedSite(articles=30, seed=14, days=10, legacy=0, slow_seconds=2) as running:
        yield running
        assert running.errors == []


@pytest.fixture()
def clean_site(site: ChangedSite) -> Iterator[ChangedSite]:
    site.changed.clear()
    site.clear_faults()
    site.reset_counts()
    yield site
    site.changed.clear()
    site._changed()


def _archive(site: LoopbackSite, workdir: Path, **settings: str) -> CrawlResult:
    first, last = site.articles[0].published.date(), site.articles[-1].published.date()
    try:
        return crawl(
            "archive", workdir, "-a", f"since={first}", "-a", f"until={last}",
            settings={"BS_BASE_URL": site.base_url, **settings}, timeout=90,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the archive run never ended")


def _month(site: LoopbackSite) -> str:
    [(path, _)] = site.monthly_sitemaps()
    return path


# --- requests Scrapy drops unsent -----------------------------------------------------------------


def test_an_archive_whose_index_lists_a_monthly_sitemap_url_too_long_to_send_ends_naming_it(clean_site: ChangedSite, tmp_path: Path) -> None:
    # Scrapy's UrlLengthMiddleware drops a request whose URL is longer than URLLENGTH_LIMIT (2083)
    # with one INFO line: the month's sitemap never answered nor failed, and archive, which reads
    # its monthly sitemaps one after another, waited for it for ever.
    site = clean_site
    month = _month(site)
    long_url = f"{site.base_url}/sitemap/2024-november-2.xml?v={'7' * 2100}"
    site.change(INDEX, lambda s, normal: normal._replace(body=normal.body.replace(b"</sitemapindex>", f"<sitemap><loc>{long_url}</loc></sitemap></sitemapindex>".encode())))
    result = _archive(site, tmp_path)
    assert "Traceback" not in result.log, result.log[-3000:]
    assert len(result.items) == len(site.articles) and site.counts[month] == 1
    # A month the backfill could not read: a failed source, named, and exit 1 (archive allows none).
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert stats_from_log(result.log).get(stat.source_failed("url-too-long")) == 1
    assert "url-too-long" in [line for line in result.log.splitlines() if "Run summary" in line][0]


def test_an_archive_whose_monthly_sitemap_a_spider_middleware_drops_still_ends(clean_site: ChangedSite, tmp_path: Path) -> None:
    # The whole class: any monthly sitemap request that never comes back (here the depth middleware,
    # which the README says how to put back, with a DEPTH_LIMIT below a month's parts).
    site = clean_site
    month = _month(site)
    part = month.replace(".xml", "-part.xml")
    nested = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{{}}{part}</loc></sitemap></sitemapindex>'
    site.change(part, lambda s, normal: LoopbackSite._render_document(s, month, 0))
    site.change(month, lambda s, normal: normal._replace(body=nested.format(s.base_url).encode()))
    result = _archive(
        site, tmp_path,
        SPIDER_MIDDLEWARES='{"scrapy.spidermiddlewares.depth.DepthMiddleware": 900}', DEPTH_LIMIT="1",
    )
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.status == EXIT_FAILED and site.counts[part] == 0, result.log[-3000:]
    assert stats_from_log(result.log).get(stat.source_failed("dropped")) == 1
    line = [line for line in result.log.splitlines() if "Discovery source failed" in line]
    assert len(line) == 1 and part in line[0], line


def test_an_article_link_too_long_to_send_is_left_out_with_a_warning_not_counted_new(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Dropped unsent, the article was counted new (a run of nothing else said its pages could not be
    # extracted) and asked for again, unseen, at every run.
    spider = make_spider(LatestSpider, tmp_path)
    long_link = ARTICLE.replace("sensex-ends-higher", "sensex-" + "x" * 2100)
    other = ARTICLE.replace("124022800873", "124022800874")
    items = "".join(f"<item><link>{link}</link></item>" for link in (long_link, other))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    requests = list(spider.parse_source(XmlResponse(FEED, body=body, request=Request(FEED))))
    assert [r.url for r in requests] == [other]
    stats = spider.crawler.stats.get_stats()
    assert stats.get(stat.DISCOVERY_NEW) == 1 and stats.get(stat.DISCOVERY_UNUSABLE_URL) == 1
    assert [r.levelname for r in caplog.records if "URLLENGTH_LIMIT" in r.getMessage()] == ["WARNING"]


# --- articles robots.txt forbids ----------------------------------------------------------------------


def _robots_also(rule: str) -> Callable[[LoopbackSite, Response], Response]:
    return lambda site, normal: normal._replace(body=normal.body.replace(b"Disallow: /charts\n", f"Disallow: /charts\n{rule}\n".encode(), 1))


def test_articles_robots_txt_forbids_are_not_fetched_and_no_failure(clean_site: ChangedSite, tmp_path: Path) -> None:
    # The site lists its /content/ press releases beside its stories, and its robots.txt forbids
    # /content/. Such a page was a failed download: an ERROR line at every run, counted towards
    # BS_MAX_FAILED_SHARE, and a run whose only new links were such pages exited 1.
    site = clean_site
    forbidden = sorted({record.path.split("/")[1] for record in site.articles})[0]
    site.change("/robots.txt", _robots_also(f"Disallow: /{forbidden}/"))
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert "Traceback" not in result.log, result.log[-3000:]
    kept = [record for record in site.articles if not record.path.startswith(f"/{forbidden}/")]
    assert 0 < len(kept) < len(site.articles)
    assert result.status == 0 and sorted(result.ids()) == sorted(record.article_id for record in kept), result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats.get(stat.DISCOVERY_ROBOTS_FORBIDDEN) == len(site.articles) - len(kept)
    assert not any(name.startswith(stat.FAILED_PREFIX) for name in stats), stats
    assert not [line for line in result.log.splitlines() if " ERROR: " in line]
    summary = [line for line in result.log.splitlines() if "Run summary" in line][0]
    assert f"new={len(kept)} " in summary and " failed=0 " in summary, summary


def test_a_run_whose_new_links_are_all_forbidden_is_ok_and_one_where_robots_forbids_every_article_says_so(
    clean_site: ChangedSite, tmp_path: Path
) -> None:
    site = clean_site
    first = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert first.status == 0 and first.items
    # The next run: one new story, which robots.txt forbids (a press release); the rest unchanged.
    [new] = site.add_articles(1)
    site.change("/robots.txt", _robots_also(f"Disallow: {new.path}"))
    second = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert second.status == 0 and second.items == [], second.log[-3000:]
    assert stats_from_log(second.log).get(stat.DISCOVERY_ROBOTS_FORBIDDEN) == 1
    # robots.txt shuts every story: a run that fetches nothing says why, and fails.
    site.change("/robots.txt", _robots_also("Disallow: /*_1.html"))
    third = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", "BS_FRESH": "1"})
    assert third.status == EXIT_FAILED and third.items == [], third.log[-3000:]
    summary = [line for line in third.log.splitlines() if "Run summary" in line][0]
    assert "robots.txt forbids every article" in summary, summary


# --- "&" in a feed or sitemap that has a flaw -------------------------------------------------------------

SECOND = ARTICLE.replace("124022800873", "124022800874")


def _read(url: str, body: bytes) -> list[str]:
    return [entry.url for entry in parse_feed_or_sitemap(body, url).entries]


@pytest.mark.parametrize(
    "flaw",
    ["<title>Markets&nbsp;today</title>", "<title>M&M results</title>", "<title>a\x0bb</title>", "<title>a < b</title>"],
    ids=["stray-nbsp", "bare-ampersand", "control-character", "bare-less-than"],
)
def test_links_escaped_as_they_should_be_survive_a_flaw_elsewhere_in_the_feed(flaw: str) -> None:
    # A recovering libxml2 (entities unexpanded) drops every "&amp;" after the document's first flaw:
    # the second item's link was read "…_1.html?region=inpage=2", another URL than the one the feed gives.
    items = f"<item>{flaw}<link>{ARTICLE}</link></item><item><link>{SECOND}?region=in&amp;page=2</link></item>"
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    feed = parse_feed_or_sitemap(body, FEED)
    assert feed.salvaged and [entry.url for entry in feed.entries] == [ARTICLE, f"{SECOND}?region=in&page=2"]


def test_a_link_written_with_a_bare_ampersand_keeps_every_parameter() -> None:
    # "&part=2" was dropped with its name: the monthly sitemap was asked for at "…-1.xml?v=3=2".
    month = SITE + "/sitemap/2024-february-1.xml"
    index = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{month}?v=3&part=2</loc></sitemap></sitemapindex>'
    assert _read(SITE + INDEX, index.encode()) == [f"{month}?v=3&part=2"]
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<entry><link href="{ARTICLE}?region=in&page=2"/></entry><entry><link href="{SECOND}?a=1&amp;b=2"/></entry></feed>'
    )
    assert _read(SITE + "/rss/latest.atom", atom.encode()) == [f"{ARTICLE}?region=in&page=2", f"{SECOND}?a=1&b=2"]


def test_an_ampersand_inside_cdata_or_a_comment_is_read_as_written() -> None:
    items = (
        f"<item><title>M&M</title><link><![CDATA[{ARTICLE}?a=1&b=2]]></link></item>"
        f"<!-- a & b --><item><link><![CDATA[{SECOND}?c=&amp;]]></link></item>"
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    assert _read(FEED, body) == [f"{ARTICLE}?a=1&b=2", f"{SECOND}?c=&"]


# --- the Hindi edition's stories in their own forms ----------------------------------------------------------

HINDI = "https://hindi.business-standard.com"
HINDI_PAGE = PAGES / "hindi-2020" / "budget-166607" / "page.html"


def test_a_hindi_story_listed_in_any_of_its_forms_is_requested_once_by_its_desktop_url(tmp_path: Path) -> None:
    # Its English-style numbered form was requested (round 8); storypage.php, its AMP page and its
    # mobile twin were counted as "other" pages, so a feed of the Hindi edition in BS_LATEST_SOURCES
    # read nothing and the run exited 1 asking whether the site's article URLs had changed.
    spider = make_spider(LatestSpider, tmp_path)
    links = (
        f"{HINDI}/storypage.php?autono=166607",
        f"{HINDI}/article-amp/budget/section_budget-166607_1.html",
        "https://m.bshindi.com/storypage.php?autono=0166607&amp;utm_source=rss",
        f"{HINDI}//storypage.php?autono=172480",
        f"{HINDI}/video/section_video-177777_1.html",
    )
    items = "".join(f"<item><link>{link}</link></item>" for link in links)
    url = HINDI + "/rss/latest.rss"
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    requests = list(spider.parse_source(XmlResponse(url, body=body, request=Request(url))))
    assert [r.url for r in requests] == [f"{HINDI}//storypage.php?autono=166607", f"{HINDI}//storypage.php?autono=172480"]
    stats = spider.crawler.stats.get_stats()
    assert stats.get(stat.DISCOVERY_NEW) == 2 and stats.get(stat.not_article("video")) == 1
    # The page gives the item the discovery knew it by, which the seen-store keeps.
    page = HtmlResponse(requests[0].url, body=HINDI_PAGE.read_bytes(), request=requests[0])
    [article] = spider.parse_article(page)
    assert article.articleId == "hi-166607"


def test_a_listing_links_a_hindi_story_once_and_never_takes_it_for_its_next_page() -> None:
    html = (
        f"<a href='{HINDI}/storypage.php?autono=166607'>एक</a><a href='{HINDI}/article-amp/budget/section_budget-166607_1.html'>एक</a>"
        f"<a href='{HINDI}/storypage.php?autono=166712' rel='next'>Next</a>"
    )
    listing = parse_listing(html, HINDI + "/budget")
    assert [Entry(url=u).article_id for u in listing.article_urls] == ["hi-166607", "hi-166607", "hi-166712"]
    assert listing.next_page is None


# --- a listing page that arrived cut short ------------------------------------------------------------------


def test_a_latest_news_page_cut_short_is_a_failed_source_whose_links_before_the_cut_are_fetched(clean_site: ChangedSite, tmp_path: Path) -> None:
    # A CDN's copy whose compressed stream ends early (its Content-Length agreeing): Scrapy decodes what
    # there is, and the page passed for one listing only those stories: "ok", no line, no stat.
    site = clean_site
    site.set_path_fault("/latest-news", "gzip-cut")
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/latest-news"})
    assert "Traceback" not in result.log, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats.get(stat.source_failed("data-loss")) == 1 and not stats.get(stat.DISCOVERY_SOURCES_READ)
    assert result.status == EXIT_FAILED, result.log[-3000:]
    line = [line for line in result.log.splitlines() if "Discovery source failed" in line]
    assert len(line) == 1 and "data-loss" in line[0] and "cut short" in line[0], line
    # What arrived whole is not thrown away: its stories are fetched, as a cut feed's items are.
    assert result.items and len(result.items) == stats[stat.DISCOVERY_NEW]


def _section_page(spider: Any, url: str, links: list[str], flags: list[str]) -> list[Request]:
    html = "<html><body>" + "".join(f"<a href='{link}'>story</a>" for link in links) + "</body></html>"
    response = HtmlResponse(url, body=html.encode(), request=Request(url), flags=flags)
    return list(spider.parse_section(response, section="markets/news", page=1))


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut"])
def test_a_section_page_cut_short_after_stories_seen_before_does_not_end_the_walk(tmp_path: Path, cut: bool) -> None:
    # Read as a whole page, its stories before the cut all seen, it stopped the walk as a page of
    # stories seen before: the unseen ones after the cut, and the pages after it, were left unread.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    store = spider.seen_store
    for identifier in ("124022800873", "124022800874"):
        store.add_pending(PendingArticle(identifier, 1, "h", None, "2024-02-28T15:42:00+05:30", "old"))
        store.confirm(identifier, "old")
    requests = _section_page(spider, SITE + "/markets/news", [ARTICLE, SECOND], ["dataloss"] if cut else [])
    stats = spider.crawler.stats.get_stats()
    if cut:
        assert [r.url for r in requests] == [SITE + "/markets/news/page-2"]
        assert stats.get(stat.source_failed("data-loss")) == 1 and not stats.get(stat.DISCOVERY_LISTING_ALL_SEEN_STOP)
    else:
        assert requests == [] and stats.get(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1


# --- links that name a story in their query ------------------------------------------------------------------


def test_a_login_or_subscription_link_naming_a_story_is_not_fetched_in_its_place(tmp_path: Path) -> None:
    # A premium card links "Log in to read" (/login?next=<story>) before the story's own link: the id
    # was searched in the whole URL, the login page was requested as the story, and the story's own
    # link skipped as a repeat of it.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="1")
    path = ARTICLE[len(SITE):]
    links = [
        f"/login?next={path}",
        f"https://accounts.business-standard.com/subscribe?redirect_url={ARTICLE}",
        f"/search?q=x-{SECOND.rsplit('-', 1)[1]}",
        ARTICLE,
    ]
    requests = _section_page(spider, SITE + "/markets/news", links, [])
    assert [r.url for r in requests] == [ARTICLE]
    assert spider.crawler.stats.get_value(stat.DISCOVERY_NEW) == 1


def test_a_next_link_off_the_site_does_not_end_the_walk(tmp_path: Path) -> None:
    # A pager whose absolute link names the CMS's own host or a staging copy: refused as off the site,
    # it ended the section after its first page.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    html = f"<html><head><link rel='next' href='https://cms.example.net/markets/news/page-2'></head><body><a href='{ARTICLE}'>s</a></body></html>"
    url = SITE + "/markets/news"
    requests = list(spider.parse_section(HtmlResponse(url, body=html.encode(), request=Request(url)), section="markets/news", page=1))
    assert [r.url for r in requests] == [ARTICLE, SITE + "/markets/news/page-2"]


def test_a_section_page_robots_txt_forbids_ends_the_walk_without_an_error(clean_site: ChangedSite, tmp_path: Path) -> None:
    # Sites keep crawlers to a listing's first pages (Disallow: /*/page-): page 2 was a failed source,
    # an ERROR line every night.
    site = clean_site
    site.change("/robots.txt", _robots_also("Disallow: /*/page-"))
    section = sorted({record.path.rsplit("/", 1)[0] for record in site.articles})[0].strip("/")
    result = crawl("section", tmp_path, "-a", f"sections={section}", "-a", "pages=3", settings={"BS_BASE_URL": site.base_url})
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.status == 0 and result.items, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats.get(stat.DISCOVERY_LISTING_END) == 1 and not any(name.startswith(stat.DISCOVERY_SOURCE_FAILED_PREFIX) for name in stats), stats
    assert not [line for line in result.log.splitlines() if " ERROR: " in line]


# --- an item whose link is a redirect, its guid the story ------------------------------------------------------


def test_an_item_whose_link_is_a_feed_proxys_redirect_is_read_by_its_story_address() -> None:
    # The link of a feed served through a proxy (FeedBurner) or a click tracker names no story; its
    # permalink guid, or FeedBurner's origLink, does. The link was taken, and the story counted as a
    # page on another host.
    third = ARTICLE.replace("124022800873", "124022800875")
    items = (
        f"<item><link>http://feedproxy.google.com/~r/bs/latest/~3/abc/</link><guid>{ARTICLE}</guid></item>"
        '<item xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><link>http://feedproxy.google.com/~r/bs/~3/def/</link>'
        f'<feedburner:origLink>{SECOND}</feedburner:origLink><guid isPermaLink="false">def</guid></item>'
        # A guid that is no permalink is only a name, and a story's own link wins over any guid.
        f'<item><link>https://click.example.com/?u={third}</link><guid isPermaLink="false">{ARTICLE}</guid></item>'
        f"<item><link>{third}</link><guid>{SECOND}</guid></item>"
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    assert _read(FEED, body) == [ARTICLE, SECOND, f"https://click.example.com/?u={third}", third]


# --- an empty answer for a listing page -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"\x00" * 4096, b" \r\n"], ids=["empty", "zero-filled", "blank"])
@pytest.mark.parametrize("page", [1, 2])
def test_an_empty_listing_page_is_a_failed_source_not_the_end_of_its_section(tmp_path: Path, body: bytes, page: int) -> None:
    # A CDN's empty 200, or a copy whose bytes were never written: a later page of a section was
    # taken for the section's end (its walk stopped, one INFO line), the first for a page without links.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    url = SITE + "/markets/news" + (f"/page-{page}" if page > 1 else "")
    response = HtmlResponse(url, body=body, request=Request(url))
    assert list(spider.parse_section(response, section="markets/news", page=page)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats.get(stat.source_failed("empty")) == 1 and not stats.get(stat.DISCOVERY_LISTING_END)
