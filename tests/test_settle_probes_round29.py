"""A seen-store failing at the run's end with an error of its own (not a StateError) ends the run, exit 7, in one line."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler import stats as stat
from crawler.incremental.store import SqliteSeenStore
from crawler.monitoring.verdict import EXIT_STATE
from tests.e2e import FAST, crawl, stats_from_log
from tests.loopback.site import LoopbackSite


class PruneRaises(SqliteSeenStore):
    """The store's daily prune failing as an unforeseen input made it fail (a retention reaching before year 1)."""

    def prune_seen(self, retention: timedelta) -> Any:
        raise OverflowError("date value out of range")


class CountRaises(SqliteSeenStore):
    """The store's count failing with a driver error it does not wrap."""

    def count(self) -> int:
        raise ValueError("no count")


@pytest.mark.parametrize("store", ["PruneRaises", "CountRaises"])
def test_a_store_failing_at_the_runs_end_ends_the_run_in_one_line(tmp_path: Path, store: str) -> None:
    """Before: the error left the feeds' settling unfinished, and the run's verdict waited for it for ever: the run
    never ended (SIGTERM neither), its lock held, and every later cron run was refused."""
    with LoopbackSite(articles=4, seed=29) as site:
        try:
            result = crawl(
                "latest", tmp_path,
                settings={**FAST, "BS_BASE_URL": site.base_url, "BS_SEEN_STORE": f"{__name__}.{store}", "BS_STATE_DIR": str(tmp_path / "state")},
                timeout=120,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("the run did not end")
    stats = stats_from_log(result.log)
    assert result.status == EXIT_STATE, result.log[-3000:]
    errors = [line for line in result.log.splitlines() if "the seen-store failed at the run's end" in line]
    assert len(errors) == 1 and ("OverflowError" in errors[0] or "ValueError" in errors[0]), result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    assert stats.get(stat.STATE_FAILED) == 1, stats
    # What the run emitted reached its feed; only the state's end-of-run bookkeeping is in doubt.
    assert result.items, result.log[-3000:]
