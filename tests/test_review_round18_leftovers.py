"""Review of round 18's leftovers: a state dir that cannot even be looked at, and Scrapy values the
settings-module check refused though Scrapy takes them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_STATE
from tests.e2e import scrapy


def _one_error_line(done: subprocess.CompletedProcess[str], *words: str, status: int) -> str:
    assert done.returncode == status, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and all(word in last for word in words), done.stderr[-3000:]
    return last


# Before: the look for a file on BS_STATE_DIR's way let the OSError of a folder that cannot be looked into
# (a parent without search permission for the cron user: PermissionError; a name longer than the file
# system takes) out: a traceback, exit 1, the run not recorded. Root reads every folder, so the test
# uses the over-long name, which fails the same call (Path.exists) the same way.
@pytest.mark.parametrize("depth", ["the-folder", "under-it"])
def test_a_state_dir_that_cannot_be_looked_at_is_one_line_and_exit_7(tmp_path: Path, depth: str) -> None:
    state = tmp_path / ("a" * 300)
    if depth == "under-it":
        state = state / "latest"
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_STATE_DIR={state}", "-s", "BS_BASE_URL=http://127.0.0.1:16650", "-O", "out.jsonl")
    _one_error_line(done, "BS_STATE_DIR=", "File name too long", status=EXIT_STATE)
    assert not (tmp_path / "out.jsonl").exists()


# Before: Scrapy's TELNETCONSOLE_ENABLED has the whole number 1 for its default but is read with getbool():
# judged as a whole number, "False" (a settings module reading os.environ, or a -s against Scrapy's own
# default) was refused — "is not a whole number" — for a value Scrapy takes.
@pytest.mark.parametrize("value", ["False", "false", "True", "0", False, 1])
def test_scrapy_s_telnet_switch_takes_what_getbool_takes(value: object) -> None:
    from scrapy.settings import Settings
    from scrapy.settings import default_settings

    from crawler.commands.crawl import setting_problem, settings_module_problem

    module = Settings()
    module.set("TELNETCONSOLE_ENABLED", value, priority="project")
    assert settings_module_problem(module, ()) is None
    given = Settings()
    given.set("TELNETCONSOLE_ENABLED", value, priority="cmdline")
    assert setting_problem("TELNETCONSOLE_ENABLED", default_settings.TELNETCONSOLE_ENABLED, given) is None


@pytest.mark.parametrize("value", ["yes", "on", "disabled"])
def test_scrapy_s_telnet_switch_still_refuses_what_getbool_refuses(value: object) -> None:
    from scrapy.settings import Settings

    from crawler.commands.crawl import settings_module_problem

    module = Settings()
    module.set("TELNETCONSOLE_ENABLED", value, priority="project")
    assert "TELNETCONSOLE_ENABLED" in (settings_module_problem(module, ()) or "")


# Before: the per cent's own cell written in parentheses without its "%" (the page's markup keeps the "%)"
# outside the cells) read as an accountant's fall — a rise of 254.86 points, signed "+" or marked "▲", had a
# per cent of -0.35: a wrong number written as good. Parentheses around a per cent are how tickers write
# any per cent; the per cent's cell takes its sign from the change (or its own sign, or an arrow).
RISES_WITH_A_BRACKETED_PER_CENT = {
    "unsigned": ("254.86", "(0.35)", (254.86, 0.35)),
    "signed": ("+254.86", "(0.35)", (254.86, 0.35)),
    "arrow-up": ("254.86 \u25b2", "(0.35)", (254.86, 0.35)),
    "spaced": ("254.86", "( 0.35 )", (254.86, 0.35)),
    "per-cent-outside": ("254.86", "(0.35)%", (254.86, 0.35)),
    # A fall still makes the per cent negative, however written.
    "fall-in-parentheses": ("(254.86)", "(0.35)", (-254.86, -0.35)),
    "fall-signed": ("-254.86", "(0.35)", (-254.86, -0.35)),
    "fall-arrow": ("254.86 \u25bc", "(0.35)", (-254.86, -0.35)),
    "per-cent-trailing-minus": ("254.86", "0.35-", (254.86, -0.35)),
}


@pytest.mark.parametrize(("change", "percent", "expected"), RISES_WITH_A_BRACKETED_PER_CENT.values(), ids=RISES_WITH_A_BRACKETED_PER_CENT.keys())
def test_a_per_cent_cell_in_parentheses_is_no_fall(change: str, percent: str, expected: tuple[float, float]) -> None:
    from tests.test_splash_probes_round11 import market_of

    assert market_of([("Sensex", "73,158.24", change, percent)])["Sensex"] == (73158.24, *expected)
