"""Review of round 18's runs over time: the good runs the new guards must leave alone (a stale or foreign
run marker and the run lock, a heartbeat on a normal or graceful end, a JOBDIR run fresh or resumed)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.liveness import process_start
from crawler.monitoring.history import RUNNING_DIR, RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 - the fixture
from tests.test_interrupt_probes_round17 import _wait_for, command, env

# --- the run lock and the markers of runs that are not its holder ---------------------------------------
# The next run is refused (exit 3) only for a live run of this host whose marker names the lock. A marker
# left by a run killed (its PID gone, or reused by another process: a reboot, a container whose PIDs
# repeat), one of another host (a state folder shared over NFS), of another spider's lock, or a run
# with the history off must not keep a good run out.


def _marker(pid: int, **more: Any) -> dict[str, Any]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"run_id": f"latest-20260101T000000-{pid}", "spider": "latest", "arguments": {}, "started": now, "checkpoint": now,
            "host": socket.gethostname(), "pid": pid, "process_start": process_start(pid), "lock": "latest.lock", **more}


@pytest.mark.parametrize("kind", ["dead", "reused-pid", "previous-boot", "other-host", "other-spider", "history-off", "live"])
def test_only_a_live_holders_marker_keeps_the_next_run_out(tmp_path: Path, kind: str) -> None:
    state = tmp_path / "state"
    (state / RUNNING_DIR).mkdir(parents=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        if kind == "dead":
            gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
            marker = _marker(int(gone.stdout))
        elif kind == "reused-pid":
            marker = _marker(sleeper.pid, process_start="1")  # the dead run's start: another process has its PID
        elif kind == "previous-boot":
            # A run started at boot, killed by a power cut: after the next boot another process can have
            # its PID and its start tick (ticks count from boot). Before: refused, exit 3, on every run.
            marker = _marker(sleeper.pid, boot="00000000-0000-4000-8000-000000000000")
        elif kind == "other-host":
            marker = _marker(sleeper.pid, host="another-machine")
        elif kind == "other-spider":
            marker = {**_marker(sleeper.pid), "spider": "section", "lock": "section.lock"}
        else:
            marker = _marker(sleeper.pid)
        (state / RUNNING_DIR / f"{marker['run_id']}.json").write_text(json.dumps(marker))
        extra = ("-s", "BS_RUN_HISTORY=0") if kind == "history-off" else ()
        with LoopbackSite(articles=6, seed=18, days=2, legacy=0) as site:
            done = subprocess.run(command(site, tmp_path / "out.jsonl", state, *extra), cwd=tmp_path, env=env(),
                                  capture_output=True, text=True, timeout=180)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    if kind == "live":
        assert done.returncode == 3 and f"pid {sleeper.pid}" in done.stderr.splitlines()[-1], done.stderr[-2000:]
    else:
        assert done.returncode == 0, done.stderr[-3000:]
        assert len((tmp_path / "out.jsonl").read_bytes().splitlines()) == 6
    if kind == "dead":
        assert RunHistory(state).records()[0]["status_words"] == "killed"  # recorded as before, lock named nowhere
        assert "lock" not in RunHistory(state).records()[0] and "boot" not in RunHistory(state).records()[0]


# --- the heartbeat on ends that are no forced stop ---------------------------------------------------------
# One end ping per run, with the verdict's status: the forced-stop ping must add none to a run that ended
# by itself, at a limit, after one Ctrl-C or SIGTERM (a graceful stop), or with the verdict switched off
# (no judgement: no end ping, as before).


@pytest.mark.parametrize("how", ["finished", "closespider", "one-sigterm", "one-sigint", "verdict-off"])
def test_a_run_that_was_not_forced_gets_its_one_end_ping(tmp_path: Path, monitor: Monitor, how: str) -> None:  # noqa: F811
    state, output, log = tmp_path / "state", tmp_path / "out.jsonl", tmp_path / "run.log"
    extra = ["-s", f"BS_HEARTBEAT_URL={monitor.url}", "-s", "BS_HEARTBEAT_START=1"]
    if how == "closespider":
        extra += ["-s", "CLOSESPIDER_ITEMCOUNT=2", "-s", "CONCURRENT_REQUESTS=1"]
    if how == "verdict-off":
        extra += ["-s", 'EXTENSIONS={"crawler.monitoring.verdict.RunVerdictExtension": null}']
    with LoopbackSite(articles=30, seed=18, days=3, legacy=0, slow_seconds=3) as site:
        if how.startswith("one-"):
            for record in site.articles[:4]:
                site.set_fault(record.article_id, "slow")  # in flight when the signal comes: the stop waits
        with open(log, "w") as stderr:
            process = subprocess.Popen(command(site, output, state, *extra), cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                if how.startswith("one-"):
                    _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= 2, process, "2 articles")
                    process.send_signal(signal.SIGTERM if how == "one-sigterm" else signal.SIGINT)
                status = process.wait(timeout=120)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    text = log.read_text()
    assert "Traceback" not in text, text[-3000:]
    ends = [(path, body) for _, path, body in monitor.pings if not path.endswith("/start")]
    if how == "verdict-off":
        assert ends == [], monitor.pings
        return
    assert len(ends) == 1, monitor.pings
    path, body = ends[0]
    assert "forced" not in body, body
    assert path == ("/ping/0f1e2d3c" if status == 0 else "/ping/0f1e2d3c/fail"), (status, path, body)
    assert f"exit={status}" in body, body


# --- JOBDIR runs that were not stopped: no source dropped ----------------------------------------------------
# A request is dropped only when an earlier attempt queued it; a fresh JOBDIR run, one whose earlier run
# finished, and a run without JOBDIR read each of their sources, and find every article.


@pytest.mark.parametrize("spider, args", [("latest", ()), ("section", ("-a", "sections=markets/news", "-a", "pages=3")),
                                          ("archive", ("-a", "since=2024-01-01", "-a", "until=2024-03-31"))])
def test_jobdir_runs_not_stopped_drop_no_source(tmp_path: Path, spider: str, args: tuple[str, ...]) -> None:
    jobdir, state = tmp_path / "job", tmp_path / "state"
    with LoopbackSite(articles=60, seed=18, days=400, legacy=0) as site:
        outputs = []
        for name, more in (("nojob", ()), ("fresh", ("-s", f"JOBDIR={jobdir}")), ("again", ("-s", f"JOBDIR={jobdir}"))):
            output = tmp_path / f"{name}.jsonl"
            done = subprocess.run(command(site, output, tmp_path / f"state-{name}", *args, *more, spider=spider),
                                  cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=240)
            assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
            assert "source_requeued" not in done.stderr and "Not requesting" not in done.stderr, done.stderr[-3000:]
            outputs.append(sorted(json.loads(line)["articleId"] for line in output.read_bytes().splitlines()))
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]
    del state


# --- a resumed JOBDIR run, and a source request the stopped attempt had redirected -------------------------
# Before: the scheduler matched an earlier attempt's request by the URL it goes to now. A sitemap or feed
# that answered with a redirect as the run stopped (in flight at the Ctrl-C: its redirect was queued) is
# queued under the URL the redirect names, while the resumed attempt asks for the source by its listed
# URL: both were sent, and the sitemap was fetched twice, whichever came first. Now the request counts as
# the source it was asked for (Scrapy's `redirect_urls`): one of the two is dropped, one INFO line.


@pytest.mark.parametrize("first", ["this-attempt", "queued-request"])
@pytest.mark.parametrize("target", ["/sitemap/2024-01.xml/", "/sitemaps/2024/01.xml"])
def test_a_queued_source_request_that_was_redirected_is_the_source_it_was_asked_for(first: str, target: str) -> None:
    from types import SimpleNamespace

    from scrapy import Request

    from crawler.jobdir import JobdirScheduler
    from crawler.visited import ATTEMPT_META, Claim, VisitedSources

    listed = "https://www.business-standard.com/sitemap/2024-01.xml"
    sources = VisitedSources(100)
    scheduler = JobdirScheduler.__new__(JobdirScheduler)
    scheduler.spider = SimpleNamespace(visited_sources=sources)  # type: ignore[assignment]
    scheduler.stats = None
    queued = Request("https://www.business-standard.com" + target, meta={ATTEMPT_META: "the stopped attempt", "redirect_urls": [listed]})
    if first == "this-attempt":
        assert sources.claim(listed) is Claim.NEW
        assert not scheduler._still_wanted(queued)
    else:
        assert scheduler._still_wanted(queued)
        assert sources.claim(listed) is Claim.QUEUED_BEFORE
