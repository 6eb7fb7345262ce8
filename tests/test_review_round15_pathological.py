"""Second look at the bounded-time decoding of compressed answers, thousands of open comments in a
feed, numbers and nesting past Python's limits: whole answers still judged whole, and what the
bounded walks read is what the recursive ones read."""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.middlewares import DATALOSS_FLAG, WholeStreamHttpCompressionMiddleware, stream_ended
from crawler.reextract.sources import StoredResponse, read_cache_entry
from crawler.spiders.article import ArticleSpider
from tests.test_network_probes_round9 import ARTICLE_URL, SEED_PAGE, _call
from tests.test_spiders_unit import make_spider

_BOUND = 64 * 1024  # what one call of Scrapy's inflate, and of the stream check, hands back at most


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


_SHORT_PAGE = b"<!DOCTYPE html><html><head><title>Markets</title></head><body><p>Sensex ends higher</p></body></html>"


def _raw_deflated_pages_ending_in_a_match_across_the_bound() -> list[bytes]:
    """Raw deflate bodies whose last bytes zlib still holds once every input byte is taken and 64 KB
    are out: a page with blank padding after ``</html>`` (as templates leave), the padding one run
    of matches, the last crossing the bound in the block's last byte."""
    found = []
    for size in range(_BOUND - 300, _BOUND + 300):
        body = _raw_deflate(_SHORT_PAGE + b" " * (size - len(_SHORT_PAGE)))
        reader = zlib.decompressobj(-15)
        reader.decompress(body, _BOUND)
        if not reader.unconsumed_tail and not reader.eof:
            found.append(body)
    assert found, "no padding puts the stream's last match across the bound"
    return found


def test_a_whole_raw_deflate_answer_whose_last_match_spans_the_bound_is_judged_whole(tmp_path: Path) -> None:
    # Fed a few KB at a time, the check stopped when the input was all taken, with output zlib still
    # held: a raw deflate stream (IIS and others send deflate so; no trailer follows its last block)
    # was judged cut, and the article given up as data-loss at every run, its bytes whole.
    cases = _raw_deflated_pages_ending_in_a_match_across_the_bound()
    for body in cases:
        assert stream_ended(body, b"deflate")
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    body = cases[0]
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=body, headers={"Content-Encoding": "deflate"}, request=request)
    decoded = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(decoded, HtmlResponse) and DATALOSS_FLAG not in decoded.flags


def test_a_stored_splash_answer_nested_past_the_decoders_depth_is_a_record_not_a_traceback(tmp_path: Path) -> None:
    # A JSON answer nested deeper than the decoder goes is skipped as not HTML by a crawl; stored in
    # the cache at Splash's /execute, its RecursionError came out of the cache reader (a traceback
    # ending the reextract run, where a damaged entry is one line).
    url = "http://127.0.0.1:8050/execute"
    body = b'{"html": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    entry = tmp_path / ("0" * 40)
    entry.mkdir()
    meta = {"url": url, "method": "POST", "status": 200, "response_url": url, "timestamp": 1_700_000_000.0}
    (entry / "pickled_meta").write_bytes(pickle.dumps(meta))
    (entry / "response_headers").write_bytes(b"Content-Type: application/json\r\n")
    (entry / "response_body").write_bytes(body)
    (entry / "request_headers").write_bytes(b"")
    (entry / "request_body").write_bytes(b"")
    record = read_cache_entry(entry)
    assert isinstance(record, StoredResponse) and record.url == url and record.body == body
