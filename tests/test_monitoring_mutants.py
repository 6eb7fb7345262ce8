"""Run history, report, heartbeat, progress and Spidermon add-on, from stats and records alone.

Each rule of these modules (a count, a threshold, a word, a URL) is pinned by an exact expected
value, without a crawl: the crawls that exercise them end to end are slow and check only the outline.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import threading
import urllib.error
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.extraction.normalize import IST
from crawler.liveness import process_start
from crawler.monitoring import heartbeat, history, report, spidermon
from crawler.monitoring.progress import Progress, archive_months, duration, months_between

# --- progress ---------------------------------------------------------------------------------


def test_months_between_counts_both_ends_and_crosses_a_year() -> None:
    assert months_between(date(2024, 1, 31), date(2024, 1, 1)) == 1
    assert months_between(date(2024, 1, 15), date(2024, 3, 1)) == 3
    assert months_between(date(2023, 11, 1), date(2024, 2, 1)) == 4


def test_archive_months_from_the_arguments_and_never_negative() -> None:
    assert archive_months({"since": "2024-01-01", "until": "2024-03-31"}) == 3
    assert archive_months({"since": "2024-05-01", "until": "2024-01-01"}) == 0
    assert archive_months({"since": "2024-01-01", "until": ""}) == months_between(date(2024, 1, 1), datetime.now(IST).date())
    assert archive_months({"since": "2024-01-01"}) == months_between(date(2024, 1, 1), datetime.now(IST).date())
    assert archive_months({"until": "2024-01-01"}) is None
    assert archive_months({"since": "January"}) is None


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0, "0m00s"), (59.9, "0m59s"), (61, "1m01s"), (3599, "59m59s"), (3600, "1h00m"), (3725, "1h02m"), (36000, "10h00m")],
)
def test_duration_in_minutes_then_hours(seconds: float, said: str) -> None:
    assert duration(seconds) == said


def discovery_stats(**more: Any) -> dict[str, Any]:
    # 10 articles found (8 new, 2 changed), 2 sources read, 7 responses: 5 articles fetched, 4 emitted.
    return {
        stat.DISCOVERY_NEW: 8,
        stat.DISCOVERY_CHANGED: 2,
        stat.DISCOVERY_SOURCES_READ: 2,
        "downloader/response_count": 7,
        "item_scraped_count": 4,
        **more,
    }


def test_progress_line_of_a_daily_run_with_its_eta_by_articles_left() -> None:
    line = Progress("daily", None).line(discovery_stats(), 120.0)
    assert line == "found 10, fetched 5, emitted 4 (2/min), elapsed 2m00s, ETA 2m00s"


def test_progress_line_of_an_archive_run_scales_the_months_by_what_was_fetched() -> None:
    progress = Progress("archive", 12)
    progress.months_done |= {(2024, 1), (2024, 2), (2024, 3)}
    # 3 of 12 months read, half of what they listed fetched: 1/8 done in 2 minutes, 14 minutes left.
    assert progress.line(discovery_stats(), 120.0) == (
        "months 3/12 done, found 10, fetched 5, emitted 4 (2/min), elapsed 2m00s, ETA 14m00s"
    )
    # Nothing found yet in the months read: the months alone say the share done.
    assert progress.eta(120.0, 0, 0) == pytest.approx(360.0)


def test_progress_of_an_archive_run_before_its_first_month_has_no_eta() -> None:
    progress = Progress("archive", 12)
    assert progress.line({}, 30.0) == "months 0/12 done, found 0, fetched 0, emitted 0 (0/min), elapsed 0m30s"
    assert Progress("archive", 0).line({}, 30.0) == "months 0/0 done, found 0, fetched 0, emitted 0 (0/min), elapsed 0m30s"


def test_progress_counts_no_article_fetched_while_only_sources_were_read() -> None:
    line = Progress("daily", None).line({stat.DISCOVERY_NEW: 3, stat.DISCOVERY_SOURCES_READ: 2, "downloader/response_count": 1}, 0.0)
    assert line == "found 3, fetched 0, emitted 0 (0/min), elapsed 0m00s"


def test_progress_eta_once_everything_found_is_fetched_is_zero() -> None:
    assert Progress("daily", None).eta(60.0, 4, 6) == 0.0
    assert Progress("daily", None).eta(60.0, 0, 6) is None


def test_progress_line_of_a_reextract_run() -> None:
    stats = {stat.REEXTRACT_RECORDS: 500, "item_scraped_count": 240}
    assert Progress("reextract", None).line(stats, 120.0) == "records 500, items 240 (4 records/s, 120 items/min), elapsed 2m00s"


# --- heartbeat --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "success", "start", "url"),
    [
        ("https://hc.example/ping/abc", True, False, "https://hc.example/ping/abc"),
        ("https://hc.example/ping/abc", False, False, "https://hc.example/ping/abc/fail"),
        ("https://hc.example/ping/abc", True, True, "https://hc.example/ping/abc/start"),
        ("https://hc.example/ping/abc/", False, False, "https://hc.example/ping/abc/fail"),
        ("https://hc.example/ping/abc/", True, False, "https://hc.example/ping/abc/"),
        ("https://hc.example/ping?key=1", False, False, "https://hc.example/ping/fail?key=1"),
    ],
)
def test_ping_url_adds_fail_or_start_before_the_query(base: str, success: bool, start: bool, url: str) -> None:
    assert heartbeat.ping_url(base, success, start=start) == url


def test_the_log_names_the_monitors_host_not_its_secret_path() -> None:
    assert heartbeat.where("https://hc.example:8443/ping/secret") == "hc.example:8443"
    assert heartbeat.where("not a url") == "?"


def test_heartbeat_url_is_off_when_empty_and_refused_when_not_http() -> None:
    with pytest.raises(NotConfigured) as empty:
        heartbeat.heartbeat_url(Settings({"BS_HEARTBEAT_URL": ""}))
    assert str(empty.value) == ""
    with pytest.raises(NotConfigured, match=r"^BS_HEARTBEAT_URL must be an http\(s\) URL, not 'ftp'$"):
        heartbeat.heartbeat_url(Settings({"BS_HEARTBEAT_URL": "ftp://hc.example/ping"}))
    assert heartbeat.heartbeat_url(Settings({"BS_HEARTBEAT_URL": "http://hc.example/p"})) == "http://hc.example/p"


def test_failure_reason_says_the_http_status_or_the_error() -> None:
    assert heartbeat.failure_reason(urllib.error.HTTPError("http://x/", 503, "busy", {}, None)) == "HTTP 503"  # type: ignore[arg-type]
    assert heartbeat.failure_reason(urllib.error.URLError("connection refused")) == "connection refused"
    assert heartbeat.failure_reason(TimeoutError("timed out")) == "timed out"
    assert heartbeat.failure_reason(TimeoutError()) == "TimeoutError"


class Monitor:
    """A cron monitor on the loopback: records each POST's path and body, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.pings: list[tuple[str, str]] = []
        monitor = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                monitor.pings.append((self.path, body))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/ping/key"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def monitor() -> Iterator[Monitor]:
    running = Monitor()
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_a_refused_run_pings_fail_with_its_status_and_reason(monitor: Monitor) -> None:
    settings = Settings({"BS_HEARTBEAT_URL": monitor.url, "BS_HEARTBEAT_TIMEOUT": 5, "USER_AGENT": "test"})
    assert heartbeat.ping_refused(settings, "daily", 3, "locked by pid 12") is None
    assert monitor.pings == [("/ping/key/fail", "daily: refused before it started: exit=3 (locked by pid 12)")]


def test_a_refused_run_without_a_monitor_pings_nothing_and_says_why_when_misconfigured() -> None:
    assert heartbeat.ping_refused(Settings({"BS_HEARTBEAT_URL": ""}), "daily", 3, "locked") is None
    said = heartbeat.ping_refused(Settings({"BS_HEARTBEAT_URL": "ftp://hc.example/p"}), "daily", 3, "locked")
    assert said == "no heartbeat sent: BS_HEARTBEAT_URL must be an http(s) URL, not 'ftp'"


def test_a_refused_runs_ping_to_a_dead_monitor_is_one_line() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = Settings({"BS_HEARTBEAT_URL": f"http://127.0.0.1:{port}/ping/key", "BS_HEARTBEAT_TIMEOUT": 5, "USER_AGENT": "t"})
    said = heartbeat.ping_refused(settings, "daily", 3, "locked")
    assert said is not None and said.startswith(f"heartbeat to 127.0.0.1:{port} failed (") and "/ping/key" not in said


# --- Spidermon add-on ---------------------------------------------------------------------------


def addon_settings(**values: Any) -> Settings:
    settings = Settings({"EXTENSIONS": {}, "ITEM_PIPELINES": {}, **values})
    spidermon.SpidermonAddon().update_settings(settings)
    return settings


def test_spidermon_addon_does_nothing_unless_enabled() -> None:
    settings = addon_settings()
    assert settings.getdict("EXTENSIONS") == {}
    assert settings.getdict("ITEM_PIPELINES") == {}
    assert settings.get("SPIDERMON_ENGINE_STOP_MONITORS") is None


def test_spidermon_addon_adds_the_extension_pipeline_suite_and_schema() -> None:
    from crawler.extraction import Article

    settings = addon_settings(SPIDERMON_ENABLED=True)
    assert settings.getdict("EXTENSIONS") == {
        spidermon.SPIDERMON_EXTENSION: spidermon.EXTENSION_ORDER,
        spidermon.FORCED_STOP_EXTENSION: spidermon.EXTENSION_ORDER + 1,  # its suites run at a forced stop too
    }
    assert settings.getdict("ITEM_PIPELINES") == {spidermon.VALIDATION_PIPELINE: spidermon.PIPELINE_ORDER}
    assert settings.getlist("SPIDERMON_ENGINE_STOP_MONITORS") == [spidermon.SUITE]
    schema = settings.get("SPIDERMON_VALIDATION_SCHEMAS")[Article]
    assert schema == spidermon.shipped_schema() and schema["type"] == "object" and "articleId" in schema["properties"]


def test_spidermon_addon_keeps_the_users_suites_and_schemas_and_adds_ours_once() -> None:
    settings = addon_settings(
        SPIDERMON_ENABLED=True, SPIDERMON_ENGINE_STOP_MONITORS=["my.Suite", spidermon.SUITE], SPIDERMON_VALIDATION_SCHEMAS=["mine.json"]
    )
    assert settings.getlist("SPIDERMON_ENGINE_STOP_MONITORS") == ["my.Suite", spidermon.SUITE]
    assert settings.get("SPIDERMON_VALIDATION_SCHEMAS") == ["mine.json"]
    settings = addon_settings(SPIDERMON_ENABLED=True, SPIDERMON_ENGINE_STOP_MONITORS=["my.Suite"])
    assert settings.getlist("SPIDERMON_ENGINE_STOP_MONITORS") == ["my.Suite", spidermon.SUITE]


def test_the_suite_is_built_on_demand_and_other_names_are_missing() -> None:
    assert spidermon.RunVerdictMonitorSuite.__name__ == "Suite"
    with pytest.raises(AttributeError):
        spidermon.NoSuchSuite  # noqa: B018


def test_the_suite_takes_its_actions_from_the_settings_and_none_without_a_crawler() -> None:
    from scrapy.utils.test import get_crawler

    dummy = "spidermon.core.actions.DummyAction"
    crawler = get_crawler(settings_dict={"BS_SPIDERMON_FAILED_ACTIONS": [dummy], "BS_SPIDERMON_FINISHED_ACTIONS": [dummy, dummy]})
    suite = spidermon.RunVerdictMonitorSuite(crawler=crawler)
    assert [type(a).__name__ for a in suite.monitors_failed_actions] == ["DummyAction"]
    assert [type(a).__name__ for a in suite.monitors_finished_actions] == ["DummyAction", "DummyAction"]
    bare = spidermon.RunVerdictMonitorSuite()
    assert bare.monitors_failed_actions == [] and bare.monitors_finished_actions == []


# --- history ------------------------------------------------------------------------------------


def test_status_words() -> None:
    assert history.status_words(None) == "killed"
    assert history.status_words(0) == "ok"
    assert history.status_words(3) == "locked"
    assert history.status_words(99) == "exit 99"


def test_versions_name_the_running_python() -> None:
    import platform

    assert history.versions()["python"] == platform.python_version()


def test_naive_times_are_utc() -> None:
    assert history.parse_time("2024-03-01T10:00:00") == datetime(2024, 3, 1, 10, tzinfo=timezone.utc)
    assert history.parse_time("2024-03-01T10:00:00+05:30").utcoffset() == timedelta(hours=5, minutes=30)


def test_spider_arguments_both_spellings_without_private_ones_or_a_dangling_flag() -> None:
    argv = ["scrapy", "crawl", "archive", "-a", "since=2024-01-01", "-auntil=2024-02-01", "-a", "_job=7", "-a"]
    assert history.spider_arguments(argv) == {"since": "2024-01-01", "until": "2024-02-01"}
    assert history.spider_arguments(["scrapy", "crawl", "daily", "-a", "oops"]) == {}
    assert history.spider_arguments(["scrapy", "crawl", "daily", "-a", "-o", "x.jsonl", "-ab"]) == {}


def test_summarise_counts_every_family_and_the_field_coverage() -> None:
    stats = {
        stat.NEW: 5,
        stat.UPDATED: 2,
        stat.UNCHANGED: 1,
        stat.DISCOVERY_UNCHANGED_SKIPPED: 10,
        stat.OUTPUT_DELIVERED: 7,
        "item_dropped_count": 4,
        stat.UNCHANGED_DROPPED: 1,
        stat.layout("nextjs"): 6,
        stat.layout("amp"): 2,
        stat.missing("author"): 2,
        "downloader/request_count": 20,
        "downloader/response_count": 18,
        stat.BLOCKED: 1,
        stat.blocked(403): 1,
        stat.failed("http-500"): 2,
        stat.failed("timeout"): 1,
        stat.skipped("video"): 3,
        "downloader/response_status_count/429": 2,
        stat.SPIDER_EXCEPTION_COUNT: 1,
        stat.pipeline_error("store"): 2,
        "retry/reason_count/timeout": 4,
        "retry/reason_count/500": 1,
        stat.DISCOVERY_SOURCES_READ: 3,
        stat.source_failed("cut"): 1,
        stat.SPLASH_RENDERED: 2,
        stat.splash_failed("timeout"): 1,
        stat.REDIS_ARTICLES_TAKEN: 9,
        stat.REDIS_LOST: 1,
        stat.REDIS_DROPPED_UNCHECKED: 2,
        "start_time": datetime(2024, 1, 1),
        "flag": True,
        "ratio": 0.5,
    }
    summary = history.summarise(stats, ["title", "author"])
    assert summary["counts"] == {
        "new": 5, "updated": 2, "unchanged": 11, "emitted": 7, "dropped": 3, "checked": 8, "requests": 20, "responses": 18,
        "blocked": 1, "failed": 3, "skipped": 3, "rate_limited": 2, "errors": 3, "retries": 5, "sources_read": 3, "sources_failed": 1, "recovered": 0,
    }  # fmt: skip
    assert summary["layouts"] == {"amp": 2, "nextjs": 6}
    assert summary["missing"] == {"author": 2}
    assert summary["coverage"] == {"author": 0.75, "title": 1.0}
    assert summary["failed"] == {"http-500": 2, "timeout": 1}
    assert summary["blocked_by_status"] == {"403": 1}
    assert summary["splash"] == {"rendered": 2, "failed": {"timeout": 1}}
    assert summary["redis"] == {"articles_taken": 9, "lost": 1, "dropped_unchecked": 2}
    assert "start_time" not in summary["stats"] and "flag" not in summary["stats"]
    assert summary["stats"]["ratio"] == 0.5 and summary["stats"][stat.NEW] == 5


def test_summarise_of_a_run_without_items_has_no_coverage_and_never_negative_drops() -> None:
    summary = history.summarise({"item_dropped_count": 1, stat.UNCHANGED_DROPPED: 3}, ["title"])
    assert summary["coverage"] == {}
    assert summary["counts"]["dropped"] == 0


def test_append_ends_a_cut_line_first_and_records_are_sorted_and_filtered(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    runs = history.RunHistory(tmp_path / "state")
    runs.append({"run_id": "b", "spider": "daily", "started": "2024-01-02T00:00:00+00:00", "status": 0})
    with open(runs.path, "ab") as handle:
        handle.write(b'{"run_id": "cut", "star')
    runs.append({"run_id": "a", "spider": "archive", "started": "2024-01-01T00:00:00+00:00", "status": 1})
    with open(runs.path, "ab") as handle:
        handle.write(b"\n\x00\x00\n")  # blocks a crash zeroed: no line to warn about
    runs.append({"run_id": "c", "spider": "daily", "started": "2024-01-03T00:00:00", "status": None})
    lines = runs.path.read_bytes().split(b"\n")
    assert json.loads(lines[2])["run_id"] == "a"
    assert [r["run_id"] for r in runs.records()] == ["a", "b", "c"]
    assert [r["run_id"] for r in runs.records(spider="daily")] == ["b", "c"]
    assert [r["run_id"] for r in runs.records(since=datetime(2024, 1, 2, tzinfo=timezone.utc))] == ["b", "c"]
    assert [r["run_id"] for r in runs.records(since=datetime(2024, 1, 2, 0, 0, 1, tzinfo=timezone.utc), spider="daily")] == ["c"]
    caplog.clear()
    runs.records()
    # The cut line, once; not the empty or zeroed ones.
    assert [m for m in caplog.messages if "unreadable line" in m] == [f"Skipping an unreadable line of the run history {runs.path}"]


def test_append_adds_exactly_one_line_per_record_to_a_whole_file(tmp_path: Path) -> None:
    runs = history.RunHistory(tmp_path)
    runs.append({"started": "2024-01-01T00:00:00"})
    runs.append({"started": "2024-01-02T00:00:00"})
    assert runs.path.read_bytes() == b'{"started": "2024-01-01T00:00:00"}\n{"started": "2024-01-02T00:00:00"}\n'


def test_records_of_a_missing_history_are_none(tmp_path: Path) -> None:
    assert history.RunHistory(tmp_path).records() == []


def test_records_are_made_readable_in_this_versions_words(tmp_path: Path) -> None:
    runs = history.RunHistory(tmp_path)
    for record in (
        {"run_id": "1", "started": "2024-01-01T00:00:00", "status": 3, "status_words": "exit 3", "counts": {"new": 2, "x": "2", "y": True}},
        {"run_id": "2", "started": "2024-01-02T00:00:00", "status": None, "counts": [1], "arguments": "since=x"},
        {"run_id": "3", "started": "2024-01-03T00:00:00", "status": True, "status_words": "odd"},
        {"run_id": "4", "started": "2024-01-04T00:00:00"},
        {"run_id": "5", "started": "yesterday"},
        {"run_id": "6", "started": 20240105},
        ["not", "a", "record"],
    ):
        runs.append(record)  # type: ignore[arg-type]
    found = {r["run_id"]: r for r in runs.records()}
    assert sorted(found) == ["1", "2", "3", "4"]
    assert found["1"]["status_words"] == "locked" and found["1"]["counts"] == {"new": 2}
    assert found["2"]["status_words"] == "killed" and "counts" not in found["2"] and "arguments" not in found["2"]
    assert found["3"]["status_words"] == "odd"
    assert "status_words" not in found["4"]


def marker(runs: history.RunHistory, run_id: str, **fields: Any) -> Path:
    record = {"run_id": run_id, "spider": "daily", "started": "2024-01-01T00:00:00+00:00", "host": socket.gethostname(), **fields}
    runs.write_marker(record)
    return runs.marker(run_id)


def dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_killed_runs_are_recorded_once_with_their_last_checkpoint(tmp_path: Path) -> None:
    runs = history.RunHistory(tmp_path)
    me = os.getpid()
    gone = marker(runs, "gone", pid=dead_pid(), checkpoint="2024-01-01T00:10:00+00:00", counts={"new": 3})
    never = marker(runs, "never", pid=0)
    unchecked = marker(runs, "unchecked", pid=dead_pid(), started="not a time")
    alive = marker(runs, "alive", pid=me, process_start=process_start(me))
    reused = marker(runs, "reused", pid=me, process_start="1")
    elsewhere = marker(runs, "elsewhere", pid=dead_pid(), host="another-host")
    (runs.running / "junk.json").write_text("[1, 2]")
    killed = {r["run_id"]: r for r in runs.record_killed_runs()}
    assert sorted(killed) == ["gone", "never", "reused", "unchecked"]
    assert killed["gone"]["status"] is None and killed["gone"]["status_words"] == "killed"
    assert killed["gone"]["finished"] == "2024-01-01T00:10:00+00:00" and killed["gone"]["duration_s"] == 600.0
    assert killed["gone"]["reason"] == "the run was killed or crashed before its end"
    assert killed["never"]["finished"] == "2024-01-01T00:00:00+00:00" and killed["never"]["duration_s"] == 0.0
    assert "duration_s" not in killed["unchecked"]
    assert [p.exists() for p in (gone, never, unchecked, alive, reused, elsewhere)] == [False, False, False, True, False, True]
    assert not (runs.running / "junk.json").exists()
    assert sorted(r["run_id"] for r in runs.records()) == ["gone", "never", "reused"]
    assert runs.record_killed_runs() == []


def test_no_running_folder_means_no_killed_run(tmp_path: Path) -> None:
    assert history.RunHistory(tmp_path / "none").record_killed_runs() == []


def test_a_refused_run_is_recorded_with_its_status_and_no_counts(tmp_path: Path) -> None:
    settings = Settings({"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path)})
    assert history.record_refused(settings, "daily", {"since": "2024-01-01", "_job": "x"}, 3, "locked by pid 9") is None
    (record,) = history.RunHistory(tmp_path).records()
    assert record["spider"] == "daily" and record["arguments"] == {"since": "2024-01-01"}
    assert record["status"] == 3 and record["status_words"] == "locked" and record["finish_reason"] == "refused"
    assert record["summary"] == "refused before it started: exit=3 (locked by pid 9)"
    assert record["started"] == record["finished"] and record["duration_s"] == 0.0 and "counts" not in record
    assert record["run_id"].startswith("daily-") and record["run_id"].endswith(f"-{os.getpid()}")


def test_a_refused_run_is_not_recorded_when_the_history_is_off_or_says_why(tmp_path: Path) -> None:
    assert history.record_refused(Settings({"BS_RUN_HISTORY": False, "BS_STATE_DIR": str(tmp_path)}), "daily", {}, 3, "x") is None
    assert not (tmp_path / history.RUNS_FILE).exists()
    blocker = tmp_path / "file"
    blocker.write_text("")
    said = history.record_refused(Settings({"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(blocker)}), "daily", {}, 3, "x")
    assert said == f"the refusal is not in the run history: {blocker / history.RUNS_FILE}: its folder is not a directory"


def test_a_refused_run_says_why_the_history_could_not_be_written(tmp_path: Path) -> None:
    (tmp_path / history.RUNS_FILE).mkdir()
    said = history.record_refused(Settings({"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path)}), "daily", {}, 3, "x")
    assert said == f"the refusal is not in the run history: {tmp_path / history.RUNS_FILE}: Is a directory"


def test_a_refused_run_goes_to_redis_too_unless_redis_is_why(tmp_path: Path) -> None:
    from crawler.monitoring.verdict import EXIT_REDIS

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = Settings({"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path), "REDIS_URL": f"redis://127.0.0.1:{port}/0", "BS_REDIS_TIMEOUT": 2})
    assert history.record_refused(settings, "daily", {}, EXIT_REDIS, "Redis is down") is None
    said = history.record_refused(settings, "daily", {}, 3, "locked")
    assert said is not None and said.startswith(f"the refusal is in {tmp_path / history.RUNS_FILE} but not in Redis (")
    assert [r["status"] for r in history.RunHistory(tmp_path).records()] == [EXIT_REDIS, 3]


def test_history_is_read_from_the_state_dir_without_redis(tmp_path: Path) -> None:
    store = history.history_store(Settings({"BS_STATE_DIR": str(tmp_path)}))
    assert isinstance(store, history.RunHistory) and store.path == tmp_path / history.RUNS_FILE
    assert history.history_dir(Settings({})) == Path(".state")


# --- report -------------------------------------------------------------------------------------


def run_record(started: str, status: int | None, **more: Any) -> dict[str, Any]:
    words = history.status_words(status)
    return {"spider": "daily", "started": started, "status": status, "status_words": words, "reason": f"why {words}", **more}


def test_the_report_lists_runs_newest_first_with_their_outcome() -> None:
    # Oldest first, as the run history gives them (the report keeps that order: round 18).
    records = [
        run_record("2024-01-01T06:00:00+00:00", 0, duration_s=30, counts={"new": 5, "updated": 2, "emitted": 7}),
        run_record("2024-01-02T06:00:00+00:00", 4, duration_s=12.5, counts={"new": 1, "blocked": 9}),
        run_record("2024-01-03T06:00:00+00:00", None),
        run_record("2024-01-03T07:00:00+00:00", 0, spider="archive", arguments={"since": "2024-01-01"}),
    ]
    page = report.render(records, {"title": 0.9}, title="Runs & <checks>")
    assert "<title>Runs &amp; &lt;checks&gt;</title>" in page
    assert "<p>4 runs, made " in page
    assert '<h2 id="archive">archive: 1 runs, 0 not ok</h2>' in page
    assert '<h2 id="daily">daily: 3 runs, 2 not ok</h2>' in page
    assert page.index('<h2 id="archive">') < page.index('<h2 id="daily">')
    daily = page[page.index('<h2 id="daily">') :]
    table = daily[daily.index("<h3>Runs, newest first</h3>") :]
    rows = table[: table.index("</table>") + len("</table>")].split("<tr>")[2:]
    assert rows == [
        '<td>01-03 06:00</td><td><span class="killed">killed</span></td><td class=n>0</td><td class=n>0</td><td class=n>0</td>'
        "<td class=n>0</td><td class=n>0</td><td class=n></td><td>why killed</td></tr>",
        '<td>01-02 06:00</td><td><span class="bad">blocked</span></td><td class=n>1</td><td class=n>0</td><td class=n>0</td>'
        "<td class=n>9</td><td class=n>0</td><td class=n>12.5</td><td>why blocked</td></tr>",
        '<td>01-01 06:00</td><td><span class="ok">ok</span></td><td class=n>5</td><td class=n>2</td><td class=n>7</td>'
        "<td class=n>0</td><td class=n>0</td><td class=n>30</td><td></td></tr></table>",
    ]
    # The latest run of each spider, in detail.
    assert '<span class="killed">killed</span> (None): why killed' in daily
    assert "<b>arguments</b></td><td>since=2024-01-01</td>" in page
    assert "<b>arguments</b></td><td>none</td>" in daily
    assert "<b>coverage</b></td><td>no items</td>" in daily


def test_the_report_of_no_runs_says_so() -> None:
    page = report.render([], {})
    assert "<p>0 runs, made " in page and "<p>No runs recorded.</p>" in page and "<h2" not in page


def test_the_latest_runs_details_in_words() -> None:
    record = run_record(
        "2024-01-01T06:00:00+00:00", 0, spider="Hindi Daily", finished="2024-01-01T06:05:00+00:00", summary="a <b>",
        counts={"new": 1}, layouts={"nextjs": 2}, coverage={"title": 0.5, "author": 1}, failed={"timeout": 1},
        versions={"crawler": "1.0"}, host="box", pid=12,
    )  # fmt: skip
    page = report.render([record], {})
    assert '<h2 id="hindi-daily">Hindi Daily: 1 runs, 0 not ok</h2>' in page
    for fact in (
        "<b>summary</b></td><td><code>a &lt;b&gt;</code></td>",
        "<b>counts</b></td><td>new=1</td>",
        "<b>layouts</b></td><td>nextjs=2</td>",
        "<b>coverage</b></td><td>title 50%, author 100%</td>",
        "<b>failures</b></td><td>timeout=1</td>",
        "<b>versions</b></td><td>crawler 1.0</td>",
        "<b>host / pid</b></td><td>box / 12</td>",
        "<b>finished</b></td><td>2024-01-01T06:05:00+00:00</td>",
    ):
        assert fact in page
    assert '<div class="chart" id="hindi-daily-coverage"><svg' in page


# --- the progress extension -----------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_progress(stream: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> Any:
    from scrapy import Spider
    from scrapy.http import Request, XmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.monitoring.progress import ProgressExtension

    monkeypatch.setattr("sys.argv", ["scrapy", "crawl", "archive", "-a", "since=2024-01-01", "-a", "until=2024-03-31"])
    crawler = get_crawler(settings_dict={"BS_PROGRESS_BAR": True})
    extension = ProgressExtension(crawler, 3600.0, stream)
    spider = Spider("archive")
    extension.spider_opened(spider)
    for url in ("https://x.example/sitemap/2024-february-1.xml", "https://x.example/sitemap/2024-March-1.xml.gz", "https://x.example/rss.xml"):
        extension.response_received(XmlResponse(url, body=b"<urlset/>"), Request(url), spider)
    extension.spider_closed(spider, "finished")
    return extension


def test_on_a_terminal_the_progress_bar_counts_the_monthly_sitemaps_read(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    extension = run_progress(terminal, monkeypatch)
    last = terminal.getvalue().split("\r")[-1]
    assert "archive:" in last and "2/3" in last and "months 2/3 done, found 0, fetched 0, emitted 0" in last
    assert re.search(r"elapsed 0m\d\ds", last)
    assert not extension.loop.running  # no report after the close


def test_progress_is_off_at_interval_zero() -> None:
    from scrapy.utils.test import get_crawler

    from crawler.monitoring.progress import ProgressExtension

    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(settings_dict={"BS_PROGRESS_INTERVAL": 0}))
    assert ProgressExtension.from_crawler(get_crawler(settings_dict={"BS_PROGRESS_INTERVAL": 0.5})).interval == 0.5


def test_off_a_terminal_no_bar_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    log_file = io.StringIO()
    run_progress(log_file, monkeypatch)
    assert log_file.getvalue() == ""


@pytest.mark.parametrize(
    ("status", "colour"), [(0, report.OK_COLOUR), (4, report.FAILED_COLOUR), (None, report.KILLED_COLOUR)], ids=["ok", "failed", "killed"]
)
def test_a_runs_duration_bar_has_its_outcomes_colour(status: int | None, colour: str) -> None:
    svg = report.Charts([run_record("2024-01-01T06:00:00+00:00", status, duration_s=30)]).durations()
    used = {c for c in (report.OK_COLOUR, report.FAILED_COLOUR, report.KILLED_COLOUR) if c in svg}
    assert used == {colour}


# --- the run history extension ----------------------------------------------------------------------


def test_the_history_extension_records_a_run_and_the_killed_run_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    monkeypatch.setattr("sys.argv", ["scrapy", "crawl", "daily", "-a", "fresh=1"])
    runs = history.RunHistory(tmp_path)
    marker(runs, "earlier", pid=dead_pid())
    settings = {"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path), "BS_RUN_HISTORY_CHECKPOINT": 0, "BS_MIN_FIELD_COVERAGE": {"title": 0.9}}
    crawler = get_crawler(settings_dict=settings)
    extension = history.RunHistoryExtension.from_crawler(crawler)
    spider = Spider("daily")
    extension.spider_opened(spider)
    (live,) = runs.running.glob("*.json")
    assert json.loads(live.read_text())["arguments"] == {"fresh": "1"}
    assert crawler.stats is not None
    crawler.stats.set_value(stat.NEW, 2)
    crawler.stats.set_value(stat.layout("nextjs"), 2)
    extension.run_judged(spider, "finished", 0, "ok", "2 new")
    earlier, this = runs.records()
    assert earlier["run_id"] == "earlier" and earlier["status_words"] == "killed"
    assert this["spider"] == "daily" and this["status"] == 0 and this["status_words"] == "ok" and this["reason"] == "ok"
    assert this["summary"] == "2 new" and this["finish_reason"] == "finished" and this["counts"]["new"] == 2
    assert this["coverage"] == {"title": 1.0} and this["pid"] == os.getpid() and "worker" not in this
    assert this["run_id"] == live.stem and list(runs.running.glob("*.json")) == []
    assert 0 <= this["duration_s"] < 60


def test_a_distributed_runs_record_names_its_worker(tmp_path: Path) -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = {"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path), "BS_RUN_HISTORY_CHECKPOINT": 0,
                "REDIS_URL": f"redis://127.0.0.1:{port}/0", "BS_REDIS_TIMEOUT": 2, "BS_WORKER_NAME": "worker-7"}
    extension = history.RunHistoryExtension.from_crawler(get_crawler(settings_dict=settings))
    extension.spider_opened(Spider("daily"))
    extension.run_judged(Spider("daily"), "finished", 0, "ok", "")
    # Redis is down: the record is in the state dir all the same.
    (record,) = history.RunHistory(tmp_path).records()
    assert record["worker"] == "worker-7"


def test_the_history_extension_is_off_when_the_history_is(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    with pytest.raises(NotConfigured):
        history.RunHistoryExtension.from_crawler(get_crawler(settings_dict={"BS_RUN_HISTORY": False, "BS_STATE_DIR": str(tmp_path)}))


# --- the report's charts ------------------------------------------------------------------------------


def test_the_coverage_chart_marks_only_a_field_under_its_minimum() -> None:
    records = [
        run_record("2024-01-01T06:00:00+00:00", 0, coverage={"title": 0.9, "author": 0.1}),
        run_record("2024-01-02T06:00:00+00:00", 0, coverage={"title": 0.95}),
    ]
    assert report.ALARM_COLOUR not in report.Charts(records).coverage({"title": 0.9})
    records.append(run_record("2024-01-03T06:00:00+00:00", 0, coverage={"title": 0.89}))
    assert "below its minimum" in report.Charts(records).coverage({"title": 0.9})


def test_the_coverage_chart_plots_the_fields_with_a_minimum_else_every_field() -> None:
    records = [run_record("2024-01-01T06:00:00+00:00", 0, coverage={"title": 1.0, "author": 0.5})]
    with_minimum = report.Charts(records).coverage({"title": 0.9})
    assert ">title<" in with_minimum and ">author<" not in with_minimum
    every = report.Charts(records).coverage({})
    assert ">title<" in every and ">author<" in every


def test_the_duration_chart_is_in_minutes_from_five_minutes_on() -> None:
    def unit(seconds: float) -> str:
        svg = report.Charts([run_record("2024-01-01T06:00:00+00:00", 0, duration_s=seconds)]).durations()
        return "minutes" if ">minutes<" in svg else "seconds" if ">seconds<" in svg else "?"

    assert (unit(299), unit(300)) == ("seconds", "minutes")


def test_chart_labels_show_seconds_only_for_runs_in_the_same_minute() -> None:
    apart = report.Charts([run_record("2024-01-01T06:00:05+00:00", 0), run_record("2024-01-01T07:00:09+00:00", 0)]).durations()
    assert ">01-01 06:00<" in apart and "06:00:05" not in apart
    close = report.Charts([run_record("2024-01-01T06:00:05+00:00", 0), run_record("2024-01-01T06:00:09+00:00", 0)]).durations()
    assert ">01-01 06:00:05<" in close and ">01-01 06:00:09<" in close


def test_the_status_chart_names_the_outcome_of_runs_that_were_not_ok() -> None:
    svg = report.Charts([run_record("2024-01-01T06:00:00+00:00", 0), run_record("2024-01-02T06:00:00+00:00", 4)]).statuses()
    assert ">blocked<" in svg and svg.count(">ok<") == 1  # the legend's


# --- the heartbeat extension ------------------------------------------------------------------------


def heartbeat_extension(monitor_url: str, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> Any:
    from scrapy.utils.test import get_crawler
    from twisted.internet import defer

    # The ping in this thread: the extension's own logic, without a running reactor.
    monkeypatch.setattr(heartbeat.threads, "deferToThread", lambda call, *args: defer.maybeDeferred(call, *args))
    monkeypatch.setattr(heartbeat, "maybe_deferred_to_future", lambda deferred: deferred)
    crawler = get_crawler(settings_dict={"BS_HEARTBEAT_URL": monitor_url, "BS_HEARTBEAT_TIMEOUT": 5, **settings})
    return heartbeat.HeartbeatExtension.from_crawler(crawler)


def finish(coroutine: Any) -> None:
    with pytest.raises(StopIteration):
        coroutine.send(None)


def test_the_heartbeat_pings_success_fail_and_start(monitor: Monitor, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy import Spider

    spider = Spider("daily")
    quiet = heartbeat_extension(monitor.url, monkeypatch)
    finish(quiet.spider_opened(spider))
    assert monitor.pings == []
    extension = heartbeat_extension(monitor.url, monkeypatch, BS_HEARTBEAT_START=True)
    finish(extension.spider_opened(spider))
    finish(extension.run_judged(spider, status=0, summary="2 new"))
    finish(extension.run_judged(spider, status=4, summary="blocked"))
    assert monitor.pings == [("/ping/key/start", "daily started"), ("/ping/key", "daily: 2 new"), ("/ping/key/fail", "daily: blocked")]
    assert extension.stats.get_value(stat.HEARTBEAT_SENT) == 3 and extension.stats.get_value(stat.HEARTBEAT_FAILED) is None


def test_a_heartbeat_the_monitor_refuses_is_one_warning_and_a_stat(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from scrapy import Spider

    refusing = Monitor(status=500)
    try:
        extension = heartbeat_extension(refusing.url, monkeypatch)
        finish(extension.spider_opened(Spider("daily")))  # a run that never opened is pinged by the crawl command
        finish(extension.run_judged(Spider("daily"), status=0, summary="ok"))
    finally:
        refusing.server.shutdown()
        refusing.server.server_close()
    assert extension.stats.get_value(stat.HEARTBEAT_FAILED) == 1 and extension.stats.get_value(stat.HEARTBEAT_SENT) is None
    host = refusing.url.split("/")[2]
    assert f"Heartbeat to {host} failed (HTTP 500); the run's own status is unaffected" in caplog.messages


def test_no_heartbeat_under_scrapy_check(monitor: Monitor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_CHECK", "1")
    with pytest.raises(NotConfigured):
        heartbeat_extension(monitor.url, monkeypatch)


def test_progress_eta_of_an_archive_run_with_nothing_fetched_yet_or_no_month_read() -> None:
    progress = Progress("archive", 12)
    # No month read yet: by the articles found but not fetched.
    assert progress.eta(120.0, 10, 5) == pytest.approx(120.0)
    progress.months_done.add((2024, 1))
    # A month read, nothing of it fetched yet: no estimate (not a division by zero).
    assert progress.eta(120.0, 10, 0) is None
