"""Round 26 probes of what a cron user reads after a run that ends badly: its summary line, the run history and the exit status agree."""

from __future__ import annotations

import errno
import json
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import settings as project
from crawler import stats as stat
from crawler.monitoring.history import RunHistory, status_words
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_FAILED, EXIT_OK, EXIT_OUTPUT
from tests.e2e import FAST, crawl, history, scrapy, stats_from_log
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


# --- round 25's new ways a run ends, as cron runs them: every line the user reads says the same ---------------
# The process's exit status, the last summary line (or the refusal's `error:` line), the stats dump's
# bs/exit_status, the run's record and `scrapy runs --json`; then the next run, the fault gone, is ok and
# fetches what the failed run did not emit, no more and no less.

FEEDS_OF_NO_FIELD = json.dumps({"a.json": {"format": "json", "fields": []}})
ENDINGS = {
    # name: (fault, what follows `scrapy crawl latest …` in the shell, the exit status)
    "robots-txt-unreachable": ("robots-500", "-O out.jsonl", EXIT_FAILED),
    "robots-txt-unreachable-nolog": ("robots-500", "-O out.jsonl --nolog", EXIT_FAILED),
    "robots-txt-429": ("robots-429", "-O out.jsonl", EXIT_BLOCKED),
    "429-on-every-article": ("articles-429", "-O out.jsonl", EXIT_BLOCKED),
    "feed-refused-before-the-run": (None, f"-s 'FEEDS={FEEDS_OF_NO_FIELD}'", EXIT_OUTPUT),
    "stdout-closed-under-O-": (None, "-O - >&-", EXIT_OUTPUT),
    "O-to-a-reader-that-stops": (None, "-O - | head -c 10 >/dev/null", EXIT_OUTPUT),
}
STORIES = 6  # what `latest` finds on the site of _site(6)
QUICK = {"BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news", "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "1", "BS_RATE_LIMIT_RETRIES": "1"}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_each_new_ending_reads_the_same_everywhere_and_the_next_run_is_ok(tmp_path: Path, ending: str) -> None:
    fault, tail, expected = ENDINGS[ending]
    with _site(6) as site:
        if fault == "robots-500":
            site.set_path_fault("/robots.txt", "500")
        elif fault == "robots-429":
            site.set_path_fault("/robots.txt", "429", argument=1)
        elif fault == "articles-429":
            for record in site.articles:
                site.set_path_fault(record.path, "429", argument=1)
        settings = {**FAST, **QUICK, "BS_BASE_URL": site.base_url}
        words = " ".join(f"-s {shlex.quote(f'{name}={value}')}" for name, value in settings.items())
        # The crawl's own status, not that of the pipe's last command.
        script = f"{shlex.quote(sys.executable)} -m scrapy crawl latest {words} {tail}; echo $((PIPESTATUS[0])) >status"
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
        status = int((tmp_path / "status").read_text())
        site.clear_faults()
        again = crawl("latest", tmp_path, settings=settings)
    assert status == expected, done.stderr[-3000:]
    first, second = history(tmp_path)[-2:]
    assert first["status"] == expected and first["status_words"] == status_words(expected), first["reason"]
    listed = json.loads(scrapy(tmp_path, "runs", "--json", "-n", "2").stdout.splitlines()[1])
    assert (listed["run_id"], listed["status"], listed["reason"]) == (first["run_id"], expected, first["reason"])
    lines = _summaries(done.stderr)
    if first["finish_reason"] == "refused":
        # Refused before anything was fetched: its one `error:` line is the record's reason.
        assert not lines and done.stderr.splitlines()[-1] == f"error: {first['reason']}", done.stderr[-3000:]
    else:
        assert len(lines) == 1 and lines[0].endswith(first["summary"]) and f"exit={expected} (" in lines[0], done.stderr[-3000:]
        if "Dumping Scrapy stats" in done.stderr:
            assert stats_from_log(done.stderr).get(stat.EXIT_STATUS) == expected
    # The next run, the fault gone, is healthy and emits what the failed one did not: nothing left claimed.
    assert again.status == EXIT_OK and second["status"] == EXIT_OK and second["reason"] == "ok", again.log[-3000:]
    emitted = (first.get("counts") or {}).get("emitted", 0)
    assert len(again.items) == len(set(again.ids())) == second["counts"]["emitted"] > 0
    assert second["counts"]["unchanged"] == emitted and emitted + len(again.items) == STORIES, (emitted, again.ids())
