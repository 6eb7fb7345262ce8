"""Review of round 21's discovery changes: a ``section`` walk that counts as holding nothing new a link
an earlier run could not read (a paywall stub, a layout no rule read, robots.txt's refusal).

Such a link holds nothing new only while it stays unread. A run that met every story of a section's
first pages so (the paywall shown to everyone for an hour, a redesign the rules did not read yet) left
each of them an ``unread:`` alias; the next run, the site or the rules fixed, stopped at the first page,
every link on it "unread before", and read its stories alone: the stories of the pages after it were
never asked for again, lost with an exit 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler import stats as stat
from crawler.spiders.section import WALK_ON_META, SectionSpider
from tests.e2e import crawl, stats_from_log
from tests.test_discovery_probes_round14 import ChangedSite, _robots_also
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)
from tests.test_discovery_probes_round21 import FORBIDDEN, MERGED, SEEN, STUB, VIDEO, _link, _listing_pages, _page, _section, _site, _spider
from tests.test_spiders_unit import SITE, make_spider

def _largest_section(site: ChangedSite) -> str:
    return max((path for path in site.index.listings if path != "/latest-news"), key=lambda p: len(site.index.listings[p]))[1:]


# --- a walk that stopped at unread stories goes on once one is read ------------------------------------


def test_stories_of_later_pages_met_as_stubs_are_read_once_the_paywall_lets_them_be(tmp_path: Path) -> None:
    """A run meets every story of the section's first three pages as its paywall stub (exit 5, loud).
    The site fixed, the next run reads them all: before, it stopped at the first page, every link on it
    unread before, and the forty stories of pages 2 and 3 were never asked for again."""
    site = _site(ChangedSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    with site:
        section = _largest_section(site)
        listed = site.index.listings["/" + section][:60]
        for record in listed:
            site.set_fault(record.article_id, "paywall-stub")
        stubs = _section(site, tmp_path, section, pages=3)
        assert stubs.status == 5 and stubs.items == [], stubs.log[-3000:]
        for record in listed:
            site.set_fault(record.article_id, None)
        site.reset_counts()
        fixed = _section(site, tmp_path, section, pages=3)
        assert fixed.status == 0, fixed.log[-3000:]
        assert sorted(fixed.ids()) == sorted(r.article_id for r in listed), (len(fixed.ids()), fixed.log[-3000:])
        assert _listing_pages(site, section) == [f"/{section}", f"/{section}/page-2", f"/{section}/page-3"], site.counts
        assert stats_from_log(fixed.log).get(stat.DISCOVERY_LISTING_WALK_ON) == 2
        # Nothing left behind: the walk after reads the first page alone, and asks for no article.
        site.reset_counts()
        after = _section(site, tmp_path, section, pages=3)
        assert after.status == 0 and after.items == [] and site.article_requests() == 0, after.log[-3000:]
        assert _listing_pages(site, section) == [f"/{section}"], site.counts
        assert site.errors == []


def test_stories_robots_txt_forbade_on_later_pages_are_read_once_it_lets_them_be(tmp_path: Path) -> None:
    """robots.txt shuts the section's stories for a run (``Disallow: /<section>/*.html``), its listing
    pages still open. The run after, robots.txt as before, reads every story of the pages walked."""
    site = _site(ChangedSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    with site:
        section = _largest_section(site)
        listed = site.index.listings["/" + section][:40]
        site.change("/robots.txt", _robots_also(f"Disallow: /{section}/*.html"))
        shut = _section(site, tmp_path, section, pages=2)
        assert shut.items == [] and stats_from_log(shut.log).get(stat.DISCOVERY_ROBOTS_FORBIDDEN) == 40, shut.log[-3000:]
        site.changed.clear()
        site._changed()
        site.reset_counts()
        opened = _section(site, tmp_path, section, pages=2)
        assert opened.status == 0, opened.log[-3000:]
        assert sorted(opened.ids()) == sorted(r.article_id for r in listed), (len(opened.ids()), opened.log[-3000:])
        assert site.errors == []


def test_stubs_that_stay_stubs_still_end_the_walk_at_the_first_page(tmp_path: Path) -> None:
    """The other side: a page whose unread stories stay unread holds nothing new, and the walk reads no
    page after it (round 21's gain kept)."""
    site = _site(ChangedSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    with site:
        section = _largest_section(site)
        listed = site.index.listings["/" + section][:20]
        for record in listed:
            site.set_fault(record.article_id, "paywall-stub")
        first = _section(site, tmp_path, section, pages=3)
        assert first.ids() and not {r.article_id for r in listed} & set(first.ids()), first.log[-3000:]
        site.reset_counts()
        again = _section(site, tmp_path, section, pages=3)
        assert again.items == [] and _listing_pages(site, section) == [f"/{section}"], (site.counts, again.log[-3000:])
        stats = stats_from_log(again.log)
        assert stats.get(stat.DISCOVERY_STUB_AGAIN) == 20 and not stats.get(stat.DISCOVERY_LISTING_WALK_ON), stats
        assert site.errors == []


# --- step by step ----------------------------------------------------------------------------------------


def _section_page(section: str, *identifiers: str) -> HtmlResponse:
    html = "".join(f'<a href="{_link(i)}">s</a>' for i in identifiers)
    url = f"{SITE}/{section}"
    return HtmlResponse(url, body=f"<html><body>{html}</body></html>".encode(), request=Request(url))


def test_a_page_stopped_at_for_unread_stories_carries_the_page_after_it_in_their_requests(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    requests = list(spider.parse_section(_page(SEEN, STUB, FORBIDDEN), section="markets/news", page=1))
    assert sorted(r.url for r in requests) == sorted([SITE + _link(STUB), SITE + _link(FORBIDDEN)]), requests
    assert all(r.meta[WALK_ON_META] == [SITE + "/markets/news/page-2", "markets/news", 2, False] for r in requests)
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1  # type: ignore[union-attr]
    # Read: the page after it is asked for, once, however many of the page's stories are read.
    [page_two] = spider.story_read(STUB, requests[0].meta)
    assert page_two.url == SITE + "/markets/news/page-2" and page_two.callback == spider.parse_section
    assert page_two.cb_kwargs == {"section": "markets/news", "page": 2}
    spider.visited_sources.claim(page_two.url)
    assert list(spider.story_read(FORBIDDEN, requests[1].meta)) == []
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_WALK_ON) == 1  # type: ignore[union-attr]


def test_a_walk_on_its_last_page_carries_nothing(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    requests = list(spider.parse_section(_page(SEEN, STUB), section="markets/news", page=3))
    assert [r.url for r in requests] == [SITE + _link(STUB)] and WALK_ON_META not in requests[0].meta
    assert list(spider.story_read(STUB, requests[0].meta)) == []


def test_a_story_asked_for_already_by_another_section_still_walks_this_one_on(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    first = list(spider.parse_section(_section_page("markets/news", STUB, "124112500099"), section="markets/news", page=1))
    [asked] = [r for r in first if STUB in r.url]
    # The other section's first page lists it too: asked for once, but that walk waits on it as well.
    other = list(spider.parse_section(_section_page("economy/news", SEEN, STUB), section="economy/news", page=1))
    assert other == [] and spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1  # type: ignore[union-attr]
    walks = list(spider.story_read(STUB, asked.meta))
    assert [r.url for r in walks] == [SITE + "/economy/news/page-2"], walks


def test_on_a_redis_seen_store_stories_of_later_pages_met_as_stubs_are_read_once_they_come(
    redis_url: str, prefix: str, tmp_path: Path  # noqa: F811 (fixtures)
) -> None:
    """The same on the shared seen-store, where the page after the stop travels in the article request
    through the Redis queue (whichever worker reads the story walks on)."""
    site = _site(ChangedSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    settings = {"BS_BASE_URL": site.base_url, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "1"}
    with site:
        section = _largest_section(site)
        listed = site.index.listings["/" + section][:40]
        for record in listed:
            site.set_fault(record.article_id, "paywall-stub")
        stubs = crawl("section", tmp_path, "-a", f"sections={section}", "-a", "pages=2", settings=settings)
        assert stubs.status == 5 and stubs.items == [], stubs.log[-3000:]
        for record in listed:
            site.set_fault(record.article_id, None)
        fixed = crawl("section", tmp_path, "-a", f"sections={section}", "-a", "pages=2", settings=settings)
        assert fixed.status == 0 and "Traceback" not in fixed.log, fixed.log[-3000:]
        assert sorted(fixed.ids()) == sorted(r.article_id for r in listed), (len(fixed.ids()), fixed.log[-3000:])
        assert site.errors == []


# --- the verdict: a stub met before beside the run's new articles ---------------------------------------


def _judged(**counts: int) -> tuple[int, str]:
    from scrapy.utils.test import get_crawler

    from crawler.monitoring.verdict import RunVerdictExtension

    stats = {stat.DISCOVERY_SOURCES_READ: 2, stat.DISCOVERY_UNCHANGED_SKIPPED: 10}
    names = {"new": stat.DISCOVERY_NEW, "stub_again": stat.DISCOVERY_STUB_AGAIN, "stubs": stat.skipped("paywall-stub"),
             "failed_503": stat.failed("http-503"), "items": stat.ITEMS_SCRAPED, "layout": stat.LAYOUT_PREFIX + "nextjs-2023"}
    stats.update({names[k]: v for k, v in counts.items()})
    return RunVerdictExtension(get_crawler()).verdict(stats, "finished")


def test_a_stub_met_before_does_not_make_a_run_whose_new_article_failed_to_download_a_redesign() -> None:
    """The run's one new article answered 503 (the site down for it); a stub met before was read too.
    Without the stub, exit 1: "none could be fetched". Before, the stub's page counted as a page that
    came back and was read, and the run exited 5, "none could be extracted": a redesign looked for
    where the site failed."""
    assert _judged(new=1, failed_503=1)[0] == 1
    status, why = _judged(new=2, stub_again=1, stubs=1, failed_503=1)
    assert status == 1 and "none could be fetched" in why and "besides 1 shown as their paywall stub as in an earlier run" in why, why


def test_a_new_stub_beside_one_met_before_is_loud_and_counted_apart() -> None:
    """One stub met before, one new: exit 5 for the new one, and the line's counts add up (before:
    "found 1 new or changed article(s) … (skipped: paywall-stub=2)")."""
    status, why = _judged(new=2, stub_again=1, stubs=2)
    assert status == 5, why
    assert why == (
        "discovery found 1 new or changed article(s) besides 1 shown as their paywall stub as in an earlier run "
        "but none could be extracted (skipped: paywall-stub=1)"
    ), why
    # Only stubs met before: nothing new, ok; with a new story read beside them, ok.
    assert _judged(new=2, stub_again=2, stubs=2)[0] == 0
    assert _judged(new=2, stub_again=1, stubs=1, items=1, layout=1)[0] == 0


# --- a pager with tracking query strings ----------------------------------------------------------------


def _numbered(number: int, next_href: str | None) -> bytes:
    links = "".join(f'<a href="/markets/news/story-1241126{number:02d}{i:03d}_1.html">Story</a>' for i in range(3))
    pager = f'<link rel="next" href="{next_href}">' if next_href else ""
    return f"<html><head>{pager}</head><body>{links}</body></html>".encode()


def _read(spider: SectionSpider, request: Request, body: bytes) -> list[Request]:
    return list(spider.parse_section(HtmlResponse(request.url, body=body, request=request), **request.cb_kwargs))


def _pages(spider: SectionSpider, requests: list[Request]) -> list[Request]:
    return [r for r in requests if r.callback == spider.parse_section]


@pytest.mark.parametrize("tracking", ["utm_source=pager", "ref=pager"])
def test_a_tracked_pager_is_followed_page_by_page_and_its_end_is_no_loop(tmp_path: Path, tracking: str) -> None:
    """Every "next" link carries a tracking query string; the CMS clamps the page number, so the link
    past the last page answers the last page again. Each page is read once by its link (``utm_``
    parameters left out), and the repeat past the end ends the walk (before, with ``?ref=pager``: taken
    for a pager leading back, one WARNING at every walk that reached the end, stat
    ``bs/discovery/pager_loop``, and <section>/page-4 read as well)."""
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="10")
    first = SITE + "/markets/news"
    spider.visited_sources.claim(first)
    request = Request(first, meta={"bs_source_depth": 0}, cb_kwargs={"section": "markets/news", "page": 1})
    kept = "" if tracking.startswith("utm_") else "?" + tracking
    for number in (1, 2, 3):
        [request] = _pages(spider, _read(spider, request, _numbered(number, f"/markets/news/page-{number + 1}?{tracking}")))
        assert request.url == f"{first}/page-{number + 1}{kept}" and request.cb_kwargs["by_link"] is True
        spider.visited_sources.claim(request.url)
    # page-4 is past the end: the CMS answers page 3 again.
    assert _read(spider, request, _numbered(3, f"/markets/news/page-4?{tracking}")) == []
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_END) == 1
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_PAGER_LOOP)


def test_a_pager_leading_back_to_the_first_page_under_another_path_still_goes_on(tmp_path: Path) -> None:
    """Page 2's "next" link is the first page as ``page-1?ref=pager``, an address never read: still a
    pager leading back (the page repeated is not the one before it), the walk goes on at page-3."""
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="10")
    first = SITE + "/markets/news"
    spider.visited_sources.claim(first)
    request = Request(first, meta={"bs_source_depth": 0}, cb_kwargs={"section": "markets/news", "page": 1})
    [request] = _pages(spider, _read(spider, request, _numbered(1, "/markets/news/page-2")))
    spider.visited_sources.claim(request.url)
    [request] = _pages(spider, _read(spider, request, _numbered(2, "/markets/news/page-1?ref=pager")))
    assert request.url == first + "/page-1?ref=pager"
    spider.visited_sources.claim(request.url)
    [request] = _pages(spider, _read(spider, request, _numbered(1, "/markets/news/page-2")))
    assert request.url == first + "/page-3" and spider.crawler.stats.get_value(stat.DISCOVERY_PAGER_LOOP) == 1


# --- pinned: what the walk already did right ------------------------------------------------------------


def test_links_whose_aliases_are_past_their_trust_are_fetched_and_the_walk_reads_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ALIAS_KEEP_DAYS an alias is no longer trusted: a merged story, a video's address, a stub are
    asked for again, and hold something new for the walk (a video that became an article, a story
    re-pointed elsewhere, is read then)."""
    import crawler.incremental.store as store

    spider = _spider(tmp_path)
    monkeypatch.setattr(store, "ALIAS_KEEP_DAYS", -1)  # every alias recorded before tomorrow: lapsed
    requests = [r.url for r in spider.parse_section(_page(SEEN, MERGED, VIDEO, STUB), section="markets/news", page=1)]
    assert sorted(requests) == sorted([SITE + _link(i) for i in (MERGED, VIDEO, STUB)] + [SITE + "/markets/news/page-2"]), requests
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP)  # type: ignore[union-attr]
