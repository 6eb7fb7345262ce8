"""Discovery cases of the round-14 fixes' own classes that they left out: an Atom feed served through
FeedBurner, and a Hindi-edition link that names a story only in its query."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request

from crawler import stats as stat
from crawler.extraction.discovery import Entry, parse_feed_or_sitemap, parse_listing
from crawler.extraction.urls import is_story_url
from crawler.spiders.section import SectionSpider
from tests.conftest import SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_spiders_unit import make_spider

ARTICLE = SITE + "/markets/news/sensex-ends-higher-124022800873_1.html"
SECOND = ARTICLE.replace("124022800873", "124022800874")
HINDI = "https://hindi.business-standard.com"
FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0"


def test_an_atom_entry_whose_link_is_a_feed_proxys_redirect_is_read_by_its_story_address() -> None:
    # FeedBurner writes its Atom feeds as its RSS ones: the alternate link is its redirect, the story
    # is in feedburner:origLink (or the entry's id, when that is a web address). The redirect was taken,
    # and the story counted as a page on another host.
    entries = (
        '<entry><title>a</title><link rel="alternate" type="text/html" href="http://feedproxy.google.com/~r/bs/latest/~3/abc/"/>'
        f"<id>tag:business-standard.com,2024:124022800873</id><updated>2024-02-28T15:42:00+05:30</updated>"
        f"<feedburner:origLink>{ARTICLE}</feedburner:origLink></entry>"
        '<entry><title>b</title><link href="http://feedproxy.google.com/~r/bs/latest/~3/def/"/>'
        f"<id>{SECOND}</id><updated>2024-02-28T15:43:00+05:30</updated></entry>"
        # A story's own link wins over any other address.
        f'<entry><title>c</title><link href="{SECOND}"/><id>{ARTICLE}</id><updated>2024-02-28T15:44:00+05:30</updated></entry>'
    )
    body = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:feedburner="{FEEDBURNER}"><title>BS</title>{entries}</feed>'
    feed = parse_feed_or_sitemap(body.encode(), SITE + "/rss/latest.xml")
    assert [entry.url for entry in feed.entries] == [ARTICLE, SECOND, SECOND]


def test_a_hindi_login_or_share_link_naming_a_story_is_no_story(tmp_path: Path) -> None:
    # The English site's links are an article's by their path; the Hindi edition's were searched whole,
    # so its "Log in to read" link (/login?next=<story>), listed before the story's own, was fetched in
    # the story's place and the story skipped as a repeat of it.
    story = f"{HINDI}/budget/news/budget-2024-nirmala-sitharaman-124020100123_1.html"
    path = story[len(HINDI):]
    login = f"{HINDI}/login?next={path}"
    share = f"{HINDI}/share?url={story.replace(':', '%3A').replace('/', '%2F')}"
    assert not is_story_url(login) and not is_story_url(share)
    assert Entry(url=login).article_id is None
    assert is_story_url(story) and is_story_url(f"{HINDI}/storypage.php?autono=166607")
    html = f"<a href='{login}'>लॉग इन</a><a href='{share}'>शेयर</a><a href='{story}'>बजट</a>"
    assert parse_listing(html, HINDI + "/budget").article_urls == [story]
    # And where a source lists it all the same, only the story is fetched.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="1")
    requests = list(spider.discovered([Entry(url=login), Entry(url=story)], HINDI + "/budget"))
    assert [Entry(url=r.url).article_id for r in requests] == ["hi-124020100123"]
    assert spider.crawler.stats.get_value(stat.DISCOVERY_NEW) == 1


# --- a feed or sitemap whose compressed body arrives cut short ----------------------------------------------


def test_a_monthly_sitemap_cut_short_once_is_asked_again_not_a_month_lost(tmp_path: Path) -> None:
    # A listing page so cut is asked again (a CDN's copy cut short is often whole the next time); a
    # monthly sitemap was not: the month was lost from the backfill and the archive run exited 1.
    with LoopbackSite(articles=20, seed=14, days=10, legacy=0) as site:
        [(month, records)] = site.monthly_sitemaps()
        site.set_path_fault(month, "gzip-cut", times=1)
        first, last = site.articles[0].published.date(), site.articles[-1].published.date()
        result = crawl("archive", tmp_path, "-a", f"since={first}", "-a", f"until={last}", settings={"BS_BASE_URL": site.base_url}, timeout=120)
        assert site.counts[month] == 2, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert not any(name.startswith("bs/discovery/source_failed") for name in stats), result.log[-3000:]
    assert result.status == 0 and len(result.items) == len(records)


def test_a_feed_cut_short_at_every_answer_is_asked_again_then_read_up_to_the_cut(tmp_path: Path) -> None:
    with LoopbackSite(articles=30, seed=14) as site:
        site.set_path_fault("/rss/latest.rss", "gzip-cut")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", "RETRY_TIMES": "1"})
        assert site.counts["/rss/latest.rss"] == 2
    stats = stats_from_log(result.log)
    assert stats[stat.source_failed("cut")] == 1 and result.items, result.log[-3000:]


# --- a section's next link on another host of the site's domains ---------------------------------------------


def _next_requests(tmp_path: Path, next_href: str) -> list[str]:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    html = f"<html><head><link rel='next' href='{next_href}'></head><body><a href='{ARTICLE}'>s</a></body></html>"
    url = SITE + "/markets/news"
    requests = list(spider.parse_section(HtmlResponse(url, body=html.encode(), request=Request(url)), section="markets/news", page=1))
    return [r.url for r in requests if r.url != ARTICLE]


def test_a_next_link_to_the_cms_or_a_staging_host_under_the_sites_domain_does_not_lead_the_walk_there(tmp_path: Path) -> None:
    # The CMS's own host and a staging copy live under the site's domain (cms.business-standard.com):
    # taken as the site, the walk went on there, at a host that does not answer crawlers or serves
    # another copy of the section.
    for host in ("https://cms.business-standard.com", "https://staging.business-standard.com", HINDI):
        assert _next_requests(tmp_path / host.split("//")[1], f"{host}/markets/news/page-2") == [SITE + "/markets/news/page-2"]
    # The page's own host, written whole or relative, is followed as it is.
    assert _next_requests(tmp_path / "own", SITE + "/markets/news/page-2?ref=pager") == [SITE + "/markets/news/page-2?ref=pager"]
    assert _next_requests(tmp_path / "relative", "/markets/news/page-2?ref=pager") == [SITE + "/markets/news/page-2?ref=pager"]
