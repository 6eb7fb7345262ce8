"""Probes of round 26 on a cron user who is not root: a state dir left by a first run as root, one shared
by a group, and the leftovers of the command line (boolean settings, Scrapy's usage on a full disk, a TLS
Redis's or monitor's certificate made for another name)."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.heartbeat import failure_reason, send
from crawler.monitoring.verdict import EXIT_OK, EXIT_REDIS, EXIT_STATE, EXIT_USAGE
from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite
from tests.test_distributed_probes_round24b import _port
from tests.test_review_round25_distributed import OwnRedis, _last, _scrapy, tls_redis  # noqa: F401 (a TLS Redis of the test's own)

ARTICLES = 5
# Users and a group of no account on the machine: setpriv takes numbers, and nothing is added to /etc/passwd.
CRON_USER, OTHER_USER, SHARED_GROUP = 16551, 16552, 16550


def _setpriv_works() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    done = subprocess.run(_as(CRON_USER, CRON_USER, ["/bin/true"]), capture_output=True, timeout=30)
    return done.returncode == 0


def _as(uid: int, gid: int, command: list[str]) -> list[str]:
    """``command`` as the user ``uid`` of group ``gid`` alone. It may read what root alone may (the
    interpreter can live under /root, as pyenv's does) but writes only where that user may: each
    write a run makes is checked as a cron user's is."""
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--inh-caps=+dac_read_search",
            "--ambient-caps=+dac_read_search", *command]


needs_setpriv = pytest.mark.skipif(
    not _setpriv_works(), reason="needs root and util-linux's setpriv with ambient capabilities to run as another user"
)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=ARTICLES, seed=26, legacy=0) as running:
        yield running


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder every user can reach (pytest's own are root's alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bs-round26-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def crawl(site: LoopbackSite, workdir: Path, *args: str, user: tuple[int, int] | None = None,
          umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}",
               "-s", "LOG_LEVEL=INFO", *args]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(ROOT),
           "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    if user is not None:
        command = _as(*user, command)
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.umask(umask))


def records(workdir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (workdir / ".state" / "runs.jsonl").read_text(encoding="utf-8").splitlines()]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# --- A state dir made by a first run as root --------------------------------------------------------------
# The classic first run by hand as root, then the cron user's runs. With the state dir given to the user
# (`chown user .state`, not -R) the files in it stayed root's: the seen-store, 0644, opened read-only
# without a word, and the run fetched every source and article, then failed on the first one, exit 7; a
# history root's alone let every run go on unrecorded ("the next run adds this run's record", which it never
# could). The lines named the file and "Permission denied", never whose it was nor what to do.


@needs_setpriv
@pytest.mark.parametrize("left", ["latest.lock", "recovery.lock", "runs.jsonl", "running", "seen.sqlite3", ".state"])
def test_a_state_dir_root_made_refuses_the_cron_user_before_anything_is_fetched(
    site: LoopbackSite, workdir: Path, left: str
) -> None:
    first = crawl(site, workdir, "-O", "root.jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    state = workdir / ".state"
    before = (state / "seen.sqlite3").read_bytes()
    history = (state / "runs.jsonl").read_bytes()
    # Given to the user but for the one file or folder root's (0644 or 0755 as root's run made them).
    for path in [state, *state.rglob("*")]:
        os.chown(path, CRON_USER, CRON_USER)
    os.chown(state / left if left != ".state" else state, 0, 0)
    site.reset_counts()
    done = crawl(site, workdir, "-O", "user.jsonl", user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == 1, done.stderr[-3000:]
    named = str(Path(".state") / left) if left != ".state" else ".state"
    assert named in lines[0] and "belongs to root" in lines[0] and f"chown -R {CRON_USER} .state" in lines[0], lines
    assert sum(site.counts.values()) == 0, site.counts
    assert not (workdir / "user.jsonl").exists() or (workdir / "user.jsonl").read_bytes() == b""
    assert (state / "seen.sqlite3").read_bytes() == before
    if left == "runs.jsonl":
        assert (state / "runs.jsonl").read_bytes() == history  # (the refusal's record could not be added)
    else:
        assert [record["status"] for record in records(workdir)] == [EXIT_OK, EXIT_STATE]


@needs_setpriv
def test_the_state_dir_given_to_the_cron_user_whole_then_works(site: LoopbackSite, workdir: Path) -> None:
    # What the line says to do is enough: the user's run takes root's store over, nothing fetched twice.
    first = crawl(site, workdir, "-O", "root.jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    subprocess.run(["chown", "-R", f"{CRON_USER}", str(workdir / ".state")], check=True)
    done = crawl(site, workdir, "-O", "user.jsonl", user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert (workdir / "user.jsonl").read_text(encoding="utf-8") == ""
    assert [record["status"] for record in records(workdir)] == [0, 0]


# --- A state dir two users share through their group ---------------------------------------------------------
# `install -d -m 2775 -g crawlers .state`, and two users of the group running the crawler in turn: the
# first run made the locks and the seen-store 0644 whatever its umask (the code's and SQLite's own mode),
# 0600 under cron's umask 077, and every run of the other user was refused, exit 7.


@needs_setpriv
@pytest.mark.parametrize("umask", [0o002, 0o022, 0o077], ids=["umask-002", "umask-022", "umask-077"])
def test_a_group_writable_state_dir_lets_each_user_of_the_group_run_in_turn(
    site: LoopbackSite, workdir: Path, umask: int
) -> None:
    state = workdir / ".state"
    state.mkdir()
    os.chown(state, 0, SHARED_GROUP)
    state.chmod(0o2775)
    first = crawl(site, workdir, "-O", "a.jsonl", user=(CRON_USER, SHARED_GROUP), umask=umask)
    assert first.returncode == EXIT_OK, first.stderr[-3000:]
    assert len((workdir / "a.jsonl").read_text(encoding="utf-8").splitlines()) == ARTICLES
    for path in state.rglob("*"):
        assert path.stat().st_mode & 0o060 == 0o060, (path, oct(path.stat().st_mode))
    second = crawl(site, workdir, "-O", "b.jsonl", user=(OTHER_USER, SHARED_GROUP), umask=umask)
    assert second.returncode == EXIT_OK, second.stderr[-3000:]
    assert (workdir / "b.jsonl").read_text(encoding="utf-8") == ""  # seen by the first user's run
    third = crawl(site, workdir, "-O", "c.jsonl", user=(CRON_USER, SHARED_GROUP), umask=umask)
    assert third.returncode == EXIT_OK, third.stderr[-3000:]
    assert [record["status"] for record in records(workdir)] == [0, 0, 0]


@needs_setpriv
def test_a_state_dir_its_group_cannot_write_keeps_the_umask(site: LoopbackSite, workdir: Path) -> None:
    # Not shared: umask 077 still makes the run's files its user's alone.
    done = crawl(site, workdir, "-O", "a.jsonl", user=(CRON_USER, SHARED_GROUP), umask=0o077)
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    for path in [workdir / ".state", *(workdir / ".state").rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))


# --- Boolean settings ---------------------------------------------------------------------------------------
# `-a fresh=yes` is taken, `-s BS_FRESH=yes` refused with "is not true or false", as if `yes` were neither.
# Scrapy reads a switch with getbool (1 or 0, true or false): the refusal names those.


@pytest.mark.parametrize("name", ["BS_FRESH", "BS_RUN_HISTORY", "BS_PROGRESS_BAR", "BS_GC_FREEZE", "HTTPCACHE_ENABLED"])
@pytest.mark.parametrize("value", ["yes", "on", "no"])
def test_a_switch_given_in_words_scrapy_does_not_read_names_the_forms_it_does(
    site: LoopbackSite, tmp_path: Path, name: str, value: str
) -> None:
    site.reset_counts()
    done = crawl(site, tmp_path, "-s", f"{name}={value}")
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    lines = error_lines(done.stderr)
    assert lines == [f"error: -s {name}={value!r} is not true or false (a switch is 1 or 0, true or false)"], done.stderr[-2000:]
    assert sum(site.counts.values()) == 0


@pytest.mark.parametrize("value", ["1", "0", "true", "false", "True", "False"])
def test_the_forms_a_switch_names_are_taken(site: LoopbackSite, tmp_path: Path, value: str) -> None:
    done = crawl(site, tmp_path, "-s", f"BS_FRESH={value}", "-O", "out.jsonl")
    assert done.returncode == EXIT_OK, done.stderr[-2000:]


# --- Scrapy's own usage on a full disk ----------------------------------------------------------------------
# `scrapy`, `scrapy -h`, a command Scrapy does not know, a command's `-h`, with stdout on a full disk (a
# wrapper's log partition): "Exception ignored … OSError: [Errno 28] No space left on device" and exit 120,
# whatever Scrapy meant (0, or 2 for an unknown command).


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("args", "status"),
    # (`version` and `list`, whose output is their work, say it was lost: exit 1, test_leftovers_probes_round27.)
    [([], 0), (["-h"], 0), (["lastest"], 2), (["crawl", "-h"], 0), (["version"], 1), (["list"], 1)],
    ids=["none", "help", "unknown", "crawl-help", "version", "list"],
)
def test_scrapy_usage_to_a_full_disk_ends_with_scrapys_status(tmp_path: Path, args: list[str], status: int) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=tmp_path, env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == status, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr[-2000:]


# --- A TLS Redis whose certificate names another host ------------------------------------------------------
# `rediss://localhost:…` to a Redis whose certificate, trusted, was made for 127.0.0.1 (or the other way
# round: an address for a certificate made for the host's name): `is unreachable (… certificate verify failed:
# Hostname mismatch, certificate is not valid for 'localhost' …)`, exit 8, and no word that the URL's host
# name is the cause, nor what to do.


def test_a_tls_redis_whose_certificate_names_another_host_is_told_what_to_change(tls_redis: OwnRedis, tmp_path: Path) -> None:  # noqa: F811
    trusted = f"ssl_ca_certs={tls_redis.folder / 'cert.pem'}"
    url = f"rediss://:tls-s3cret@localhost:{tls_redis.port}/0?{trusted}"
    for command in (["crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9"], ["redisclear", "latest"]):
        result = _scrapy(tmp_path / "machine", *command, "-s", f"REDIS_URL={url}")
        assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
        last = _last(result)
        assert last.startswith("error: Redis at rediss://:***@localhost") and "mismatch" in last.lower(), last
        assert "made for another name than localhost" in last and "&ssl_check_hostname=false" in last, last
        assert "tls-s3cret" not in result.stderr and "Traceback" not in result.stderr
    # Either, followed, is taken.
    for fixed in (f"rediss://:tls-s3cret@127.0.0.1:{tls_redis.port}/0?{trusted}", f"{url}&ssl_check_hostname=false"):
        done = _scrapy(tmp_path / "machine", "redisclear", "latest", "-s", f"REDIS_URL={fixed}", "-s", "BS_REDIS_PREFIX=r26o")
        assert done.returncode == 0, done.stderr[-2000:]


# --- A monitor whose certificate names another host ------------------------------------------------------
# `BS_HEARTBEAT_URL=https://localhost:…` to a monitor whose certificate, trusted, was made for 127.0.0.1:
# `Heartbeat to … failed (… Hostname mismatch, certificate is not valid for 'localhost' …)`, and no word of what
# to change.


def test_a_monitor_whose_certificate_names_another_host_is_told_what_to_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to make the monitor's certificate")
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True, timeout=60,
    )
    if made.returncode != 0:
        pytest.skip(f"openssl made no certificate ({made.stderr.decode(errors='replace')[-200:]})")

    class Monitor(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", _port()), Monitor)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The certificate trusted, as a company's CA would be: the name alone is wrong.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))
    try:
        url = f"https://localhost:{server.server_address[1]}/uuid-s3cret"
        with pytest.raises(OSError) as failed:
            send(url, "ping", 10, "bs-crawler")
        reason = failure_reason(failed.value, url)
        assert "mismatch" in reason.lower() and "s3cret" not in reason, reason
        assert "made for another name than localhost: give BS_HEARTBEAT_URL the host name the certificate names" in reason, reason
        # The name the certificate has, given, is taken.
        assert send(f"https://127.0.0.1:{server.server_address[1]}/uuid-s3cret", "ping", 10, "bs-crawler") == 200
    finally:
        server.shutdown()
        server.server_close()
