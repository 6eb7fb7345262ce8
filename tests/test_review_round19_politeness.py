"""Review of round 19's politeness changes: bot walls told from articles headlined with their words, and
the failures-in-a-row count kept to what shows the site is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler import stats as stat
from crawler.extraction import extract, is_block_page
from crawler.middlewares import BlockPageMiddleware, SiteDownMiddleware
from crawler.monitoring.verdict import EXIT_OK
from crawler.spiders.article import ArticleSpider
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_network_probes_round9 import ARTICLE_URL, _call
from tests.test_politeness_probes_round19 import CHALLENGES
from tests.test_spiders_unit import make_spider

PAGES = Path(__file__).parent / "pages"

# --- an article headlined as a bot wall is titled ----------------------------------------------------

# Small article pages (AMP, Open Graph only, a trimmed Next.js page: under the 64 KB a bot wall is looked
# for in), and the headline each shows in its <title> and <h1>.
ARTICLES = {
    "amp": ("amp/seed-syndicated", "India-US defence meet: Security cooperation, intelligence sharing discussed"),
    "opengraph": ("generic/opengraph-article", "GST collections rise 9% in April"),
    "nextjs": ("nextjs-2023/no-image", "Retail inflation eases to 3.65% in August on lower food prices"),
}
WALL_HEADLINES = ["Pardon Our Interruption", "Just a moment...", "Please verify you are a human", "Access to this page has been denied"]


def _headlined(layout: str, headline: str) -> str:
    folder, shown = ARTICLES[layout]
    return (PAGES / folder / "page.html").read_text(encoding="utf-8").replace(shown, headline)


@pytest.mark.parametrize("headline", WALL_HEADLINES)
@pytest.mark.parametrize("layout", list(ARTICLES))
def test_an_article_headlined_with_a_bot_walls_words_is_an_article(layout: str, headline: str) -> None:
    # Before: a story headlined "Pardon Our Interruption" (a column) or "Just a moment..." in a page under
    # 64 KB (AMP, the Hindi edition, Open Graph only) was refused as a block (`skipped/blocked`), and
    # counted as one by the block share: the story was never written, run after run.
    page = _headlined(layout, headline)
    assert not is_block_page(page)
    assert extract(page.encode(), ARTICLE_URL, "text/html; charset=utf-8").article.headline == headline


@pytest.mark.parametrize("name", list(CHALLENGES))
def test_the_bot_walls_themselves_are_still_blocks(name: str) -> None:
    assert is_block_page(CHALLENGES[name])


def test_the_block_count_does_not_count_an_article_headlined_so(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = BlockPageMiddleware(spider.crawler, max_share=0.5, min_responses=3)
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=_headlined("amp", "Pardon Our Interruption").encode(), encoding="utf-8", request=request)
    _call(middleware, "process_response", request, response, spider=spider)
    assert not spider.crawler.stats.get_value(stat.BLOCKED)


# --- the site down, and a healthy site with a few pages that always fail -----------------------------


def _answer(middleware: SiteDownMiddleware, url: str, status: int, retry_times: int = 0) -> None:
    request = Request(url, meta={"retry_times": retry_times} if retry_times else {})
    middleware.process_request(request)
    middleware.process_response(request, Response(url, status=status, request=request))


def test_retries_of_pages_that_failed_are_not_counted_as_the_site_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: a retry comes back only once every first try queued has gone (RETRY_PRIORITY_ADJUST), so the
    # retries of a few broken pages came one after another at the end of the run: 7 pages answering 500
    # (21 retries) among thousands that answered closed a healthy run as "the site is down", exit 1.
    stopped: list[str] = []
    monkeypatch.setattr("crawler.middlewares.stop_run", lambda crawler, reason: stopped.append(reason))
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = SiteDownMiddleware(spider.crawler, limit=20)
    broken = [f"{ARTICLE_URL}?page={n}" for n in range(8)]
    for url in broken:  # first tries, between answers
        _answer(middleware, url, 500)
        _answer(middleware, ARTICLE_URL, 200)
    for retry in (1, 2, 3):
        for url in broken:
            _answer(middleware, url, 500, retry_times=retry)
    assert not stopped and not middleware.closing
    # First tries that fail in a row still are the site down.
    for n in range(20):
        _answer(middleware, f"{ARTICLE_URL}?new={n}", 503)
    assert stopped == [stat.SITE_DOWN_REASON]


def test_a_healthy_run_with_a_few_pages_that_always_fail_is_not_closed_as_the_site_down(tmp_path: Path) -> None:
    # Before: exit 1 ("the site is down: 20 tries in a row at it failed"): the 8 broken pages' 24 retries
    # came last, one after another, though the other 22 articles all answered.
    with LoopbackSite(articles=20, seed=19) as site:
        for record in site.articles[:8]:
            site.set_fault(record.article_id, "error503-always")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    stats = stats_from_log(result.log)
    assert "in a row at the site failed" not in result.log, result.log[-3000:]
    assert result.status == EXIT_OK and len(result.items) == 22, result.log[-3000:]
    assert stats.get(stat.failed("http-503")) == 8 and not stats.get(stat.SITE_DOWN), stats
