"""Probes of round 12 on operating the crawler as a service: Spidermon's email through SMTP servers that
refuse, hang or want what they are not given, the run history and report on hostile records, the log
file, scrapyd jobs, and the exit statuses a cron wrapper reads."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_BLOCKED
from tests import mail
from tests.conftest import ROOT
from tests.e2e import crawl, scrapy
from tests.e2e import history as e2e_history
from tests.loopback.site import LoopbackSite


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Spidermon's email action against SMTP servers that do not take the mail ----------------------


@pytest.fixture(scope="module")
def blocked_site() -> Iterator[LoopbackSite]:
    """A site that answers every request with Akamai's block page: every run fails (exit 4), and emails."""
    with LoopbackSite(articles=10, seed=12) as site:
        site.block_all = True
        yield site


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The project's SMTP server (tests/services/smtp/: AUTH as bs/secret, no STARTTLS), stopped by its PID."""
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is missing: bash tests/services/smtp/install.sh")
    with mail.smtp_server(tmp_path_factory.mktemp("inbox")) as port:
        yield port


class SilentServer:
    """Takes TCP connections on 127.0.0.1 and never says a word: an SMTP server that hung."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def email_settings(site: LoopbackSite, port: int, **extra: str) -> dict[str, str]:
    return mail.spidermon_email_settings(site.base_url, port, **extra)


def _unsent_mail_is_one_line(log: str) -> None:
    assert log.count("Unable to send mail") == 1, log[-3000:]
    assert "Unhandled error in Deferred" not in log and "CRITICAL" not in log, log[-3000:]


@pytest.mark.long
def test_an_smtp_server_that_never_answers_holds_the_run_no_longer_than_the_mail_timeout(blocked_site: LoopbackSite, tmp_path: Path) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    silent = SilentServer()
    try:
        started = time.monotonic()
        # Before, the run waited for the server for ever (a second SIGTERM too), holding its run lock.
        result = crawl("latest", tmp_path, settings=email_settings(blocked_site, silent.port, BS_SPIDERMON_SMTP_TIMEOUT="2"), timeout=90)
        took = time.monotonic() - started
    finally:
        silent.close()
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert took < 60, took
    _unsent_mail_is_one_line(result.log)
    assert "did not take the mail within 2 s" in result.log


@pytest.mark.parametrize(
    "case",
    ["refused", "wrong password", "STARTTLS required"],
)
def test_an_email_the_smtp_server_does_not_take_is_one_error_line_and_the_runs_status(
    blocked_site: LoopbackSite, smtp_server: int, tmp_path: Path, case: str
) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    if case == "refused":
        settings = email_settings(blocked_site, free_port())  # nothing listens there
    elif case == "wrong password":
        settings = email_settings(blocked_site, smtp_server, SPIDERMON_SMTP_PASSWORD="wrong")
    else:
        settings = email_settings(blocked_site, smtp_server, SPIDERMON_SMTP_ENFORCE_TLS="True")
    result = crawl("latest", tmp_path, settings=settings, timeout=120)
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    _unsent_mail_is_one_line(result.log)


def test_a_mail_timeout_of_zero_is_refused() -> None:
    from crawler.commands.crawl import setting_problem
    from scrapy.settings import Settings

    settings = Settings({"BS_SPIDERMON_SMTP_TIMEOUT": "0"})
    assert "above 0" in str(setting_problem("BS_SPIDERMON_SMTP_TIMEOUT", 60.0, settings))


# --- the run history: records with numbers JSON has not, and bytes no UTF-8 holds ------------------


def _hostile_history(state: Path) -> None:
    state.mkdir(parents=True)
    lines = [
        # Python's json writes these (a record edited by hand, another program's): NaN and Infinity.
        b'{"started": "2026-12-01T09:00:00+00:00", "spider": "latest", "status": 0, "duration_s": Infinity, '
        b'"counts": {"new": NaN, "updated": Infinity, "emitted": 2}, "coverage": {"authors": NaN}, "stats": {"x": -Infinity, "y": 1}}',
        # A byte no UTF-8 holds in its reason: the rest of the record is good.
        b'{"started": "2026-12-01T10:00:00+00:00", "spider": "latest", "status": 4, "reason": "caf\xe9 blocked \xff", "counts": {"new": 3}}',
    ]
    (state / "runs.jsonl").write_bytes(b"\n".join(lines) + b"\n")


def _strict_json(line: str) -> dict[str, object]:
    def refuse(constant: str) -> object:
        raise AssertionError(f"{constant} is no JSON: {line}")

    value = json.loads(line, parse_constant=refuse)
    assert isinstance(value, dict)
    return value


def test_runs_and_report_read_numbers_json_has_not_and_bytes_no_utf8_holds(tmp_path: Path) -> None:
    _hostile_history(tmp_path / ".state")
    listed = scrapy(tmp_path, "runs", "-n", "0")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr[-2000:]
    assert "2026-12-01 09:00:00" in listed.stdout and "2026-12-01 10:00:00" in listed.stdout, listed.stdout
    assert "blocked" in listed.stdout
    as_json = scrapy(tmp_path, "runs", "-n", "0", "--json")
    assert as_json.returncode == 0, as_json.stderr[-2000:]
    records = [_strict_json(line) for line in as_json.stdout.splitlines()]
    assert [r["started"] for r in records] == ["2026-12-01T10:00:00+00:00", "2026-12-01T09:00:00+00:00"]
    assert "blocked" in str(records[0]["reason"])
    assert records[1]["counts"] == {"emitted": 2} and records[1]["stats"] == {"y": 1}
    report = scrapy(tmp_path, "report", "-o", "report.html")
    assert report.returncode == 0 and "2 runs written" in report.stdout, report.stderr[-2000:]


def test_a_stat_set_to_infinity_is_kept_out_of_the_record(tmp_path: Path) -> None:
    from crawler.monitoring.history import RunHistory, summarise

    record = {"started": "2026-12-01T09:00:00+00:00", "spider": "latest", **summarise({"rate": float("inf"), "bad": float("nan"), "ok": 2.5}, [])}
    RunHistory(tmp_path).append(record)
    [line] = (tmp_path / "runs.jsonl").read_text().splitlines()
    assert _strict_json(line)["stats"] == {"ok": 2.5}


# --- the log file: a disk that is full ------------------------------------------------------------


@pytest.fixture(scope="module")
def open_site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=8, seed=120, legacy=0) as site:
        yield site


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full: a file every write to fails as on a full disk")
@pytest.mark.parametrize("option", [["--logfile=/dev/full"], ["-s", "LOG_FILE=/dev/full"]])
def test_a_log_file_on_a_full_disk_is_one_warning_and_the_log_goes_on_on_stderr(open_site: LoopbackSite, tmp_path: Path, option: list[str]) -> None:
    # Before: a "Logging error" traceback on stderr per line, then a traceback as Scrapy closed its first
    # handler: exit 1, nothing fetched, nothing recorded.
    result = crawl("latest", tmp_path, *option, settings={"BS_BASE_URL": open_site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert result.status == 0, result.log[-3000:]
    assert len(result.items) == 8
    assert "Traceback" not in result.log and "Logging error" not in result.log, result.log[:3000]
    warnings = [line for line in result.log.splitlines() if line.startswith("warning: cannot write the log file /dev/full")]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], result.log[:2000]
    assert "Run summary: new=8" in result.log  # the rest of the log, on stderr
    assert [r["status"] for r in e2e_history(tmp_path)] == [0]


@pytest.fixture()
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The project's SMTP server, its messages landing in a folder of this test's own."""
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is missing: bash tests/services/smtp/install.sh")
    folder = tmp_path_factory.mktemp("mails")
    with mail.smtp_server(folder) as port:
        yield port, folder


def test_recipients_that_are_all_blank_are_refused_as_none_are(blocked_site: LoopbackSite, inbox: tuple[int, Path], tmp_path: Path) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    port, folder = inbox
    # Before: Spidermon took " , " for recipients; the failure email went to no one, logged "Mail sent OK".
    result = crawl("latest", tmp_path, settings=email_settings(blocked_site, port, SPIDERMON_EMAIL_TO=" , "))
    assert result.status == 1, result.log[-3000:]
    assert result.log.strip().splitlines()[-1].startswith("error: the run failed before its spider opened (NotConfigured: You must provide a value for SPIDERMON_EMAIL_TO")
    assert "Mail sent OK" not in result.log
    assert [r["finish_reason"] for r in e2e_history(tmp_path)] == ["failed to start"]
    time.sleep(0.5)
    assert not list(folder.glob("*.eml"))


def test_a_blank_among_the_recipients_is_left_out(blocked_site: LoopbackSite, inbox: tuple[int, Path], tmp_path: Path) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    port, folder = inbox
    result = crawl("latest", tmp_path, settings=email_settings(blocked_site, port, SPIDERMON_EMAIL_TO="a@example.invalid, ,b@example.invalid"))
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert "Mail sent OK: To=['a@example.invalid', 'b@example.invalid']" in result.log, result.log[-3000:]


# --- a run killed, or stopped by a second SIGTERM (scrapyd's cancel twice) -----------------------


def test_runs_and_report_show_a_run_killed_since_the_last_one_at_once(tmp_path: Path) -> None:
    from crawler.monitoring.history import RunHistory

    state = tmp_path / ".state"
    history = RunHistory(state)
    history.append({"started": "2026-12-01T09:00:00+00:00", "finished": "2026-12-01T09:01:00+00:00", "spider": "latest", "status": 0,
                    "status_words": "ok", "counts": {"new": 3}})
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    history.write_marker({"run_id": "latest-dead", "spider": "latest", "started": "2026-12-01T10:00:00+00:00", "host": socket.gethostname(),
                          "pid": gone.pid, "checkpoint": "2026-12-01T10:02:00+00:00", "elapsed_s": 120.0, "counts": {"new": 5}})
    # Before: "ok" was the latest run until another run turned the marker into a record.
    listed = scrapy(tmp_path, "runs", "--json")
    latest = _strict_json(listed.stdout.splitlines()[0])
    assert latest["status"] is None and latest["status_words"] == "killed" and latest["counts"] == {"new": 5}, listed.stdout
    assert "killed" in scrapy(tmp_path, "runs").stdout.splitlines()[1]
    report = scrapy(tmp_path, "report", "-o", "report.html")
    assert "2 runs written" in report.stdout, report.stderr[-2000:]
    # Shown, not recorded: the next run records it, once.
    assert len(history.records()) == 1 and len(list(history.running.glob("*.json"))) == 1
    assert [r["status"] for r in history.records_with_killed()] == [0, None]


@pytest.mark.long
def test_a_run_stopped_by_a_second_sigterm_is_shown_at_once(open_site: LoopbackSite, tmp_path: Path) -> None:
    import os
    import signal

    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "out.jsonl", "-s", f"BS_BASE_URL={open_site.base_url}",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-a", "fresh=1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    # robots.txt, the run's first request, answers nothing for 5 s: the graceful stop the first SIGTERM
    # begins waits for it, so the second one stops the run. (Signalled before any request was in
    # hand, a run closed gracefully within the 0.3 s between the two, its record written as "failed".)
    open_site.set_path_fault("/robots.txt", "timeout", times=1)
    run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list((tmp_path / ".state" / "running").glob("*.json")) or open_site._path_faults["/robots.txt"][2] != 0:
            assert run.poll() is None and time.monotonic() < deadline, "the run did not start"
            time.sleep(0.1)
        run.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        run.send_signal(signal.SIGTERM)
        _, log = run.communicate(timeout=60)
    finally:
        open_site.set_path_fault("/robots.txt", None)
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode != 0, log[-2000:]
    listed = scrapy(tmp_path, "runs", "--json")
    # (Recorded by itself as it stopped since round 17: exit 1, forced; before, as killed by the next run.)
    shown = _strict_json(listed.stdout.splitlines()[0])
    assert shown["status"] == 1 and "forced to stop" in shown["reason"], listed.stdout + log[-2000:]


# --- LOG_STDOUT: print() to the log, and the articles of -O - still to stdout ----------------------


def test_articles_to_stdout_with_log_stdout_on_go_to_the_process_stdout(open_site: LoopbackSite, tmp_path: Path) -> None:
    import os

    # Before: Scrapy's logger stood in for sys.stdout, which has no bytes to write; the run failed before
    # its spider opened (AttributeError, exit 1).
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "-", "-s", f"BS_BASE_URL={open_site.base_url}",
               "-s", "BS_LATEST_SOURCES=/rss/latest.rss", "-s", "LOG_STDOUT=True", "-s", "AUTOTHROTTLE_ENABLED=False"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == 8


def test_an_email_template_that_does_not_parse_refuses_the_run(blocked_site: LoopbackSite, tmp_path: Path) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    # Before: found on the day a run failed, as a traceback in its log and no email; every ok run passed.
    settings = email_settings(blocked_site, free_port(), SPIDERMON_EMAIL_SUBJECT="BS {{ data.spider.name failed")
    blocked_site.reset_counts()
    result = crawl("latest", tmp_path, settings=settings)
    assert result.status == 2, result.log[-3000:]
    [line] = result.log.strip().splitlines()
    assert line.startswith("error: SPIDERMON_EMAIL_SUBJECT is no template Spidermon can render (line 1: "), result.log[-2000:]
    assert not blocked_site.counts, "nothing fetched"
    assert [r["status"] for r in e2e_history(tmp_path)] == [2]


@pytest.mark.parametrize("text", ["{{ data.spider.name }} failed", "{% if data %}x{% endif %}", "plain"])
def test_email_templates_that_parse_pass(text: str) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    from scrapy.settings import Settings

    from crawler.monitoring.spidermon import spidermon_problem

    assert spidermon_problem(Settings({"SPIDERMON_ENABLED": True, "SPIDERMON_BODY_HTML": text})) is None


# --- scrapyd: a job as scrapyd's launcher starts it -----------------------------------------------


@pytest.mark.parametrize("spider, arguments", [("latest", {"fresh": "1"}), ("section", {"sections": "markets/news", "pages": "1"})])
def test_a_scrapyd_job_scheduled_with_a_version_runs(open_site: LoopbackSite, tmp_path: Path, spider: str, arguments: dict[str, str]) -> None:
    pytest.importorskip("scrapyd", reason="scrapyd is missing: bash tests/services/scrapyd/install.sh")
    import os

    from scrapyd.launcher import get_crawl_args

    # `curl …/schedule.json -d project=crawler -d spider=… -d _version=r1 -d setting=…`: scrapyd hands the
    # version on as `-a _version=r1`, which every spider refused (exit 2, recorded: nothing ran).
    message = {"_project": "crawler", "_spider": spider, "_job": "5d1f0c3aef0d11f1a19702fc00000001", "_version": "r1",
               "settings": {"BS_BASE_URL": open_site.base_url, "AUTOTHROTTLE_ENABLED": "False", "BS_LATEST_SOURCES": "/rss/latest.rss"},
               **arguments}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", *get_crawl_args(message)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    [record] = e2e_history(tmp_path)
    assert record["status"] == 0 and record["arguments"] == arguments


def test_a_log_file_rotated_mid_run_gets_the_rest_of_the_log_in_the_new_file(open_site: LoopbackSite, tmp_path: Path) -> None:
    import os

    # logrotate's default (`create`): the file is moved away and a new one made in its place. Before, the
    # run wrote on into the moved file (compressed or deleted next), and the new one got none of it.
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "out.jsonl", "--logfile=logs/latest.log", "-a", "fresh=1",
               "-s", f"BS_BASE_URL={open_site.base_url}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.5",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "logs" / "latest.log"
    try:
        deadline = time.monotonic() + 60
        while not list((tmp_path / ".state" / "running").glob("*.json")):
            assert run.poll() is None and time.monotonic() < deadline, "the run did not start"
            time.sleep(0.1)
        log.rename(log.with_name("latest.log.1"))
        log.touch()
        _, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0 and not stderr, stderr[-2000:]
    assert "Run summary: new=8" in log.read_text(), log.read_text()[-2000:]
    assert "Spider opened" in log.with_name("latest.log.1").read_text()


def test_the_runs_table_prints_control_characters_as_escapes(tmp_path: Path) -> None:
    from crawler.monitoring.history import RunHistory

    RunHistory(tmp_path / ".state").append({"started": "2026-12-01T09:00:00+00:00", "spider": "lat\x1b[2Jest", "status": 1,
                                             "reason": "cut\x1b]0;owned\x07 short\u2028here\x00"})
    listed = scrapy(tmp_path, "runs")
    assert listed.returncode == 0, listed.stderr
    assert not any(not c.isprintable() for c in listed.stdout.replace("\n", "")), repr(listed.stdout)
    assert "lat\\x1b[2Jest" in listed.stdout and "cut\\x1b]0;owned\\x07 short here\\x00" in listed.stdout, listed.stdout
