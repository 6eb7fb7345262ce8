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


# --- a redesign that drops a field, under cron runs that each find a few articles -----------------------
# Before: field coverage was judged from BS_COVERAGE_MIN_ITEMS (5) items of one run on, and never in a run
# with fewer: `latest` every 5 minutes finds a few new articles a run, so a redesign that dropped every
# byline went out as exit 0, "ok", run after run, the heartbeat pinged success, and only the report's
# chart showed it. Now a run with fewer items is judged together with the spider's runs before it, back
# to BS_COVERAGE_MIN_ITEMS items.


def test_a_redesign_fails_the_runs_that_each_find_fewer_items_than_coverage_is_judged_on(tmp_path: Path) -> None:
    from crawler.monitoring.verdict import EXIT_EXTRACTION, EXIT_OK
    from tests.e2e import crawl, history
    from tests.monitoring_runs import RedesignedSite

    with RedesignedSite(articles=40, seed=21) as site:
        settings = {"BS_BASE_URL": site.base_url}
        assert crawl("latest", tmp_path, settings=settings).status == EXIT_OK  # the first run: every article
        site.add_articles(2)
        assert crawl("latest", tmp_path, settings=settings).status == EXIT_OK  # two good items, with the first run's
        statuses = []
        for _ in range(3):
            site.redesigned.update(r.article_id for r in site.add_articles(2))
            result = crawl("latest", tmp_path, settings=settings)
            assert len(result.items) == 2 and not any(item.get("authors") for item in result.items), result.log[-3000:]
            statuses.append(result.status)
    records = history(tmp_path)
    # 2 without a byline, with the 2 good ones and 1 item's share of the 40-odd of the first run: 2 of 5
    # without, below the minimum at once (before: the first run whole, 44 items, "ok"); then 4 of 5, and
    # 5 of 5. Each run's record, line and status say it.
    assert statuses == [EXIT_EXTRACTION, EXIT_EXTRACTION, EXIT_EXTRACTION], [r.get("reason") for r in records]
    assert records[-3]["reason"].endswith("authors 60% < 80% over the last 5 items (2 of this run, 3 of the 2 run(s) before it)")
    assert records[-1]["reason"] == (
        "field coverage too low (a site redesign?): authors 0% < 80% over the last 5 items (2 of this run, 3 of the 2 run(s) before it)"
    )
    assert "exit=5 (field coverage too low" in records[-1]["summary"]


def test_a_small_run_is_judged_with_the_items_of_the_runs_before_it_and_no_further() -> None:
    from crawler import stats as stat
    from crawler.monitoring.verdict import EXIT_EXTRACTION, EXIT_OK
    from tests.test_verdict import PROJECT, emitted

    def judge(stats: dict[str, Any], earlier: tuple[tuple[int, dict[str, int]], ...]) -> tuple[int, str]:
        from scrapy.utils.test import get_crawler

        from crawler.monitoring.verdict import RunVerdictExtension

        extension = RunVerdictExtension(get_crawler(settings_dict=PROJECT))
        extension.earlier_items = earlier
        return extension.verdict(stats, "finished")

    bad = emitted(2, **{stat.missing("authors"): 2})
    assert judge(bad, ()) == (EXIT_OK, "ok")  # nothing before it (the first run): too few to judge
    assert judge(bad, ((2, {}),)) == (EXIT_OK, "ok")  # 4 items in all: still too few
    assert judge(bad, ((2, {}), (1, {}))) == (
        EXIT_EXTRACTION, "field coverage too low (a site redesign?): authors 60% < 80% over the last 5 items (2 of this run, 3 of the 2 run(s) before it)"
    )
    # Runs further back than the minimum are not read into it: the big good run before the two bad ones.
    assert judge(bad, ((3, {"authors": 3}), (100, {})))[0] == EXIT_EXTRACTION
    # Of the oldest run, its share of the window: 5 items, 3 without (before: the 100 whole, 104 items,
    # 3 without, "ok": a big good run outweighed the small runs of a redesign after it).
    assert judge(bad, ((2, {"authors": 1}), (100, {})))[0] == EXIT_EXTRACTION
    # A run with enough items of its own, or none, is judged as before: alone, or not at all.
    assert judge(emitted(5), ((10, {"authors": 10}),)) == (EXIT_OK, "ok")
    assert judge({stat.DISCOVERY_SOURCES_READ: 3, stat.DISCOVERY_UNCHANGED_SKIPPED: 40}, ((10, {"authors": 10}),)) == (EXIT_OK, "ok")


def test_the_items_of_the_runs_before_are_read_from_the_end_of_the_history(tmp_path: Path) -> None:
    import crawler.monitoring.history as history_module

    path = tmp_path / RUNS_FILE
    lines = []
    for i in range(400):
        spider = ("latest", "section", "archive")[i % 3]
        record = {**_record(i, spider), "layouts": {"nextjs-2023": i % 4}, "missing": {"authors": i % 2}}
        lines.append(json.dumps(record))
    lines.insert(-3, '{"spider": "latest", "started": "2026-')  # a line cut by a kill, among the last
    lines.insert(-2, "\x00" * 40)  # blocks a crash zeroed
    path.write_text("\n".join(lines) + "\n")
    history = RunHistory(tmp_path)
    # The latest runs with items (i % 4 > 0), newest first; the ones of no item are passed over.
    assert history.recent_items("latest", 5) == [(3, {"authors": 1}), (1, {"authors": 1}), (2, {"authors": 0})]
    assert history.recent_items("section", 1) == [(1, {"authors": 1})]
    assert history.recent_items("article", 5) == []  # no such run: the whole (bounded) file read
    # Read in blocks of any size, the same lines; a history longer than the bound, only its end.
    everything = [line.encode() for line in reversed(lines) if line.strip()]
    for block in (7, 100, 4096):
        assert list(history_module._lines_backwards(path, 1 << 30, block)) == everything
    tail = list(history_module._lines_backwards(path, 10000, 64))  # some 4 lines of 2 KB
    assert len(tail) >= 3 and tail == everything[: len(tail)] and sum(len(line) + 1 for line in tail) <= 10000
    assert history.recent_items("latest", 10**9)  # bounded: an answer, not the whole file
    assert RunHistory(tmp_path / "none").recent_items("latest", 5) == []


@pytest.mark.parametrize(("settings", "check", "reads"), [({}, False, True), ({"BS_RUN_HISTORY": False}, False, False), ({}, True, False)])
def test_only_a_recorded_run_reads_the_items_of_the_runs_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any], check: bool, reads: bool
) -> None:
    from scrapy.utils.test import get_crawler

    from crawler import stats as stat
    from crawler.monitoring.verdict import RunVerdictExtension
    from tests.test_verdict import PROJECT

    path = tmp_path / RUNS_FILE
    path.write_text(json.dumps({**_record(1), "layouts": {"nextjs-2023": 10}, "missing": {"authors": 10}}) + "\n")
    if check:
        monkeypatch.setenv("SCRAPY_CHECK", "true")  # `scrapy check`: its contracts' sample items are no run
    crawler = get_crawler(settings_dict={**PROJECT, "BS_STATE_DIR": str(tmp_path), **settings})
    extension = RunVerdictExtension(crawler)
    assert crawler.stats is not None
    crawler.stats.set_value(stat.layout("nextjs-2023"), 2)
    assert extension._earlier_items("latest") == (((10, {"authors": 10}),) if reads else ())
