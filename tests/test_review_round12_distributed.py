"""Distributed runs as users configure them from scrapy-redis's documentation: REDIS_PARAMS beside
REDIS_URL (socket timeouts, a user and password, health checks), and workers of one run restarted
with the same arguments written otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings

from crawler.distributed import connect, redis_problem, unread_settings_problem
from crawler.monitoring.verdict import EXIT_REDIS, EXIT_USAGE
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
