"""Probes of round 29 on settings whose value meant something the README does not say: a switch given a number
other than 1 or 0, a wait or a count of 0, a state dir that cannot be made, and a look at a site whose robots.txt
does not answer."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.commands.crawl import settings_module_problem
from crawler.monitoring.verdict import EXIT_STATE, EXIT_USAGE
from tests.e2e import scrapy
from tests.loopback.site import LoopbackSite
from tests.test_monitoring_probes_round9 import problems_of

PAGES = Path(__file__).parent / "pages" / "nextjs-2023"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=3, seed=2916) as running:
        yield running


def _one_error_line(done: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    """The one `error:` line of a refused run that exited ``status``, holding ``words``, with no traceback."""
    assert done.returncode == status, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, done.stderr[-3000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- a switch is 1 or 0, true or false --------------------------------------------------------------------
# Scrapy's getbool() reads any whole number as bool(int(value)): `-s BS_FRESH=-1` (-1 being "off" or "no limit"
# for other settings) or `=2` was taken as on, and the fresh run emitted every article it had delivered again.
# `yes` and `on` were refused meanwhile, in a line saying a switch is 1 or 0.

SWITCHES = sorted(name for name in dir(project_settings) if name.startswith("BS_") and isinstance(getattr(project_settings, name), bool))


@pytest.mark.parametrize("name", SWITCHES)
@pytest.mark.parametrize("value", ["2", "-1", "5", "10"])
def test_a_switch_given_a_number_other_than_1_or_0_is_refused(name: str, value: str) -> None:
    problems = problems_of(f"{name}={value}")
    assert problems.get(name) == f"-s {name}={value!r} is not true or false (a switch is 1 or 0, true or false)", problems


@pytest.mark.parametrize("setting", ["HTTPCACHE_ENABLED=2", "AUTOTHROTTLE_ENABLED=-1", "TELNETCONSOLE_ENABLED=3"])
def test_scrapys_own_switches_take_the_same_rule(setting: str) -> None:
    name = setting.split("=")[0]
    assert "is not true or false" in problems_of(setting).get(name, ""), setting


@pytest.mark.parametrize("value", ["1", "0", "true", "false", "True", "False", " 1"])
def test_the_switch_values_the_readme_names_are_still_taken(value: str) -> None:
    assert problems_of(f"BS_FRESH={value}") == {}


def test_a_switch_of_the_settings_module_set_to_2_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_FRESH", 2, priority="project")
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "mysettings")
    assert settings_module_problem(settings, ()) == "in mysettings: BS_FRESH=2 is not true or false (a switch is 1 or 0, true or false)"


def test_a_fresh_run_asked_with_minus_one_is_refused_before_anything_is_fetched(site: LoopbackSite, tmp_path: Path) -> None:
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_FRESH=-1", "-O", "a.jsonl")
    _one_error_line(done, EXIT_USAGE, "-s BS_FRESH='-1' is not true or false")
    assert sum(site.counts.values()) == 0
    assert not (tmp_path / "a.jsonl").exists()


# --- 0 for a wait or a count ------------------------------------------------------------------------------
# BS_RATE_LIMIT_WAIT=0: every 429 without Retry-After was asked again at once (0 doubled is 0), BS_RATE_LIMIT_RETRIES
# times, and the run closed a moment later: no wait where the site asked for one, and the README's doubling none.


def test_no_wait_after_a_429_is_refused() -> None:
    assert problems_of("BS_RATE_LIMIT_WAIT=0") == {"BS_RATE_LIMIT_WAIT": "-s BS_RATE_LIMIT_WAIT='0' must be above 0 (seconds)"}
    assert problems_of("BS_RATE_LIMIT_WAIT=0.5") == {}


# BS_REEXTRACT_PROGRESS_EVERY=0 was read as 1: a progress line for every record of the source, where the table
# says "every this many records" and 0 can only mean none.


def test_reextract_progress_every_0_logs_no_progress_line(tmp_path: Path) -> None:
    source = tmp_path / "pages"
    source.mkdir()
    cases = sorted(case for case in PAGES.iterdir() if (case / "page.html").is_file())[:3]
    assert len(cases) == 3
    for number, case in enumerate(cases):
        shutil.copy(case / "page.html", source / f"page-{number}.html")
    done = scrapy(tmp_path, "crawl", "reextract", "-a", f"source={source}", "-s", "BS_REEXTRACT_PROGRESS_EVERY=0", "-O", "out.jsonl")
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "Read all 3 stored records" in done.stderr, done.stderr[-3000:]
    progress = [line for line in done.stderr.splitlines() if "[reextract] INFO: Read " in line and "Read all" not in line]
    assert progress == [], progress
    assert problems_of("BS_REEXTRACT_PROGRESS_EVERY=0") == {}


# --- a state dir that cannot be made ------------------------------------------------------------------------
# `run lock /proc/nope/latest.lock cannot be created: No such file or directory`: the lock file named, not the
# setting the user gave it with.


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, where no folder can be made")
def test_a_state_dir_that_cannot_be_made_names_the_setting(site: LoopbackSite, tmp_path: Path) -> None:
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_STATE_DIR=/proc/nope", "-O", "a.jsonl")
    line = _one_error_line(done, EXIT_STATE, "BS_STATE_DIR='/proc/nope' cannot be made", "No such file or directory")
    assert "run lock" not in line
    assert sum(site.counts.values()) == 0


# --- a look at a site whose robots.txt does not answer --------------------------------------------------------
# `scrapy fetch URL` said "Closing the run: … nothing was, and it is all asked for next run": a look keeps
# nothing for a next run, and its user was told to wait for one.


@pytest.mark.parametrize("command", ["fetch", "parse"])
def test_a_look_whose_robots_txt_cannot_be_reached_says_what_the_look_did(command: str, tmp_path: Path) -> None:
    # A port bound and not listening: every connection to it is refused, and no other process takes it meanwhile.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
        url = f"{base}/markets/news/sensex-today-124010100001_1.html"
        args = ["--spider=article", "-a", f"url={url}"] if command == "parse" else []
        done = scrapy(tmp_path, command, *args, url, "-s", f"BS_BASE_URL={base}", "-s", "RETRY_TIMES=0")
    log = done.stderr
    assert "Traceback" not in log, log[-3000:]
    assert "robots.txt> could not be reached" in log, log[-3000:]
    assert "asked for next run" not in log, log[-3000:]
    assert "Closing the look" in log and "the page was not fetched" in log, log[-3000:]


# --- what 0 means, in the settings table -------------------------------------------------------------------
# Taken, and doing something the table did not say: BS_MAX_SOURCE_DEPTH=0 read an index and none of its sitemaps
# (`archive` exit 1, tests/test_e2e_discovery.py), BS_RUN_HISTORY_CHECKPOINT=0 never refreshed a run's marker.

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "meaning"), [
    ("BS_MAX_SOURCE_DEPTH", "`0`: the sources given alone, none an index lists"),
    ("BS_RUN_HISTORY_CHECKPOINT", "`0`: never refreshed"),
    ("BS_REEXTRACT_PROGRESS_EVERY", "0: no progress line"),
])
def test_the_settings_table_says_what_0_does(name: str, meaning: str) -> None:
    (row,) = [line for line in README.splitlines() if line.startswith(f"| `{name}` |")]
    assert meaning in row, row
    assert problems_of(f"{name}=0") == {}
