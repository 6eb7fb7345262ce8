"""Monitoring over months, round 21: a run history of half a year read by `scrapy runs` and `scrapy report`."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.history import RUNS_FILE, RedisRunHistory, RunHistory

# --- half a year of cron runs: `scrapy runs -n 1` held every record of the history ----------------------
# Before: the commands read the history through records_with_killed (the history and this host's killed
# runs), which unpacked every record into one tuple before choosing the last ones: `scrapy runs -n 1` on
# 52,560 records (every 5 minutes for half a year, 153 MB) peaked at 765 MB, `scrapy report` at 793 MB,
# growing with every run, where the README promises memory bounded by the runs shown.

START = datetime(2026, 6, 1, tzinfo=timezone.utc)
# The ~45 numeric stats a `latest` run's record keeps, and then some: 3 KB a line, as a real one.
STATS = {f"downloader/response_status_count/{n}": n for n in range(60)}


def _record(i: int, spider: str = "latest") -> dict[str, Any]:
    started = START + timedelta(minutes=5 * i)
    return {
        "run_id": f"r{i}",
        "spider": spider,
        "started": started.isoformat(timespec="seconds"),
        "finished": (started + timedelta(seconds=40)).isoformat(timespec="seconds"),
        "status": 0,
        "stats": STATS,
        "counts": {"new": i},
    }


def _write_history(path: Path, runs: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for i in range(runs):
            handle.write(json.dumps(_record(i), sort_keys=True) + "\n")


def _peak(read: Any) -> tuple[list[dict[str, Any]], int]:
    tracemalloc.start()
    try:
        records = read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return records, peak


@pytest.mark.parametrize("per_spider", [False, True])
def test_the_commands_read_a_long_history_and_its_killed_runs_in_bounded_memory(tmp_path: Path, per_spider: bool) -> None:
    path = tmp_path / RUNS_FILE
    _write_history(path, 3000)
    history = RunHistory(tmp_path)
    # A run killed on this host since: its marker, which the commands show as the latest run.
    killed = {**_record(3000), "host": __import__("socket").gethostname(), "pid": 2**22 + 12345, "checkpoint": _record(3000)["finished"]}
    history.running.mkdir()
    history.marker("r3000").write_text(json.dumps(killed))
    records, peak = _peak(lambda: history.records_with_killed(last=3, per_spider=per_spider))
    assert [r["run_id"] for r in records] == ["r2998", "r2999", "r3000"]
    assert records[-1]["status_words"] == "killed"
    # Every record held at once is more than twice the file; three of them, a few KB.
    assert peak < path.stat().st_size / 4, (peak, path.stat().st_size)


class _Records:
    """A Redis client holding ``count`` run records in one list, each made as it is asked for."""

    def __init__(self, count: int) -> None:
        self.count = count

    def llen(self, key: str) -> int:
        return self.count

    def lrange(self, key: str, start: int, end: int) -> Iterator[bytes]:
        return (json.dumps(_record(i), sort_keys=True).encode() for i in range(start, min(end, self.count - 1) + 1))


def test_the_commands_read_a_long_redis_history_in_bounded_memory(tmp_path: Path) -> None:
    history = RedisRunHistory.__new__(RedisRunHistory)
    history.client = _Records(3000)  # type: ignore[assignment]
    history.key, history.where, history.kept, history.here = "bs:runs", "Redis (bs:runs)", 50000, RunHistory(tmp_path)
    records, peak = _peak(lambda: history.records_with_killed(last=2))
    assert [r["run_id"] for r in records] == ["r2998", "r2999"]
    size = sum(len(json.dumps(_record(i))) for i in range(3000))
    assert peak < size / 4, (peak, size)
