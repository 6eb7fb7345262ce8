"""Review of the round-9 delivery changes: a killed run's file carried over by the next ``-O`` run,
and what a run that ended must record so that its file is never carried over a second time."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler import stats as stat
from crawler.incremental.extension import SeenStoreExtension, seen_store_extension
from crawler.incremental.store import FeedRecord, SqliteSeenStore, StateError
from crawler.spiders.latest import LatestSpider


def _run(tmp_path: Path) -> tuple[Any, SeenStoreExtension]:
    """A ``latest`` run on ``tmp_path/state``: its crawler and seen-store component, recovery done."""
    settings = {"BS_STATE_DIR": str(tmp_path / "state"), "EXTENSIONS": {"crawler.incremental.extension.SeenStoreExtension": 100}}
    crawler = get_crawler(LatestSpider, settings)
    crawler.spider = LatestSpider.from_crawler(crawler)
    crawler.engine = SimpleNamespace(spider=None)  # the spider closing: nothing left to stop
    extension = seen_store_extension(crawler)
    assert extension is not None and extension.store is not None
    extension.recover()
    return crawler, extension


def test_a_run_that_cannot_record_its_end_says_so_and_its_file_is_not_taken_for_a_killed_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run whose feeds closed writes its end into the store (its feed records forgotten). When that
    # write failed (the store locked by another writer past its timeout, the state dir full), the run
    # logged a WARNING and ended ok (exit 0): the reader took its file, and the next `-O` run took the
    # same file for a killed run's, kept its articles at its start and handed them over again.
    output = tmp_path / "latest.jsonl"
    crawler, first = _run(tmp_path)
    first.feed_file_opened(FeedRecord(str(output)))
    output.write_text('{"articleId": "124010100001", "version": 1}\n')

    def locked(run_id: str) -> None:
        raise StateError("seen-store seen.sqlite3: database is locked")

    assert first.store is not None
    monkeypatch.setattr(first.store, "finish_run", locked)
    first.settle()
    first.engine_stopped()
    monkeypatch.undo()
    assert crawler.stats.get_value(stat.STATE_FAILED) == 1, "the run says its seen-store failed (exit 7)"

    # A run that failed so (exit 7) is one whose file the next run keeps, as README says; one that
    # recorded its end is never carried over.
    _, second = _run(tmp_path)
    assert second.interrupted_output(str(output)) is not None
    second.settle()
    second.engine_stopped()
    _, third = _run(tmp_path)
    assert third.interrupted_output(str(output)) is None
    third.engine_stopped()
    store = SqliteSeenStore(tmp_path / "state" / "seen.sqlite3")
    try:
        assert store.interrupted_runs() == []
    finally:
        store.close()


# --- a whole gzip body followed by a byte or two that are no gzip member ---------------------------


@pytest.mark.parametrize("tail", [b"\n", b" ", b"\r\n\n"], ids=["newline", "space", "blank-lines"])
def test_a_whole_gzip_article_with_a_stray_byte_after_it_is_read_not_failed(tmp_path: Path, tail: bytes) -> None:
    # A page script that prints a line break after its compressed output (text after PHP's `?>`):
    # Scrapy decodes the page whole, as browsers do, and it was read before the round. The check
    # that the stream ended took the lone byte for the start of a second gzip member cut short, and
    # the article failed as data-loss on every run. (A byte zlib can reject, `<`, was let through.)
    from tests.test_network_probes_round9 import ARTICLE_URL, SEED_PAGE, _decompress
    from tests.test_spiders_unit import make_spider

    from crawler.spiders.article import ArticleSpider

    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    page = SEED_PAGE.read_bytes()
    response = _decompress(spider, request, gzip.compress(page) + tail, "gzip")
    assert response.body == page and "dataloss" not in response.flags
    assert [article.articleId for article in spider.parse_article(response)] == ["124022800873"]
    # A second member cut short is still a body cut short, however little of it arrived.
    from crawler.middlewares import stream_ended

    assert not stream_ended(gzip.compress(page) + b"\x1f", b"gzip") and not stream_ended(gzip.compress(page) + b"\x1f\x8b\x08", b"gzip")


# --- 206 retries counted under one name -----------------------------------------------------------


def test_partial_answers_are_counted_under_one_retry_reason_whatever_their_range(tmp_path: Path) -> None:
    # Scrapy counts each retry under `retry/reason_count/<reason>`. The reason named the answer's
    # Content-Range, which differs with every page's length: a stat per article in the stats dump
    # at the end of the run, and in every stats collector that keeps them.
    from scrapy.http import HtmlResponse

    from tests.test_network_probes_round9 import ARTICLE_URL, _call
    from tests.test_spiders_unit import make_spider

    from crawler.middlewares import PartialContentMiddleware
    from crawler.spiders.article import ArticleSpider

    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = PartialContentMiddleware.from_crawler(spider.crawler)
    for number, length in enumerate((10_000, 20_000, 30_000)):
        request = spider.article_request(ARTICLE_URL.replace("124022800873", f"12402280087{number}"))
        partial = HtmlResponse(request.url, status=206, headers={"Content-Range": f"bytes 0-4999/{length}"}, body=b"<html>", request=request)
        _call(middleware, "process_response", request, partial, spider=spider)
    reasons = {key: value for key, value in spider.crawler.stats.get_stats().items() if key.startswith("retry/reason_count/")}
    assert reasons == {"retry/reason_count/206 Partial Content": 3}
