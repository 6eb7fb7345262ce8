"""A reviewer's probes of round 17's interrupted runs and run history: a forced stop while the run's end
is being written, and the run history of distributed runs with a record its run could not add itself."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.history import IN_REDIS, KILLED, UNWRITTEN, RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import _wait_for, command, env, records, run
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=17) as running:
        yield running


# --- forced to stop while its feed is being stored ------------------------------------------------
# Before: the record written as the reactor stops was skipped once the spider had closed (meant for a
# run whose verdict extension is off), but the verdict judges a run only once its feeds are stored: a
# second Ctrl-C or SIGTERM during a slow upload at the end (S3, FTP; where a run waits longest once
# told to stop) left no record, and the run showed as `killed`, recorded so by the next run with the
# figures of its last checkpoint (none in a short run).


@pytest.mark.parametrize("first, second", [(signal.SIGINT, signal.SIGINT), (signal.SIGTERM, signal.SIGTERM)])
def test_a_run_forced_to_stop_while_its_feed_is_stored_records_itself(
    tmp_path: Path, site: LoopbackSite, first: signal.Signals, second: signal.Signals
) -> None:
    remote, state, log = tmp_path / "remote", tmp_path / "state", tmp_path / "run1.log"
    remote.mkdir()
    words = command(site, tmp_path / "unused.jsonl", state, "-s", 'FEED_STORAGES={"slow": "tests.remote_storage.SlowFolderFeedStorage"}')
    words[words.index("-O") + 1] = f"slow://{remote / 'out.jsonl'}"
    with open(log, "w") as stderr:
        process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
        try:
            _wait_for(lambda: (remote / "UPLOADING").exists(), process, "the upload")
            process.send_signal(first)
            _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
            process.send_signal(second)
            # The upload ends only after Scrapy took the second signal and told the reactor to stop.
            # (The forced stop may end the process before the upload does.)
            deadline = time.monotonic() + 60
            while "forcing unclean shutdown" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.5)
            (remote / "RELEASE").touch()
            status = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    assert status == 1 and "Traceback" not in text, text[-3000:]
    shown = RunHistory(state).records_with_killed()[-1]  # as `scrapy runs` shows it before another run
    assert shown["status"] == 1 and shown["status_words"] != KILLED, shown.get("reason")
    # (Scrapy's graceful stop may end the crawl during the upload before the second signal is taken:
    # then the record says the run was told to stop once; either way it names the signal.)
    assert "Ctrl-C or SIGTERM" in shown["reason"] and "no Ctrl-C" not in shown["reason"], shown["reason"]
    assert shown["counts"]["responses"] > 0

    then = run(tmp_path, command(site, tmp_path / "run2.jsonl", state))
    assert "was killed before its end" not in then.stderr
    older, newer = records(state)[-2:]
    assert older["run_id"] == shown["run_id"] and newer["run_id"] != older["run_id"]


# --- a distributed run's record kept in its marker, already in Redis ------------------------------
# Before: `scrapy runs` and `scrapy report` of a distributed run read Redis and this host's markers of
# runs gone; a run that could not add its record to the file at its end (a full disk) but did to Redis
# left its record in its marker too, and was shown twice, in Redis and from the marker, until the next
# run. Now a marker whose record Redis has is not shown again; one Redis lacks (Redis was lost at the
# end too) still is, once.


@pytest.mark.parametrize("in_redis", [True, False])
def test_a_distributed_runs_record_waiting_in_its_marker_is_shown_once(
    tmp_path: Path, redis_url: str, prefix: str, in_redis: bool  # noqa: F811
) -> None:
    from scrapy.settings import Settings

    from crawler.monitoring.history import RedisRunHistory

    state = tmp_path / "state"
    settings = Settings({"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_STATE_DIR": str(state)})
    store = RedisRunHistory(settings)
    try:
        earlier = {"run_id": "latest-earlier", "spider": "latest", "started": "2026-12-01T10:00:00+00:00",
                   "finished": "2026-12-01T10:01:00+00:00", "status": 0}
        ended = {"run_id": "latest-ended", "spider": "latest", "started": "2026-12-01T11:00:00+00:00",
                 "finished": "2026-12-01T11:01:00+00:00", "status": 4, "host": socket.gethostname()}
        store.append(earlier)
        if in_redis:
            store.append(ended)
        gone = subprocess.Popen(["true"])
        gone.wait()
        RunHistory(state).write_marker({**ended, "pid": gone.pid, UNWRITTEN: True, IN_REDIS: in_redis})
        shown = [r["run_id"] for r in store.records_with_killed()]
        assert shown == ["latest-earlier", "latest-ended"]
        assert store.records_with_killed(last=1)[0]["status"] == 4
    finally:
        store.close()
    assert os.path.exists(RunHistory(state).marker("latest-ended"))


# --- the wall clock set back while a run goes on ---------------------------------------------------
# Before: the runs recorded after a clock set back were moved on by how far it went back, the run during
# which it went back included, though that one's start was on the clock before: moved on too, it stayed
# the latest (`scrapy runs -n 1`), ahead of every run since, for as long as the clock was behind.


def _record(run_id: str, started: str, finished: str, status: int) -> dict[str, object]:
    return {"run_id": run_id, "spider": "latest", "started": f"2026-12-01T{started}:00+00:00",
            "finished": f"2026-12-01T{finished}:00+00:00", "status": status}


@pytest.mark.parametrize("back_to", ["00:40", "11:00"])
def test_the_run_during_which_the_clock_went_back_is_not_the_latest_after_the_runs_since(tmp_path: Path, back_to: str) -> None:
    history = RunHistory(tmp_path / ".state")
    history.append(_record("before", "12:00", "12:01", 0))
    history.append(_record("during", "12:10", back_to, 0))  # started on the old clock, ended on the new
    later = f"{int(back_to[:2]):02d}:{int(back_to[3:]) + 10:02d}"
    history.append(_record("since", later, later, 4))
    assert [r["run_id"] for r in history.records()] == ["before", "during", "since"]
    assert [r["run_id"] for r in history.records(last=1)] == ["since"]
