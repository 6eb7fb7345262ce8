"""``scrapy runs -n N`` and ``scrapy report -n N``: a negative count is a usage error, not "all runs"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import scrapy


@pytest.mark.parametrize("command", ["runs", "report"])
def test_a_negative_number_of_runs_is_a_usage_error(command: str, tmp_path: Path) -> None:
    done = scrapy(tmp_path, command, "-n", "-3")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "-n -3" in done.stderr and "Traceback" not in done.stderr


def test_zero_runs_means_all_of_them(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "-n", "0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("no runs recorded")
