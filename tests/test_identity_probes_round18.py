"""Round 18 probes: one story is one item, under its canonical URL and id, whichever address led to it.

Before these fixes: a feed's or sitemap's link wrapped over two lines (``…-\\n      124…_1.html``, a
pretty-printer's work) was read with ``%20`` where the break was, no story's address, and the story
lost (counted a page of another kind); a link whose host ends in the dot of a fully qualified name
(``www.business-standard.com.``) was off-site, and the story lost too; one whose host was in capitals was
fetched, and its item's ``url`` written, with them; ``crawl article`` given one story under two
addresses (its AMP page, a tracking query, another slug) fetched it twice and dropped the second as a
duplicate, and refused a host ending in a dot as not the site's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.http import Request

from crawler import stats as stat
from crawler.extraction.discovery import Entry, parse_feed_or_sitemap, parse_listing
from crawler.extraction.urls import article_fetch_url
from crawler.spiders.article import ArticleSpider
from crawler.spiders.base import on_hosts
from tests.conftest import SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite, Response
from tests.test_discovery_probes_round14 import ChangedSite
from tests.test_spiders_unit import make_spider

STORY = SITE + "/markets/news/sensex-ends-higher-124101400008_1.html"
STORY_ID = "124101400008"
FEED = SITE + "/rss/latest.rss"
HINDI_DESKTOP = "https://hindi.business-standard.com//storypage.php?autono=124101"


def _rss(link: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Latest</title>'
        f"<item><title>A</title><link>{link}</link><pubDate>Mon, 14 Oct 2024 10:00:00 +0530</pubDate></item>"
        "</channel></rss>"
    ).encode()


def _sitemap(link: str) -> bytes:
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{link}</loc><lastmod>2024-10-14T10:00:00+05:30</lastmod></url></urlset>"
    ).encode()


def _atom(link: str) -> bytes:
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Latest</title>'
        f'<entry><title>A</title><link href="{link}"/><updated>2024-10-14T10:00:00+05:30</updated></entry></feed>'
    ).encode()


def _listed(source: str, link: str) -> list[str]:
    """The addresses a source of the given kind gives for one link written as ``link``."""
    if source == "listing":
        return parse_listing(f'<html><body><a href="{link}">Sensex ends higher</a></body></html>', SITE + "/latest-news").article_urls
    body = {"rss": _rss, "sitemap": _sitemap, "atom": _atom}[source](link)
    return [entry.url for entry in parse_feed_or_sitemap(body, FEED).entries]


SOURCES = ["rss", "sitemap", "atom", "listing"]

WRAPPED = {
    "before-id": STORY.replace("higher-", "higher-\n"),
    "before-id-indented": STORY.replace("higher-", "higher-\n          "),
    "crlf-tab": STORY.replace("higher-", "higher-\r\n\t"),
    "inside-suffix": STORY.replace("_1.html", "_1.\n  html"),
    "inside-host": STORY.replace("business-", "business-\n  "),
    "around": "\n      " + STORY + "\n    ",
    "tab-inside": STORY.replace("/news/", "/news/\t"),
}


# (Not Atom's href: XML reads every line break and tab in an attribute as a space, so a wrapped href is
# one with spaces in it, as a listing's "/topic/tata motors" is, and left so.)
@pytest.mark.parametrize("source", ["rss", "sitemap", "listing"])
@pytest.mark.parametrize("form", sorted(WRAPPED))
def test_a_link_wrapped_over_lines_is_the_story_it_names(source: str, form: str) -> None:
    """Before: ``…/sensex-ends-higher-%20124101400008_1.html`` (or ``_1.%20html``), no story's address: the
    story was counted as a page of another kind and never fetched."""
    urls = _listed(source, WRAPPED[form])
    assert urls == [STORY]
    assert Entry(url=urls[0]).article_id == STORY_ID


HOSTS = {
    "trailing-dot": "https://www.business-standard.com.",
    "capitals": "https://WWW.Business-Standard.COM",
    "capitals-and-dot": "https://Www.Business-Standard.Com.",
    "port-after-dot": "https://www.business-standard.com.:443",
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", sorted(HOSTS))
def test_a_link_whose_host_is_written_otherwise_is_the_story_on_the_site(source: str, form: str) -> None:
    """Before: a host ending in a dot was off-site (the story lost, ``bs/discovery/offsite``); one in
    capitals was fetched, and its item's ``url`` written, in capitals."""
    link = HOSTS[form] + STORY[len(SITE) :]
    [url] = _listed(source, link)
    expected = STORY.replace(".com/", ".com:443/", 1) if "443" in HOSTS[form] else STORY  # (a port as written)
    assert url == expected
    assert on_hosts(url, ["business-standard.com"])
    assert article_fetch_url(url) == expected


@pytest.mark.parametrize("form", sorted(HOSTS))
def test_the_fetch_url_of_a_story_has_the_hosts_own_spelling(form: str) -> None:
    assert article_fetch_url(HOSTS[form].replace(":443", "") + STORY[len(SITE) :]) == STORY


# --- crawl article: the URLs given ------------------------------------------------------------------------

FORMS = {
    "amp": SITE + "/amp" + STORY[len(SITE) :],
    "tracking": STORY + "?utm_source=whatsapp&utm_medium=share",
    "fragment": STORY + "#comments",
    "slash": STORY + "/",
    "other-slug": SITE + "/a/a-124101400008_1.html",
    "pre-2023-path": SITE + "/article" + STORY[len(SITE) :],
    "other-sequence": STORY.replace("_1.html", "_2.html"),
    "http": STORY.replace("https:", "http:"),
    "trailing-dot-host": STORY.replace(".com/", ".com./"),
    "capital-host": STORY.replace("www.business-standard.com", "WWW.BUSINESS-STANDARD.COM"),
}


def _start_requests(spider: ArticleSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    import asyncio

    # A loop of its own, left as it was found: asyncio.run() ends by setting the thread's current loop to
    # none, and a later test on the same worker that awaits a Deferred through Scrapy's helpers (which ask
    # asyncio.get_event_loop() for the asyncio reactor's loop) then failed with "no current event loop".
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(collect())
    finally:
        loop.close()


@pytest.mark.parametrize("form", sorted(FORMS))
def test_crawl_article_given_one_story_under_two_addresses_fetches_it_once(tmp_path: Path, form: str) -> None:
    """Before: two requests (the second page fetched only to be dropped as a duplicate, counted new all
    the same); the AMP or tracked address was fetched as given and became the item's ``url``."""
    arguments = {"urls": f"{STORY},{FORMS[form]}"}
    ArticleSpider.check_arguments(arguments)
    spider = make_spider(ArticleSpider, tmp_path, **arguments)
    requests = _start_requests(spider)
    assert [request.url for request in requests] == [STORY]
    stats = spider.crawler.stats
    assert stats.get_value(stat.DISCOVERY_NEW) == 1
    assert stats.get_value(stat.SAME_STORY_FOLDED) == 1


@pytest.mark.parametrize("form", ["amp", "tracking", "trailing-dot-host", "capital-host"])
def test_crawl_article_fetches_a_story_given_alone_by_its_own_address(tmp_path: Path, form: str) -> None:
    arguments = {"url": FORMS[form]}
    ArticleSpider.check_arguments(arguments)
    ArticleSpider.check_site(arguments, None)  # (before: "not on BS_BASE_URL's site" for the dotted host)
    spider = make_spider(ArticleSpider, tmp_path, **arguments)
    # (Before: the tracked address shared from the site's page was fetched as given, and became the item's `url`.)
    assert [request.url for request in _start_requests(spider)] == [STORY]
    assert not spider.crawler.stats.get_value(stat.SAME_STORY_FOLDED)


def test_crawl_article_keeps_two_stories_and_urls_without_an_id_apart(tmp_path: Path) -> None:
    other = SITE + "/markets/news/nifty-ends-lower-124101400009_1.html"
    no_id = SITE + "/markets/news"  # (no story's address: fetched, and skipped as a listing, as before)
    hindi = "https://hindi.business-standard.com/storypage.php?autono=124101"
    spider = make_spider(ArticleSpider, tmp_path, urls=f"{STORY},{other},{no_id},{STORY}#top,{hindi},{no_id}/,{hindi}&utm_source=x")
    assert [request.url for request in _start_requests(spider)] == [STORY, other, no_id, HINDI_DESKTOP, no_id + "/"]
    assert spider.crawler.stats.get_value(stat.DISCOVERY_NEW) == 5
    assert spider.crawler.stats.get_value(stat.SAME_STORY_FOLDED) == 2


# --- end to end: one run, one source naming stories in several forms ---------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[ChangedSite]:
    with ChangedSite(articles=12, seed=18, days=2, legacy=0, slow_seconds=2) as running:
        yield running
        assert running.errors == []


def test_a_feed_naming_stories_in_other_forms_gives_each_once_under_its_own_address(site: ChangedSite, tmp_path: Path) -> None:
    """Before: the feed's wrapped link was counted a page of another kind and the dotted host's off-site:
    those stories came only from the sitemap read after it (from the feed alone, never)."""
    records = sorted(site.articles, key=lambda record: record.published)[-4:]
    wrapped, dotted, amp, tracked = records
    host = site.base_url.split("//", 1)[1]
    forms = {
        wrapped.url: wrapped.url.replace(f"-{wrapped.article_id}", f"-\n        {wrapped.article_id}"),
        dotted.url: dotted.url.replace(host, host.replace(":", ".:", 1)),
        amp.url: site.base_url + "/amp" + amp.path,
        tracked.url: tracked.url + "?utm_source=rss&amp;utm_medium=feed",
    }

    def feed(_: LoopbackSite, normal: Response) -> Response:
        body = normal.body.decode()
        for url, written in forms.items():
            body = body.replace(f"<link>{url}</link>", f"<link>{written}</link>").replace(f"<guid>{url}</guid>", f"<guid>{written}</guid>")
        return normal._replace(body=body.encode())

    site.change("/rss/latest.rss", feed)
    site.reset_counts()
    # The news sitemap names every story by its canonical address, read after the feed.
    sources = "/rss/latest.rss,/sitemap/google-news-sitemap.xml"
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": sources})
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.status == 0, result.log[-3000:]
    by_id = {item["articleId"]: item for item in result.items}
    assert len(by_id) == len(result.items), "one item per story"
    for record in records:
        assert record.article_id in by_id, (record.article_id, result.log[-3000:])
        assert by_id[record.article_id]["url"] == record.url
        assert site.article_requests(record.article_id) == 1, record.article_id
    stats = stats_from_log(result.log)
    assert not stats.get(stat.DISCOVERY_OFFSITE) and not stats.get(stat.not_article("other")), stats
    assert not stats.get(stat.DROPPED_DUPLICATE)
    # Every story the feed names is named again by the sitemap, in whichever form: folded, not fetched.
    assert stats.get(stat.SAME_STORY_FOLDED, 0) >= len(records)
    # The next run knows every story by its id, whichever form named it: nothing fetched again.
    site.reset_counts()
    again = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": sources})
    assert again.status == 0 and again.items == [], again.log[-3000:]
    assert all(site.article_requests(record.article_id) == 0 for record in site.articles)


# --- a link that lost its scheme, a space before the id -----------------------------------------------------

SCHEMELESS = {
    "www-host": "www.business-standard.com" + STORY[len(SITE) :],
    "www-host-capitals": "WWW.Business-Standard.com" + STORY[len(SITE) :],
    "hindi-host": "hindi.business-standard.com/storypage.php?autono=124101",
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", sorted(SCHEMELESS))
def test_a_link_without_its_scheme_naming_the_sites_host_is_that_address(source: str, form: str) -> None:
    """A feed's link must be absolute, and a CMS that left out "https://" still names the site's host.
    Before: read as a path below the feed or page (``…/rss/www.business-standard.com/markets/…``), fetched
    there and, served by the id at its end, written with that ``url``."""
    [url] = _listed(source, SCHEMELESS[form].replace("&", "&amp;"))
    expected = "https://hindi.business-standard.com/storypage.php?autono=124101" if form == "hindi-host" else STORY
    assert url == expected


def test_a_path_that_only_looks_like_a_host_is_still_a_path() -> None:
    # A relative link whose first step has a dot but is no host of the site ("page-2.html", "v1.2/…").
    assert _listed("listing", "markets.news/sensex-ends-higher-124101400008_1.html") == [
        SITE + "/markets.news/sensex-ends-higher-124101400008_1.html"
    ]


SPACED = {
    "space": STORY.replace("higher-", "higher- "),
    "spaces": STORY.replace("higher-", "higher-     "),
    "no-break-space": STORY.replace("higher-", "higher-\u00a0"),
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", sorted(SPACED))
def test_white_space_just_before_the_id_is_no_part_of_the_address(source: str, form: str) -> None:
    """What stands between the slug and the id is no part of the story's address (the id names it), and
    white space there is wrapping (an Atom ``href`` wrapped over lines reads so). Before: ``…-%20124…``,
    no story's address, the story lost."""
    [url] = _listed(source, SPACED[form])
    assert url == STORY


@pytest.mark.parametrize("source", SOURCES)
def test_white_space_between_a_slug_ending_in_digits_and_the_id_keeps_them_apart(source: str) -> None:
    # Dropped, the slug's digits would run into the id ("…-2024124101400008_1.html"), which then is none.
    [url] = _listed(source, STORY.replace("higher-", "higher-2024 "))
    assert url == STORY.replace("higher-", "higher-2024-")
    assert Entry(url=url).article_id == STORY_ID


# --- the page's own address --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["WWW.Business-Standard.COM", "www.business-standard.com.", "Www.Business-Standard.Com."])
def test_a_canonical_link_whose_host_is_written_otherwise_is_the_sites_address(host: str) -> None:
    """Before: ``canonicalUrl`` was written with the host as the page spelt it (``https://WWW.Business-Standard.COM/…``,
    ``…com./…``): two addresses of one story in the output."""
    from crawler.extraction import extract
    from tests.conftest import PAGES

    html = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
    canonical = "https://www.business-standard.com/india-news/india-us-defence-meet-security-cooperation-intelligence-sharing-discussed-124022800873_1.html"
    assert canonical in html
    changed = html.replace(f'rel="canonical" href="{canonical}"', f'rel="canonical" href="{canonical.replace("www.business-standard.com", host)}"')
    changed = changed.replace(canonical, canonical.replace("www.business-standard.com", host))
    article = extract(changed, SITE + "/a/a-124022800873_1.html").article
    assert article.canonicalUrl == canonical and article.articleId == "124022800873"


@pytest.mark.parametrize("query", ["?utm_source=related&utm_medium=web", "?amp=1", "?utm_campaign=x&region=in"])
def test_a_related_storys_link_with_a_tracking_query_is_written_by_its_own_address(query: str) -> None:
    """Before: ``alsoRead`` held the story once (by its id), under the tracked address the card gave."""
    from crawler.extraction import extract
    from tests.conftest import PAGES

    html = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
    url = SITE + "/india-news/india-us-defence-meet-124022800873_1.html"
    plain = extract(html, url).article.alsoRead
    assert plain
    first = plain[0].url
    tagged = extract(html.replace(f'href="{first}"', f'href="{first}{query.replace("&", "&amp;")}"'), url).article.alsoRead
    kept = "?region=in" if "region" in query else ""
    assert [related.url for related in tagged] == [first + kept] + [related.url for related in plain[1:]]


# --- a short link shared from the site -----------------------------------------------------------------------

SHORT = "https://mybs.in/2ZxYwV"


@pytest.mark.parametrize("short", [SHORT, "http://mybs.in/2ZxYwV", "https://MYBS.IN/2ZxYwV"])
def test_crawl_article_takes_a_short_link_of_the_site_and_writes_the_story_it_leads_to(tmp_path: Path, short: str) -> None:
    """SITE.md: shared links are on mybs.in, which leads to the story. Before: ``crawl article -a url=<short
    link>`` was refused, exit 2, "not on BS_BASE_URL's site"."""
    from scrapy.http import HtmlResponse

    from tests.test_spiders_unit import seed_response

    arguments = {"url": short}
    ArticleSpider.check_arguments(arguments)
    ArticleSpider.check_site(arguments, None)
    spider = make_spider(ArticleSpider, tmp_path, **arguments)
    [request] = _start_requests(spider)
    assert spider.is_on_site(request.url)
    # The short link's redirect to the story, as RedirectMiddleware leaves it.
    seed = seed_response()
    redirected = request.replace(url=seed.url, meta={**request.meta, "redirect_urls": [request.url]})
    [article] = spider.parse_article(HtmlResponse(seed.url, body=seed.body, encoding="utf-8", request=redirected))
    assert article.url == seed.url and article.articleId == "124022800873"


def test_a_short_link_in_a_source_is_still_no_storys_address() -> None:
    # Its story is not known before it is fetched: no id to fold it by, nor to ask the seen-store with.
    from crawler.extraction.urls import ARTICLE, is_story_url, url_kind

    [url] = _listed("rss", SHORT)
    assert url == SHORT and not is_story_url(url) and url_kind(url) != ARTICLE


def test_crawl_article_does_not_fold_a_story_into_a_link_that_only_names_it_in_its_query(tmp_path: Path) -> None:
    # A login or share link naming the story in its query is no address of it: taken for one, the
    # story given after it would never be fetched.
    login = SITE + "/login?next=" + STORY[len(SITE) :]
    spider = make_spider(ArticleSpider, tmp_path, urls=f"{login},{STORY}")
    assert [request.url for request in _start_requests(spider)] == [login, STORY]
    assert not spider.crawler.stats.get_value(stat.SAME_STORY_FOLDED)
