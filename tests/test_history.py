"""The run history: records of finished, failed and killed runs, and ``scrapy runs``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import uuid
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.commands.runs import since_time, table
from crawler.monitoring.history import KILLED, RunHistory, spider_arguments, status_words
from tests.e2e import scrapy
from tests.monitoring_runs import ten_runs
from tests.test_redis import redis_url  # noqa: F401 (the fixture: a real Redis)


def record(started: str, spider: str = "latest", status: int | None = 0, **extra: Any) -> dict[str, Any]:
    return {"run_id": f"{spider}-{started}", "started": started, "spider": spider, "status": status,
            "status_words": status_words(status), **extra}


def test_records_filter_and_skip_a_cut_line(tmp_path: Path) -> None:
    history = RunHistory(tmp_path)
    history.append(record("2026-11-01T06:00:00+00:00"))
    history.append(record("2026-11-02T06:00:00+00:00", spider="archive", status=4))
    history.append(record("2026-11-03T06:00:00+00:00"))
    with open(history.path, "ab") as handle:
        handle.write(b'{"started": "2026-11-04T06:0')  # a disk that filled up mid-line
    assert [r["started"][:10] for r in history.records()] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert [r["spider"] for r in history.records(spider="archive")] == ["archive"]
    since = datetime(2026, 11, 2, tzinfo=timezone.utc)
    assert [r["started"][:10] for r in history.records(since=since)] == ["2026-11-02", "2026-11-03"]


def test_a_dead_process_marker_becomes_a_killed_record_and_a_live_one_stays(tmp_path: Path) -> None:
    history = RunHistory(tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    history.write_marker({**record("2026-11-01T06:00:00+00:00", status=None), "run_id": "dead", "host": host,
                          "pid": gone.pid, "counts": {"emitted": 7}, "checkpoint": "2026-11-01T06:05:00+00:00"})
    history.write_marker({**record("2026-11-01T07:00:00+00:00", status=None), "run_id": "alive", "host": host,
                          "pid": os.getpid()})
    history.write_marker({**record("2026-11-01T08:00:00+00:00", status=None), "run_id": "elsewhere",
                          "host": host + "-other", "pid": gone.pid})
    killed = history.record_killed_runs()
    assert [k["run_id"] for k in killed] == ["dead"]
    [kept] = history.records()
    assert kept["status"] is None and kept["status_words"] == KILLED
    assert kept["finished"] == "2026-11-01T06:05:00+00:00" and kept["counts"] == {"emitted": 7}
    assert sorted(p.stem for p in history.running.glob("*.json")) == ["alive", "elsewhere"]
    assert history.record_killed_runs() == [], "recorded once"


def test_spider_arguments_from_the_command_line() -> None:
    argv = ["scrapy", "crawl", "archive", "-a", "since=2026-01-01", "-aUntil=2026-02-01", "-s", "X=1", "-a", "_job=abc"]
    assert spider_arguments(argv) == {"since": "2026-01-01", "Until": "2026-02-01"}


def test_since_accepts_dates_times_and_spans() -> None:
    now = datetime(2026, 11, 10, 12, tzinfo=timezone.utc)
    assert since_time("7d", now) == datetime(2026, 11, 3, 12, tzinfo=timezone.utc)
    assert since_time("12h", now) == datetime(2026, 11, 10, 0, tzinfo=timezone.utc)
    assert since_time("2026-11-01") == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert since_time("2026-11-01T06:30+05:30") == datetime(2026, 11, 1, 1, tzinfo=timezone.utc)


def test_table_shows_the_status_in_words_and_the_reason_of_failures() -> None:
    text = table([
        record("2026-11-02T06:00:00+00:00", status=4, reason="30 of 30 responses were block pages", duration_s=65,
               counts={"new": 0, "updated": 0, "emitted": 0, "blocked": 30, "failed": 0}),
        record("2026-11-01T06:00:00+00:00", status=0, reason="ok", duration_s=3725,
               counts={"new": 12, "updated": 1, "emitted": 13, "blocked": 0, "failed": 0}),
    ])
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["started", "(UTC)", "spider", "status"]
    assert "blocked" in lines[1] and "30 of 30 responses were block pages" in lines[1] and "1m05s" in lines[1]
    assert "ok" in lines[2] and "1h02m" in lines[2] and lines[2].rstrip().endswith("0")



@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ten_runs(tmp_path_factory.mktemp("ten-runs")).workdir


@pytest.mark.long
@pytest.mark.xdist_group("ten-runs")
def test_ten_runs_are_recorded_newest_first_with_their_status(runs_dir: Path) -> None:
    done = scrapy(runs_dir, "runs", "--json", "-n", "0")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 10
    oldest_first = records[::-1]
    assert [r["status_words"] for r in oldest_first] == [
        "ok", "ok", "ok", "blocked", "ok", "killed", "extraction failed", "ok", "ok", "ok",
    ]
    first, blocked, killed, redesign = oldest_first[0], oldest_first[3], oldest_first[5], oldest_first[6]
    assert first["counts"]["new"] == first["counts"]["emitted"] > 50
    assert first["coverage"]["authors"] >= 0.8 and first["layouts"]
    assert first["versions"]["scrapy"] and first["finish_reason"] == "finished"
    assert first["summary"].startswith("Run summary: new=") and first["summary"].endswith("exit=0 (ok)")
    assert blocked["status"] == 4 and blocked["counts"]["blocked"] > 0 and "block pages" in blocked["reason"]
    assert killed["status"] is None and killed["pid"] and "killed" in killed["reason"]
    assert redesign["status"] == 5 and "authors" in redesign["reason"]
    assert redesign["coverage"]["authors"] < 0.8 <= oldest_first[7]["coverage"]["authors"]
    assert all(r["finished"] >= r["started"] for r in records)
    assert not list((runs_dir / ".state" / "running").glob("*.json")), "no marker left behind"


@pytest.mark.long
@pytest.mark.xdist_group("ten-runs")
def test_runs_table_and_filters(runs_dir: Path) -> None:
    done = scrapy(runs_dir, "runs")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 11 and lines[0].startswith("started")
    assert [line.split()[3] for line in lines[1:]][:5] == ["ok", "ok", "ok", "extraction", "killed"]
    assert "field coverage too low" in lines[4] and "authors" in lines[4]
    assert len(scrapy(runs_dir, "runs", "-n", "3").stdout.splitlines()) == 4
    assert scrapy(runs_dir, "runs", "--spider", "archive").stdout.startswith("no runs recorded")
    assert scrapy(runs_dir, "runs", "--since", "2999-01-01").stdout.startswith("no runs recorded")
    assert scrapy(runs_dir, "runs", "--since", "yesterday-ish").returncode == 2


@pytest.mark.long
def test_distributed_runs_are_recorded_in_redis(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    from tests.e2e import crawl
    from tests.loopback.site import LoopbackSite

    prefix = f"t{uuid.uuid4().hex[:10]}"
    shared = {"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix}
    try:
        with LoopbackSite(articles=30, seed=13) as site:
            for worker in ("w1", "w2"):
                settings = {**shared, "BS_BASE_URL": site.base_url, "BS_WORKER_NAME": worker, "BS_REDIS_IDLE_SECONDS": "1"}
                result = crawl("latest", tmp_path / worker, settings=settings)
                assert result.status == 0, result.log[-3000:]
        elsewhere = tmp_path / "laptop"  # no state dir of its own: everything comes from Redis
        elsewhere.mkdir()
        done = scrapy(elsewhere, "runs", "--json", *(a for k, v in shared.items() for a in ("-s", f"{k}={v}")))
        assert done.returncode == 0, done.stderr
        records = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(r["worker"], r["status_words"]) for r in records] == [("w2", "ok"), ("w1", "ok")]
        assert records[1]["counts"]["emitted"] > 0 and records[0]["counts"]["emitted"] == 0, "w2 found everything seen"
        # Each worker also keeps its own records in its state dir.
        assert len(RunHistory(tmp_path / "w1" / ".state").records()) == 1
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
