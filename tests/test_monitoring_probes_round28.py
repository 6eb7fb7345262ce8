"""Round 28 probes of what a cron user reads: a `-s` value no object for an object setting, and a ticker
whose index names or markup a redesign changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e import history, scrapy
from tests.test_splash_probes_round11 import market_of

# --- a -s value that is no JSON object, for a setting that is one -----------------------------------

# (setting, value as typed). Before, on Scrapy 2.13: Scrapy's own -s parsing called .items() on the value,
# an AttributeError traceback and exit 1, neither recorded nor pinged; on 2.19 `FEEDS=[1]` and `FEEDS=3`
# were a TypeError traceback, `ITEM_PIPELINES=[]` ran with no pipeline at all (nothing marked seen) and
# `BS_MIN_FIELD_COVERAGE=[]` with no coverage minimum, both exit 0.
NOT_AN_OBJECT = {
    "feeds-empty-array": ("FEEDS", "[]"),
    "feeds-array": ("FEEDS", '["out.jsonl"]'),
    "feeds-array-of-number": ("FEEDS", "[1]"),
    "feeds-number": ("FEEDS", "3"),
    "feeds-string": ("FEEDS", '"out.jsonl"'),
    "pipelines-array": ("ITEM_PIPELINES", "[]"),
    "coverage-array": ("BS_MIN_FIELD_COVERAGE", "[]"),
}


@pytest.mark.parametrize(("name", "value"), NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_a_value_no_json_object_for_an_object_setting_is_one_line_and_exit_2(tmp_path: Path, name: str, value: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"{name}={value}", "-s", "CLOSESPIDER_TIMEOUT=1")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"error: -s {name}={value}: {name} takes a JSON object" + (
        ' like {"out.jsonl": {"format": "jsonlines"}}' if name == "FEEDS" else ""
    ) + f", not {'a number' if value == '3' else 'a JSON string' if value.startswith(chr(34)) else 'a JSON array'}"
    # Recorded as any refusal, so `scrapy runs` shows why cron's run did nothing.
    [record] = history(tmp_path)
    assert (record["status"], record["finish_reason"]) == (2, "refused")


@pytest.mark.parametrize("command", ["runs", "report"])
def test_the_other_commands_refuse_it_too(tmp_path: Path, command: str) -> None:
    done = scrapy(tmp_path, command, "-s", "FEEDS=[]", *(["-o", str(tmp_path / "r.html")] if command == "report" else []))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "FEEDS takes a JSON object" in done.stderr


@pytest.mark.parametrize("value", ["", "null", "{}"])
def test_no_feed_at_all_is_still_the_no_output_refusal(tmp_path: Path, value: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"FEEDS={value}")
    assert done.returncode == 6, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1].startswith("error: no output: FEEDS is empty")
