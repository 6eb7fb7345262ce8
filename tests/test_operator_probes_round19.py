"""Operating it, round 19: articles the site merged into others, the HTTP cache and several Content-Encodings,
the heartbeat of a run that ended in an exception, two workers of one name, and secrets in what a run writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 - the fixture
from tests.test_interrupt_probes_round17 import command, env

# --- every new article redirected to another article ------------------------------------------------
# A story the site merged into another (a live blog folded into the day's story, a duplicate taken
# down) answers a 301 to that story. Before: the page it led to was skipped as `redirected-away`, as a
# redirect to the home page is, and a run whose every new article was one exited 1, "none could be
# fetched (redirected-away=3)", though every page came back and the story it led to was there to read.
# Now the page is read as the article it is (by its own id: claimed, versioned and deduplicated as
# that one), one INFO line and the stat `bs/redirected/other_article`; the run is judged on it.


def _run(site: LoopbackSite, tmp_path: Path, name: str, *extra: str) -> tuple[int, str, list[dict[str, object]]]:
    output = tmp_path / f"{name}.jsonl"
    words = command(site, output, tmp_path / "state", *extra)
    done = subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
    items = [json.loads(line) for line in output.read_text().splitlines()] if output.exists() else []
    return done.returncode, done.stderr, items


@pytest.mark.parametrize("target_changed", [False, True], ids=["target-unchanged", "target-updated"])
def test_a_run_whose_every_new_article_redirects_to_another_article_reads_them(tmp_path: Path, target_changed: bool) -> None:
    with LoopbackSite(articles=12, seed=19) as site:
        status, log, first = _run(site, tmp_path, "run1")
        assert status == 0, log[-3000:]
        older = [r.article_id for r in site.articles[:3]]
        merged = [r.article_id for r in site.add_articles(3)]
        for article_id, target in zip(merged, older):
            site.redirect_article(article_id, target)
            if target_changed:
                site.modify(target)
        status, log, second = _run(site, tmp_path, "run2")
    assert status == 0 and "Traceback" not in log, log[-3000:]
    assert "redirected-away" not in log
    assert sum("redirected to another article" in line and "INFO" in line for line in log.splitlines()) == 3, log[-3000:]
    written = [item["articleId"] for item in second]
    # No item under a merged story's id; the stories it led to once each (only when they changed).
    assert not set(written) & set(merged)
    assert sorted(written) == (sorted(older) if target_changed else []), written
    record = RunHistory(tmp_path / "state").records()[-1]
    assert record["status"] == 0 and record["stats"].get("bs/redirected/other_article") == 3, record


# --- the HTTP cache and an answer naming several Content-Encodings ------------------------------------
# `identity` is no coding (RFC 9110 §8.4.1): `Content-Encoding: gzip, identity` is a gzip body, as is
# `identity, gzip` or two header lines. Before: the cache's checks read the header whole (`_no_page`
# unpacked only a header of exactly `gzip`) or by its last entry (`identity`: "no stream to judge"),
# so a cut or garbled gzip page, or Akamai's block page or an empty body gzipped, so labelled, was
# stored over the good page `reextract` reads; and Scrapy's decompression, which stops at a coding it
# does not know, passed `gzip, identity` bodies on packed, with a WARNING for every page.

ENCODINGS = [
    {"Content-Encoding": "gzip, identity"},
    {"Content-Encoding": "identity, gzip"},
    {"Content-Encoding": "GZIP , Identity"},
    {"Content-Encoding": ["gzip", "identity"]},
]


def _gzip(body: bytes) -> bytes:
    import gzip

    return gzip.compress(body, mtime=0)


def _cache_takes(body: bytes, headers: dict[str, object]) -> bool:
    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings

    from crawler.incremental.cachepolicy import ArticlesOnlyPolicy
    from tests.test_cache_policy import ARTICLE

    request = Request(ARTICLE)
    response = HtmlResponse(ARTICLE, body=body, headers=headers, request=request)  # type: ignore[arg-type]
    return bool(ArticlesOnlyPolicy(Settings()).should_cache_response(response, request))


@pytest.mark.parametrize("headers", ENCODINGS, ids=lambda h: repr(h["Content-Encoding"]))
@pytest.mark.parametrize("damage", ["cut-half", "cut-tail", "garbled", "block-page", "empty-page"])
def test_the_cache_judges_a_gzip_body_labelled_with_identity_too(headers: dict[str, object], damage: str) -> None:
    from tests.test_cache_policy import BLOCK, PAGE

    page = PAGE + b"<!-- " + bytes(range(256)) * 64 + b" -->"
    assert _cache_takes(_gzip(page), headers)  # the whole page: stored
    if damage == "block-page":
        body = _gzip(BLOCK)
    elif damage == "empty-page":
        body = _gzip(b"")
    else:
        body = _gzip(page)
        if damage == "cut-half":
            body = body[: len(body) // 2]
        elif damage == "cut-tail":
            body = body[:-6]
        else:
            middle = len(body) // 2
            body = body[:middle] + bytes(b ^ 0x5A for b in body[middle : middle + 32]) + body[middle + 32 :]
    assert not _cache_takes(body, headers)


@pytest.mark.parametrize("headers", ENCODINGS, ids=lambda h: repr(h["Content-Encoding"]))
@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut"])
def test_the_decompression_reads_a_gzip_body_labelled_with_identity_too(headers: dict[str, object], cut: bool, caplog: pytest.LogCaptureFixture) -> None:
    from scrapy import Spider
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import DATALOSS_FLAG, WholeStreamHttpCompressionMiddleware
    from tests.test_cache_policy import ARTICLE, PAGE

    crawler = get_crawler()
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(crawler)
    body = _gzip(PAGE)
    request = Request(ARTICLE)
    response = HtmlResponse(ARTICLE, body=body[: len(body) // 2] if cut else body, headers=headers, request=request)  # type: ignore[arg-type]
    # Scrapy 2.13 wants the spider; later versions warn when given it.
    import scrapy

    given = (Spider("article"),) if scrapy.version_info < (2, 14) else ()
    decoded = middleware.process_response(request, response, *given)
    assert isinstance(decoded, HtmlResponse)
    if cut:
        assert DATALOSS_FLAG in decoded.flags and PAGE.startswith(decoded.body)
    else:
        assert decoded.body == PAGE and DATALOSS_FLAG not in decoded.flags
    assert not decoded.headers.getlist(b"Content-Encoding")
    assert not [r for r in caplog.records if r.levelname == "WARNING"], [r.getMessage() for r in caplog.records]


# --- a run that stopped before it was judged, with no Ctrl-C or SIGTERM ----------------------------------
# The heartbeat and the run history take a reactor that stops before the run was judged for Scrapy's
# forced shutdown. A run can also get there with nobody pressing anything: an error in the close path
# before the verdict (here the wait for the feeds failing, as a bug in a storage of one's own would).
# Before: its ping and record said "the run was forced to stop (Ctrl-C or SIGTERM a second time)",
# sending whoever read them after a shutdown that never happened. Now they say it stopped before it
# was judged, with an error as it closed, and point to the log's ERROR lines; a forced stop still says
# forced (tests/test_runs_probes_round18.py).


class BreakTheWaitForTheFeeds:
    """An extension making the verdict's wait for the feeds fail, as an error in the close path would."""

    def __init__(self, crawler: object) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: object) -> BreakTheWaitForTheFeeds:
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)  # type: ignore[attr-defined]
        return extension

    def spider_opened(self, spider: object) -> None:
        from twisted.internet import defer

        from crawler.incremental.delivery import DeliveryTracker

        tracker = self.crawler.get_extension(DeliveryTracker)  # type: ignore[attr-defined]
        tracker.when_settled = lambda: defer.fail(RuntimeError("a storage of one's own broke"))


def test_a_run_that_stopped_unjudged_without_a_signal_is_not_pinged_or_recorded_as_forced_to_stop(tmp_path: Path, monitor: Monitor) -> None:  # noqa: F811
    with LoopbackSite(articles=6, seed=19) as site:
        from crawler import settings as project

        extensions = json.dumps({**project.EXTENSIONS, f"{__name__}.BreakTheWaitForTheFeeds": 0})
        status, log, _ = _run(site, tmp_path, "broken", "-s", f"BS_HEARTBEAT_URL={monitor.url}", "-s", f"EXTENSIONS={extensions}")
    assert status == 1, log[-3000:]
    assert "a storage of one's own broke" in log
    ends = [body for _, path, body in monitor.pings if path.endswith("/fail")]
    assert len(ends) == 1 and len(monitor.pings) == 1, monitor.pings
    record = RunHistory(tmp_path / "state").records()[-1]
    for said in (ends[0], record["reason"], log):
        assert "forced to stop" not in said and "a second time" not in said
    assert "stopped before it was judged" in ends[0] and "ERROR lines" in record["reason"], (ends[0], record["reason"])
    assert record["status"] == 1
