"""Review of the worker-name lock: a name that lapsed while its worker lived is taken back, not left free."""

from __future__ import annotations

import json
import logging
import time
from datetime import date
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings

from crawler.distributed import namelock
from crawler.distributed.namelock import WorkerNameLock
from crawler.monitoring.verdict import EXIT_LOCKED as EXIT_LOCKED_STATUS
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures)


def _lock(url: str, key_prefix: str) -> WorkerNameLock:
    settings = Settings({"REDIS_URL": url, "BS_REDIS_PREFIX": key_prefix, "BS_WORKER_NAME": "w1"})
    lock = WorkerNameLock(settings, "archive")
    assert lock.acquire(settings) is None
    return lock


def _until(check: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["lapsed", "redis-restarted-empty"])
def test_a_name_that_lapsed_while_its_worker_lives_is_taken_back(
    redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, how: str,  # noqa: F811
) -> None:
    """Before: the refresh only EXPIREd a key that still held this process; once the key was gone (the
    worker held up past the 30 s, or a Redis restarted without its data) every refresh returned 0, the
    worker WARNED that "another process took it over" though none had, and ran on with its name free:
    a second worker of the same name was let in beside it. Now the refresh takes a free name back."""
    monkeypatch.setattr(namelock, "HEARTBEAT_SECONDS", 0.1)
    client = redis.Redis.from_url(redis_url)
    lock = _lock(redis_url, prefix)
    try:
        if how == "lapsed":
            client.delete(lock.key)
        else:
            client.delete(*client.keys(f"{prefix}:*"))
        with caplog.at_level(logging.INFO, logger=namelock.__name__):
            assert _until(lambda: client.get(lock.key) == lock.mine.encode()), "the name was left free"
            assert 0 < client.ttl(lock.key) <= namelock.WORKER_STALE_SECONDS
        assert not [r for r in caplog.records if "another process took it over" in r.getMessage()]
        # So a second worker of the name is refused again.
        other = Settings({"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1"})
        second = WorkerNameLock(other, "archive")
        second.mine = json.dumps({"host": "elsewhere", "pid": 7}, sort_keys=True)
        refusal = second.acquire(other)
        assert refusal is not None and "running 'archive' already" in refusal
    finally:
        lock.release()
        client.close()
    assert lock._thread is None


def test_a_name_taken_by_another_is_warned_once_and_left_to_it(
    redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    """The other side: a name another process holds now is not taken from it (it is the live one)."""
    monkeypatch.setattr(namelock, "HEARTBEAT_SECONDS", 0.1)
    client = redis.Redis.from_url(redis_url)
    lock = _lock(redis_url, prefix)
    taken: list[bool] = []
    lock.on_taken = lambda: taken.append(True)
    theirs = json.dumps({"host": "elsewhere", "pid": 7})
    try:
        with caplog.at_level(logging.WARNING, logger=namelock.__name__):
            client.set(lock.key, theirs, ex=30)
            time.sleep(0.6)
        warned = [r for r in caplog.records if "another process took it over" in r.getMessage()]
        assert len(warned) == 1 and warned[0].levelno == logging.ERROR
        assert taken == [True], "the run is told to stop once"
        assert client.get(lock.key) == theirs.encode()
    finally:
        lock.release()
    # Release leaves another's name alone.
    assert client.get(lock.key) == theirs.encode()
    client.close()


def test_release_stops_the_refresh_within_a_beat(redis_url: str, prefix: str) -> None:  # noqa: F811
    """The thread waits on an Event, so a run's end is not held up by the refresh's 5 s period."""
    lock = _lock(redis_url, prefix)
    thread = lock._thread
    assert thread is not None and thread.daemon
    started = time.monotonic()
    lock.release()
    assert time.monotonic() - started < 2 and not thread.is_alive()
    client = redis.Redis.from_url(redis_url)
    assert client.get(lock.key) is None
    client.close()


def test_the_verdict_of_a_worker_whose_name_was_taken_is_locked() -> None:
    from scrapy.utils.test import get_crawler

    from crawler import settings as project_settings
    from crawler.distributed import WORKER_NAME_TAKEN
    from crawler.monitoring.verdict import EXIT_LOCKED, RunVerdictExtension

    settings = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    status, why = RunVerdictExtension(get_crawler(settings_dict=settings)).verdict({}, WORKER_NAME_TAKEN)
    assert status == EXIT_LOCKED and "BS_WORKER_NAME" in why


def test_a_worker_whose_name_another_process_takes_mid_run_stops(
    redis_url: str, prefix: str, tmp_path: Path,  # noqa: F811
) -> None:
    """Before: a worker whose name another process took (its mark lapsed while it was held up past 30 s,
    and a worker of the same name elsewhere started) WARNED and crawled on beside the new holder,
    both taking the name's requests in hand. Now it stops: one ERROR line, exit 3, what it wrote kept."""
    from tests.loopback.site import LoopbackSite
    from tests.test_redis import start_worker

    since, until = date(2024, 10, 1), date(2024, 10, 31)
    with LoopbackSite(articles=300, seed=1913) as site:
        worker = start_worker(
            "w1", tmp_path / "machine-a", site, redis_url, prefix, since, until,
            CONCURRENT_REQUESTS="1", DOWNLOAD_DELAY="0.4", BS_REDIS_IDLE_SECONDS="0",
        )
        try:
            assert _until(lambda: worker.written() >= 3 or worker.process.poll() is not None, timeout=120), worker.log[-3000:]
            assert worker.process.poll() is None, "the worker ended before its name was taken: the test proved nothing"
            client = redis.Redis.from_url(redis_url)
            key = f"{prefix}:worker:archive:w1"
            assert client.get(key) is not None
            client.set(key, json.dumps({"host": "elsewhere", "pid": 7}), ex=30)
            client.close()
            status = worker.wait(timeout=120)
        finally:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
    log = worker.log
    assert status == EXIT_LOCKED_STATUS, log[-3000:]
    assert "another process took it over; stopping" in log and "Traceback" not in log
    ids = worker.ids()
    assert len(ids) == len(set(ids)) >= 3, "what it wrote is kept, once"
