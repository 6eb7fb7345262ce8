"""Runs over time, round 18: a run forced to stop and its cron monitor, a resumed ``JOBDIR`` run's
sources, each run as cron runs it (``scrapy crawl`` in a subprocess against the loopback site)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 - the fixture
from tests.test_interrupt_probes_round17 import _wait_for, command, env

# --- a run forced to stop, and its cron monitor -----------------------------------------------------
# Before: the heartbeat was sent only when the run was judged; a second Ctrl-C or SIGTERM (systemd's
# stop, scrapyd's cancel sent twice) stopped the reactor before that, so the monitor got no ping at all
# (with BS_HEARTBEAT_START it had the start: the run looked still running, then hung, until its grace
# time ran out), though the run recorded itself as forced to stop, exit 1. Now the forced stop pings
# `<url>/fail` with the run's summary line, once.


@pytest.mark.parametrize("first, second", [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGINT)])
@pytest.mark.parametrize("start", [False, True])
def test_a_run_forced_to_stop_pings_its_monitor_fail(
    tmp_path: Path, monitor: Monitor, first: signal.Signals, second: signal.Signals, start: bool  # noqa: F811
) -> None:
    with LoopbackSite(articles=40, seed=18, slow_seconds=30) as slow_site:
        articles = [r.article_id for r in slow_site.articles]
        for article_id in articles[: len(articles) // 2]:
            slow_site.set_fault(article_id, "slow")  # in flight for 30 s: the graceful stop waits for them
        state, output, log = tmp_path / "state", tmp_path / "run1.jsonl", tmp_path / "run1.log"
        words = command(slow_site, output, state, "-s", f"BS_HEARTBEAT_URL={monitor.url}", "-s", f"BS_HEARTBEAT_START={start}")
        with open(log, "w") as stderr:
            process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= 5, process, "5 articles written")
                process.send_signal(first)
                _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
                process.send_signal(second)
                status = process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    text = log.read_text()
    assert status == 1 and "Traceback" not in text, text[-3000:]
    ends = [(path, body) for _, path, body in monitor.pings if not path.endswith("/start")]
    assert [path for path, _ in ends] == ["/ping/0f1e2d3c/fail"], monitor.pings
    assert [path for _, path, _ in monitor.pings].count("/ping/0f1e2d3c/start") == int(start)
    body = ends[0][1]
    assert body.startswith("latest: Run summary:") and "exit=1" in body and "forced to stop" in body, body
    assert "Heartbeat sent to 127.0.0.1" in text
    recorded = RunHistory(state).records()[-1]
    assert recorded["status"] == 1 and "forced" in recorded["reason"]
