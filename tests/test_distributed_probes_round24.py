"""Distributed runs on a Redis that refuses them: one that wants a password, or another one, a rediss:// URL to a Redis without TLS, and a Redis that stops taking writes mid-run (full at its maxmemory, turned into a replica)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import redis
from redis.exceptions import OutOfMemoryError, ReadOnlyError, ResponseError

from crawler.distributed import write_refusal
from crawler.monitoring.verdict import EXIT_REDIS
from tests.e2e import stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_redis import ENV, free_port, ids_between, redis_url, scrapy, site, start_worker  # noqa: F401 (fixtures)

PASSWORD = "s3cret-r24"


@dataclass
class OwnRedis:
    """A redis-server of the test's own (its settings are changed under the workers: never CI's shared one)."""

    port: int
    socket: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, password: str | None = None) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, password=password)


def _own_redis(tmp_path: Path, *options: str) -> Iterator[OwnRedis]:
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("no redis-server (tests/services/redis/start.sh installs it)")
        pytest.skip("no redis-server here")
    folder = tmp_path / "redis"
    folder.mkdir()
    # A short path: a Unix socket's path is at most 107 bytes.
    socket_path = Path(f"/tmp/bs-r24-{os.getpid()}-{free_port()}.sock")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder),
         "--unixsocket", str(socket_path), "--unixsocketperm", "700", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not socket_path.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        if not socket_path.exists():
            pytest.fail(f"redis-server on port {port} did not start")
        yield OwnRedis(port, socket_path)
    finally:
        process.terminate()
        process.wait(timeout=30)
        socket_path.unlink(missing_ok=True)


@pytest.fixture
def locked_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis that wants a password (``requirepass``), also on a Unix socket."""
    yield from _own_redis(tmp_path, "--requirepass", PASSWORD)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    yield from _own_redis(tmp_path)


def _crawl(url: str, site: LoopbackSite, cwd: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    site.reset_counts()
    arguments = ["crawl", "latest", "-s", f"REDIS_URL={url}", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_REDIS_PREFIX=r24"]
    for setting in settings:
        arguments += ["-s", setting]
    return scrapy(*arguments, cwd=cwd, timeout=120)


# --- a password wanted, or refused ---------------------------------------------------------------------


@pytest.mark.parametrize("form", ["tcp", "unix"])
def test_a_redis_that_wants_a_password_given_none_says_so_in_one_line_and_exit_8(
    form: str, locked_redis: OwnRedis, site: LoopbackSite, tmp_path: Path  # noqa: F811
) -> None:
    # Before: "refused the crawler (HELLO must be called with the client already authenticated, otherwise the
    # HELLO AUTH <user> <pass> option can be used …)", redis-py's RESP3 greeting refused: no word of a password.
    url = locked_redis.url if form == "tcp" else f"unix://{locked_redis.socket}?db=0"
    result = _crawl(url, site, tmp_path)
    assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: Redis at {url} wants a password, and REDIS_URL gives none ("), last
    assert ("redis://:PASSWORD@HOST:PORT/DB" if form == "tcp" else "unix:///PATH?password=PASSWORD") in last
    assert last.endswith("nothing was fetched")
    assert "Traceback" not in result.stderr
    assert sum(site.counts.values()) == 0


@pytest.mark.parametrize("credentials", [":wrong-one", "bob:" + PASSWORD])
def test_a_password_or_user_name_redis_refuses_is_named_as_such_without_its_value(
    credentials: str, locked_redis: OwnRedis, site: LoopbackSite, tmp_path: Path  # noqa: F811
) -> None:
    url = f"redis://{credentials}@127.0.0.1:{locked_redis.port}/0"
    result = _crawl(url, site, tmp_path)
    assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    user = credentials.partition(":")[0]
    assert last.startswith(f"error: Redis at redis://{user}:***@127.0.0.1:{locked_redis.port}/0 refused the password given ("), last
    assert "check REDIS_URL's password" in last and last.endswith("nothing was fetched")
    assert credentials.partition(":")[2] not in result.stderr
    assert "Traceback" not in result.stderr
    assert sum(site.counts.values()) == 0


def test_the_right_password_and_a_database_number_crawl_as_without_them(
    locked_redis: OwnRedis, site: LoopbackSite, tmp_path: Path  # noqa: F811
) -> None:
    url = f"redis://:{PASSWORD}@127.0.0.1:{locked_redis.port}/3"
    result = _crawl(url, site, tmp_path, "BS_REDIS_IDLE_SECONDS=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert site.article_requests() > 0
    assert locked_redis.client(PASSWORD).scard("r24:seen-ids") == 0, "database 0 untouched"
    assert redis.Redis(host="127.0.0.1", port=locked_redis.port, db=3, password=PASSWORD).scard("r24:seen-ids") > 0


def test_rediss_to_a_redis_without_tls_names_tls_in_its_line(own_redis: OwnRedis, site: LoopbackSite, tmp_path: Path) -> None:  # noqa: F811
    # Before: "is unreachable (Timeout connecting to server)", of a server that answers every redis:// client.
    url = f"rediss://127.0.0.1:{own_redis.port}/0"
    result = _crawl(url, site, tmp_path, "BS_REDIS_TIMEOUT=1")
    assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: Redis at {url} is unreachable (") and "a Redis without TLS" in last, last
    assert "Traceback" not in result.stderr
    assert sum(site.counts.values()) == 0


# --- a Redis that stops taking writes mid-run ----------------------------------------------------------


def _refuse_writes(client: redis.Redis, how: str, spare_port: int) -> None:
    if how == "full":
        client.config_set("maxmemory", int(client.info("memory")["used_memory"]))
    else:
        client.execute_command("REPLICAOF", "127.0.0.1", str(spare_port))  # nothing there: it stays read-only


def _take_writes(client: redis.Redis, how: str) -> None:
    if how == "full":
        client.config_set("maxmemory", 0)
    else:
        client.execute_command("REPLICAOF", "NO", "ONE")


@pytest.mark.long
@pytest.mark.parametrize("how, words", [("full", "is full ("), ("replica", "is a read-only replica now (")])
def test_a_redis_that_stops_taking_writes_mid_run_is_named_so_and_a_restart_once_it_does_emits_each_article_once(
    how: str, words: str, own_redis: OwnRedis, site: LoopbackSite, tmp_path: Path  # noqa: F811
) -> None:
    # Before: "Lost Redis at … (command not allowed when used memory > 'maxmemory'.) … a restart continues the
    # run", and the run's summary "Redis was lost": a restart as told failed the same way, the Redis full.
    since, until = date(2024, 10, 1), date(2024, 10, 31)
    expected = ids_between(site, since, until)
    slow = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.02", "BS_REDIS_IDLE_SECONDS": "0"}
    client = own_redis.client()
    first = start_worker("w1", tmp_path / "w1", site, own_redis.url, "r24", since, until, **slow)
    try:
        deadline = time.monotonic() + 120
        while first.written() < 20 and time.monotonic() < deadline and first.process.poll() is None:
            time.sleep(0.05)
        assert first.written() >= 20, first.log[-3000:]
        _refuse_writes(client, how, free_port())
        assert first.wait(timeout=120) == EXIT_REDIS, first.log[-3000:]
    finally:
        if first.process.poll() is None:
            first.process.kill()
        _take_writes(client, how)
    log = first.log
    assert f"Redis at {own_redis.url} {words}" in log, log[-3000:]
    assert "Lost Redis" not in log and "is unreachable" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert "restart the worker once it does" in log
    assert stats_from_log(log)["bs/redis/writes_refused"] == 1
    kept = first.ids()
    assert 20 <= len(kept) < len(expected)

    # Redis takes writes again: the restart continues the run, and a later run fetches what was in flight.
    restarted = start_worker("w1", tmp_path / "w1", site, own_redis.url, "r24", since, until, BS_REDIS_IDLE_SECONDS="0")
    assert restarted.wait() == 0, restarted.log[-3000:]
    done = restarted.ids()  # before the next run's file is in the same folder
    later = start_worker("w1", tmp_path / "w1", site, own_redis.url, "r24", since, until, BS_REDIS_IDLE_SECONDS="0")
    assert later.wait() == 0, later.log[-3000:]
    emitted = Counter(kept + done + later.ids())
    assert set(emitted) == expected
    assert [i for i, n in emitted.items() if n > 1] == [], "every article exactly once over the three runs"


def test_only_redis_refusing_writes_is_told_as_such() -> None:
    assert (write_refusal(OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")) or "").startswith("is full (")
    assert (write_refusal(ReadOnlyError("You can't write against a read only replica.")) or "").startswith("is a read-only replica now (")
    misconf = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."
    assert (write_refusal(ResponseError(misconf)) or "").startswith("cannot save to disk")
    assert (write_refusal(ResponseError(f"Command # 1 (SET a 1) of pipeline caused error: {misconf}")) or "").startswith("cannot save to disk")
    assert write_refusal(ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")) is None
    assert write_refusal(ConnectionError("Connection refused")) is None
    assert write_refusal(ResponseError("ERR unknown command 'MISCONFIG'")) is None
