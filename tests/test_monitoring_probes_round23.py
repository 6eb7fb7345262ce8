"""Monitoring over years, round 23: the local run history is rotated at ``BS_RUN_HISTORY_MAX_BYTES`` and read whole."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.history import ROTATED_SUFFIX, RUNS_FILE, RunHistory
from crawler.monitoring.verdict import EXIT_OK
from tests.e2e import crawl, scrapy
from tests.loopback.site import LoopbackSite
from tests.test_monitoring_probes_round21 import _record

# Before: `<BS_STATE_DIR>/runs.jsonl` grew by a record of ~3 KB at every run, for ever (a `latest` run every
# 5 minutes: ~300 MB a year), while the Redis history kept its last BS_REDIS_RUNS_KEPT. Now, once the file
# reaches BS_RUN_HISTORY_MAX_BYTES, it becomes runs.jsonl.1 (the one before dropped), and every reader reads
# runs.jsonl.1 then runs.jsonl.


def _ids(records: list[dict[str, Any]]) -> list[int]:
    return [int(r["run_id"][1:]) for r in records]


def test_the_history_is_rotated_at_its_size_and_read_across_both_files(tmp_path: Path) -> None:
    record_size = len(json.dumps(_record(0))) + 1
    history = RunHistory(tmp_path, max_bytes=20 * record_size)
    for i in range(95):
        history.append(_record(i))
    current, rotated = tmp_path / RUNS_FILE, tmp_path / (RUNS_FILE + ROTATED_SUFFIX)
    # Rotated every ~20 records: runs.jsonl.1 holds the ~20 before the last few, and no more is on disk.
    assert rotated.stat().st_size >= history.max_bytes
    assert 0 < current.stat().st_size < history.max_bytes
    assert rotated.stat().st_size + current.stat().st_size < 2 * history.max_bytes + record_size * 2
    shown = history.records()
    ids = _ids(shown)
    assert ids == list(range(ids[0], 95)) and ids[0] <= 75, ids  # in order, none twice, the newest kept
    assert _ids(RunHistory(tmp_path).records(last=3)) == [92, 93, 94]
    # Read from a history without the setting (`scrapy runs` reads only): both files too.
    assert _ids(RunHistory(tmp_path).records()) == ids


def test_a_history_that_never_reaches_its_size_is_one_file_as_before(tmp_path: Path) -> None:
    history = RunHistory(tmp_path, max_bytes=10 * 1024 * 1024)
    for i in range(50):
        history.append(_record(i))
    assert not (tmp_path / (RUNS_FILE + ROTATED_SUFFIX)).exists()
    assert _ids(history.records()) == list(range(50))
    unbounded = RunHistory(tmp_path / "off", max_bytes=0)
    for i in range(50):
        unbounded.append(_record(i))
    assert not (tmp_path / "off" / (RUNS_FILE + ROTATED_SUFFIX)).exists()


def test_a_small_run_finds_the_items_of_the_runs_before_it_in_the_rotated_file(tmp_path: Path) -> None:
    # The verdict pools a small run's items with the runs before it: right after a rotation they are all
    # in runs.jsonl.1 (before the rotation existed there was nothing to miss; read from runs.jsonl alone,
    # the first small runs after each rotation were judged on their own few items).
    history = RunHistory(tmp_path, max_bytes=1)  # every record rotates the file
    for i in range(3):
        history.append({**_record(i), "layouts": {"nextjs": 2}, "missing": {"authors": i}})
    assert not (tmp_path / RUNS_FILE).exists()
    found = history.recent_items("latest", 4)
    assert found == [(2, {"authors": 2})]  # only the last: its file is the rotated one, and the one before it gone
    history.max_bytes = 10**9
    history.append({**_record(3), "layouts": {"nextjs": 2}, "missing": {"authors": 3}})
    assert history.recent_items("latest", 4) == [(2, {"authors": 3}), (2, {"authors": 2})]


def _append_many(directory: str, worker: int, count: int, max_bytes: int) -> None:
    history = RunHistory(Path(directory), max_bytes=max_bytes)
    for i in range(count):
        history.append({**_record(i), "run_id": f"w{worker}-{i}"})


def test_runs_ending_together_rotate_the_history_once_and_lose_none_of_the_kept_records(tmp_path: Path) -> None:
    # A run that waited for the lock while another rotated the file holds the moved file: it must append
    # to the new one. Appending to the moved one and rotating again would move the new, near-empty file
    # over the full one (its records gone), which the sizes below tell.
    record_size = len(json.dumps({**_record(0), "run_id": "w0-000"})) + 1
    max_bytes = 30 * record_size
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), w, 60, max_bytes)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    current, rotated = tmp_path / RUNS_FILE, tmp_path / (RUNS_FILE + ROTATED_SUFFIX)
    assert rotated.stat().st_size >= max_bytes, rotated.stat().st_size  # only a full file is ever moved
    lines = rotated.read_bytes().splitlines() + (current.read_bytes().splitlines() if current.exists() else [])
    shown = [json.loads(line)["run_id"] for line in lines]
    assert len(shown) == len(set(shown)) >= 30
    # Each worker's records come in its order, and the kept ones are each worker's last.
    for w in range(4):
        mine = [int(run_id.split("-")[1]) for run_id in shown if run_id.startswith(f"w{w}-")]
        assert mine == list(range(60 - len(mine), 60)), (w, mine)


def test_scrapy_runs_shows_the_runs_of_both_files_and_a_crawl_rotates_the_history(tmp_path: Path) -> None:
    state = tmp_path / ".state"
    state.mkdir()
    (state / (RUNS_FILE + ROTATED_SUFFIX)).write_text("".join(json.dumps(_record(i)) + "\n" for i in range(0, 30)))
    (state / RUNS_FILE).write_text("".join(json.dumps(_record(i)) + "\n" for i in range(30, 40)))
    done = scrapy(tmp_path, "runs", "-n", "0", "--json")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["run_id"] for line in done.stdout.splitlines()] == [f"r{i}" for i in range(39, -1, -1)]
    # A crawl's record past BS_RUN_HISTORY_MAX_BYTES: runs.jsonl (its 10 records and the crawl's) moved over
    # runs.jsonl.1, whose 30 oldest records go.
    with LoopbackSite(articles=3, seed=23) as site:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_RUN_HISTORY_MAX_BYTES": "20000"})
    assert result.status == EXIT_OK, result.log[-2000:]
    assert not (state / RUNS_FILE).exists()
    moved = [json.loads(line) for line in (state / (RUNS_FILE + ROTATED_SUFFIX)).read_text().splitlines()]
    assert [r["run_id"] for r in moved[:10]] == [f"r{i}" for i in range(30, 40)] and moved[-1]["spider"] == "latest"
    done = scrapy(tmp_path, "runs", "-n", "2", "--json")
    assert [json.loads(line)["run_id"] for line in done.stdout.splitlines()][1] == "r39"


@pytest.mark.parametrize(("value", "words"), [("1.5", "whole number"), ("-1", "negative")])
def test_a_wrong_size_is_a_problem(value: str, words: str) -> None:
    from tests.test_monitoring_probes_round9 import problems_of

    problems = problems_of(f"BS_RUN_HISTORY_MAX_BYTES={value}")
    assert words in problems.get("BS_RUN_HISTORY_MAX_BYTES", ""), problems


def test_the_size_without_the_history_is_refused() -> None:
    from crawler.commands.crawl import inert_setting_problem
    from tests.test_settings_probes_round17 import _project_settings

    given = {"BS_RUN_HISTORY": "0", "BS_RUN_HISTORY_MAX_BYTES": "1000"}
    settings, replaced = _project_settings(given)
    problem = inert_setting_problem(given, replaced, settings)
    assert problem is not None and "BS_RUN_HISTORY" in problem
