"""Probes of Splash, round 23: the service scripts (``start.sh`` on a port another program holds, with a
Splash that cannot start or cut short; ``stop.sh`` after the supervisor was killed, leaving its Splash
behind) and ``scrapy parse`` of an article with Splash, on every supported Scrapy.

The script tests but one need no Splash: a stand-in venv whose ``python`` runs the launcher's supervisor
but makes every Splash it starts fail as a broken install does. Those that need a real one skip without
it, except under CI, where they fail.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.loopback.corpus import CURRENT
from tests.loopback.site import LoopbackSite
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)

SERVICE = ROOT / "tests" / "services" / "splash"
VENV = Path(os.environ.get("SPLASH_VENV", "/opt/bs-splash-venv"))

# A venv whose Splash cannot start: start.sh's own checks and the supervisor (`launcher.py --restart`)
# run on this Python; Splash itself (`launcher.py`, on the supervisor's Python) fails at its first import,
# as it does when install.sh was never completed.
BROKEN_PYTHON = f"""#!/bin/sh
PYTHONPATH="$(dirname "$0")/../broken${{PYTHONPATH:+:$PYTHONPATH}}" exec {sys.executable} "$@"
"""
BROKEN_IMPORT = 'raise ImportError("lupa is missing from this venv")\n'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _launchers_on(port: int) -> list[int]:
    """PIDs of live launcher processes (supervisor or Splash) started for this port."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            words = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(w.endswith(b"launcher.py") for w in words) and b"--port" in words:
            if words[words.index(b"--port") + 1] == str(port).encode() and _alive(int(proc.name)):
                found.append(int(proc.name))
    return found


def _gone(pids: list[int], within: float = 30) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _stand_in_venv(where: Path, lupa: str) -> Path:
    venv = where / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(BROKEN_PYTHON)
    python.chmod(0o755)
    (venv / "broken").mkdir()
    (venv / "broken" / "lupa.py").write_text(lupa)
    return venv


@pytest.fixture
def broken_venv(tmp_path: Path) -> Path:
    return _stand_in_venv(tmp_path, BROKEN_IMPORT)


@pytest.fixture
def hanging_venv(tmp_path: Path) -> Path:
    """A venv whose Splash never answers: it hangs in its start-up (as one stuck on a display it waits for)."""
    return _stand_in_venv(tmp_path, "import time\ntime.sleep(600)\n")


def _start(port: int | str, run_dir: Path, venv: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPLASH_RUN_DIR": str(run_dir), "SPLASH_VENV": str(venv)}
    return subprocess.run(["bash", str(SERVICE / "start.sh"), str(port)], env=env, capture_output=True, text=True, timeout=timeout)


def _stop(run_dir: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPLASH_RUN_DIR": str(run_dir), "SPLASH_VENV": str(venv)}
    return subprocess.run(["bash", str(SERVICE / "stop.sh")], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another program listens on: it takes each connection and closes it unanswered."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(16)
    holder.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = holder.accept()
            except OSError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(holder.getsockname()[1])
    finally:
        stopping.set()
        thread.join()
        holder.close()


def test_start_on_a_port_another_program_holds_is_one_line_naming_the_port_and_starts_nothing(
    tmp_path: Path, broken_venv: Path, held_port: int
) -> None:
    # Before: Splash was started anyway, could not listen, and its supervisor started it again and
    # again; start.sh waited its whole minute (five with a program that takes connections and never
    # answers), then said "no answer from …/_ping", and a start.sh cut short by a timeout or Ctrl-C
    # left that supervisor running.
    started = _start(held_port, tmp_path, broken_venv)
    assert started.returncode != 0 and started.stdout == ""
    assert f"port {held_port} on 127.0.0.1 is taken by another program" in started.stderr, started.stderr
    assert _launchers_on(held_port) == []
    assert not (tmp_path / "splash.pid").exists()


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_start_with_a_port_no_socket_takes_is_one_line_and_starts_nothing(tmp_path: Path, broken_venv: Path, port: str) -> None:
    # Before: 0 and 99999 passed the check (digits), Splash was started on them and never answered.
    started = _start(port, tmp_path, broken_venv)
    assert started.returncode != 0 and started.stdout == ""
    assert f"PORT must be a number from 1 to 65535, got '{port}'" in started.stderr, started.stderr
    assert not (tmp_path / "splash.pid").exists()


def test_a_splash_that_exits_during_start_up_fails_start_at_once_with_its_error_and_is_not_restarted(
    tmp_path: Path, broken_venv: Path
) -> None:
    # Before: the supervisor started the broken Splash again and again (six times in start.sh's minute of
    # waiting) and start.sh then said "no answer from …/_ping after 60 s".
    port = _free_port()
    started = _start(port, tmp_path, broken_venv)
    assert started.returncode != 0 and started.stdout == ""
    assert "Splash exited during start-up" in started.stderr, started.stderr
    assert "lupa is missing from this venv" in started.stderr
    assert _gone(_launchers_on(port)), "start.sh left the supervisor of a Splash that cannot start running"
    assert (tmp_path / "splash.log").read_text().count("exited with status") == 1
    assert not (tmp_path / "splash.pid").exists()


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_start_cut_short_while_it_waits_leaves_no_splash_running(tmp_path: Path, hanging_venv: Path, signal_number: int) -> None:
    # `timeout 30 start.sh` in a script, or Ctrl-C. Before: start.sh ended and its supervisor stayed,
    # with the Splash it had started, unknown to the user who saw start.sh fail.
    port = _free_port()
    env = {**os.environ, "SPLASH_RUN_DIR": str(tmp_path), "SPLASH_VENV": str(hanging_venv)}
    start = subprocess.Popen(["bash", str(SERVICE / "start.sh"), str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "splash-child.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "splash-child.pid").exists(), "start.sh started no Splash"
        launched = _launchers_on(port)
        assert len(launched) == 2  # the supervisor and its Splash
        start.send_signal(signal_number)
        out, _ = start.communicate(timeout=60)
        assert start.returncode != 0 and out == ""
        assert _gone(launched), "start.sh cut short left its Splash running"
        assert not (tmp_path / "splash.pid").exists()
    finally:
        start.kill()
        start.communicate()
        for pid in _launchers_on(port):
            os.kill(pid, signal.SIGKILL)


# --- a real Splash whose supervisor was killed ----------------------------------------------------


@pytest.fixture
def real_venv() -> Path:
    if not (VENV / "bin" / "python").exists():
        reason = f"Splash is not installed in {VENV}: run tests/services/splash/install.sh"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return VENV


def test_stop_stops_the_splash_a_killed_supervisor_left_and_start_then_works(tmp_path: Path, real_venv: Path) -> None:
    # The supervisor killed (SIGKILL: the OOM killer, `kill -9`) leaves its Splash serving. Before, stop.sh
    # said "not running (stale pid …)" and left it; start.sh then said "something already answers …
    # (another Splash?)": neither script could stop the Splash they had started.
    port = _free_port()
    started = _start(port, tmp_path, real_venv)
    assert started.returncode == 0, started.stderr
    supervisor = int((tmp_path / "splash.pid").read_text())
    child = int((tmp_path / "splash-child.pid").read_text())
    try:
        os.kill(supervisor, signal.SIGKILL)
        assert _gone([supervisor])
        assert _alive(child)
        again = _start(port, tmp_path, real_venv)
        assert again.returncode != 0
        assert f"an earlier Splash (pid {child}) is still running; run" in again.stderr and "stop.sh" in again.stderr, again.stderr
        stopped = _stop(tmp_path, real_venv)
        assert stopped.returncode == 0, stopped.stderr
        assert _gone([child]), "stop.sh left the Splash of a killed supervisor running"
        assert f"stopped Splash pid {child}" in stopped.stdout, stopped.stdout
        restarted = _start(port, tmp_path, real_venv)
        assert restarted.returncode == 0, restarted.stderr
    finally:
        _stop(tmp_path, real_venv)
        for pid in _launchers_on(port):
            os.kill(pid, signal.SIGKILL)
    assert _gone(_launchers_on(port))


# --- `scrapy parse` of an article: Splash, and Scrapy's own deprecation ----------------------------


def _parse(url: str, workdir: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONWARNINGS": "always"}
    command = [sys.executable, "-m", "scrapy", "parse", url]
    for setting in settings:
        command += ["-s", setting]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def loopback() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=10, seed=2) as site:
        yield site


def _current_article(site: LoopbackSite) -> str:
    return next(record.url for record in site.articles if record.layout == CURRENT)


def test_parse_of_an_article_warns_of_nothing_deprecated(tmp_path: Path, loopback: LoopbackSite) -> None:
    # Before, on Scrapy 2.14 and later, every `scrapy parse` printed Scrapy's "ScrapyDeprecationWarning:
    # <function BusinessStandardSpider.parse_article …> returned a Deferred. Returning Deferreds from
    # spider callbacks is deprecated." (its parse command's own callback; 2.13 has no such warning).
    done = _parse(_current_article(loopback), tmp_path, f"BS_BASE_URL={loopback.base_url}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'articleId'" in done.stdout
    warned = [line for line in done.stderr.splitlines() if "Deprecat" in line or "deprecated" in line]
    assert not warned, "\n".join(warned)


def test_parse_of_an_article_with_splash_prints_the_market_numbers_a_crawl_gets(
    tmp_path: Path, loopback: LoopbackSite, splash_url: str  # noqa: F811
) -> None:
    # Before: `scrapy parse URL -s SPLASH_URL=…` fetched the page plainly (Scrapy's parse makes its own
    # request, not the spider's): every market number null, as if the ticker had broken, where a crawl
    # of the same page renders it and has them.
    done = _parse(_current_article(loopback), tmp_path, f"BS_BASE_URL={loopback.base_url}", f"SPLASH_URL={splash_url}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'articleId'" in done.stdout
    values = re.findall(r"'value': ([^,}]+)", done.stdout)
    assert values and all(value != "None" for value in values), done.stdout[-3000:]
    assert "Splash could not render" not in done.stderr


def test_parse_of_an_article_with_splash_down_prints_the_article_and_one_error_line(tmp_path: Path, loopback: LoopbackSite) -> None:
    done = _parse(_current_article(loopback), tmp_path, f"BS_BASE_URL={loopback.base_url}", f"SPLASH_URL=http://127.0.0.1:{_free_port()}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'articleId'" in done.stdout and "Traceback" not in done.stderr
    assert done.stderr.count("Splash could not render") == 1, done.stderr[-3000:]
