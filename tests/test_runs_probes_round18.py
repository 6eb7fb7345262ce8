"""Runs over time, round 18: a run forced to stop and its cron monitor, a resumed ``JOBDIR`` run's sources,
the report's latest run, a cut answer and the HTTP cache, a run lock whose file was removed (runs as cron runs them)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 - the fixture
from tests.test_interrupt_probes_round17 import _wait_for, command, env

# --- a run forced to stop, and its cron monitor -----------------------------------------------------
# Before: the heartbeat was sent only when the run was judged; a second Ctrl-C or SIGTERM (systemd's
# stop, scrapyd's cancel sent twice) stopped the reactor before that, so the monitor got no ping at all
# (with BS_HEARTBEAT_START it had the start: the run looked still running, then hung, until its grace
# time ran out), though the run recorded itself as forced to stop, exit 1. Now the forced stop pings
# `<url>/fail` with the run's summary line, once.


@pytest.mark.parametrize("first, second", [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGINT)])
@pytest.mark.parametrize("start", [False, True])
def test_a_run_forced_to_stop_pings_its_monitor_fail(
    tmp_path: Path, monitor: Monitor, first: signal.Signals, second: signal.Signals, start: bool  # noqa: F811
) -> None:
    with LoopbackSite(articles=40, seed=18, slow_seconds=30) as slow_site:
        articles = [r.article_id for r in slow_site.articles]
        for article_id in articles[: len(articles) // 2]:
            slow_site.set_fault(article_id, "slow")  # in flight for 30 s: the graceful stop waits for them
        state, output, log = tmp_path / "state", tmp_path / "run1.jsonl", tmp_path / "run1.log"
        words = command(slow_site, output, state, "-s", f"BS_HEARTBEAT_URL={monitor.url}", "-s", f"BS_HEARTBEAT_START={start}")
        with open(log, "w") as stderr:
            process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= 5, process, "5 articles written")
                process.send_signal(first)
                _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
                process.send_signal(second)
                status = process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    text = log.read_text()
    assert status == 1 and "Traceback" not in text, text[-3000:]
    ends = [(path, body) for _, path, body in monitor.pings if not path.endswith("/start")]
    assert [path for path, _ in ends] == ["/ping/0f1e2d3c/fail"], monitor.pings
    assert [path for _, path, _ in monitor.pings].count("/ping/0f1e2d3c/start") == int(start)
    body = ends[0][1]
    assert body.startswith("latest: Run summary:") and "exit=1" in body and "forced to stop" in body, body
    assert "Heartbeat sent to 127.0.0.1" in text
    recorded = RunHistory(state).records()[-1]
    assert recorded["status"] == 1 and "forced" in recorded["reason"]


# --- a JOBDIR run stopped (one Ctrl-C) and resumed ----------------------------------------------------
# Before: the resumed run read its sources again from their start (as it must after a kill, which leaves
# the queue empty) and also popped the requests for the sources the stopped run had queued: each such
# monthly sitemap was fetched twice, and the one read second logged the WARNING "Not reading <…> again: it
# was read in this run already (listed in <…sitemap-index.xml>)", as for a sitemap that lists itself.
# Now a source request of an earlier attempt is dropped when this attempt has asked for it already (one
# INFO line, stat `bs/jobdir/source_requeued`), and taken as this attempt's own when it has not.

ARCHIVE = ("-a", "since=2024-01-01", "-a", "until=2024-11-30")


def test_a_resumed_jobdir_run_reads_each_queued_source_once_and_without_a_warning(tmp_path: Path) -> None:
    jobdir, state = tmp_path / "job", tmp_path / "state"
    with LoopbackSite(articles=300, seed=11, days=300, legacy=0) as big:
        wanted = {r.article_id for r in big.articles if r.published.year == 2024}
        output, log = tmp_path / "run1.jsonl", tmp_path / "run1.log"
        words = command(big, output, state, *ARCHIVE, "-s", f"JOBDIR={jobdir}", "-s", "CONCURRENT_REQUESTS=2", spider="archive")
        words[words.index("-O")] = "-o"
        with open(log, "w") as stderr:
            process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= 3, process, "3 articles")
                process.send_signal(signal.SIGINT)
                process.wait(timeout=90)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        first = log.read_text()
        assert "Traceback" not in first and "(shutdown)" in first, first[-3000:]
        read_before = {path for path, n in big.counts.items() if path.startswith("/sitemap/2024-")}
        big.reset_counts()
        again = tmp_path / "run2.jsonl"
        words = command(big, again, state, *ARCHIVE, "-s", f"JOBDIR={jobdir}", spider="archive")
        words[words.index("-O")] = "-o"
        done = subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
        monthly = {path: n for path, n in big.counts.items() if path.startswith("/sitemap/2024-")}
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "again: it was read in this run already" not in done.stderr, [
        line for line in done.stderr.splitlines() if "read in this run already" in line
    ]
    assert monthly and max(monthly.values()) == 1, (monthly, read_before)
    assert "bs/jobdir/source_requeued" in done.stderr
    ids = [json.loads(line)["articleId"] for path in (output, again) for line in path.read_bytes().splitlines()]
    assert len(ids) == len(set(ids)) and set(ids) == wanted


# --- which run the report calls the latest -------------------------------------------------------
# `scrapy runs` orders the runs as the history does: by their start, but a run recorded after the wall
# clock was set back (a machine back from a power cut before NTP answered) comes after the ones
# recorded before it (round 17). A run that began before others and ended after them stays at its start
# (round 17 decided so, and it stays: of one spider, runs do not overlap but for distributed workers,
# each of which is one run of its own). Before: the report sorted the records by their start again, so
# after the clock went back its "Latest run" was the run before the change (ok) while `scrapy runs -n 1`
# gave the blocked run since, and its table of runs, "newest first", began with the old one.


@pytest.mark.parametrize("back", ["00:30", "11:59"])
def test_the_reports_latest_run_is_the_one_scrapy_runs_gives(tmp_path: Path, back: str) -> None:
    pytest.importorskip("matplotlib")
    from crawler.monitoring.report import render
    from tests.test_interrupt_probes_round17 import _record

    history = RunHistory(tmp_path / ".state")
    for run_id, started, status in (("before", "12:00", 0), ("after-1", back, 4), ("after-2", back, 4)):
        history.append({**_record(run_id, started, "12:01" if run_id == "before" else started, status), "reason": f"reason of {run_id}"})
    shown = history.records_with_killed(last=500, per_spider=True)
    assert shown[-1]["run_id"] == "after-2"
    page = render(shown, {})
    latest = page.split("<h3>Latest run</h3>", 1)[1].split("<h3>", 1)[0]
    assert "reason of after-2" in latest and "reason of before" not in latest
    table = page.split("<h3>Runs, newest first</h3>", 1)[1]
    assert table.index("reason of after-2") < table.index("reason of after-1")


def test_the_reports_order_of_runs_is_the_historys_for_runs_that_overlap(tmp_path: Path) -> None:
    """The decision kept: a long run that began first and ended last is not the latest, in either."""
    pytest.importorskip("matplotlib")
    from crawler.monitoring.report import render
    from tests.test_interrupt_probes_round17 import _record

    history = RunHistory(tmp_path / ".state")
    history.append({**_record("short", "03:00", "03:01", 0), "reason": "reason of short"})
    history.append({**_record("long", "02:30", "04:30", 4), "reason": "reason of long"})
    shown = history.records_with_killed(last=500, per_spider=True)
    assert [r["run_id"] for r in shown] == ["long", "short"]
    latest = render(shown, {}).split("<h3>Latest run</h3>", 1)[1].split("<h3>", 1)[0]
    assert "reason of short" in latest


# --- the HTTP cache kept for reextract, and an answer cut or garbled in its compression ---------------
# The cache (900) sees an answer before Scrapy's decompression (590) does, so it judged a compressed body
# by its bytes alone. Before: a gzip, deflate or brotli page whose stream stopped early (a CDN edge's
# copy cut short, its Content-Length agreeing) or broke midway (bytes garbled), and a body Scrapy
# flagged `dataloss` (DOWNLOAD_FAIL_ON_DATALOSS off), were stored over the good page of the article:
# the crawl failed the article (data-loss, undecodable), and `reextract` then read the cut copy and
# skipped it, the article gone from the re-extraction. Now such an answer is not stored; the page
# before it stays.


def _packed(page: bytes, encoding: str) -> bytes:
    import gzip
    import zlib

    if encoding == "gzip":
        return gzip.compress(page, mtime=0)
    if encoding == "deflate":
        return zlib.compress(page)
    brotli = pytest.importorskip("brotli")
    return bytes(brotli.compress(page))


# (Not brotli garbled: brotli carries no check, and garbled bytes that still decode are text no layer can tell.)
@pytest.mark.parametrize(
    ("encoding", "damage"),
    [(e, d) for e in ("gzip", "deflate", "br") for d in ("cut-half", "cut-tail", "garbled") if (e, d) != ("br", "garbled")],
)
def test_a_compressed_page_cut_or_garbled_is_not_stored_over_the_page(encoding: str, damage: str) -> None:
    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings

    from crawler.incremental.cachepolicy import ArticlesOnlyPolicy
    from tests.test_cache_policy import ARTICLE, PAGE

    page = PAGE + b"<!-- " + bytes(range(256)) * 64 + b" -->"  # (not all alike: packs to more than a few bytes)
    body = _packed(page, encoding)
    if damage == "cut-half":
        body = body[: len(body) // 2]
    elif damage == "cut-tail":
        body = body[:-6]
    else:
        middle = len(body) // 2
        body = body[:middle] + bytes(b ^ 0x5A for b in body[middle : middle + 32]) + body[middle + 32 :]
    request = Request(ARTICLE)
    response = HtmlResponse(ARTICLE, body=body, headers={"Content-Encoding": encoding}, request=request)
    policy = ArticlesOnlyPolicy(Settings())
    assert policy.should_cache_response(response.replace(body=_packed(page, encoding)), request)  # whole: stored
    assert not policy.should_cache_response(response, request)


def test_a_page_scrapy_flagged_as_received_in_part_is_not_stored() -> None:
    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings

    from crawler.incremental.cachepolicy import ArticlesOnlyPolicy
    from tests.test_cache_policy import ARTICLE, PAGE

    request = Request(ARTICLE)
    response = HtmlResponse(ARTICLE, body=PAGE[: len(PAGE) // 2], request=request, flags=["dataloss"])
    assert not ArticlesOnlyPolicy(Settings()).should_cache_response(response, request)


@pytest.mark.parametrize("fault", ["gzip-cut", "gzip-corrupt"])
def test_reextract_reads_the_good_page_after_a_cut_answer(tmp_path: Path, fault: str) -> None:
    from tests.test_e2e_probes_round8 import read_jsonl, run

    with LoopbackSite(articles=12, seed=18, days=3, legacy=0) as site:
        cache = tmp_path / "cache"
        settings = {"HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache), "RETRY_TIMES": "1"}
        first = run(site, tmp_path, "latest", settings=settings, name="first")
        assert first.status == 0, first.log[-3000:]
        article = site.articles[-3].article_id
        site.modify(article)
        site.set_path_fault(site.article(article).path, fault)
        cut = run(site, tmp_path, "latest", settings=settings, name="cut")
        assert cut.status == 1 and "Traceback" not in cut.log, cut.log[-3000:]
        assert read_jsonl(cut.files["jsonl"]) == []
        again = run(site, tmp_path, "reextract", "-a", f"source={cache}", settings={**settings, "HTTPCACHE_DIR": str(tmp_path / "cache2")}, name="again")
    assert again.status == 0 and "Traceback" not in again.log, again.log[-3000:]
    items = {item["articleId"]: item for item in read_jsonl(again.files["jsonl"])}
    assert len(items) == 12 and article in items, again.log[-3000:]
    assert "Update 1:" not in items[article]["articleBody"]  # the page as first fetched, whole


# --- the run lock's file removed by hand while a run holds it ------------------------------------------
# Before: the lock is an flock on <state>/<spider>.lock; removed (a clean-up script, `rm .state/*.lock`
# "to unstick cron"), the next run made a new file, locked it and ran beside the first: two runs of one
# spider at once, on one seen-store and one output folder. Now the next run also looks at the live runs'
# markers in <state>/running/ (the PID and the process's start time, so a reused PID is no run): a
# live run of the spider is the lock's holder, and the run is refused, exit 3, in one line that says
# the lock file was removed.


@pytest.mark.parametrize("spider_args", [(), ("-a", "sections=markets/news", "-a", "pages=2")], ids=["latest", "section"])
def test_a_run_whose_lock_file_was_removed_still_keeps_the_next_run_out(tmp_path: Path, spider_args: tuple[str, ...]) -> None:
    spider = "section" if spider_args else "latest"
    with LoopbackSite(articles=40, seed=18, slow_seconds=30) as slow_site:
        for record in slow_site.articles:
            slow_site.set_fault(record.article_id, "slow")
        state, log = tmp_path / "state", tmp_path / "run1.log"
        with open(log, "w") as stderr:
            first = subprocess.Popen(command(slow_site, tmp_path / "run1.jsonl", state, *spider_args, spider=spider),
                                     cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: (state / "running").is_dir() and any((state / "running").glob("*.json")), first, "the run's marker")
                lock = state / f"{spider}.lock"
                assert lock.exists()
                lock.unlink()
                # (Given no time for the slow pages: before, it ran beside the first, and ended soon.)
                quick = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_ENABLED=False")
                second = subprocess.run(command(slow_site, tmp_path / "run2.jsonl", state, *spider_args, *quick, spider=spider),
                                        cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
                assert first.poll() is None
            finally:
                first.kill()
                first.wait()
    assert second.returncode == 3, second.stderr[-3000:]
    last = second.stderr.strip().splitlines()[-1]
    assert f"pid {first.pid}" in last and "lock file" in last and "removed" in last, last
    assert "Traceback" not in second.stderr
