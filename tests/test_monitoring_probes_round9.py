"""Probes of round 9 on the run's settings, verdict, history and commands: a user's typo in a setting's
name or value, a run history that grew for a year or holds a marker of another shape, and what the
exit status, the one line and the record must then say."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.commands.crawl import json_lists, setting_problems
from crawler.monitoring.history import RUNS_FILE
from crawler.monitoring.verdict import EXIT_USAGE
from tests.e2e import scrapy, history
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 (the fixture: a loopback cron monitor)

NOWHERE = "http://127.0.0.1:9"  # nothing is fetched by a refused run




def problems_of(setting: str) -> dict[str, str]:
    """What the crawl command finds wrong with one ``-s NAME=VALUE``, as it judges it."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    known = set(settings)
    name, value = setting.split("=", 1)
    replaced = {name: settings.get(name)}
    settings.set(name, value, priority="cmdline")
    json_lists({name: value}, replaced, settings)
    return setting_problems({name: value}, replaced, settings, known=known)


def assert_one_usage_line(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-3000:]


# --- a setting's name given wrongly: the run went on with the default, not a word said -----------------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        # A typo: the blocked share stayed 0.5, the run never failed where the user asked it to.
        ("BS_MAX_BLOCK_SHARE=0.3", "did you mean BS_MAX_BLOCKED_SHARE?"),
        ("BS_STATEDIR=/srv/state", "did you mean BS_STATE_DIR?"),  # a second seen-store: everything emitted again
        ("BS_HEARTBEAT=https://hc-ping.com/x", "did you mean BS_HEARTBEAT_URL?"),  # the monitor never pinged
        ("BS_NO_SUCH_THING=1", "no setting of the project"),
        # Setting names are upper-case: these were settings of nobody's.
        ("bs_state_dir=/srv/state", "did you mean BS_STATE_DIR?"),
        ("log_level=DEBUG", "did you mean LOG_LEVEL?"),
        ("Concurrent_Requests=4", "did you mean CONCURRENT_REQUESTS?"),
    ],
)
def test_a_setting_name_nobody_reads_is_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


@pytest.mark.parametrize(
    "setting",
    ["SOME_SETTING_OF_ONES_OWN=x", "my_setting=x", "JOBDIR=job", "LOG_FILE=logs/x.log", "BS_STATE_DIR=/srv/state", "REDIS_URL=redis://h/0"],
)
def test_a_setting_of_ones_own_or_one_whose_default_is_none_passes(setting: str) -> None:
    assert problems_of(setting) == {}


# --- a list setting given as JSON, or with entries of the wrong kind --------------------------------------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        # Scrapy splits a list setting's text at commas: int("[500") was a traceback after the banner.
        ("RETRY_HTTP_CODES=500,abc", "whole numbers"),
        ("RETRY_HTTP_CODES=500,503.5", "whole numbers"),
        ('RETRY_HTTP_CODES=["500", "x"]', "whole numbers"),
        ("BS_LATEST_SOURCES=[/rss/latest.rss]", "JSON"),  # neither a JSON array nor a list of paths
        ('BS_LATEST_SOURCES={"a": 1}', "JSON"),
        ('BS_LATEST_SOURCES=[1, 2]', "text"),
    ],
)
def test_a_list_setting_of_the_wrong_kind_is_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        # A JSON array, as -s FEEDS takes a JSON object: read as the list it is, not split at its commas
        # (the sources were one path '["/rss/latest.rss"', a 404, and the run failed for no readable source).
        ('BS_LATEST_SOURCES=["/rss/latest.rss", "/rss/markets-106.rss"]', ["/rss/latest.rss", "/rss/markets-106.rss"]),
        ("RETRY_HTTP_CODES=[500, 503]", [500, 503]),
        ('BS_SPIDERMON_FAILED_ACTIONS=["spidermon.contrib.actions.email.smtp.SendSmtpEmail"]',
         ["spidermon.contrib.actions.email.smtp.SendSmtpEmail"]),
        # The comma-separated text stays as Scrapy reads it.
        ("BS_LATEST_SOURCES=/rss/latest.rss,/latest-news", ["/rss/latest.rss", "/latest-news"]),
        ("RETRY_HTTP_CODES=500, 503", ["500", " 503"]),
    ],
)
def test_a_list_setting_as_a_json_array_or_commas_is_read_as_that_list(setting: str, value: list[Any]) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    known = set(settings)
    name, given = setting.split("=", 1)
    replaced = {name: settings.get(name)}
    settings.set(name, given, priority="cmdline")
    json_lists({name: given}, replaced, settings)
    assert setting_problems({name: given}, replaced, settings, known=known) == {}
    assert settings.getlist(name) == value


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        # Read as a number, NaN passed every check: a blocked share of NaN never failed a run, a skew of
        # NaN was a traceback when the spider was made.
        ("BS_MAX_BLOCKED_SHARE=nan", "finite"),
        ("BS_FUTURE_DATE_SKEW=nan", "finite"),
        ("BS_RUN_HISTORY_CHECKPOINT=NaN", "finite"),
        ("BS_HEARTBEAT_TIMEOUT=inf", "finite"),
        ("DOWNLOAD_TIMEOUT=inf", "finite"),
        ("BS_FEED_CLOSE_TIMEOUT=-inf", "finite"),
    ],
)
def test_a_number_that_is_not_finite_is_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["-s", "BS_MAX_BLOCK_SHARE=0.3"], "did you mean BS_MAX_BLOCKED_SHARE?"),
        (["-s", "RETRY_HTTP_CODES=[500,503"], "JSON"),  # was a traceback after the banner
        (["-s", "BS_FUTURE_DATE_SKEW=nan"], "finite"),  # was a traceback after the banner
    ],
)
def test_a_setting_given_wrongly_is_one_line_exit_2_and_recorded(tmp_path: Path, option: list[str], words: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", *option)
    assert_one_usage_line(done, words)
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and record["finish_reason"] == "refused" and words in str(record["reason"])


# --- a run marker of another shape in running/: the next run's record was lost, and every one after it --------


@pytest.mark.parametrize("pid", ["x", None, [4], {"pid": 4}, "12abc", 1.5, True, ""])
def test_a_marker_whose_pid_cannot_be_read_is_a_killed_run_and_this_run_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pid: Any
) -> None:
    # A marker written by another program or edited by hand: int() of its pid raised in the history's
    # spider_opened handler (a traceback in the log), so this run had no start and its record was
    # unreadable, and the marker stayed to do the same to every later run.
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.monitoring.history import RunHistory, RunHistoryExtension

    monkeypatch.setattr("sys.argv", ["scrapy", "crawl", "daily"])
    runs = RunHistory(tmp_path)
    runs.write_marker({"run_id": "odd", "spider": "daily", "started": "2024-01-01T00:00:00+00:00", "host": socket.gethostname(), "pid": pid})
    settings = {"BS_RUN_HISTORY": True, "BS_STATE_DIR": str(tmp_path), "BS_RUN_HISTORY_CHECKPOINT": 0}
    extension = RunHistoryExtension.from_crawler(get_crawler(settings_dict=settings))
    spider = Spider("daily")
    extension.spider_opened(spider)
    extension.run_judged(spider, "finished", 0, "ok", "summary")
    found = {record["run_id"]: record for record in runs.records()}
    assert found.pop("odd")["status_words"] == "killed"
    [(run_id, this)] = found.items()
    assert run_id.startswith("daily-") and this["status"] == 0 and this["summary"] == "summary"
    assert list(runs.running.glob("*.json")) == []


# --- a run history a year long: `scrapy runs` held every record to print the last 20 ---------------------


def _year_of_runs(path: Path, runs: int, spiders: tuple[str, ...] = ("latest", "section")) -> None:
    """``runs`` records 15 minutes apart, each with the ~200 numeric stats a real record keeps."""
    from datetime import datetime, timedelta, timezone

    start = datetime(2025, 12, 1, tzinfo=timezone.utc)
    stats = {f"downloader/response_status_count/{n}": n for n in range(200)}
    with path.open("w") as handle:
        for i in range(runs):
            started = (start + timedelta(minutes=15 * i)).isoformat(timespec="seconds")
            record = {"run_id": f"r{i}", "spider": spiders[i % len(spiders)], "started": started, "status": 0, "stats": stats, "counts": {"new": i}}
            handle.write(json.dumps(record, sort_keys=True) + "\n")


def test_the_last_runs_of_a_long_history_are_read_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    from crawler.monitoring.history import RunHistory

    path = tmp_path / RUNS_FILE
    _year_of_runs(path, 3000)
    runs = RunHistory(tmp_path)
    tracemalloc.start()
    try:
        last = runs.records(last=20)
        per_spider = runs.records(last=5, per_spider=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r["run_id"] for r in last] == [f"r{i}" for i in range(2980, 3000)]
    assert [r["run_id"] for r in per_spider] == [f"r{i}" for i in range(2990, 3000)]
    # Every record held at once is some 40 MB here (more than twice the file); 20 of them, a few hundred KB.
    assert peak < path.stat().st_size / 4, (peak, path.stat().st_size)


def test_runs_and_report_choose_the_last_runs_of_a_long_history(tmp_path: Path) -> None:
    (tmp_path / ".state").mkdir()
    _year_of_runs(tmp_path / ".state" / RUNS_FILE, 200)
    done = scrapy(tmp_path, "runs", "-n", "3", "--spider", "latest")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert [row.split()[1] for row in rows] == ["01:30:00", "01:00:00", "00:30:00"] and all(" latest " in row for row in rows)
    listed = scrapy(tmp_path, "runs", "--json", "-n", "0", "--since", "2025-12-03T01:00")
    assert [json.loads(line)["run_id"] for line in listed.stdout.splitlines()] == [f"r{i}" for i in range(199, 195, -1)]
    pytest.importorskip("matplotlib")
    report = scrapy(tmp_path, "report", "-n", "4", "-o", "r.html")
    assert report.returncode == 0 and report.stdout.strip() == "8 runs written to r.html", report.stderr


# --- a heartbeat URL that cannot be pinged: the run went on, "ok", and the monitor never heard --------------


@pytest.mark.parametrize("url", ["hc-ping.com/0f6b1e9c-uuid", "ftp://hc.example/ping", "https://", "0f6b1e9c-uuid"])
def test_a_heartbeat_url_that_is_no_http_url_is_one_line_and_exit_2(tmp_path: Path, url: str) -> None:
    # Was one WARNING in a log nobody reads and exit 0, run after run; the monitor, never pinged, said
    # the crawler was down while it ran well (or, with a long grace time, nothing for days).
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", f"BS_HEARTBEAT_URL={url}")
    assert_one_usage_line(done, "BS_HEARTBEAT_URL")
    assert "0f6b1e9c" not in done.stderr  # the check's secret stays out of the log
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and "BS_HEARTBEAT_URL" in record["reason"]


# --- a setting naming a class or function that cannot be loaded: a traceback after the banner, unrecorded --------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("BS_SEEN_STORE=crawler.incremental.store.SqliteSeenStor", "crawler.incremental.store.SqliteSeenStor cannot be loaded"),
        ("BS_SPIDERMON_FAILED_ACTIONS=spidermon.contrib.actions.email.smtp.SendSmtpEmal", "SendSmtpEmal cannot be loaded"),
        ('BS_SPIDERMON_FINISHED_ACTIONS=["no_such_module.Action"]', "no_such_module.Action cannot be loaded"),
        ("STATS_CLASS=crawler.nope.X", "crawler.nope.X cannot be loaded"),
        ("DUPEFILTER_CLASS=RFPDupeFilter", "RFPDupeFilter cannot be loaded"),  # not a full path
        ('ITEM_PIPELINES={"crawler.pipelines.Nope": 300}', "crawler.pipelines.Nope cannot be loaded"),
        ('EXTENSIONS={"crawler.monitoring.verdict.RunVerdictExtension": "x"}', "order"),
        ('DOWNLOADER_MIDDLEWARES={"crawler.middlewares.BlockPageMiddleware": [1]}', "order"),
        ('FEED_STORAGES={"remote": "nope.Storage"}', "nope.Storage cannot be loaded"),
        ('FEED_EXPORTERS={"csv": "scrapy.exporters.CsvExporter"}', "scrapy.exporters.CsvExporter cannot be loaded"),
    ],
)
def test_a_setting_naming_what_cannot_be_loaded_is_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


@pytest.mark.parametrize(
    "setting",
    [
        "BS_SEEN_STORE=crawler.distributed.store.RedisSeenStore", "STATS_CLASS=scrapy.statscollectors.MemoryStatsCollector",
        'ITEM_PIPELINES={"crawler.pipelines.ArticleValidationPipeline": 100, "crawler.pipelines.DuplicateArticlePipeline": null}',
        'EXTENSIONS={"scrapy.extensions.closespider.CloseSpider": 0.5}',
        'FEED_STORAGES={"remote": "tests.remote_storage.FolderFeedStorage"}', 'DOWNLOAD_HANDLERS={"ftp": null}',
        "BS_SPIDERMON_FAILED_ACTIONS=", "FEED_URI_PARAMS=crawler.feed_names.uri_params", "NEWSPIDER_MODULE=mybot.spiders",
        "COMMANDS_MODULE=mybot.commands",
    ],
)
def test_a_setting_naming_what_loads_passes(setting: str) -> None:
    assert problems_of(setting) == {}


def test_a_spidermon_action_that_cannot_be_loaded_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # Was a traceback when Spidermon built our suite, exit 1, no record and no ping.
    pytest.importorskip("spidermon")
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", "SPIDERMON_ENABLED=True",
                  "-s", "BS_SPIDERMON_FAILED_ACTIONS=spidermon.contrib.actions.email.smtp.SendSmtpEmal")
    assert_one_usage_line(done, "SendSmtpEmal cannot be loaded")
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE


# --- scrapy merge of a long backfill: every article held in memory at once ----------------------------------


def _merge(tmp_path: Path, *args: str) -> None:
    import argparse

    from crawler.commands.merge import Command

    command = Command()
    command.run([str(tmp_path / "merged.jsonl"), *args], argparse.Namespace())
    assert command.exitcode == 0


def test_merge_holds_the_winning_lines_on_disk_not_every_article_in_memory(tmp_path: Path) -> None:
    # The README's use: the per-worker files of an archive backfill, a million articles of some 4 KB
    # each. They were all held as dicts (4 times their size): 300 MB for 20,000, out of memory for a backfill.
    import tracemalloc

    body = "x" * 3000
    for worker in ("w1", "w2"):
        with (tmp_path / f"{worker}.jsonl").open("w") as handle:
            for i in range(2000):
                version = 2 if worker == "w2" and i % 2 else 1
                item = {"articleId": f"1{i:011d}", "version": version, "dateDownloaded": "2026-01-01T00:00:00+05:30", "articleBody": body, "from": worker}
                handle.write(json.dumps(item) + "\n")
    size = sum(p.stat().st_size for p in tmp_path.glob("w*.jsonl"))
    tracemalloc.start()
    try:
        _merge(tmp_path, str(tmp_path / "w1.jsonl"), str(tmp_path / "w2.jsonl"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    merged = [json.loads(line) for line in (tmp_path / "merged.jsonl").read_text().splitlines()]
    assert [m["articleId"] for m in merged] == [f"1{i:011d}" for i in range(2000)]
    # The higher version wins; at the same version and time, the line read first.
    assert [m["from"] for m in merged[:4]] == ["w1", "w2", "w1", "w2"]
    assert peak < size / 4, (peak, size)


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        # The later download wins at one version, whatever the zone it is written in.
        ([{"version": 1, "dateDownloaded": "2026-01-01T10:00:00+05:30"}, {"version": 1, "dateDownloaded": "2026-01-01T05:00:00+00:00"}], 1),
        ([{"version": 1, "dateDownloaded": "2026-01-01T10:00:00.5+05:30"}, {"version": 1, "dateDownloaded": "2026-01-01T04:30:00+00:00"}], 0),
        # A null version (`scrapy crawl article`, `reextract`) is weighed by its download against the crawl's line
        # (tests/test_reextract_probes_round27.py); an unreadable date is the earliest.
        ([{"version": None, "dateDownloaded": "2026-01-02T00:00:00"}, {"version": 1, "dateDownloaded": "garbage"}], 0),
        ([{"version": None, "dateDownloaded": "2026-01-01T00:00:00"}, {"version": 1, "dateDownloaded": "2026-01-02T00:00:00"}], 1),
        ([{"version": "x", "dateDownloaded": "2026-01-02T00:00:00"}, {"version": 1, "dateDownloaded": "garbage"}], 1),
        ([{"version": 1, "dateDownloaded": "garbage"}, {"version": 1, "dateDownloaded": "0001-01-01T00:00:00"}], 0),
        ([{"version": 3}, {"version": 2, "dateDownloaded": "2030-01-01T00:00:00+00:00"}], 0),
    ],
)
def test_merge_keeps_the_line_of_the_highest_version_then_the_latest_download(tmp_path: Path, lines: list[dict[str, Any]], kept: int) -> None:
    with (tmp_path / "in.jsonl").open("w") as handle:
        for n, line in enumerate(lines):
            handle.write(json.dumps({"articleId": "124010100001", "n": n, **line}) + "\n")
    _merge(tmp_path, str(tmp_path / "in.jsonl"))
    [merged] = [json.loads(line) for line in (tmp_path / "merged.jsonl").read_text().splitlines()]
    assert merged["n"] == kept


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        # The ends of what a date or SQLite's integers can hold: ranked, never a traceback.
        ([{"version": 1, "dateDownloaded": "0001-01-01T00:00:00+05:30"}, {"version": 1, "dateDownloaded": "2026-01-01T00:00:00"}], 1),
        ([{"version": 1, "dateDownloaded": "9999-12-31T23:00:00-05:00"}, {"version": 1, "dateDownloaded": "2026-01-01T00:00:00"}], 0),
        ([{"version": 10**20}, {"version": 5}], 0),
    ],
)
def test_merge_ranks_lines_at_the_ends_of_time_and_of_numbers(tmp_path: Path, lines: list[dict[str, Any]], kept: int) -> None:
    test_merge_keeps_the_line_of_the_highest_version_then_the_latest_download(tmp_path, lines, kept)


# --- FEEDS that leave a run no output, or whose options are no object ---------------------------------------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        # No feed at all: every run found the new articles, wrote them nowhere (nor marked them seen) and
        # said "ok", for ever.
        ("FEEDS={}", "no output"),
        ("FEEDS=[]", "no output"),
        ("BS_DEFAULT_FEED=", "no output"),
        # Options that are no object: a traceback when Scrapy's feed exporter was made.
        ('FEEDS={"out.jsonl": "jsonlines"}', "options of the output out.jsonl"),
        ('FEEDS={"out.jsonl": null}', "options of the output out.jsonl"),
    ],
)
def test_feeds_that_leave_no_output_or_have_no_options_are_one_line_and_exit_6(tmp_path: Path, setting: str, words: str) -> None:
    from crawler.monitoring.verdict import EXIT_OUTPUT

    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", setting)
    assert done.returncode == EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr[-3000:]
    # Refused where the output is checked, after Scrapy's banner, as an unwritable output is: its line is the last.
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and words in last, done.stderr[-3000:]
    assert "Spider opened" not in done.stderr  # nothing was fetched
    [record] = history(tmp_path)
    assert record["status"] == EXIT_OUTPUT and words in record["reason"]


# --- the verdict of a run without items when coverage is judged from the first item -----------------------


@pytest.mark.parametrize("minimum", [0, 1])
def test_coverage_judged_from_the_first_item_passes_a_run_without_items(minimum: int) -> None:
    # BS_COVERAGE_MIN_ITEMS=0 divided by the 0 items of a run with nothing new (most cron runs): the
    # verdict raised, so the run had no summary line, exit status 1, no record and no ping.
    from scrapy.utils.test import get_crawler

    from crawler import settings as project_settings
    from crawler import stats as stat
    from crawler.monitoring.verdict import EXIT_EXTRACTION, EXIT_OK, RunVerdictExtension

    project = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    verdict = RunVerdictExtension(get_crawler(settings_dict={**project, "BS_COVERAGE_MIN_ITEMS": minimum}))
    assert verdict.verdict({stat.DISCOVERY_SOURCES_READ: 3, stat.DISCOVERY_UNCHANGED_SKIPPED: 40}, "finished") == (EXIT_OK, "ok")
    one = {stat.DISCOVERY_SOURCES_READ: 1, stat.DISCOVERY_NEW: 1, "item_scraped_count": 1, stat.layout("nextjs"): 1, stat.missing("authors"): 1}
    assert verdict.verdict(one, "finished") == (EXIT_EXTRACTION, "field coverage too low (a site redesign?): authors 0% < 80%")


def test_a_verdict_that_raises_is_a_failed_run_with_its_line_record_and_ping(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # A bug in a rule (as the division above) left the run without a summary line; the history and the
    # heartbeat, which hear of the run from the verdict, had nothing to record or send.
    from scrapy.utils.test import get_crawler

    from crawler import stats as stat
    from crawler.monitoring.verdict import EXIT_FAILED, RunVerdictExtension

    verdict = RunVerdictExtension(get_crawler())

    def broken(stats: dict[str, Any], reason: str) -> tuple[int, str]:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(verdict, "verdict", broken)
    with caplog.at_level("ERROR"):
        status, why, line = verdict.judge("finished")
    assert status == EXIT_FAILED and why == "the run verdict failed (ZeroDivisionError: division by zero); see its traceback in the log"
    assert line.startswith("Run summary: ") and line.endswith(f"exit=1 ({why})")
    assert verdict.stats.get_value(stat.EXIT_STATUS) == EXIT_FAILED
    assert any("Run summary:" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        # 0 s for the feeds to close: every run ended "the output could not be written" (exit 6) and left
        # what it wrote pending, to be settled by the next run.
        ("BS_FEED_CLOSE_TIMEOUT=0", "above 0"),
        # Past what a time span can hold: a traceback when the spider was made (a "never" meant as 1e99).
        ("BS_FUTURE_DATE_SKEW=1e99", "too long"),
        ("BS_FUTURE_DATE_SKEW=99999999999999", "too long"),
        ("BS_RETRY_AFTER_MAX=1e300", "too long"),
    ],
)
def test_a_time_that_cannot_work_is_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


@pytest.mark.parametrize("setting", ["BS_FEED_CLOSE_TIMEOUT=0.5", "BS_FUTURE_DATE_SKEW=315360000", "BS_SITEMAP_MAX_SIZE=0", "BS_MAX_SOURCES=0"])
def test_times_and_limits_that_work_pass(setting: str) -> None:
    assert problems_of(setting) == {}


# --- two runs starting at one moment (latest every 15 minutes, section at 02:30) and a killed run's marker ------


def test_a_killed_run_is_recorded_once_by_two_runs_that_start_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both read the marker and found its process gone before either removed it: the killed run was in
    # the history twice (twice the failures in `scrapy runs` and the report).
    from crawler.monitoring import history as history_module
    from crawler.monitoring.history import RunHistory

    first, second = RunHistory(tmp_path), RunHistory(tmp_path)
    first.write_marker({"run_id": "gone", "spider": "latest", "started": "2026-12-01T02:30:00+00:00", "host": socket.gethostname(), "pid": 2**22 + 7})
    calls = []
    alive = history_module._alive

    def racing(marker: dict[str, Any]) -> bool:
        calls.append(marker["run_id"])
        if len(calls) == 1:  # the other run looks at the same moment, and gets there first
            assert [r["run_id"] for r in second.record_killed_runs()] == ["gone"]
        return alive(marker)

    monkeypatch.setattr(history_module, "_alive", racing)
    first.record_killed_runs()
    assert [r["run_id"] for r in first.records()] == ["gone"]
    assert list(first.running.iterdir()) == []


@pytest.mark.parametrize("duration", ["12.5s", [1], {"s": 1}, True])
def test_a_record_whose_duration_is_no_number_is_read_without_it(tmp_path: Path, duration: Any) -> None:
    # A record written by another program or edited by hand: float() of it ended `scrapy report` in a traceback.
    pytest.importorskip("matplotlib")
    from crawler.monitoring.history import RunHistory
    from crawler.monitoring.report import render

    runs = RunHistory(tmp_path)
    runs.append({"run_id": "a", "spider": "latest", "started": "2026-12-01T00:00:00+00:00", "status": 0, "duration_s": duration})
    runs.append({"run_id": "b", "spider": "latest", "started": "2026-12-01T00:15:00+00:00", "status": 0, "duration_s": 61.5})
    records = runs.records()
    assert "duration_s" not in records[0] and records[1]["duration_s"] == 61.5
    assert "2 runs" in render(records, {"headline": 0.95})


# --- a log file that cannot be written: a traceback, or Scrapy's usage text, and no record or ping ------------------


@pytest.mark.parametrize(
    ("logfile", "words"),
    [
        ("a-folder", "cannot write the log file a-folder: Is a directory"),  # was a traceback
        ("a-file/latest.log", "cannot write the log file a-file/latest.log: its folder is not a directory"),
        ("/proc/no-such/latest.log", "cannot write the log file /proc/no-such/latest.log: No such file or directory"),
    ],
)
def test_a_log_file_that_cannot_be_written_is_one_line_exit_2_recorded_and_pinged(
    tmp_path: Path, logfile: str, words: str, monitor: Monitor  # noqa: F811
) -> None:
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("")
    done = scrapy(tmp_path, "crawl", "latest", f"--logfile={logfile}", "-s", f"BS_BASE_URL={NOWHERE}", "-s", f"BS_HEARTBEAT_URL={monitor.url}")
    assert_one_usage_line(done, words)
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and record["reason"] == words
    assert [path for _, path, _ in monitor.pings] == ["/ping/0f1e2d3c/fail"]


def test_a_spider_name_with_a_typo_is_one_line_exit_2_recorded_and_pinged(tmp_path: Path, monitor: Monitor) -> None:  # noqa: F811
    # `scrapy crawl lastest` in a crontab: Scrapy's usage text, every 15 minutes, and nothing in the
    # history or at the monitor, which heard nothing rather than a failure.
    done = scrapy(tmp_path, "crawl", "lastest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", f"BS_HEARTBEAT_URL={monitor.url}")
    assert_one_usage_line(done, "no spider named 'lastest'; did you mean latest?")
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and record["spider"] == "lastest" and "did you mean latest?" in record["reason"]
    assert [path for _, path, _ in monitor.pings] == ["/ping/0f1e2d3c/fail"]


@pytest.mark.parametrize(
    ("words", "option"),
    [
        ("Unrecognized output format 'jsnol'", ["-o", "out.jsnol"]),
        ("Please use only one of -o/--output and -O/--overwrite-output", ["-o", "a.jsonl", "-O", "b.jsonl"]),
        ("Invalid -a value, use -a NAME=VALUE", ["-a", "url"]),
    ],
)
def test_scrapys_own_usage_errors_of_crawl_are_one_line_recorded_and_pinged(
    tmp_path: Path, words: str, option: list[str], monitor: Monitor  # noqa: F811
) -> None:
    # Scrapy's usage text on every cron run, and nothing in the history or at the monitor.
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", f"BS_HEARTBEAT_URL={monitor.url}", *option)
    assert_one_usage_line(done, words)
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and record["spider"] == "latest" and words in record["reason"]
    assert [path for _, path, _ in monitor.pings] == ["/ping/0f1e2d3c/fail"]


def test_a_reason_of_several_lines_is_one_row_of_the_runs_table() -> None:
    # An error's text (a traceback's, a database's) as the reason: its line breaks cut the row in two.
    from crawler.commands.runs import table

    record = {"started": "2026-12-01T00:00:00+00:00", "spider": "latest", "status": 1, "status_words": "failed",
              "reason": "the run verdict failed (KeyError: 'x'\n  in rule\tthree)", "counts": {}}
    lines = table([record]).splitlines()
    assert len(lines) == 2 and lines[1].endswith("the run verdict failed (KeyError: 'x' in rule three)")


@pytest.mark.parametrize(
    "command",
    [
        ["runs", "-s", "BS_STATEDIR=elsewhere"],  # read the default state dir's history, as if it were the one asked for
        ["report", "-o", "r.html", "-s", "BS_STATE_DIR=elsewhere", "-s", "bs_state_dir=elsewhere"],
        # Deleted the seen-store of the default prefix, not of the one meant: every article fetched again.
        ["redisclear", "--seen", "-s", "REDIS_URL=redis://127.0.0.1:9/0", "-s", "BS_REDIS_PREFX=test"],
    ],
)
def test_the_other_commands_refuse_a_setting_name_nobody_reads(tmp_path: Path, command: list[str]) -> None:
    done = scrapy(tmp_path, *command)
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    assert "did you mean BS_" in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert not (tmp_path / "r.html").exists()
