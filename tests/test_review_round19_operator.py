"""Review of round 19's operator fixes: an article redirected to a video, podcast, web story or gallery page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from crawler.monitoring.history import RunHistory
from tests.conftest import PAGES
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import command, env
from tests.test_network_probes import SEED_HTML, redirected
from tests.test_spiders_unit import make_spider

# --- an article redirected to a page that is never an article, though its URL carries an id --------
# Videos, podcasts, web stories and galleries sit under article-like URLs with a 12-digit id
# (/video-gallery/…-125020400712_1.html). Round 19 read an article redirected to another article as
# that one; the check took any id in the URL it landed on for a story, so an article redirected to
# such a page was "redirected to another article: read as that one" (INFO), then skipped as a video
# or web story: a page read and refused, so a run whose only new article was one exited 5, "none
# could be extracted", the status of a redesign, at every run while its feeds listed it. Such a
# page is no story, as discovery holds (it never fetches one): the article redirected away from
# itself, skipped as before round 19 (exit 1 the first time; a story the site removed after that).

NOT_ARTICLES = ["video-gallery", "podcasts", "webstories", "amp-webstory", "amp-video-gallery"]
ARTICLE_URL = "https://www.business-standard.com/india-news/india-us-defence-meet-security-cooperation-intelligence-sharing-discussed-124022800873_1.html"


@pytest.mark.parametrize("page", NOT_ARTICLES)
@pytest.mark.parametrize("spider_name", ["article", "latest"])
def test_an_article_redirected_to_a_page_that_is_no_article_is_skipped_as_redirected_away(tmp_path: Path, page: str, spider_name: str) -> None:
    from crawler.spiders.article import ArticleSpider
    from crawler.spiders.latest import LatestSpider

    folder = PAGES / "not-article" / page
    location = json.loads((folder / "meta.json").read_text())["url"]
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL) if spider_name == "article" else make_spider(LatestSpider, tmp_path)
    response = redirected(spider, spider.article_request(ARTICLE_URL), location, (folder / "page.html").read_bytes())
    assert list(spider.parse_article(response)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats.get("bs/skipped/redirected-away") == 1, stats
    assert "bs/redirected/other_article" not in stats
    assert not [key for key in stats if key.startswith("bs/skipped/") and key != "bs/skipped/redirected-away"], stats


@pytest.mark.parametrize(
    "location",
    [
        "/india-news/another-story-124022800999_1.html",
        "/amp/india-news/another-story-124022800999_1.html",
        "https://www.business-standard.com/article/india-news/another-story-124022800999_1.html",
    ],
)
def test_an_article_redirected_to_another_article_in_any_of_its_forms_is_still_read_as_that_one(tmp_path: Path, location: str) -> None:
    from crawler.spiders.latest import LatestSpider

    spider = make_spider(LatestSpider, tmp_path)
    response = redirected(spider, spider.article_request(ARTICLE_URL), location, SEED_HTML.encode())
    assert [item.articleId for item in spider.parse_article(response)] == ["124022800999"]
    assert spider.crawler.stats.get_value("bs/redirected/other_article") == 1


def _run(site: LoopbackSite, tmp_path: Path, name: str) -> tuple[int, str]:
    output = tmp_path / f"{name}.jsonl"
    done = subprocess.run(command(site, output, tmp_path / "state"), cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
    return done.returncode, done.stderr


def test_a_run_whose_only_new_article_redirects_to_a_video_is_no_redesign(tmp_path: Path) -> None:
    with LoopbackSite(articles=12, seed=19) as site:
        status, log = _run(site, tmp_path, "run1")
        assert status == 0, log[-3000:]
        [merged] = site.add_articles(1)
        site.redirect_targets[merged.article_id] = site.video.path
        site.set_fault(merged.article_id, "redirect-other")
        first, first_log = _run(site, tmp_path, "run2")
        again, again_log = _run(site, tmp_path, "run3")
    for log in (first_log, again_log):
        assert "Traceback" not in log and "read as that one" not in log, log[-3000:]
    # The first run that meets it fails it, as any redirect away (a story not live yet answers so too);
    # the next one knows it removed: no redesign either time.
    assert first == 1 and "redirected-away=1" in first_log, first_log[-3000:]
    assert again == 0 and "Gone <" in again_log, again_log[-3000:]
    records = RunHistory(tmp_path / "state").records()
    assert [r["status"] for r in records[-2:]] == [1, 0]


# --- a run stopped unjudged, with no, one or two Ctrl-C or SIGTERM -------------------------------------
# systemd's stop (one SIGTERM) starts a graceful shutdown; an error in the close path can end the run
# before it is judged (Scrapy's graceful stop during a feed's store no longer does: round 24). Scrapy has then
# installed its forced-shutdown handler (``_signal_kill``), not SIG_IGN, so the run is not forced; its
# reason said "(no Ctrl-C or SIGTERM)", which sends an operator who stopped it to look for a stop that
# did not come from him. Each case now says what happened.


def _signal_kill(number: int, frame: object) -> None:
    """Stands for Scrapy's handler of a second signal, installed by the first."""


@pytest.mark.parametrize(
    "handler, said, not_said",
    [
        ("default", "no Ctrl-C or SIGTERM", "forced"),
        ("one-signal", "told to stop (Ctrl-C or SIGTERM)", "forced"),
        ("two-signals", "forced to stop (Ctrl-C or SIGTERM a second time)", "no Ctrl-C"),
    ],
)
def test_a_run_stopped_unjudged_says_how_many_signals_it_took(handler: str, said: str, not_said: str) -> None:
    import signal

    from crawler.monitoring.verdict import forced_stop

    installed = {"default": signal.SIG_DFL, "one-signal": _signal_kill, "two-signals": signal.SIG_IGN}[handler]
    before = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, installed)
        _, status, why, summary = forced_stop({"finish_reason": "shutdown"})
    finally:
        signal.signal(signal.SIGTERM, before)
    assert status == 1 and said in why and not_said not in why, why
    assert why in summary
