"""Runs that fail before their spider opens, whichever part fails, and cron monitors behind a proxy or given a
timeout of no practical end: each recorded, pinged and logged once."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crawler.monitoring import heartbeat
from tests.e2e import ROOT, scrapy
from tests.e2e import history as e2e_history
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 (the fixture: a loopback cron monitor)

# Components of one's own that fail as a run begins, each in its own way.
OURS = '''
import scrapy


class InitRaises(scrapy.Spider):
    name = "initraises"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raise ValueError("no licence key")


class FromCrawlerRaises(scrapy.Spider):
    name = "fromcrawlerraises"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        raise ValueError("no licence key")


class OpenRaises:
    """A pipeline whose database is down."""

    def open_spider(self, spider):
        raise ValueError("no licence key")

    def process_item(self, item, spider):
        return item
'''
WHY = "the run failed before its spider opened (ValueError: no licence key); see its traceback in the log"


def _crawl_ours(tmp_path: Path, monitor: Monitor, spider: str, *settings: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "broken.py").write_text(OURS)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'ours'}{os.pathsep}{ROOT}", "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider, "-O", "out.jsonl", "-s", "BS_BASE_URL=http://127.0.0.1:9",
        "-s", "SPIDER_MODULES=crawler.spiders,broken", "-s", f"BS_HEARTBEAT_URL={monitor.url}", *settings,
    ]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def _one_record_one_ping(tmp_path: Path, monitor: Monitor, done: subprocess.CompletedProcess[str], spider: str) -> None:
    assert done.returncode == 1, done.stderr[-3000:]
    assert done.stderr.strip().splitlines()[-1] == f"error: {WHY}"
    # Log records by their timestamped first lines; Scrapy 2.13 logs the exception once more itself, chained
    # to the error of its CoreStats' spider_closed handler on the spider that never opened (not ours to change).
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )", done.stderr)
    ours = [r for r in records if "ValueError: no licence key\n" in r and "[scrapy.utils.signal]" not in r]
    assert len(ours) == 1 and ours[0].count("ValueError: no licence key\n") == 1, "its traceback once"
    [record] = e2e_history(tmp_path)
    assert (record["spider"], record["status"], record["reason"], record["finish_reason"]) == (spider, 1, WHY, "failed to start")
    assert record["started"] and record["duration_s"] == 0.0
    assert monitor.pings == [("POST", "/ping/0f1e2d3c/fail", f"{spider}: failed before it started: exit=1 ({WHY})")]
    assert "no licence key" in scrapy(tmp_path, "runs").stdout


@pytest.mark.parametrize("spider", ["initraises", "fromcrawlerraises"])
def test_a_spider_that_raises_as_it_is_made_is_exit_1_recorded_and_pinged(tmp_path: Path, monitor: Monitor, spider: str) -> None:
    # The command asked the crawler for its stats, which Scrapy has not made by then: a RuntimeError
    # traceback ("Crawler.stats is not set yet") in place of the spider's own, no record, no ping.
    done = _crawl_ours(tmp_path, monitor, spider)
    _one_record_one_ping(tmp_path, monitor, done, spider)
    assert "Crawler.stats is not set yet" not in done.stderr


def test_a_pipeline_whose_open_spider_raises_is_one_record_one_ping_and_its_traceback(tmp_path: Path, monitor: Monitor) -> None:
    # Scrapy closes the engine, so the verdict ran: the exception was in no line of the log (the command
    # kept it and said nothing), the record had no spider, run id nor start and the machine's uptime
    # for a duration (`scrapy runs` listed nothing), and the ping said "shutdown".
    done = _crawl_ours(tmp_path, monitor, "latest", "-s", 'ITEM_PIPELINES={"broken.OpenRaises": 1}')
    _one_record_one_ping(tmp_path, monitor, done, "latest")


def test_a_heartbeat_timeout_past_what_a_thread_can_wait_still_pings(monitor: Monitor) -> None:
    # BS_HEARTBEAT_TIMEOUT takes up to 1e12 s; past threading.TIMEOUT_MAX the wait raised OverflowError.
    assert heartbeat.send(monitor.url, "latest: ok", 1e10, "bs-crawler") == 200
    assert monitor.pings == [("POST", "/ping/0f1e2d3c", "latest: ok")]


@pytest.mark.parametrize(
    ("old", "new", "kept"),
    [
        ("http://monitor.example/ping/x", "https://monitor.example/ping/x", True),
        ("http://monitor.example:80/ping/x", "https://monitor.example/ping/x", True),
        ("https://monitor.example/ping/x", "https://monitor.example:443/other", True),
        ("https://monitor.example/ping/x", "http://monitor.example/ping/x", False),
        ("http://monitor.example/ping/x", "https://other.example/ping/x", False),
        ("http://monitor.example:8080/ping/x", "https://monitor.example/ping/x", False),
    ],
)
def test_a_ping_upgraded_to_https_on_its_own_host_keeps_its_password(old: str, new: str, kept: bool) -> None:
    # A proxy that sends every http request to https (301, 308) dropped the basic auth: every ping a 401.
    auth = "Basic " + base64.b64encode(b"user:pass").decode()
    request = urllib.request.Request(old, data=b"ok", method="POST", headers={"Authorization": auth})
    for code in (301, 308):
        redirected = heartbeat._Redirects().redirect_request(request, None, code, "Moved", {}, new)
        assert redirected is not None
        assert (redirected.get_header("Authorization") == auth) is kept


def test_a_ping_url_with_letters_beyond_ascii_is_sent_percent_encoded(monitor: Monitor) -> None:
    # http.client takes ASCII only: "ordinal not in range(128)", every ping failed.
    base = monitor.url.replace("/ping/0f1e2d3c", "/ping/prüfung?name=ü&ok=%C3%A9")
    assert heartbeat.send(heartbeat.ping_url(base, False), "latest: failed", 5, "bs-crawler") == 200
    assert monitor.pings == [("POST", "/ping/pr%C3%BCfung/fail?name=%C3%BC&ok=%C3%A9", "latest: failed")]
