"""Review of the stalled-worker pulse, the CSV cut of a killed run's partial article and the JSON-LD
stray-quote repair: what each still got wrong."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from scrapy import Request
from scrapy.settings import Settings

import crawler.distributed.store as store_module
from crawler import stats as stat
from crawler.distributed import connect, run_keys
from crawler.distributed.scheduler import RedisScheduler
from crawler.distributed.store import RedisSeenStore
from crawler.extraction.page import loads_lenient
from crawler.incremental.recovery import csv_header, recover_pending
from crawler.incremental.store import Claim, PendingArticle
from tests.test_recovery_partial_article import csv_row, csv_setup, line, pending
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)
from tests.test_redis_stalled_worker import short_beats, worker  # noqa: F401 (fixtures: a worker of the run, opened)

BEAT = 0.1


# --- the pulse of a run's alive key ---------------------------------------------------------------


def test_a_stores_pulse_stops_marking_its_run_alive_once_redis_is_lost(
    redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    # The store's reactor beat fails once Redis is lost (every call raises at once), so the pulse
    # took the reactor for held up and kept setting the run's alive key from its thread until the
    # worker closed: an alive key another worker deleted when it took the lost worker over came
    # back, and the articles it put back in the queue were dropped as claimed for ALIVE_SECONDS.
    monkeypatch.setattr(store_module, "HEARTBEAT_SECONDS", BEAT)
    store = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "archive:w1")
    client = redis.Redis.from_url(redis_url)
    alive = f"{prefix}:alive:archive:r1"
    try:
        assert store.claim(PendingArticle("124100600076", 0, "h", None, None, "archive:r1"), fresh=False,
                           is_live=lambda run: True) == Claim("new", 1)
        assert client.exists(alive)
        store.mark_lost(RedisConnectionError("connection reset"))
        client.delete(alive)  # another worker took this one over
        time.sleep(10 * BEAT)
        assert not client.exists(alive), "the pulse of a store that lost Redis marked its run alive again"
    finally:
        store.close()
        client.close()


# --- the CSV cut ------------------------------------------------------------------------------------


def test_a_csv_feed_whose_last_row_the_kill_cut_still_loses_the_whole_article_before_it(tmp_path: Path) -> None:
    # Feeds write through a buffer: a kill leaves a CSV file ending in part of a row as often as not.
    # "2" is whole in the CSV file and missing from the JSON lines feed; the cut row after it kept the
    # whole row from being cut ("the last row is cut": nothing was), so the next run wrote "2" twice
    # (and its first row after the torn one).
    body = 'Sensex fell.\nThe "broader" market\nheld.'
    torn = csv_row("3", body)[: csv_row("3", body).index("\n") + 1]  # ends inside the quoted body, after a line break
    assert torn.endswith("\n") and torn.count('"') % 2
    for tail in (torn, csv_row("3")[:-2], csv_row("3")[:-1]):  # inside quotes; no line break; "\r" without "\n"
        for name in ("items.csv", "items.jsonl", "seen.sqlite3"):
            (tmp_path / name).unlink(missing_ok=True)
        store, table, lines = csv_setup(tmp_path, csv_row("1") + csv_row("2", body) + tail, line("1"))
        try:
            pending(store, "1", "2", "3")
            assert recover_pending(store, "latest:next") == (1, 2)
            rows = table.read_bytes().decode()
            assert rows.endswith(csv_row("1")), f"{tail!r}: {rows!r}"
        finally:
            store.close()


# --- the JSON-LD repair -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # A comma missing between two members: no stray quote, and the "repair" swallowed the date
        # (and every member after) into the headline, where the fallbacks read both right.
        '{"headline": "Sensex ends higher" "datePublished": "2024-10-14T10:00:00+05:30"}',
        '{"headline": "Sensex ends higher"\n  "datePublished": "2024-10-14T10:00:00+05:30", "author": "PTI"}',
        '{"@type": "NewsArticle", "headline": "T", "description": "D" "articleBody": "Body"}',
    ],
)
def test_a_missing_comma_between_members_is_not_read_as_stray_quotes(text: str) -> None:
    assert loads_lenient(text) is None


def test_stray_quotes_inside_a_string_are_still_repaired() -> None:
    assert loads_lenient('{"headline": "He said "no" to it", "x": 1}') == {"headline": 'He said "no" to it', "x": 1}
    assert loads_lenient('{"headline": "yes", then left", "b": 1}') == {"headline": 'yes", then left', "b": 1}


@pytest.mark.parametrize(
    "text",
    [
        # Items of a list whose comma is missing: one string of both was a wrong image URL.
        '{"headline": "T", "image": ["https://x/a.jpg" "https://x/b.jpg"]}',
        '{"headline": "T", "keywords": ["Sensex"\n "Nifty"]}',
    ],
)
def test_a_missing_comma_between_list_items_is_not_read_as_stray_quotes(text: str) -> None:
    assert loads_lenient(text) is None


def test_a_stray_quote_at_the_end_of_a_string_is_still_repaired() -> None:
    assert loads_lenient('{"headline": "Watch "Sensex"", "x": 1}') == {"headline": 'Watch "Sensex"', "x": 1}


def test_a_csv_feed_written_with_a_bom_is_read_by_its_header(tmp_path: Path) -> None:
    # FEED_EXPORT_ENCODING=utf-8-sig (for Excel) starts the file with a BOM, which recovery read into
    # the first column's name: no row had an "articleId", so every article of the killed run counted as
    # missing from the CSV file, was cut off the JSON lines file and emitted again, twice in the CSV one.
    store, table, lines = csv_setup(tmp_path, csv_row("1") + csv_row("2"), line("1") + line("2"))
    table.write_bytes(b"\xef\xbb\xbf" + table.read_bytes())
    try:
        pending(store, "1", "2")
        assert recover_pending(store, "latest:next") == (2, 0)
        assert lines.read_text(encoding="utf-8") == line("1") + line("2")
        assert csv_header(str(table)) == ["articleId", "version", "headline"]
    finally:
        store.close()


# --- a gone worker's requests that cannot be read back ---------------------------------------------


@pytest.mark.parametrize("request_class", ["crawler.gone.RenamedRequest", "crawler.distributed.scheduler.RenamedRequest"])
def test_a_gone_workers_request_of_a_class_this_version_lacks_is_dropped_not_the_beat(
    worker: RedisScheduler, redis_url: str, prefix: str, request_class: str,  # noqa: F811
) -> None:
    # Another version's request class (renamed, or a plugin's this worker lacks) failed to load with
    # ImportError or NameError, which the decode left through: the heartbeat's LoopingCall died
    # (the pulse then stood in for it for ten minutes), and the requests after it were lost.
    client = redis.Redis.from_url(redis_url)
    keys = run_keys(prefix, "archive")
    good = Request("http://127.0.0.1/article/markets/news/sensex-124101400008_1.html", callback=worker.spider.parse_article)  # type: ignore[union-attr]
    readable = worker.queue._encode_request(good)
    other_class = json.loads(readable)
    other_class["_class"] = request_class
    try:
        client.zadd(keys.workers, {"w9": int(client.time()[0]) - 60})
        client.hset(keys.inflight("w9"), mapping={"1": json.dumps(other_class), "2": readable})
        client.sadd(keys.inflight_owners, "w9")
        assert worker._adopt_gone(own=False) == (0, 1)
        assert worker.queue.pop().url == good.url
        assert worker.crawler.stats.get_value(stat.REDIS_REQUEUE_UNREADABLE) == 1
    finally:
        client.close()
