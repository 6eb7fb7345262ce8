"""Review of round 10's run-time changes: distributed checks, commands and discovery, on a real Redis where needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import crawl, scrapy
from tests.loopback.site import LoopbackSite
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)
from tests.test_services_probes_round10 import own_redis  # noqa: F401 (a Redis of this module's own, to make evicting)


@pytest.fixture
def evicting_redis(own_redis: str) -> Iterator[tuple[str, object]]:  # noqa: F811
    import redis

    redis_url = own_redis
    client = redis.Redis.from_url(redis_url)
    before = {name: client.config_get(name)[name] for name in ("maxmemory", "maxmemory-policy")}
    try:
        yield redis_url, client
    finally:
        for name, value in before.items():
            client.config_set(name, value)
        client.close()


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-ttl", "volatile-random", "volatile-lfu"])
def test_a_volatile_policy_is_refused_for_what_it_evicts_not_for_the_seen_store(
    evicting_redis: tuple[str, object], prefix: str, policy: str  # noqa: F811
) -> None:
    # A volatile-* policy (the default of several hosted Redis services) evicts only keys with an
    # expiry; the refusal said the seen-store, which has none, would be lost.
    from scrapy.settings import Settings

    from crawler.distributed import redis_problem

    url, client = evicting_redis
    client.config_set("maxmemory", "512mb")  # type: ignore[attr-defined]
    client.config_set("maxmemory-policy", policy)  # type: ignore[attr-defined]
    problem = redis_problem(Settings({"REDIS_URL": url, "BS_REDIS_PREFIX": prefix}), run=True)
    assert problem is not None and f"evicts keys when it is full (maxmemory-policy {policy})" in problem
    assert "seen-store" not in problem
    assert "claims" in problem and "expiry" in problem


def test_an_allkeys_policy_still_names_the_seen_store(evicting_redis: tuple[str, object], prefix: str) -> None:  # noqa: F811
    from scrapy.settings import Settings

    from crawler.distributed import redis_problem

    url, client = evicting_redis
    client.config_set("maxmemory", "512mb")  # type: ignore[attr-defined]
    client.config_set("maxmemory-policy", "allkeys-lru")  # type: ignore[attr-defined]
    problem = redis_problem(Settings({"REDIS_URL": url, "BS_REDIS_PREFIX": prefix}), run=True)
    assert problem is not None and "the seen-store and the claims would be lost" in problem


# --- -s values Scrapy documents -------------------------------------------------------------------------------


def test_a_negative_feed_indent_scrapy_documents_is_taken() -> None:
    # Scrapy: "An indent level of 0 (the default), or negative, will put each item on a new line";
    # -s FEED_EXPORT_INDENT=-1 was refused as "must not be negative", by crawl and every other command.
    from scrapy.settings import Settings

    from crawler.commands.crawl import setting_problems

    settings = Settings()
    settings.set("FEED_EXPORT_INDENT", "-1", priority="cmdline")
    assert setting_problems({"FEED_EXPORT_INDENT": "-1"}, {"FEED_EXPORT_INDENT": 0}, settings) == {}
    # Still refused: what Scrapy cannot read at all.
    settings.set("FEED_EXPORT_INDENT", "None", priority="cmdline")
    assert "is not a whole number" in setting_problems({"FEED_EXPORT_INDENT": "None"}, {"FEED_EXPORT_INDENT": 0}, settings)["FEED_EXPORT_INDENT"]


def test_a_command_takes_the_negative_feed_indent(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "-n", "1", "-s", "FEED_EXPORT_INDENT=-1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "error:" not in done.stderr


def test_a_crawl_with_a_negative_feed_indent_writes_one_item_a_line(tmp_path: Path) -> None:
    with LoopbackSite(articles=12, seed=5) as site:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "FEED_EXPORT_INDENT": "-1"}, timeout=120)
    assert result.status == 0, result.log[-3000:]
    assert result.items


# --- stored responses that carry no body ------------------------------------------------------------------------


def _warc_without_bodies(path: Path) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        for status, url in (("304 Not Modified", "a-124100600001_1"), ("204 No Content", "b-124100600002_1")):
            # A 304 (a revalidated page) and a 204 may name the page's length with no body to go with it.
            http = StatusAndHeaders(status, [("Content-Type", "text/html"), ("Content-Length", "51234")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://www.business-standard.com/markets/news/{url}.html", "response", payload=BytesIO(b""),
                http_headers=http, warc_headers_dict={"WARC-Date": "2024-10-06T10:12:30Z"},
            )
            writer.write_record(record)


def test_a_stored_answer_without_a_body_is_skipped_for_its_status_not_as_cut_short(tmp_path: Path) -> None:
    # Their Content-Length is the page's, never sent: skipped as "truncated" (a WARNING saying the
    # archive held a cut page, stat bs/reextract/skipped/truncated) for what is an http-304.
    from crawler.reextract.sources import StoredResponse, iter_warc

    path = tmp_path / "nobody.warc"
    _warc_without_bodies(path)
    records = list(iter_warc(path))
    assert [type(r).__name__ for r in records] == ["StoredResponse", "StoredResponse"], records
    assert [r.status for r in records if isinstance(r, StoredResponse)] == [304, 204]


def test_a_cache_entry_of_a_304_or_a_head_request_is_no_broken_file(tmp_path: Path) -> None:
    import pickle

    from crawler.reextract.sources import StoredResponse, read_cache_entry

    for name, status, method in (("e304", 304, "GET"), ("ehead", 200, "HEAD")):
        entry = tmp_path / name
        entry.mkdir()
        meta = {"url": "https://www.business-standard.com/markets/news/a-124100600001_1.html", "method": method,
                "status": status, "response_url": "https://www.business-standard.com/markets/news/a-124100600001_1.html",
                "timestamp": 1728209550.0}
        (entry / "meta").write_text(repr(meta))
        (entry / "pickled_meta").write_bytes(pickle.dumps(meta, protocol=4))
        (entry / "response_headers").write_bytes(b"Content-Type: text/html\r\nContent-Length: 51234\r\n")
        (entry / "response_body").write_bytes(b"")
        record = read_cache_entry(entry)
        assert isinstance(record, StoredResponse), record
        assert record.status == status
