"""Round 26 probes of what a cron user reads after a run that ends badly: its summary line, the run history and the exit status agree."""

from __future__ import annotations

import errno
import json
import signal
import subprocess
from pathlib import Path

import pytest

from crawler import settings as project
from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import _wait_for, command, env

BROKEN_CLOSE = json.dumps({**project.EXTENSIONS, "tests.test_operator_probes_round19.BreakTheWaitForTheFeeds": 0})
PORTS = range(16650, 16700)


def _site(articles: int, **kwargs: float) -> LoopbackSite:
    for port in PORTS:
        try:
            return LoopbackSite(articles=articles, seed=26, port=port, **kwargs)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


def _summaries(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Run summary: " in line]


# --- a run that stops before it is judged: forced (a second Ctrl-C or SIGTERM) or an error as it closes ----
# Before: the run history and the cron monitor's ping had its summary line (exit=1, why), but the log had
# none: its last lines were Scrapy's "forcing unclean shutdown" or the close path's ERROR, and under
# --nolog or -L CRITICAL nothing at all was printed, where a failed run prints its summary line on stderr.


@pytest.mark.parametrize("log", [["-s", "LOG_LEVEL=INFO"], ["-s", "LOG_LEVEL=WARNING"], ["--nolog"], ["-L", "CRITICAL"]], ids=["info", "warning", "nolog", "critical"])
def test_a_run_that_stopped_unjudged_ends_with_its_summary_line_as_recorded(tmp_path: Path, log: list[str]) -> None:
    with _site(4) as site:
        words = command(site, tmp_path / "out.jsonl", tmp_path / "state", "-s", f"EXTENSIONS={BROKEN_CLOSE}", *log)
        done = subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-3000:]
    record = RunHistory(tmp_path / "state").records()[-1]
    assert record["status"] == 1 and "stopped before it was judged" in record["reason"], record["reason"]
    lines = _summaries(done.stderr)
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].endswith(record["summary"]) and "exit=1 (the run stopped before it was judged" in lines[0]


def test_a_run_forced_to_stop_ends_its_log_with_its_summary_line_as_recorded(tmp_path: Path) -> None:
    with _site(30, slow_seconds=30) as site:
        for record in site.articles[:10]:
            site.set_fault(record.article_id, "slow")  # in flight for 30 s: the graceful stop waits for them
        output, logged = tmp_path / "out.jsonl", tmp_path / "run.log"
        with open(logged, "w") as stderr:
            process = subprocess.Popen(command(site, output, tmp_path / "state"), cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= 3, process, "3 articles written")
                process.send_signal(signal.SIGTERM)
                _wait_for(lambda: "shutting down gracefully" in logged.read_text(), process, "graceful shutdown")
                process.send_signal(signal.SIGTERM)
                status = process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    text = logged.read_text()
    record = RunHistory(tmp_path / "state").records()[-1]
    assert status == 1 == record["status"] and "forced to stop" in record["reason"], text[-3000:]
    lines = _summaries(text)
    assert len(lines) == 1 and " ERROR: " in lines[0], text[-3000:]
    assert lines[0].endswith(record["summary"]), (lines[0], record["summary"])
    # It is the last thing the run says of itself (after Scrapy's own line on the second signal).
    assert text.index("forcing unclean shutdown") < text.index("Run summary: ")
