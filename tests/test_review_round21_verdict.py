"""Review of round 21's verdict and history: a small run's field coverage judged with the runs before it,
the history read backwards for their items, and premium stubs met again not weighed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler import stats as stat
from crawler.monitoring.history import RUNS_FILE, RunHistory, _lines_backwards
from crawler.monitoring.verdict import EXIT_EXTRACTION, EXIT_OK, RunVerdictExtension
from tests.test_verdict import PROJECT, emitted, found


def _extension(tmp_path: Path | None = None, **settings: Any) -> RunVerdictExtension:
    from scrapy.utils.test import get_crawler

    state = {"BS_STATE_DIR": str(tmp_path)} if tmp_path is not None else {"BS_RUN_HISTORY": False}
    return RunVerdictExtension(get_crawler(settings_dict={**PROJECT, **state, **settings}))


def _judge(stats: dict[str, Any], earlier: tuple[tuple[int, dict[str, int]], ...], **settings: Any) -> tuple[int, str]:
    extension = _extension(**settings)
    extension.earlier_items = earlier
    return extension.verdict(stats, "finished")


def _run(spider: str, checked: int, missing: dict[str, int], **arguments: str) -> dict[str, Any]:
    return {"spider": spider, "arguments": arguments, "started": "2026-12-01T10:00:00+00:00", "status": 0, "layouts": {"nextjs-2023": checked}, "missing": missing}


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


# --- a healthy run failed by the runs before it ---------------------------------------------------------
# Before: the pooled items decided alone. A rules fix deployed after a redesign had every small run after
# it fail (exit 5, "authors 40% < 80% over the last 5 items") with every one of its own items complete,
# until enough good runs had pushed the bad ones out of the window: cron mailed a failure for the fix.


def test_a_run_whose_own_items_meet_the_minimum_is_not_failed_by_the_runs_before_it() -> None:
    fixed = emitted(2)  # two items, both with a byline: the rules fixed
    before_the_fix = ((3, {"authors": 3}),)
    assert _judge(fixed, before_the_fix) == (EXIT_OK, "ok")
    # A run whose own items fall short too is failed with the pool's figures, as before.
    still_bad = emitted(2, **{stat.missing("authors"): 1})  # 50%
    assert _judge(still_bad, before_the_fix) == (
        EXIT_EXTRACTION,
        "field coverage too low (a site redesign?): authors 20% < 80% over the last 5 items (2 of this run, 3 of the 1 run(s) before it)",
    )
    # Per field: the one this run lacks is named, the one it has is not, whatever the runs before lacked.
    both = ((3, {"authors": 3, "title": 3}),)
    status, why = _judge(emitted(2, **{stat.missing("authors"): 2}), both, BS_MIN_FIELD_COVERAGE={"authors": 0.8, "title": 0.8})
    assert status == EXIT_EXTRACTION and "authors 0% < 80%" in why and "title" not in why, why


# --- runs of other arguments ------------------------------------------------------------------------------
# Before: pooled by spider name alone. `article -a url=…` fetches the stories a user names (an
# editorial, a wire story: no byline), `reextract -a source=…` the pages of one store: the runs before it
# were other stories, other stores, and their items failed a one-off fetch that was judged alone before.


def test_only_the_runs_with_the_same_arguments_are_pooled(tmp_path: Path) -> None:
    _write(
        tmp_path / RUNS_FILE,
        [
            _run("reextract", 40, {"authors": 40}, source="/backup/2019.warc.gz"),  # an old layout's store
            _run("article", 1, {"authors": 1}, url="https://www.business-standard.com/opinion/editorial/a-1.html"),
            _run("article", 1, {"authors": 1}, url="https://www.business-standard.com/opinion/editorial/b-2.html"),
            _run("latest", 3, {"authors": 0}),
        ],
    )
    history = RunHistory(tmp_path)
    assert history.recent_items("reextract", 4, {"source": "/saved/today"}) == []
    assert history.recent_items("article", 4, {"url": "https://www.business-standard.com/x-3.html"}) == []
    assert history.recent_items("reextract", 4, {"source": "/backup/2019.warc.gz"}) == [(40, {"authors": 40})]
    assert history.recent_items("latest", 4, {}) == [(3, {"authors": 0})]
    # A history written before records named arguments: a run without them is a run without arguments.
    _write(tmp_path / RUNS_FILE, [{k: v for k, v in _run("latest", 3, {}).items() if k != "arguments"}])
    assert history.recent_items("latest", 4, {}) == [(3, {})]


def test_the_verdict_asks_for_the_runs_with_this_runs_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / RUNS_FILE, [_run("article", 4, {"authors": 4}, url="https://www.business-standard.com/a-1.html")])
    monkeypatch.setattr(sys, "argv", ["scrapy", "crawl", "article", "-a", "url=https://www.business-standard.com/b-2.html"])
    extension = _extension(tmp_path)
    assert extension.crawler.stats is not None
    extension.crawler.stats.set_value(stat.layout("nextjs-2023"), 1)
    assert extension._earlier_items("article") == ()
    monkeypatch.setattr(sys, "argv", ["scrapy", "crawl", "article", "-a", "url=https://www.business-standard.com/a-1.html"])
    assert extension._earlier_items("article") == ((4, {"authors": 4}),)


# --- a failure is not hidden --------------------------------------------------------------------------------


# Before: the runs before were pooled whole, so a big good run (a morning's 40 items after a night's
# pause) outweighed the small runs of a redesign after it: 2 items without a byline judged over 42, then 4
# over 44, "ok" each, until the small runs alone were enough. The window is BS_COVERAGE_MIN_ITEMS items:
# of the oldest run in it, its share.


def test_a_redesigned_small_run_after_a_big_good_one_is_loud_at_once() -> None:
    bad = emitted(2, **{stat.missing("authors"): 2})
    assert _judge(bad, ((100, {}),)) == (
        EXIT_EXTRACTION,
        "field coverage too low (a site redesign?): authors 60% < 80% over the last 5 items (2 of this run, 3 of the 1 run(s) before it)",
    )
    # The share of the oldest run carries its share of the missing: a run before it of half without.
    assert _judge(emitted(2, **{stat.missing("authors"): 1}), ((100, {"authors": 50}),)) == (
        EXIT_EXTRACTION,
        "field coverage too low (a site redesign?): authors 50% < 80% over the last 5 items (2 of this run, 3 of the 1 run(s) before it)",
    )
    assert _judge(emitted(2, **{stat.missing("authors"): 1}), ((100, {}),)) == (EXIT_OK, "ok")  # 1 of 5 without: 80%
    # A run that failed on its coverage before this one stays in the window: its items are the site's.
    assert _judge(bad, ((3, {"authors": 3}),)) == (
        EXIT_EXTRACTION,
        "field coverage too low (a site redesign?): authors 0% < 80% over the last 5 items (2 of this run, 3 of the 1 run(s) before it)",
    )


def test_a_minimum_raised_between_runs_judges_the_runs_before_by_the_new_one() -> None:
    # Every field is counted missing whatever the minimums, so a field given a minimum later has its
    # counts in the records written before.
    bad = emitted(2, **{stat.missing("image_url"): 2})
    status, why = _judge(bad, ((3, {"image_url": 1}),), BS_MIN_FIELD_COVERAGE={"image_url": 0.8})
    assert (status, why) == (EXIT_EXTRACTION, "field coverage too low (a site redesign?): image_url 40% < 80% over the last 5 items (2 of this run, 3 of the 1 run(s) before it)")


# --- premium stubs met again ----------------------------------------------------------------------------------
# The reason line counted the stubs among what was skipped but not among what was found: "discovery found
# 2 new or changed article(s) but none could be extracted (skipped: paywall-stub=5)".


def test_every_article_a_paywall_stub_stays_loud_and_the_line_counts_the_stubs_met_again() -> None:
    first = found(5, **{stat.skipped("paywall-stub"): 5})
    assert _judge(first, ()) == (
        EXIT_EXTRACTION,
        "discovery found 5 new or changed article(s) but none could be extracted (skipped: paywall-stub=5)",
    )
    # The next run: the 5 again, and 2 new ones, stubs too: loud, and the line adds up.
    again = found(7, **{stat.skipped("paywall-stub"): 7, stat.DISCOVERY_STUB_AGAIN: 5})
    assert _judge(again, ()) == (
        EXIT_EXTRACTION,
        "discovery found 2 new or changed article(s) besides 5 shown as their paywall stub as in an earlier run "
        "but none could be extracted (skipped: paywall-stub=2)",
    )
    # Only the ones met before: nothing new, no failure.
    assert _judge(found(5, **{stat.skipped("paywall-stub"): 5, stat.DISCOVERY_STUB_AGAIN: 5}), ()) == (EXIT_OK, "ok")


# --- the history read backwards -----------------------------------------------------------------------------


LINES = [json.dumps(_run("latest", i + 1, {"authors": i % 2})) for i in range(30)] + ["x" * 300, "é" * 50]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 299, 300, 301, 4096, 1 << 20])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_the_history_read_backwards_gives_every_line_once(tmp_path: Path, block: int, ending: str, final: bool) -> None:
    path = tmp_path / RUNS_FILE
    path.write_bytes((ending.join(LINES) + (ending if final else "")).encode())
    read = list(_lines_backwards(path, 1 << 30, block))
    assert [line.rstrip(b"\r").decode() for line in read] == list(reversed(LINES))
    if ending == "\r\n":
        assert RunHistory(tmp_path).recent_items("latest", 31) == [(30, {"authors": 1}), (29, {"authors": 0})]


def test_the_history_read_backwards_empty_growing_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / RUNS_FILE
    path.write_bytes(b"")
    assert list(_lines_backwards(path, 1 << 30, 7)) == []
    assert RunHistory(tmp_path).recent_items("latest", 5) == []
    path.write_bytes(b"\n\n \n")
    assert list(_lines_backwards(path, 1 << 30, 2)) == []
    # A run appending its record while the verdict reads: the lines up to where it began, once each.
    path.write_text("".join(line + "\n" for line in LINES))
    lines = _lines_backwards(path, 1 << 30, 16)
    first = [next(lines)]
    with path.open("a") as handle:
        handle.write(json.dumps(_run("latest", 99, {})) + "\n")
    assert [line.decode() for line in first + list(lines)] == list(reversed(LINES))
    # Bounded: no line cut at the bound, whatever the block.
    size = path.stat().st_size
    for limit in (1, 50, 400, size - 1, size):
        for block in (1, 5, 64):
            tail = list(_lines_backwards(path, limit, block))
            every = [line.encode() for line in reversed([*LINES, json.dumps(_run("latest", 99, {}))])]
            assert tail == every[: len(tail)], (limit, block)
