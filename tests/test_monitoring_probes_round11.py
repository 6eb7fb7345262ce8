"""Probes of round 11 on operating the crawler for months: cron monitors that trickle, redirect or want a
password, a run history another process holds or that gets text no UTF-8 can hold, runs that never
opened, failures that come together, and the commands' and report's edges."""

from __future__ import annotations

import base64
import errno
import fcntl
import json
import os
import socket
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler import stats as stat
from crawler.commands.runs import since_time
from crawler.monitoring import heartbeat, history, verdict
from crawler.monitoring.progress import Progress
from tests.e2e import ROOT, crawl, scrapy
from tests.e2e import history as e2e_history
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 (the fixture: a loopback cron monitor)


# --- cron monitors: slow, redirecting, behind a password ---------------------------------------------


class Pings(ThreadingHTTPServer):
    """A monitor on 127.0.0.1 that answers as ``routes`` says: path → (status, headers, trickle seconds)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str, str | None]] = []  # method, path, body, Authorization
        self.routes: dict[str, tuple[int, dict[str, str], float]] = {}
        super().__init__(("127.0.0.1", 0), _PingHandler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _PingHandler(BaseHTTPRequestHandler):
    server: Pings
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        self.server.seen.append((self.command, self.path, body, self.headers.get("Authorization")))
        status, headers, trickle = self.server.routes.get(self.path, (200, {}, 0.0))
        self.send_response(status)
        for name, value in {"Content-Length": "100" if trickle else "2", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if not trickle:
            self.wfile.write(b"OK")
            return
        for _ in range(100):  # one byte at a time: every read of the socket is quick, the answer never ends
            time.sleep(trickle)
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def pings() -> Iterator[Pings]:
    servers: list[Pings] = []

    def start() -> Pings:
        server = Pings()
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    first = start()
    first.start_another = start  # type: ignore[attr-defined]
    yield first
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_monitor_that_trickles_its_answer_holds_a_ping_no_longer_than_its_timeout(pings: Pings) -> None:
    # Each read got its second, the ping as long as the monitor liked: the run's end waited 50 s and more.
    pings.routes["/hc/abc"] = (200, {}, 0.3)
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        heartbeat.send(f"{pings.base}/hc/abc", "latest: Run summary", 1.0, "bs-crawler")
    assert time.monotonic() - began < 3.0


def test_a_ping_url_with_a_user_and_password_sends_them_as_basic_auth_and_logs_only_the_host(pings: Pings) -> None:
    # urllib took "ops:s3cr%40t@127.0.0.1" for the host's name: no ping ever left, and the log line
    # that said so named the password.
    url = pings.base.replace("//", "//ops:s3cr%40t@") + "/hc/abc"
    assert heartbeat.send(url, "latest: ok", 5.0, "bs-crawler") == 200
    [(method, path, body, authorization)] = pings.seen
    assert (method, path, body) == ("POST", "/hc/abc", "latest: ok")
    assert authorization == "Basic " + base64.b64encode(b"ops:s3cr@t").decode()
    assert heartbeat.where(url) == pings.base.split("//")[1]
    assert "s3cr" not in heartbeat.where(url) and "ops" not in heartbeat.where(url)


@pytest.mark.parametrize("status", [307, 308])
def test_a_ping_redirected_with_307_or_308_is_posted_again_with_its_body(pings: Pings, status: int) -> None:
    # urllib follows neither for a POST: behind a proxy that moved the monitor, every ping failed ("HTTP 308").
    pings.routes["/hc/abc/fail"] = (status, {"Location": "/v2/hc/abc/fail"}, 0.0)
    assert heartbeat.send(f"{pings.base}/hc/abc/fail", "latest: exit=4", 5.0, "bs-crawler") == 200
    assert [(m, p, b) for m, p, b, _ in pings.seen] == [
        ("POST", "/hc/abc/fail", "latest: exit=4"),
        ("POST", "/v2/hc/abc/fail", "latest: exit=4"),
    ]


def test_the_password_of_a_ping_url_goes_to_its_own_host_only(pings: Pings) -> None:
    elsewhere: Pings = pings.start_another()  # type: ignore[attr-defined]
    pings.routes["/hc/abc"] = (308, {"Location": f"{elsewhere.base}/hc/abc"}, 0.0)
    assert heartbeat.send(pings.base.replace("//", "//ops:secret@") + "/hc/abc", "latest: ok", 5.0, "bs-crawler") == 200
    assert pings.seen[0][3] is not None
    [(method, path, body, authorization)] = elsewhere.seen
    assert (method, path, authorization) == ("POST", "/hc/abc", None)


def test_a_ping_body_with_text_no_utf8_can_hold_is_sent(pings: Pings) -> None:
    # A reason quoting a file name of bytes that are no UTF-8 (Python reads them as lone surrogates).
    assert heartbeat.send(f"{pings.base}/hc/abc/fail", "article: no such saved page: 'caf\udce9.html'", 5.0, "bs-crawler") == 200
    assert pings.seen[0][2].startswith("article: no such saved page: 'caf")




# --- the run history: held by another process, text no UTF-8 holds, a read-only state dir, clocks -----


def test_a_run_history_another_process_holds_delays_a_record_only_a_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A script holding runs.jsonl's lock (a backup, a rotation) held the run's end, SIGTERM too, for as long as it held it.
    monkeypatch.setattr(history, "LOCK_WAIT_SECONDS", 0.5)
    runs = history.RunHistory(tmp_path)
    runs.append({"run_id": "before", "spider": "latest", "started": "2026-12-01T00:00:00+00:00"})
    with open(runs.path, "rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        writer = threading.Thread(
            target=runs.append, args=({"run_id": "this", "spider": "latest", "started": "2026-12-01T00:15:00+00:00"},), daemon=True
        )
        writer.start()
        writer.join(5)
        assert not writer.is_alive(), "the record waited for the lock without end"
    assert [r["run_id"] for r in runs.records()] == ["before", "this"]
    assert "locked by another process" in caplog.text


def test_a_crawl_whose_run_history_is_held_ends_with_its_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".state").mkdir()
    held = tmp_path / ".state" / history.RUNS_FILE
    held.touch()
    holder = subprocess.Popen(["flock", str(held), "sleep", "600"])
    try:
        page = tmp_path / "page.html"
        page.write_text("<html><body><p>no article</p></body></html>")
        began = time.monotonic()
        done = crawl("article", tmp_path, "-a", f"url={page.as_uri()}")
        took = time.monotonic() - began
    finally:
        holder.kill()
        holder.wait()
    assert took < history.LOCK_WAIT_SECONDS + 60, done.log[-2000:]
    assert "Traceback" not in done.log and "locked by another process" in done.log
    [record] = e2e_history(tmp_path)
    assert record["spider"] == "article" and record["status"] == done.status


LATIN1_NAME = b"caf\xe9-urls.txt"  # a file name from a Latin-1 system: bytes that are no UTF-8


def _crawl_bytes(workdir: Path, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = [sys.executable.encode(), b"-m", b"scrapy", b"crawl", *args, b"-O", b"out.jsonl", b"-s", b"LOG_LEVEL=INFO"]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, timeout=120)


def test_a_refusal_naming_a_file_whose_name_is_no_utf8_is_one_line_exit_2_and_recorded(tmp_path: Path) -> None:
    # The record of the refusal failed to encode: a traceback and exit 1, nothing recorded.
    (tmp_path / os.fsdecode(LATIN1_NAME)).write_text("file:///nowhere/page.html\n")
    done = _crawl_bytes(tmp_path, b"article", b"-a", b"url_file=" + LATIN1_NAME)
    assert done.returncode == 2, done.stderr.decode(errors="replace")[-3000:]
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no such saved page" in lines[0]
    [record] = e2e_history(tmp_path)
    assert record["status"] == 2 and record["arguments"]["url_file"] == "caf\ufffd-urls.txt"


def test_a_run_with_an_argument_whose_bytes_are_no_utf8_is_recorded(tmp_path: Path) -> None:
    # Its marker and its record failed to encode: two tracebacks, no record, a half-made marker left behind.
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>no article</p></body></html>")
    (tmp_path / os.fsdecode(LATIN1_NAME)).write_text(page.as_uri() + "\n")
    done = _crawl_bytes(tmp_path, b"article", b"-a", b"url_file=" + LATIN1_NAME)
    log = done.stderr.decode(errors="replace")
    assert "Traceback" not in log and "UnicodeEncodeError" not in log, log[-3000:]
    [record] = e2e_history(tmp_path)
    assert record["spider"] == "article" and record["arguments"]["url_file"] == "caf\ufffd-urls.txt"
    assert list((tmp_path / ".state" / history.RUNNING_DIR).iterdir()) == []
    runs = scrapy(tmp_path, "runs")
    assert runs.returncode == 0 and "article" in runs.stdout, runs.stderr[-2000:]


def test_a_run_marker_that_cannot_be_removed_is_one_warning_and_the_record_still_goes_to_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    settings = {"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path), "BS_RUN_HISTORY_CHECKPOINT": 0}
    extension = history.RunHistoryExtension.from_crawler(get_crawler(settings_dict=settings))
    sent: list[dict[str, Any]] = []
    extension.remote = types.SimpleNamespace(append=sent.append, close=lambda: None)  # type: ignore[assignment]
    extension.spider_opened(Spider("latest"))

    def read_only(self: history.RunHistory, run_id: str) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(history.RunHistory, "remove_marker", read_only)
    extension.run_judged(Spider("latest"), "finished", 0, "ok", "")  # raised, and the Redis copy was never sent
    assert [r["spider"] for r in sent] == ["latest"]
    assert "Could not remove the run marker" in caplog.text and "Read-only file system" in caplog.text


def test_a_killed_run_is_timed_by_its_own_clock_when_the_wall_clock_was_set_back(tmp_path: Path) -> None:
    # NTP set the clock back an hour mid-run: the killed run lasted -3,480 s.
    runs = history.RunHistory(tmp_path)
    runs.write_marker({
        "run_id": "stepped", "spider": "archive", "host": socket.gethostname(), "pid": _dead_pid(),
        "started": "2026-12-01T10:00:00+00:00", "checkpoint": "2026-12-01T09:02:00+00:00", "elapsed_s": 120.0,
    })
    runs.write_marker({
        "run_id": "older", "spider": "archive", "host": socket.gethostname(), "pid": _dead_pid(),
        "started": "2026-12-01T10:00:00+00:00", "checkpoint": "2026-12-01T09:02:00+00:00",
    })
    killed = {r["run_id"]: r for r in runs.record_killed_runs()}
    assert killed["stepped"]["duration_s"] == 120.0 and "elapsed_s" not in killed["stepped"]
    assert killed["older"]["duration_s"] == 0.0  # a marker of an earlier version: never below zero


def test_a_live_runs_marker_carries_its_elapsed_time(tmp_path: Path) -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    settings = {"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path), "BS_RUN_HISTORY_CHECKPOINT": 0}
    extension = history.RunHistoryExtension.from_crawler(get_crawler(settings_dict=settings))
    extension.spider_opened(Spider("latest"))
    (live,) = history.RunHistory(tmp_path).running.glob("*.json")
    assert 0 <= json.loads(live.read_text())["elapsed_s"] < 60


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --- the verdict: failures that come together ---------------------------------------------------------


@pytest.mark.parametrize(
    ("output_failed", "stats", "reason", "also"),
    [
        # The same full disk under the output and the state dir.
        (True, {}, "output_failed", "the output could not be written"),
        (False, {stat.BLOCKED: 10, "downloader/response_count": 10}, "blocked", "10 of 10 responses were block pages"),
        (False, {stat.RATE_LIMITED: 3}, stat.RATE_LIMITED_REASON, "rate limited"),
    ],
)
def test_a_seen_store_that_failed_outranks_the_other_failures_of_the_run(
    output_failed: bool, stats: dict[str, Any], reason: str, also: str
) -> None:
    # Exit 6 or 4 told a script to hand the -O file on, whose articles the store never recorded: sent twice.
    from scrapy.utils.test import get_crawler

    extension = verdict.RunVerdictExtension(get_crawler(settings_dict={"BS_MAX_BLOCKED_SHARE": 0.5}))
    extension.output_failed = output_failed
    status, why = extension.verdict({**stats, stat.STATE_FAILED: 1}, reason)
    assert status == verdict.EXIT_STATE
    assert why.startswith("the seen-store could not be used; also: ") and also in why
    extension.output_failed = False
    assert extension.verdict({stat.STATE_FAILED: 1, stat.DISCOVERY_SOURCES_READ: 1}, "finished") == (
        verdict.EXIT_STATE, "the seen-store could not be used")


# --- Spidermon asked for and not installed ---------------------------------------------------------------


def _without_spidermon(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` in ``workdir`` with Spidermon not importable (a package of its name that is not there)."""
    shadow = workdir / "shadow" / "spidermon"
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named spidermon')\n")
    env = {**os.environ, "PYTHONPATH": f"{shadow.parent}{os.pathsep}{ROOT}", "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("True", "SPIDERMON_ENABLED needs Spidermon: pip install 'bs-crawler[monitoring]'"),
        ("maybe", "SPIDERMON_ENABLED='maybe' is not true or false (a switch is 1 or 0, true or false)"),  # Scrapy's traceback when the add-on read it
    ],
)
def test_spidermon_switched_on_but_not_installed_refuses_the_run(tmp_path: Path, value: str, words: str) -> None:
    # One WARNING in the log, and the run went on with no monitor and no email on failure.
    done = _without_spidermon(
        tmp_path, "crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", f"SPIDERMON_ENABLED={value}", "-O", "out.jsonl"
    )
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0] == f"error: {words}", done.stderr[-3000:]
    [record] = e2e_history(tmp_path)
    assert record["status"] == 2 and record["reason"] == words and record["finish_reason"] == "refused"


def test_spidermon_left_off_runs_without_it(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>no article</p></body></html>")
    done = _without_spidermon(tmp_path, "crawl", "article", "-a", f"url={page.as_uri()}", "-s", "SPIDERMON_ENABLED=False", "-O", "out.jsonl")
    assert done.returncode == 5 and "Run summary" in done.stderr, done.stderr[-3000:]


# --- a run that never opened ------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ["EXTENSIONS", "ITEM_PIPELINES"])
def test_a_run_whose_component_fails_as_it_begins_is_exit_1_recorded_and_pinged(tmp_path: Path, monitor: Monitor, setting: str) -> None:
    # An extension or pipeline of one's own raising in from_crawler: exit 1, but no record and no ping, so
    # `scrapy runs` and the cron monitor never heard of the run (the monitor only by its grace time).
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "broken.py").write_text(
        "class Broken:\n    @classmethod\n    def from_crawler(cls, crawler):\n        raise RuntimeError('no licence key')\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'ours'}{os.pathsep}{ROOT}", "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = [
        sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "out.jsonl", "-s", "BS_BASE_URL=http://127.0.0.1:9",
        "-s", f"{setting}={{\"broken.Broken\": 500}}", "-s", f"BS_HEARTBEAT_URL={monitor.url}",
    ]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-3000:]
    why = "the run failed before its spider opened (RuntimeError: no licence key); see its traceback in the log"
    assert done.stderr.strip().splitlines()[-1] == f"error: {why}"
    assert done.stderr.count("RuntimeError: no licence key\n") == 1, "its traceback once, not as a task nobody retrieved"
    [record] = e2e_history(tmp_path)
    assert (record["status"], record["reason"], record["finish_reason"]) == (1, why, "failed to start")
    [(method, path, body)] = monitor.pings
    assert path.endswith("/fail") and "exit=1" in body and "no licence key" in body
    runs = scrapy(tmp_path, "runs")
    assert "failed" in runs.stdout and "no licence key" in runs.stdout


# --- the commands' and the progress line's edges -----------------------------------------------------------


@pytest.mark.parametrize("span", ["99999999d", "1000000000h"])
def test_a_since_span_further_back_than_any_date_is_every_run(span: str) -> None:
    # OverflowError's traceback, exit 1.
    assert since_time(span) == datetime.min.replace(tzinfo=timezone.utc)


def test_runs_since_a_span_further_back_than_any_date_lists_every_run(tmp_path: Path) -> None:
    runs = history.RunHistory(tmp_path / ".state")
    runs.append({"run_id": "a", "spider": "latest", "started": "2020-01-01T00:00:00+00:00", "status": 0})
    done = scrapy(tmp_path, "runs", "--since", "99999999d")
    assert done.returncode == 0 and "2020-01-01 00:00:00  latest" in done.stdout, done.stderr[-2000:]


@pytest.mark.parametrize(("months_done", "found", "fetched"), [(2, 10, 13), (1, 10, 40), (2, 0, 5)])
def test_the_eta_of_an_archive_run_is_never_below_zero(months_done: int, found: int, fetched: int) -> None:
    # robots.txt, retried 503s and redirects are answers too: fetched passed found and the ETA went negative.
    progress = Progress("archive", 2)
    progress.months_done = {(2024, m) for m in range(1, months_done + 1)}
    eta = progress.eta(100.0, found, fetched)
    assert eta is not None and eta >= 0
    stats = {stat.DISCOVERY_NEW: found, "downloader/response_count": fetched + 2, stat.DISCOVERY_SOURCES_READ: 2}
    assert "ETA -" not in progress.line(stats, 100.0)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://hc-ping.com/0f1e 2d3c", "holds a space or a control character"),
        ("https://hc-ping.com/0f1e\t2d3c", "holds a space or a control character"),
        ("https://hc-ping.com:abc/0f1e2d3c", "has a port that is no number"),
        ("https://hc-ping.com:99999/0f1e2d3c", "has a port that is no number"),
    ],
)
def test_a_heartbeat_url_no_ping_can_be_sent_to_is_refused_without_naming_it(url: str, words: str) -> None:
    # Every ping failed, each WARNING quoting the URL's path ("URL can't contain control characters. '/0f1e 2d3c'").
    from scrapy.settings import Settings

    problem = heartbeat.heartbeat_problem(Settings({"BS_HEARTBEAT_URL": url}))
    assert problem is not None and words in problem and "0f1e" not in problem


def test_spaces_around_a_heartbeat_url_are_no_part_of_it(pings: Pings) -> None:
    from scrapy.settings import Settings

    settings = Settings({"BS_HEARTBEAT_URL": f"  {pings.base}/hc/0f1e2d3c \n", "BS_HEARTBEAT_TIMEOUT": 5.0, "USER_AGENT": "bs"})
    assert heartbeat.heartbeat_problem(settings) is None
    assert heartbeat.ping_refused(settings, "latest", 2, "wrong arguments") is None
    assert [p for _, p, _, _ in pings.seen] == ["/hc/0f1e2d3c/fail"]


def test_why_a_ping_failed_never_quotes_the_urls_secrets() -> None:
    url = "https://ops:pa55@hc-ping.com/0f1e2d3c/fail?rid=77aa"
    error = ValueError("URL can't contain control characters. '/0f1e2d3c/fail?rid=77aa' for ops:pa55")
    reason = heartbeat.failure_reason(error, url)
    assert "0f1e2d3c" not in reason and "pa55" not in reason and "77aa" not in reason
    assert reason.startswith("URL can't contain control characters.")


def test_a_crawl_with_a_heartbeat_url_holding_a_space_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # Loopback only, should the run go ahead: its site and its monitor are nowhere.
    done = scrapy(
        tmp_path, "crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", "BS_HEARTBEAT_URL=http://127.0.0.1:9/0f1e 2d3c", "-O", "out.jsonl"
    )
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds a space" in lines[0] and "0f1e" not in lines[0]


@pytest.mark.parametrize("json_lines", [True, False])
def test_runs_read_by_a_reader_that_stops_early_end_quietly(tmp_path: Path, json_lines: bool) -> None:
    # `scrapy runs --json | head -1`: a BrokenPipeError traceback and exit 1.
    (tmp_path / ".state").mkdir()
    with open(tmp_path / ".state" / history.RUNS_FILE, "w") as handle:
        for i in range(3000):
            handle.write(json.dumps({"run_id": f"r{i}", "spider": "latest", "started": f"2026-{1 + i // 300 % 12:02d}-01T00:{i % 60:02d}:00+00:00",
                                     "status": 0, "reason": "ok", "summary": "Run summary: " + "x" * 200}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = [sys.executable, "-m", "scrapy", "runs", "-n", "0", *(["--json"] if json_lines else [])]
    reader = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    first = reader.stdout.readline()
    reader.stdout.close()
    error = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 0, error[-3000:]
    assert first and error == ""


# --- the report -------------------------------------------------------------------------------------------


def test_the_report_draws_a_dollar_sign_in_the_historys_text_as_text() -> None:
    pytest.importorskip("matplotlib")
    from crawler.monitoring.report import render

    # A record edited by hand (or written by another tool): its labels were parsed as TeX.
    records = [
        history._readable({"spider": "latest", "started": "2026-12-01T00:00:00+00:00", "status": "5", "status_words": "cost $5 $\\nosuch{",
                           "coverage": {"price $\\nosuch{$": 0.5}}),
        history._readable({"spider": "latest", "started": "2026-12-01T00:15:00+00:00", "status": 0, "coverage": {"price $\\nosuch{$": 1.0}}),
    ]
    page = render([r for r in records if r is not None], {})
    assert "price $\\nosuch{$" in page and "cost $5 $\\nosuch{" in page


def test_a_spidermon_action_missing_its_settings_is_a_run_that_failed_to_start_recorded_and_pinged(tmp_path: Path, monitor: Monitor) -> None:
    pytest.importorskip("spidermon")
    # The email action without its subject: Spidermon refuses to make it as the run begins.
    done = scrapy(
        tmp_path, "crawl", "latest", "-O", "out.jsonl", "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", "SPIDERMON_ENABLED=True",
        "-s", "BS_SPIDERMON_FAILED_ACTIONS=spidermon.contrib.actions.email.smtp.SendSmtpEmail", "-s", f"BS_HEARTBEAT_URL={monitor.url}",
    )
    assert done.returncode == 1, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the run failed before its spider opened (NotConfigured: You must provide a value for SPIDERMON_")
    [record] = e2e_history(tmp_path)
    assert record["finish_reason"] == "failed to start" and record["status"] == 1
    assert [p for _, p, _ in monitor.pings] == ["/ping/0f1e2d3c/fail"]


def test_runs_that_match_no_run_say_what_was_asked(tmp_path: Path) -> None:
    # "no runs recorded in .state/runs.jsonl" after --since 1h read as an empty (or lost) history.
    runs = history.RunHistory(tmp_path / ".state")
    runs.append({"run_id": "a", "spider": "latest", "started": "2020-01-01T00:00:00+00:00", "status": 0})
    done = scrapy(tmp_path, "runs", "--since", "2026-11-01", "--spider", "latest")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"no runs recorded in {Path('.state') / history.RUNS_FILE} for --spider latest --since 2026-11-01T00:00:00+00:00"
    assert scrapy(tmp_path, "runs", "-n", "1").stdout.splitlines()[1].startswith("2020-01-01 00:00:00  latest")
