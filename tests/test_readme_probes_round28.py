"""Round 28 probes of the README as a new user follows it: `scrapy check` is no run, and its tables checked against the code."""

from __future__ import annotations

import dataclasses
import errno
import http.server
import json
import re
import threading
from pathlib import Path

import pytest

from crawler import settings as project_settings
from crawler.extraction import article as item_module
from tests.conftest import PAGES
from tests.e2e import FAST, ROOT, crawl, history, scrapy
from tests.loopback.site import LoopbackSite
from tests.test_readme_round10 import CHECK_TAKES_ARGUMENTS
from tests.test_readme_truth_round13 import CODE, README, section, table_rows

PORTS = range(16850, 16900)

# --- `scrapy check` is no run ------------------------------------------------------------------------------------
# Before: the verdict judged the contracts' sample requests as a run: `scrapy check latest` printed
# `Run summary: … exit=5 (discovery found 3 new or changed article(s) but none could be extracted)` on
# stderr beside "OK", and with Spidermon switched on (settings.py of a deployment) its failure actions
# ran: every contract check mailed the team that the crawler had failed.

ACTION = '''
from spidermon.core.actions import Action


class Note(Action):
    """Writes a line where the test looks: a failure email, as far as the test can tell."""

    def run_action(self):
        with open("fired.txt", "a") as note:
            note.write("fired\\n")
'''

CHECKS = [
    pytest.param(["latest"], id="latest"),
    pytest.param([], id="every-spider"),
    pytest.param(["section", "-a", "sections=markets/news"], id="section", marks=pytest.mark.skipif(
        not CHECK_TAKES_ARGUMENTS, reason="this Scrapy's check takes no -a arguments")),
]


@pytest.mark.parametrize("arguments", CHECKS)
def test_scrapy_check_prints_no_run_summary_and_records_nothing(tmp_path: Path, arguments: list[str]) -> None:
    state = tmp_path / "state"
    done = scrapy(tmp_path, "check", *arguments, "-s", f"BS_STATE_DIR={state}")
    assert done.returncode == 0 and "\nOK" in done.stderr, done.stderr[-3000:]
    assert "Run summary" not in done.stderr and "exit=" not in done.stderr, done.stderr[-3000:]
    assert not (state / "runs.jsonl").exists()


@pytest.mark.parametrize("arguments", CHECKS)
def test_scrapy_check_with_spidermon_on_runs_no_failure_action(tmp_path: Path, arguments: list[str]) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    (tmp_path / "r28_action.py").write_text(ACTION)
    done = scrapy(
        tmp_path, "check", *arguments, "-s", f"BS_STATE_DIR={tmp_path / 'state'}", "-s", "SPIDERMON_ENABLED=True",
        "-s", "BS_SPIDERMON_FAILED_ACTIONS=r28_action.Note", "-s", "BS_SPIDERMON_FINISHED_ACTIONS=r28_action.Note",
    )
    assert done.returncode == 0 and "\nOK" in done.stderr, done.stderr[-3000:]
    assert not (tmp_path / "fired.txt").exists(), "a contract check ran the suite's actions"
    assert "Run summary" not in done.stderr, done.stderr[-3000:]


def test_a_crawl_with_spidermon_on_still_runs_its_actions(tmp_path: Path) -> None:
    """The other side: a real run's suite and actions are unchanged."""
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    (tmp_path / "r28_action.py").write_text(ACTION)
    with _site() as site:
        result = crawl("latest", tmp_path, settings={
            "BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", "SPIDERMON_ENABLED": "True",
            "BS_SPIDERMON_FINISHED_ACTIONS": "r28_action.Note",
        })
    assert result.status == 0 and result.items, result.log[-3000:]
    assert (tmp_path / "fired.txt").read_text() == "fired\n"


# --- `scrapy parse` is no run either ---------------------------------------------------------------------------
# Before: each `scrapy parse URL` was an `article` run: one more `ok` record in `scrapy runs` and the
# report (also when the page never came: "No response downloaded"), an `ok` ping to the cron monitor a
# deployment's settings name (a cron that stopped looked alive while someone read pages), Spidermon's suite.


class _Pings(http.server.BaseHTTPRequestHandler):
    heard: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.heard.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


def _monitor() -> http.server.HTTPServer:
    for port in reversed(PORTS):
        try:
            return http.server.HTTPServer(("127.0.0.1", port), _Pings)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


@pytest.mark.parametrize("page", ["a story", "no such story"])
def test_scrapy_parse_is_no_run_recorded_pinged_or_judged(tmp_path: Path, page: str) -> None:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    (tmp_path / "r28_action.py").write_text(ACTION)
    monitor = _monitor()
    _Pings.heard = []
    thread = threading.Thread(target=monitor.serve_forever, daemon=True)
    thread.start()
    state = tmp_path / "state"
    try:
        with _site() as site:
            url = site.base_url + (site.articles[0].path if page == "a story" else "/markets/news/none-124112499999_1.html")
            done = scrapy(
                tmp_path, "parse", url, "-s", f"BS_BASE_URL={site.base_url}", "-s", f"BS_STATE_DIR={state}",
                "-s", f"BS_HEARTBEAT_URL=http://127.0.0.1:{monitor.server_port}/ping", "-s", "BS_HEARTBEAT_START=True",
                "-s", "SPIDERMON_ENABLED=True", "-s", "BS_SPIDERMON_FINISHED_ACTIONS=r28_action.Note",
            )
    finally:
        monitor.shutdown()
        monitor.server_close()
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert ("'articleId'" in done.stdout) is (page == "a story"), done.stdout[-2000:]
    assert _Pings.heard == [], "parse pinged the cron monitor"
    assert not (state / "runs.jsonl").exists() and not list(state.glob("running/*"))
    assert "Run summary" not in done.stderr and not (tmp_path / "fired.txt").exists()


def test_a_crawl_article_is_still_a_run_recorded_and_pinged(tmp_path: Path) -> None:
    """The other side: `crawl article` of the same page is a run, with its record and its ping."""
    monitor = _monitor()
    _Pings.heard = []
    thread = threading.Thread(target=monitor.serve_forever, daemon=True)
    thread.start()
    try:
        with _site() as site:
            result = crawl("article", tmp_path, "-a", f"url={site.base_url}{site.articles[0].path}", settings={
                "BS_BASE_URL": site.base_url, "BS_HEARTBEAT_URL": f"http://127.0.0.1:{monitor.server_port}/ping"})
    finally:
        monitor.shutdown()
        monitor.server_close()
    assert result.status == 0 and len(result.items) == 1, result.log[-3000:]
    assert _Pings.heard == ["/ping"] and "Run summary" in result.log
    assert len(history(tmp_path)) == 1


def _site() -> LoopbackSite:
    for port in PORTS:
        try:
            return LoopbackSite(articles=3, seed=28, port=port)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


# --- The README's tables against the code, where round 13's tests do not look ----------------------------------


def test_every_bs_setting_of_the_table_is_read_by_some_component() -> None:
    """A setting with a row and a default, that no code reads, is one a user sets for nothing."""
    documented = {name for row in table_rows(section("Settings")) for name in re.findall(r"`(BS_[A-Z0-9_]+)`", row[0])}
    assert documented
    readers = {path: text for path, text in CODE.items() if path.name != "settings.py"}
    unread = sorted(name for name in documented if not any(re.search(rf"""["']{name}["']""", text) for text in readers.values()))
    assert unread == [], f"settings the README documents that no component reads: {unread}"
    assert documented <= set(vars(project_settings))


def test_every_bs_name_of_the_readme_is_a_setting_or_a_test_switch() -> None:
    """Anywhere in the text, not only the table: a setting renamed leaves no old name behind."""
    refused_on_purpose = {"BS_MAX_BLOCK_SHARE", "BS_REDIS_PREFX"}  # the README's examples of typos refused
    test_switches = {"BS_FULL_MATRIX", "BS_KILL_TRIALS", "BS_KILL_ARTICLES", "BS_TEST_REDIS_URL"}  # environment of the tests
    tests = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("*.py"))
    assert all(name in tests for name in test_switches)
    shown = {name for name in re.findall(r"\b(BS_[A-Z0-9_]*[A-Z0-9])\b", README)}
    families = {name for name in shown if any(other.startswith(name + "_") for other in vars(project_settings))}
    unknown = sorted(shown - families - refused_on_purpose - test_switches - set(vars(project_settings)))
    assert unknown == [], unknown


ITEM_FIELDS = [field.name for field in dataclasses.fields(item_module.Article)]


def _filled(value: object) -> bool:
    return value not in (None, "", [], {})


def test_every_field_of_the_item_table_is_filled_by_some_test_page_or_a_crawl(tmp_path: Path) -> None:
    """A field the table promises that no page of the tests ever fills is a field no test can see break."""
    table = [key for row in table_rows(section("The article item")) for key in re.findall(r"`(\w+)`", row[0])]
    assert table == ITEM_FIELDS
    filled = set()
    for path in PAGES.rglob("expected.json"):
        expected = json.loads(path.read_text(encoding="utf-8"))
        filled |= {key for key, value in expected.items() if key in ITEM_FIELDS and _filled(value)}
    # What only a crawl gives: when it was fetched and the version emitted.
    with _site() as site:
        result = crawl("latest", tmp_path, settings={**FAST, "BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert result.status == 0 and result.items, result.log[-3000:]
    assert all(list(item) == ITEM_FIELDS for item in result.items)
    filled |= {key for item in result.items for key, value in item.items() if _filled(value)}
    assert [name for name in ITEM_FIELDS if name not in filled] == []
    # A boolean filled only as false is untested as true.
    for flag in ("isSyndicated", "isPremium", "isLiveBlog"):
        values = {json.loads(path.read_text(encoding="utf-8")).get(flag) for path in PAGES.rglob("expected.json")}
        assert {True, False} <= values, flag


def test_every_exit_status_of_the_table_is_one_a_test_makes_a_run_end_with() -> None:
    from tests.test_outcome_probes_round27 import ENDINGS

    documented = {int(row[0]) for row in table_rows(section("Cron")) if row[0].isdigit()}
    made = {ending.status for ending in ENDINGS.values()}
    assert documented == made, f"statuses no run of the tests ends with: {sorted(documented - made)}"
