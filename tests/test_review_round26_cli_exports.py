"""Review of round 25's pasted addresses, click ids and feed check: where a user still lost a story.

Before these fixes: the site's own short link (``https://mybs.in/…``, what its share buttons give, so the
address most often pasted into a chat or a mail) with the sentence's full stop, comma or closing bracket
after it was fetched with them (``mybs.in/2ZxYwV.``), a code the site does not have: no story, exit 1,
where the same punctuation after a story's full address was taken off. A story's address ended by a
Hindi sentence's full stop (the danda, ``।``) or an ellipsis was fetched so too. And an address of
Google's AMP viewer whose page had a query (``google.com/amp/s/…_1.html%3Famp_js_v%3D0.1``: the viewer
writes the page's ``?``, ``=`` and ``&`` percent-encoded) was fetched at ``…_1.html%3Famp_js_v…``, no
story's address (a Hindi ``storypage.php%3Fautono%3DN`` lost its ``autono``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.extraction.urls import pasted_url
from crawler.spiders.article import ArticleSpider
from tests.conftest import SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import Response as SiteResponse
from tests.test_discovery_probes_round14 import ChangedSite
from tests.test_identity_probes_round18 import _start_requests
from tests.test_spiders_unit import make_spider

STORY = SITE + "/markets/news/sensex-ends-higher-124101400008_1.html"
HINDI = "https://hindi.business-standard.com/storypage.php?autono=124101"
HINDI_DESKTOP = "https://hindi.business-standard.com//storypage.php?autono=124101"
SHORT = "https://mybs.in/2ZxYwV"
PORTS = range(16400, 16450)

# What a sentence puts after an address it ends with, and a chat's or Markdown's wrapping with it.
AFTER = ["{}.", "{},", "{})", "{}!", "{}?", "{};", "({}).", "<{}>.", '"{}".', "\u201c{}\u201d.", "{}\u2026", "{}\u0964", "[{}],"]


def _requested(tmp_path: Path, **arguments: str) -> list[str]:
    ArticleSpider.check_usage(arguments, Settings({"BS_BASE_URL": SITE}))
    spider = make_spider(ArticleSpider, tmp_path, **arguments)
    return [request.url for request in _start_requests(spider)]


@pytest.mark.parametrize("form", AFTER)
def test_a_short_link_with_the_sentences_punctuation_after_it_is_fetched_without_it(tmp_path: Path, form: str) -> None:
    # (Before: fetched as mybs.in/2ZxYwV. — a code the site does not have, the story lost, exit 1.)
    assert _requested(tmp_path, url=form.format(SHORT)) == [SHORT]
    assert _requested(tmp_path, urls=f"{form.format(SHORT)},{STORY}") == [SHORT, STORY]


@pytest.mark.parametrize("form", ["{}\u0964", "{}\u2026", "({})\u0964"])
def test_a_story_ended_by_a_hindi_full_stop_or_an_ellipsis_is_fetched_without_it(tmp_path: Path, form: str) -> None:
    # (Before: "…_1.html।" and "…autono=124101।" fetched so: no story's address, no autono read.)
    assert _requested(tmp_path, url=form.format(STORY)) == [STORY]
    assert _requested(tmp_path, url=form.format(HINDI)) == [HINDI_DESKTOP]


def test_what_may_end_a_short_links_code_or_another_address_is_left_to_it() -> None:
    # Pins: only the punctuation after a code is taken off, and only the site's short links are read so.
    assert pasted_url(SHORT + "_x") == SHORT + "_x"
    assert pasted_url(SHORT + "-2.") == SHORT + "-2"
    assert pasted_url("https://bit.ly/2ZxYwV.") == "https://bit.ly/2ZxYwV."
    assert pasted_url(SHORT + "?s=1.") == SHORT + "?s=1."
    assert pasted_url("https://mybs.in.example.com/2ZxYwV.") == "https://mybs.in.example.com/2ZxYwV."


AMP_PATH = "/markets/news/sensex-ends-higher-124101400008_1.html"


@pytest.mark.parametrize(
    "query",
    ["%3Famp_js_v%3D0.1", "%3famp%3d1%26amp_js_v%3d0.1", "%3Famp_js_v%3Da6%26usqp%3Dmq331AQFKAGwASA%253D", "%3Futm_source%3Dgoogle"],
)
def test_googles_amp_viewer_with_the_pages_query_encoded_is_the_story(tmp_path: Path, query: str) -> None:
    given = f"https://www.google.com/amp/s/www.business-standard.com/amp{AMP_PATH}{query}"
    # (Before: fetched at "…_1.html%3Famp_js_v%3D0.1", no story's address: a 404, exit 1.)
    assert _requested(tmp_path, url=given) == ["https://www.business-standard.com" + AMP_PATH]


def test_a_hindi_story_through_googles_amp_viewer_keeps_its_autono(tmp_path: Path) -> None:
    given = "https://www.google.co.in/amp/s/hindi.business-standard.com/storypage.php%3Fautono%3D124101"
    assert _requested(tmp_path, url=given) == [HINDI_DESKTOP]
    assert _requested(tmp_path, url=f"<{given}>.") == [HINDI_DESKTOP]
    assert _requested(tmp_path, url=f"https://www.google.com/amp/s/www.business-standard.com/amp{AMP_PATH}%3Famp%3D1.") == [STORY]


def test_a_query_the_viewers_page_needs_is_kept_and_an_amp_cache_address_is_read_as_written() -> None:
    # Pins: a page's own parameter survives the decoding; the AMP cache writes the page's query as it is.
    viewer = f"https://www.google.com/amp/s/www.business-standard.com/amp{AMP_PATH}%3Fregion%3Din%26fbclid%3Dx"
    assert pasted_url(viewer) == f"https://www.business-standard.com/amp{AMP_PATH}?region=in&fbclid=x"
    cache = f"https://www-business--standard-com.cdn.ampproject.org/c/s/www.business-standard.com/amp{AMP_PATH}?a=%3F"
    assert pasted_url(cache) == f"https://www.business-standard.com/amp{AMP_PATH}?a=%3F"


def test_another_sites_page_through_googles_amp_viewer_is_still_refused() -> None:
    from scrapy.exceptions import UsageError

    with pytest.raises(UsageError, match="is not on BS_BASE_URL's site"):
        ArticleSpider.check_usage({"url": "https://www.google.com/amp/s/www.livemint.com/amp/a-11700000000000.html%3Famp%3D1."}, Settings({"BS_BASE_URL": SITE}))


# --- the command, a short link pasted from a chat -------------------------------------------------------


@pytest.fixture
def site() -> Iterator[ChangedSite]:
    for port in PORTS:
        try:
            running = ChangedSite(port=port, articles=4, seed=26, days=2, legacy=0)
        except OSError:
            continue
        with running:
            yield running
            assert running.errors == []
        return
    raise RuntimeError("no free port in 16400-16449")


def test_crawl_article_given_a_short_link_with_a_full_stop_writes_its_story(site: ChangedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = site.articles[-1]
    site.change("/r26Sh", lambda _s, _normal: SiteResponse(301, b"", "text/plain", (("Location", record.url),)))
    # mybs.in reached through the loopback site, as a proxy.
    monkeypatch.setenv("http_proxy", site.base_url)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    done = crawl("article", tmp_path, "-a", "urls=http://mybs.in/r26Sh.", settings={"BS_BASE_URL": site.base_url})
    # (Before: /r26Sh. asked for, a 404, nothing written, exit 1.)
    assert done.status == 0, done.log[-3000:]
    assert [item["articleId"] for item in done.items] == [record.article_id]
    assert stats_from_log(done.log).get(stat.ARGUMENT_URL_PASTED) == 1


# --- tracking after an ampersand a feed escaped twice ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["?utm_source=rss&amp;utm_medium=feed", "?fbclid=IwAR2x0abc&amp;utm_source=fb", "?region=in&amp;gclid=Cj0KCQiA&amp;utm_campaign=x"],
)
def test_a_click_id_or_utm_after_an_ampersand_written_twice_escaped_is_no_part_of_the_story(query: str) -> None:
    from crawler.extraction.discovery import parse_feed_or_sitemap
    from crawler.extraction.urls import article_fetch_url
    from tests.test_identity_probes_round18 import _rss

    kept = "?region=in" if "region" in query else ""
    # A CMS that escapes its links' "&" twice ("&amp;amp;" in the XML) gives "&amp;" in the link read.
    # (Before: "…_1.html?amp;utm_medium=feed" fetched and written as the item's url, another url of the story.)
    assert article_fetch_url(STORY + query) == STORY + kept
    escaped = (STORY + query).replace("&", "&amp;")
    assert [entry.url for entry in parse_feed_or_sitemap(_rss(escaped), SITE + "/rss/latest.rss").entries] == [STORY + kept]


def test_a_parameter_after_such_an_ampersand_that_is_no_tracking_is_kept() -> None:
    from crawler.extraction.urls import article_fetch_url

    assert article_fetch_url(f"{HINDI}&amp;utm_source=x") == HINDI_DESKTOP
    assert article_fetch_url(f"{STORY}?utm_source=x&amp;page=2") == f"{STORY}?amp;page=2"
