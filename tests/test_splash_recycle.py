"""The Splash that ``tests/services/splash/start.sh`` starts recycles itself: ``--maxrss`` makes Splash
exit once it has grown past the limit, and the supervising launcher starts a fresh one in its place.

These start their own Splash (installed by ``tests/services/splash/install.sh``); without it they skip,
except under CI, where they fail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

SERVICE = ROOT / "tests" / "services" / "splash"
VENV = Path(os.environ.get("SPLASH_VENV", "/opt/bs-splash-venv"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_ping", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    if not (VENV / "bin" / "python").exists():
        reason = f"Splash is not installed in {VENV}: run tests/services/splash/install.sh"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return tmp_path


def test_splash_exits_at_maxrss_and_a_fresh_one_takes_its_place(run_dir: Path) -> None:
    env = {**os.environ, "SPLASH_RUN_DIR": str(run_dir), "SPLASH_VENV": str(VENV), "SPLASH_MAXRSS": "700"}
    started = subprocess.run(["bash", str(SERVICE / "start.sh"), str(_free_port())], env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    supervisor = int((run_dir / "splash.pid").read_text())
    try:
        assert "maxrss limit: 700 MB" in (run_dir / "splash.log").read_text()
        first = int((run_dir / "splash-child.pid").read_text())
        # What --maxrss does once a minute, done now: the Splash process goes away.
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            child = int((run_dir / "splash-child.pid").read_text())
            if child != first and _answers(url):
                break
            time.sleep(0.2)
        else:
            pytest.fail("no fresh Splash answered after the first one exited:\n" + (run_dir / "splash.log").read_text()[-3000:])
        assert _alive(supervisor)
        assert "starting a fresh one" in (run_dir / "splash.log").read_text()
    finally:
        stopped = subprocess.run(["bash", str(SERVICE / "stop.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert stopped.returncode == 0, stopped.stderr
    assert not _alive(supervisor)
    assert not _alive(int((run_dir / "splash-child.pid").read_text())), "stop.sh left the Splash child running"
