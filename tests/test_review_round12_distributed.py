"""Distributed runs as users configure them from scrapy-redis's documentation: REDIS_PARAMS beside
REDIS_URL (socket timeouts, a user and password, health checks), and workers of one run restarted
with the same arguments written otherwise."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.distributed import adopt_host_settings, connect, redis_problem, run_keys, unread_settings_problem
from crawler.distributed.scheduler import RedisScheduler
from crawler.monitoring.verdict import EXIT_REDIS, EXIT_USAGE
from crawler.spiders.archive import ArchiveSpider, today_ist
from crawler.spiders.discovery import DiscoverySpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.e2e import scrapy
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)

HARMLESS = {"socket_timeout": 7, "retry_on_timeout": True, "health_check_interval": 30}


@pytest.fixture
def redis_user(redis_url: str) -> Iterator[tuple[str, str]]:  # noqa: F811
    """A Redis user of the test's own (ACL), as a Redis with passwords has."""
    admin = redis.Redis.from_url(redis_url)
    admin.execute_command("ACL", "SETUSER", "probe-user", "on", ">s3cret-pw", "~*", "&*", "+@all")
    try:
        yield "probe-user", "s3cret-pw"
    finally:
        admin.execute_command("ACL", "DELUSER", "probe-user")
        admin.close()


def test_redis_params_beside_redis_url_are_the_clients_options_not_refused(
    redis_url: str, prefix: str, redis_user: tuple[str, str], tmp_path: Path  # noqa: F811
) -> None:
    # scrapy-redis's documented REDIS_PARAMS: a user and password, timeouts, health checks. They were
    # refused (exit 2), so a Redis whose password is kept out of the URL could not be used at all.
    user, password = redis_user
    params = {**HARMLESS, "username": user, "password": password}
    settings = Settings({
        "REDIS_URL": redis_url, "REDIS_PARAMS": json.dumps(params), "BS_REDIS_PREFIX": prefix, "BS_STATE_DIR": str(tmp_path),
    })
    assert unread_settings_problem(settings) is None
    assert redis_problem(settings, run=True) is None
    client = connect(settings)
    try:
        assert client.acl_whoami() == user
        assert client.connection_pool.connection_kwargs["socket_timeout"] == 7
        assert client.connection_pool.connection_kwargs["health_check_interval"] == 30
    finally:
        client.close()
    # A wrong password: Redis's refusal, without the password in it.
    settings.set("REDIS_PARAMS", json.dumps({**params, "password": "wrong-s3cret"}))
    problem = redis_problem(settings, run=True)
    assert problem is not None and "refused" in problem and "s3cret" not in problem


def test_a_crawl_with_harmless_redis_params_goes_on_to_redis(tmp_path: Path) -> None:
    # Not refused as a usage error: it goes on to Redis (none at this port: exit 3... the Redis exit).
    done = scrapy(
        tmp_path, "crawl", "latest", "-s", "REDIS_URL=redis://127.0.0.1:9/0", "-s", f"REDIS_PARAMS={json.dumps({**HARMLESS, 'socket_timeout': 1})}",
        "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", f"BS_STATE_DIR={tmp_path / 'state'}",
    )
    assert done.returncode == EXIT_REDIS, done.stderr[-2000:]
    assert "unreachable" in done.stderr.strip().splitlines()[-1] and "Traceback" not in done.stderr


@pytest.mark.parametrize(("params", "words"), [
    ('{"host": "10.0.0.5", "password": "s3cret"}', "names the Redis (host)"),
    ('{"decode_responses": true, "password": "s3cret"}', "decode_responses"),
    ('{"socket_timeout": 0, "password": "s3cret"}', "socket_timeout must be a number"),
    ('{"health_check_interval": "s3cret"}', "health_check_interval must be a number"),
    ('{"no_such_option": "s3cret"}', "no_such_option: redis-py takes no such option"),
    ("password=s3cret", "no JSON object"),
])
def test_redis_params_this_crawler_cannot_pass_on_are_one_line_and_exit_2_without_their_values(
    params: str, words: str, tmp_path: Path
) -> None:
    for command in (["crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9"], ["redisclear", "latest"]):
        done = scrapy(
            tmp_path, *command, "-s", "REDIS_URL=redis://127.0.0.1:9/0", "-s", f"REDIS_PARAMS={params}", "-s", f"BS_STATE_DIR={tmp_path / 'state'}",
        )
        assert done.returncode == EXIT_USAGE, (command, done.stderr[-2000:])
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("error: REDIS_PARAMS") and words in last, last
        assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


# --- a worker of a run restarted with the same arguments written otherwise ---------------------------


def open_worker(
    spider_cls: type[DiscoverySpider], name: str, arguments: dict[str, str], redis_url: str, prefix: str, tmp_path: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch, **settings: str,
) -> RedisScheduler:
    """A worker of run "r" opened in this process, as `scrapy crawl SPIDER -a NAME=VALUE...` starts it."""
    monkeypatch.setattr(sys, "argv", ["scrapy", "crawl", spider_cls.name, *(f"-a{k}={v}" for k, v in arguments.items())])
    crawler = get_crawler(spider_cls, {
        "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_REDIS_RUN": "r", "BS_WORKER_NAME": name,
        "BS_STATE_DIR": str(tmp_path / name), **settings, **({"JOBDIR": str(tmp_path / settings["JOBDIR"])} if "JOBDIR" in settings else {}),
    })
    crawler.spider = crawler._create_spider(**arguments)
    made = RedisScheduler.from_crawler(crawler)
    made.open(crawler.spider)
    return made


# Filled in as the test runs, not as it is collected: a run crossing midnight in India (18:30 UTC)
# gave the worker yesterday's date spelled out, which is no default.
TODAY = "<today in India>"


@pytest.mark.parametrize(("spider_cls", "first", "again", "settings"), [
    # The same arguments in another order, and spelled with the spaces a cron line leaves.
    (ArchiveSpider, {"since": "2024-10-01", "until": "2024-10-31"}, {"until": "2024-10-31 ", "since": " 2024-10-01"}, {}),
    # The default made explicit: until is today.
    (ArchiveSpider, {"since": "2024-10-01"}, {"since": "2024-10-01", "until": TODAY}, {}),
    (SectionSpider, {"sections": "markets/news,companies/news"}, {"sections": "companies/news,markets/news/", "pages": "5"}, {}),
    (LatestSpider, {}, {"fresh": "0"}, {}),
    (LatestSpider, {"fresh": "1"}, {"fresh": "true"}, {}),
    # Settings are no spider arguments: another JOBDIR, another BS_FRESH.
    (ArchiveSpider, {"since": "2024-10-01"}, {"since": "2024-10-01"}, {"BS_FRESH": "1", "JOBDIR": "jobs/w2"}),
])
def test_a_worker_restarted_with_the_same_arguments_written_otherwise_joins_its_run(
    spider_cls: type[DiscoverySpider], first: dict[str, str], again: dict[str, str], settings: dict[str, str],
    redis_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    # They were refused (exit 2) as "started with other arguments than its run's": the arguments were
    # compared as written on the command line.
    running = open_worker(spider_cls, "w1", first, redis_url, prefix, tmp_path, monkeypatch)
    try:
        again = {name: today_ist().isoformat() if value == TODAY else value for name, value in again.items()}
        restarted = open_worker(spider_cls, "w2", again, redis_url, prefix, tmp_path, monkeypatch, **settings)
        try:
            assert not restarted.refused
        finally:
            restarted.close("shutdown")
    finally:
        running.close("shutdown")


def test_a_worker_given_another_range_is_still_refused(
    redis_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    running = open_worker(ArchiveSpider, "w1", {"since": "2024-10-01"}, redis_url, prefix, tmp_path, monkeypatch)
    try:
        for other in ({"since": "2024-10-01", "until": "2024-10-31"}, {"since": "2024-09-01"}):
            wider = open_worker(ArchiveSpider, "w2", other, redis_url, prefix, tmp_path, monkeypatch)
            try:
                assert wider.refused
            finally:
                wider.close("shutdown")
    finally:
        running.close("shutdown")


# --- scrapy-redis's REDIS_HOST, REDIS_PORT and REDIS_DB ------------------------------------------------


def test_redis_host_port_and_db_name_the_redis_as_scrapy_redis_reads_them(
    redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # As scrapy-redis's documentation names a Redis. They were refused (exit 2); before that, ignored:
    # the run was not distributed, and every machine crawled and emitted everything alone.
    parts = urlsplit(redis_url)
    keys = run_keys(prefix, "backfill")
    elsewhere = redis.Redis(host=str(parts.hostname), port=int(parts.port or 0), db=3)
    home = redis.Redis.from_url(redis_url)
    try:
        elsewhere.rpush(keys.requests, b"{}")
        home.rpush(keys.requests, b"{}")
        done = scrapy(
            tmp_path, "redisclear", "backfill", "--prefix", prefix, "-s", f"REDIS_HOST={parts.hostname}", "-s", f"REDIS_PORT={parts.port}",
            "-s", "REDIS_DB=3", "-s", f"BS_STATE_DIR={tmp_path / 'state'}",
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"at redis://{parts.hostname}:{parts.port}/3" in done.stdout
        assert elsewhere.exists(keys.requests) == 0 and home.exists(keys.requests) == 1, "database 3's keys, no other's"
    finally:
        elsewhere.delete(keys.requests)
        elsewhere.close()
        home.close()
    settings = Settings({"REDIS_HOST": parts.hostname, "REDIS_PORT": str(parts.port), "BS_REDIS_PREFIX": prefix, "BS_STATE_DIR": str(tmp_path)})
    assert adopt_host_settings(settings) is None and settings["REDIS_URL"] == f"redis://{parts.hostname}:{parts.port}/0"
    assert unread_settings_problem(settings) is None and redis_problem(settings, run=True) is None


def test_a_crawl_given_redis_host_is_distributed_not_alone(tmp_path: Path) -> None:
    # No Redis at that port: the Redis exit, where it was a run of its own that emitted everything.
    done = scrapy(
        tmp_path, "crawl", "latest", "-s", "REDIS_HOST=127.0.0.1", "-s", "REDIS_PORT=9", "-s", "BS_BASE_URL=http://127.0.0.1:9",
        "-s", f"BS_STATE_DIR={tmp_path / 'state'}",
    )
    assert done.returncode == EXIT_REDIS, done.stderr[-2000:]
    assert "Redis at redis://127.0.0.1:9/0 is unreachable" in done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(("settings", "words"), [
    (["REDIS_PORT=63790000"], "REDIS_PORT='63790000' is no port"),
    (["REDIS_HOST=user@10.0.0.5"], "is no host name"),
    (["REDIS_HOST=127.0.0.1", "REDIS_DB=one"], "REDIS_DB='one' is no database number"),
    (["REDIS_HOST=10.0.0.5", "REDIS_URL=redis://127.0.0.1:9/0"], "REDIS_URL names the Redis already"),
])
def test_redis_host_settings_that_name_no_redis_or_another_are_one_line_and_exit_2(settings: list[str], words: str, tmp_path: Path) -> None:
    options = [option for setting in settings for option in ("-s", setting)]
    for command in (["crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9"], ["redisclear", "latest"]):
        done = scrapy(tmp_path, *command, *options, "-s", f"BS_STATE_DIR={tmp_path / 'state'}")
        assert done.returncode == EXIT_USAGE, (command, done.stderr[-2000:])
        assert words in done.stderr.strip().splitlines()[-1] and "Traceback" not in done.stderr
