"""The pieces that bound a run on a hostile site: the visited set of sources, the JOBDIR check,
Retry-After, and how the verdict reports failed sources and rate limits."""

from __future__ import annotations

import pickle
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from queuelib.queue import LifoDiskQueue

from crawler import stats as stat
from crawler.jobdir import damage, settle
from crawler.middlewares import retry_after_seconds
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_FAILED, EXIT_OK, RunVerdictExtension
from crawler.visited import FILE_NAME, Claim, VisitedSources

LIFO = "scrapy.squeues.PickleLifoDiskQueue"


def test_a_source_is_requested_and_read_once_per_attempt() -> None:
    sources = VisitedSources(limit=10)
    assert sources.claim("https://x.example/sitemap/a.xml") is Claim.NEW
    assert sources.claim("https://x.example/sitemap/a.xml") is Claim.REPEATED
    # The same URL written another way is the same source.
    assert sources.claim("https://x.example/rss/latest.rss?b=2&a=1") is Claim.NEW
    assert sources.claim("https://x.example/rss/latest.rss?a=1&b=2") is Claim.REPEATED
    assert sources.first_read("https://x.example/sitemap/a.xml") and not sources.first_read("https://x.example/sitemap/a.xml")


def test_the_bound_counts_every_attempt_of_a_jobdir_run(tmp_path: Path) -> None:
    first = VisitedSources.for_job(3, str(tmp_path))
    assert [first.claim(f"https://x.example/{n}.xml") for n in range(4)] == [Claim.NEW] * 3 + [Claim.LIMIT]
    first.close()
    assert (tmp_path / FILE_NAME).read_text().count("\n") == 3
    # The resumed attempt may read the run's sources again (to find what was in flight), once,
    # but no new source: the run has had its three.
    resumed = VisitedSources.for_job(3, str(tmp_path))
    assert resumed.requested == 3
    assert resumed.claim("https://x.example/0.xml") is Claim.NEW
    assert resumed.claim("https://x.example/0.xml") is Claim.REPEATED
    assert resumed.claim("https://x.example/new.xml") is Claim.LIMIT
    resumed.close()


def _queue(path: Path, count: int) -> None:
    queue = LifoDiskQueue(path)
    for n in range(count):
        queue.push(pickle.dumps({"url": f"https://x.example/{n}", "meta": {"n": n}}))
    queue.close()


def test_an_intact_jobdir_passes(tmp_path: Path) -> None:
    (tmp_path / "requests.queue").mkdir()
    _queue(tmp_path / "requests.queue" / "0", 50)
    (tmp_path / "requests.queue" / "active.json").write_text("[0]")
    (tmp_path / "spider.state").write_bytes(pickle.dumps({}))
    assert damage(tmp_path, LIFO) is None
    assert damage(tmp_path / "absent", LIFO) is None and damage(None, LIFO) is None


@pytest.mark.parametrize("keep", [0.0, 0.01, 0.5, 0.99])
def test_a_queue_file_cut_anywhere_is_damage(tmp_path: Path, keep: float) -> None:
    queues = tmp_path / "requests.queue"
    queues.mkdir()
    _queue(queues / "0", 50)
    size = (queues / "0").stat().st_size
    with open(queues / "0", "r+b") as file:
        file.truncate(int(size * keep))
    problem = damage(tmp_path, LIFO)
    assert problem and "requests.queue/0" in problem


def test_a_killed_runs_queue_is_not_damage(tmp_path: Path) -> None:
    # queuelib writes the count when the queue closes: after kill -9 it is 0 and the file is ignored.
    queues = tmp_path / "requests.queue"
    queues.mkdir()
    queue = LifoDiskQueue(queues / "0")
    queue.push(b"x" * 100)
    queue.f.flush()
    assert damage(tmp_path, LIFO) is None


def test_an_empty_queue_file_a_killed_run_left_is_settled(tmp_path: Path) -> None:
    # queuelib writes the count of a new queue into a buffer: after kill -9 the file can be empty,
    # which queuelib cannot open. settle() writes the count of 0 that queuelib would have written.
    queues = tmp_path / "requests.queue" / "127.0.0.1-f528764d624db129b32c21fbca0cb8d6"
    queues.mkdir(parents=True)
    (queues / "0").write_bytes(b"")
    assert damage(tmp_path, LIFO)
    assert settle(tmp_path, LIFO) == ["requests.queue/127.0.0.1-f528764d624db129b32c21fbca0cb8d6/0"]
    assert damage(tmp_path, LIFO) is None
    queue = LifoDiskQueue(queues / "0")
    assert len(queue) == 0 and queue.pop() is None
    queue.close()
    assert settle(tmp_path, LIFO) == []


@pytest.mark.parametrize(("name", "content"), [("requests.queue/active.json", b"[0, 1"), ("spider.state", pickle.dumps({"a": 1})[:-3])])
def test_broken_state_files_are_damage(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / "requests.queue").mkdir()
    (tmp_path / name).write_bytes(content)
    assert damage(tmp_path, LIFO)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2024, 2, 28, 10, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 0
    assert retry_after_seconds(None) is None and retry_after_seconds(b"soon") is None and retry_after_seconds("²") is None


# --- the verdict ---------------------------------------------------------------------------------------


def _verdict(stats: dict[str, object], reason: str = "finished") -> tuple[int, str, str]:
    extension = RunVerdictExtension.__new__(RunVerdictExtension)
    extension.output_failed = False
    extension.max_blocked_share = 0.5
    extension.max_invalid_share = 0.2
    extension.min_coverage = {}
    extension.coverage_min_items = 5
    status, why = extension.verdict(stats, reason)
    return status, why, RunVerdictExtension.summary(stats, reason, status, why)


def test_partly_failed_sources_show_in_the_summary() -> None:
    stats = {
        stat.DISCOVERY_SOURCES_READ: 7,
        stat.source_failed("offsite-redirect"): 1,
        stat.source_failed("not-xml"): 1,
        stat.DISCOVERY_FAILED_SOURCES: ["https://x/rss/a.rss (offsite-redirect)", "https://x/sitemap/b.xml (not-xml)"],
    }
    status, _, summary = _verdict(stats)
    assert status == EXIT_OK
    assert "sources: read=7 failed=2 (not-xml=1, offsite-redirect=1);" in summary


def test_no_readable_source_is_exit_1_naming_each() -> None:
    named = [f"https://x/{n}.xml (not-xml)" for n in range(10)]
    stats = {stat.source_failed("not-xml"): 12, stat.DISCOVERY_FAILED_SOURCES: named}
    status, why, _ = _verdict(stats)
    assert status == EXIT_FAILED
    assert why.startswith("none of the 12 feeds, sitemaps or listings could be fetched and read: https://x/0.xml (not-xml); ")
    assert why.endswith("; and 2 more")


def test_a_rate_limit_that_did_not_lift_is_exit_4() -> None:
    status, why, summary = _verdict({stat.RATE_LIMITED: 4, "downloader/response_count": 4}, reason=stat.RATE_LIMITED_REASON)
    assert status == EXIT_BLOCKED and why.startswith("rate limited") and " rate_limited=4" in summary


def test_runs_without_sources_say_nothing_of_them() -> None:
    _, _, summary = _verdict({"item_scraped_count": 1})
    assert "sources:" not in summary and "rate_limited" not in summary


def test_redirects_are_judged_by_host_name() -> None:
    from scrapy import Spider
    from scrapy.http import HtmlResponse, Request

    from crawler.middlewares import OffsiteRedirect, OffsiteRedirectMiddleware

    from scrapy.utils.test import get_crawler

    crawler = get_crawler(Spider)
    crawler.spider = Spider("x", allowed_domains=["127.0.0.1", "business-standard.com"])
    middleware = OffsiteRedirectMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:8000/a/x-124022800873_1.html")
    for location, offsite in (
        ("/", False),
        ("http://127.0.0.1:9000/y", False),
        ("https://hindi.business-standard.com/z", False),
        ("http://127.0.0.2:8000/a", True),
        ("https://business-standard.com.evil.example/a", True),
    ):
        response = HtmlResponse(request.url, status=302, headers={"Location": location}, request=request)
        if offsite:
            with pytest.raises(OffsiteRedirect):
                middleware.process_response(request, response)
        else:
            assert middleware.process_response(request, response) is response
