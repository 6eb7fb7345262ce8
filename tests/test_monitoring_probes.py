"""Probes of the run's verdict, exit status, history and commands: what a user, cron or a broken site
can hand them, and what the status and the one line must then say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.commands.crawl import setting_problems
from crawler.monitoring.history import RUNS_FILE
from crawler.monitoring.verdict import EXIT_USAGE
from tests.conftest import ROOT

NOWHERE = "http://127.0.0.1:9"  # nothing is fetched by a refused run


def scrapy(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def history(workdir: Path) -> list[dict[str, object]]:
    path = workdir / ".state" / RUNS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- wrong -s values: one line and exit 2, like wrong -a values ------------------------------------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("BS_MAX_BLOCKED_SHARE=abc", "BS_MAX_BLOCKED_SHARE"),  # read by the verdict at start-up
        ("BS_COVERAGE_MIN_ITEMS=many", "BS_COVERAGE_MIN_ITEMS"),
        ("BS_MAX_FAILED_SOURCES=1.5", "BS_MAX_FAILED_SOURCES"),  # a whole number
        ("BS_MIN_FIELD_COVERAGE=authors", "BS_MIN_FIELD_COVERAGE"),  # not JSON
        ('BS_MIN_FIELD_COVERAGE={"authors": "most"}', "BS_MIN_FIELD_COVERAGE"),
        ("BS_RUN_HISTORY=maybe", "BS_RUN_HISTORY"),  # the refusal's own record reads it
        ("BS_PROGRESS_INTERVAL=-5", "BS_PROGRESS_INTERVAL"),
        ("BS_MAX_INVALID_SHARE=20", "BS_MAX_INVALID_SHARE"),  # a share: 0 to 1
        ("DOWNLOAD_TIMEOUT=30s", "DOWNLOAD_TIMEOUT"),  # Scrapy's own
        ("CLOSESPIDER_TIMEOUT=-600", "CLOSESPIDER_TIMEOUT"),
    ],
)
def test_a_wrong_setting_value_is_one_error_line_and_exit_2(tmp_path: Path, setting: str, words: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", setting)
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-3000:]
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and record["finish_reason"] == "refused" and words in str(record["reason"])


@pytest.mark.parametrize(
    "setting",
    [
        "CLOSESPIDER_TIMEOUT=1.5", "DOWNLOAD_TIMEOUT=7.5", "DEPTH_PRIORITY=-1", "BS_MAX_FAILED_SOURCES=-1",
        "BS_MAX_FAILED_SOURCES=0", "BS_FUTURE_DATE_SKEW=0.5", "BS_REDIS_IDLE_SECONDS=2.5", "BS_RETRY_AFTER_MAX=0.5",
        "BS_RATE_LIMIT_WAIT=0.5", "BS_FEED_CLOSE_TIMEOUT=1.5", 'BS_MIN_FIELD_COVERAGE={"authors": 0.5}',
        "BS_FRESH=1", "BS_FRESH=true", "BS_MAX_BLOCKED_SHARE=1", "BS_LATEST_SOURCES=/rss/latest.rss",
        'FEEDS={"out.jsonl": {"format": "jsonlines"}}', "LOG_LEVEL=INFO", "JOBDIR=job", "SOME_SETTING_OF_ONES_OWN=x",
    ],
)
def test_right_setting_values_pass(setting: str) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    name, value = setting.split("=", 1)
    replaced = {name: settings.get(name)}
    settings.set(name, value, priority="cmdline")
    assert setting_problems({name: value}, replaced, settings) == []

