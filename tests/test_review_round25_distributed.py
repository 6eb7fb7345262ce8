"""Review of the Redis refusals and the older-state check: passwords never printed, advice that keeps the URL's scheme and user, AOF restarts not taken for an older state."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from scrapy.settings import Settings

from crawler.distributed import redacted, unread_settings_problem, url_problem
from crawler.monitoring.verdict import EXIT_REDIS, EXIT_USAGE
from tests.loopback.site import LoopbackSite
from tests.test_distributed_probes_round24b import _port
from tests.test_redis import ENV
from tests.e2e import FAST

PREFIX = "r25r"


class OwnRedis:
    """A redis-server of the test's own, on a port of ``BS_TEST_PORTS`` (its options and restarts are the test's,
    never CI's shared Redis); its data lives in ``folder``, so a stop and start is a Redis restarted."""

    def __init__(self, folder: Path, *options: str, tls: bool = False) -> None:
        server = shutil.which("redis-server")
        if server is None:
            if os.environ.get("CI"):
                pytest.fail("no redis-server (tests/services/redis/start.sh installs it)")
            pytest.skip("no redis-server here")
        self.server, self.folder, self.options, self.tls = server, folder, options, tls
        folder.mkdir(exist_ok=True)
        self.port = _port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, password: str | None = None) -> None:
        listen = ["--port", "0", "--tls-port", str(self.port)] if self.tls else ["--port", str(self.port)]
        self.process = subprocess.Popen(
            [self.server, *listen, "--bind", "127.0.0.1", "--dir", str(self.folder), *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.client(password).ping():
                    return
            except redis.AuthenticationError:
                return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server on port {self.port} did not start ({self.options})")

    def client(self, password: str | None = None) -> redis.Redis:
        if self.tls:
            return redis.Redis(host="127.0.0.1", port=self.port, password=password, ssl=True, ssl_ca_certs=str(self.folder / "cert.pem"))
        return redis.Redis(host="127.0.0.1", port=self.port, password=password)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # a shutdown: Redis writes its append-only file or dump before it exits
            self.process.wait(timeout=30)
            self.process = None


def _redis(tmp_path: Path, *options: str, tls: bool = False) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path / "redis", *options, tls=tls)
    try:
        yield server
    finally:
        server.stop()


def _scrapy(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "scrapy", *arguments], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120)


def _last(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


# --- a password whose characters end it early in a URL ------------------------------------------------------------

# Written raw, each of these ends a URL's password (urllib, and redis-py with it, take the rest for the database,
# the host, the port or the fragment), or makes no URL at all ('[', ']'). Both halves are secret.
CUT_URLS = {
    "slash": "redis://:QQfirst/QQsecond@127.0.0.1:{port}/0",
    "question mark": "redis://:QQfirst?QQsecond@127.0.0.1:{port}/0",
    "hash": "redis://:QQfirst#QQsecond@127.0.0.1:{port}/0",
    "bracket": "redis://:QQfirst[QQsecond@127.0.0.1:{port}/0",
    "closing bracket": "redis://:QQfirst]QQsecond@127.0.0.1:{port}/0",
    "at and slash": "redis://:QQfirst@QQsecond/QQthird@127.0.0.1:{port}/0",
    "user and hash": "redis://crawler:QQfirst#QQsecond@127.0.0.1:{port}/0",
    "hash in the query's password": "redis://127.0.0.1:{port}/0?password=QQfirst#QQsecond",
    "tls and question mark": "rediss://crawler:QQfirst?QQsecond@127.0.0.1:{port}/0",
}


@pytest.mark.parametrize("kind", sorted(CUT_URLS))
def test_a_password_with_a_character_that_ends_it_unencoded_is_refused_in_one_line_never_printed(kind: str, tmp_path: Path) -> None:
    # Before: 'Redis at redis://:QQfirst#QQsecond@127.0.0.1:…/0 is unreachable (Port could not be cast to integer value
    # as 'QQfirst')', exit 8; "names database 'QQsecond@127.0.0.1:…'", exit 2; a ValueError traceback for '[', exit 1:
    # the password in clear each time.
    url = CUT_URLS[kind].format(port=_port())
    for command in (["crawl", "latest"], ["redisclear", "latest"]):
        result = _scrapy(tmp_path / "machine", *command, "-s", f"REDIS_URL={url}", "-s", "BS_BASE_URL=http://127.0.0.1:9",
                         "-s", f"BS_STATE_DIR={tmp_path / 'state'}")
        assert result.returncode == EXIT_USAGE, result.stderr[-2000:]
        assert "QQ" not in result.stderr + result.stdout, _last(result)
        assert "Traceback" not in result.stderr
        last = _last(result)
        assert "REDIS_URL=" in last and "ends them early" in last and "percent-encoded" in last, last
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written, "the refusal is recorded"
    assert not [path for path in written if "QQ" in path.read_text(errors="replace")]
    # Set in a settings module, not with -s: refused as well, by the check every Redis command makes first.
    said = unread_settings_problem(Settings({"REDIS_URL": url}))
    assert said is not None and "ends them early" in said and "QQ" not in said
    assert "QQ" not in redacted(url)
    assert url_problem(url) is not None


def test_a_password_with_those_characters_percent_encoded_is_taken_and_never_printed(tmp_path: Path) -> None:
    password = "p@ss/wo#rd?x[y]:z%"
    for server in _redis(tmp_path, "--save", "", "--appendonly", "no", "--requirepass", password, "--user", "crawler", "on", f">{password}", "~*", "&*", "+@all"):
        server.start(password)
        for user in ("", "crawler"):
            url = f"redis://{user}:{quote(password, safe='')}@127.0.0.1:{server.port}/0"
            assert url_problem(url) is None and "p@ss" not in redacted(url)
            result = _scrapy(tmp_path / "machine", "redisclear", "latest", "-s", f"REDIS_URL={url}", "-s", f"BS_REDIS_PREFIX={PREFIX}")
            assert result.returncode == 0, result.stderr[-2000:]
            assert f"at redis://{user}:***@127.0.0.1:{server.port}/0" in result.stdout
            assert "p@ss" not in result.stdout + result.stderr and "rd?x" not in result.stdout + result.stderr


def test_the_advice_for_a_missing_password_keeps_the_acl_user_name(tmp_path: Path) -> None:
    # Before: 'give it as redis://:PASSWORD@HOST:PORT/DB', which logs in as the default user with the crawler's password.
    for server in _redis(tmp_path, "--save", "", "--appendonly", "no", "--requirepass", "other", "--user", "crawler", "on", ">s3cret", "~*", "&*", "+@all"):
        server.start("other")
        url = f"redis://crawler@127.0.0.1:{server.port}/0"
        result = _scrapy(tmp_path / "machine", "crawl", "latest", "-s", f"REDIS_URL={url}", "-s", "BS_BASE_URL=http://127.0.0.1:9")
        assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
        last = _last(result)
        assert "wants a password, and REDIS_URL gives none" in last and "give it as redis://crawler:PASSWORD@HOST:PORT/DB" in last, last
        # Followed, it is taken.
        done = _scrapy(tmp_path / "machine", "redisclear", "latest", "-s", f"REDIS_URL=redis://crawler:s3cret@127.0.0.1:{server.port}/0")
        assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis that takes TLS only (a self-signed certificate) and wants a password."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to make the TLS Redis's certificate")
    folder = tmp_path / "redis"
    folder.mkdir()
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True, timeout=60,
    )
    if made.returncode != 0:
        pytest.skip(f"openssl made no certificate ({made.stderr.decode(errors='replace')[-200:]})")
    options = ("--save", "", "--appendonly", "no", "--tls-cert-file", str(folder / "cert.pem"), "--tls-key-file", str(folder / "key.pem"),
               "--tls-ca-cert-file", str(folder / "cert.pem"), "--tls-auth-clients", "no", "--requirepass", "tls-s3cret")
    server = OwnRedis(folder, *options, tls=True)
    log = folder / "redis.log"
    server.process = subprocess.Popen(
        [server.server, "--port", "0", "--tls-port", str(server.port), "--bind", "127.0.0.1", "--dir", str(folder), "--logfile", str(log), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            server.process = None
            said = log.read_text(errors="replace").strip()[-200:] if log.is_file() else ""
            pytest.skip(f"this redis-server takes no TLS (a build without it: {said})")
        try:
            if server.client("tls-s3cret").ping():
                break
        except redis.RedisError:
            time.sleep(0.05)
    else:
        server.stop()
        pytest.fail("the TLS redis-server did not answer")
    try:
        yield server
    finally:
        server.stop()


def test_a_tls_redis_wanting_a_password_is_told_in_a_rediss_form_and_redis_to_it_names_tls(tls_redis: OwnRedis, tmp_path: Path) -> None:
    # Before: 'give it as redis://:PASSWORD@HOST:PORT/DB' for a rediss:// URL (followed: a plain connection, refused);
    # and redis:// to it 'is unreachable (Error while reading from …: Connection reset by peer)', no word of TLS.
    ca = tls_redis.folder / "cert.pem"
    url = f"rediss://127.0.0.1:{tls_redis.port}/0?ssl_ca_certs={ca}"
    result = _scrapy(tmp_path / "machine", "crawl", "latest", "-s", f"REDIS_URL={url}", "-s", "BS_BASE_URL=http://127.0.0.1:9")
    assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
    assert "give it as rediss://:PASSWORD@HOST:PORT/DB" in _last(result), _last(result)
    plain = f"redis://:tls-s3cret@127.0.0.1:{tls_redis.port}/0"
    result = _scrapy(tmp_path / "machine", "redisclear", "latest", "-s", f"REDIS_URL={plain}")
    assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
    last = _last(result)
    assert last.startswith(f"error: Redis at redis://:***@127.0.0.1:{tls_redis.port}/0 is unreachable (") and "rediss://" in last, last
    assert "tls-s3cret" not in result.stderr
    # The right URL is taken.
    right = f"rediss://:tls-s3cret@127.0.0.1:{tls_redis.port}/0?ssl_ca_certs={ca}"
    done = _scrapy(tmp_path / "machine", "redisclear", "latest", "-s", f"REDIS_URL={right}", "-s", f"BS_REDIS_PREFIX={PREFIX}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "tls-s3cret" not in done.stdout + done.stderr


# --- the older-state check: only what a run would emit again counts ------------------------------------------------


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=120, seed=25, port=_port()) as running:
        yield running


def _crawl(machine: Path, site: LoopbackSite, url: str, *settings: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``scrapy crawl latest`` as a cron run on ``machine`` (its own folder and state dir); the ids it emitted."""
    import json

    machine.mkdir(exist_ok=True)
    earlier = set((machine / "output").rglob("*.jsonl"))
    values = [*(f"{k}={v}" for k, v in FAST.items()), f"REDIS_URL={url}", f"BS_BASE_URL={site.base_url}", f"BS_REDIS_PREFIX={PREFIX}",
              f"BS_WORKER_NAME={machine.name}", "BS_REDIS_IDLE_SECONDS=0", "LOG_LEVEL=INFO", *settings]
    command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
    for value in values:
        command += ["-s", value]
    result = subprocess.run(command, cwd=machine, env=ENV, capture_output=True, text=True, timeout=180)
    ids = [json.loads(line)["articleId"] for path in sorted(set((machine / "output").rglob("*.jsonl")) - earlier)
           for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return result, ids


def _url(server: OwnRedis) -> str:
    return f"redis://127.0.0.1:{server.port}/0"


def test_a_redis_restarted_from_a_snapshot_older_only_than_runs_that_emitted_nothing_is_not_refused(site: LoopbackSite, tmp_path: Path) -> None:
    # Before: each run's start was counted too, so a snapshot older than a run that found nothing new (a quiet night's
    # cron runs, then Redis killed and restarted from its last dump) was 'went back to an older state … forgotten up to
    # 1 article(s)', exit 8 at every run on every such machine until BS_REDIS_ACCEPT_OLDER_STATE, with nothing forgotten.
    for server in _redis(tmp_path, "--save", "", "--appendonly", "no"):
        server.start()
        machine = tmp_path / "m1"
        first, ids = _crawl(machine, site, _url(server))
        assert first.returncode == 0, first.stderr[-3000:]
        assert ids
        server.client().save()
        quiet, again = _crawl(machine, site, _url(server))
        assert quiet.returncode == 0 and again == [], quiet.stderr[-3000:]
        server.stop()  # (no save points: the dump is the one of the SAVE above, as after a crash)
        server.start()
        after, more = _crawl(machine, site, _url(server))
        assert after.returncode == 0, after.stderr[-3000:]
        assert more == []
        assert "older state" not in after.stderr
        # What a run would emit again still counts: new articles confirmed after the snapshot are refused.
        server.client().save()
        site.add_articles(3)
        emitting, new = _crawl(machine, site, _url(server))
        assert emitting.returncode == 0 and len(new) == 3, emitting.stderr[-3000:]
        server.stop()
        server.start()
        refused, none = _crawl(machine, site, _url(server))
        assert refused.returncode == EXIT_REDIS and none == [], refused.stderr[-3000:]
        assert "forgotten up to 3 article(s)" in _last(refused), _last(refused)


def test_a_redis_restarted_with_its_append_only_file_is_no_older_state_and_emits_nothing_twice(site: LoopbackSite, tmp_path: Path) -> None:
    # As the README's setup has it (--appendonly yes): a restart keeps every confirmation, so the next run is an
    # ordinary one. A count kept anywhere Redis does not persist would refuse it.
    for server in _redis(tmp_path, "--save", "", "--appendonly", "yes"):
        server.start()
        machines = [tmp_path / "m1", tmp_path / "m2"]
        emitted: Counter[str] = Counter()
        for machine in machines:
            result, ids = _crawl(machine, site, _url(server))
            assert result.returncode == 0, result.stderr[-3000:]
            emitted.update(ids)
        site.add_articles(4)
        result, ids = _crawl(machines[0], site, _url(server))
        assert result.returncode == 0 and len(ids) == 4, result.stderr[-3000:]
        emitted.update(ids)
        server.stop()
        server.start()
        for machine in machines:
            result, ids = _crawl(machine, site, _url(server))
            assert result.returncode == 0, result.stderr[-3000:]
            assert ids == [] and "older state" not in result.stderr
        assert emitted and [i for i, n in emitted.items() if n > 1] == []
