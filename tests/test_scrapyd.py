"""scrapyd: the project deployed with ``scrapyd-deploy`` to a real scrapyd (tests/services/scrapyd/), jobs writing output and run history."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.history import RunHistory
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite

pytest.importorskip("scrapyd", reason="scrapyd is missing: bash tests/services/scrapyd/install.sh")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is missing: bash tests/services/scrapyd/install.sh")
SERVICE = ROOT / "tests" / "services" / "scrapyd"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A scrapyd on a free port, working in its own folder; stopped by its PID."""
    workdir = tmp_path_factory.mktemp("scrapyd")
    # The Python running the tests has scrapyd (importorskip above), whichever venv it is.
    env = {**os.environ, "SCRAPYD_PYTHON": sys.executable}
    started = subprocess.run(["bash", str(SERVICE / "start.sh"), str(free_port()), str(workdir)], env=env, capture_output=True, text=True, timeout=120)
    try:
        assert started.returncode == 0, started.stderr + (workdir / "scrapyd.log").read_text(errors="replace")[-2000:]
        yield started.stdout.strip(), workdir
    finally:
        subprocess.run(["bash", str(SERVICE / "stop.sh"), str(workdir)], timeout=60)


def api(url: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> Any:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{url}/{endpoint}", data=body, timeout=30) as response:
        answer = json.load(response)
    assert answer.get("status") == "ok", answer
    return answer


def deployable_copy(project: Path) -> Path:
    """What ``scrapyd-deploy`` reads, copied: its ``setup.py bdist_egg`` writes ``build/`` and ``*.egg-info`` where it
    runs, and in the project itself that ``build/`` came and went under other tests copying the tree (one CI run's
    ``shutil.Error`` for ``build``), and the egg-info is the editable install's own."""
    project.mkdir()
    shutil.copytree(ROOT / "crawler", project / "crawler", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    return project


def wait_finished(url: str, job: str, workdir: Path) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        for entry in api(url, "listjobs.json?project=crawler")["finished"]:
            if entry["id"] == job:
                return dict(entry)
        time.sleep(0.5)
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in (workdir / "logs").rglob("*.log"))
    raise AssertionError(f"job {job} did not finish; {logs}")


@pytest.mark.long
def test_deploy_schedule_and_what_scrapyd_hides(scrapyd: tuple[str, Path], tmp_path: Path) -> None:
    url, workdir = scrapyd
    started = time.time()
    home = tmp_path / "home"
    home.mkdir()
    # The user's own target beside the project's [deploy] in scrapy.cfg, as scrapyd-deploy reads it.
    (home / ".scrapy.cfg").write_text(f"[deploy:test]\nurl = {url}/\nproject = crawler\n")
    env = {**os.environ, "HOME": str(home), "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    project = deployable_copy(tmp_path / "project")
    listed = subprocess.run([str(BIN / "scrapyd-client"), "targets"], cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert "test" in listed.stdout and "default" in listed.stdout, listed.stdout + listed.stderr
    deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "test", "-v", "r1"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0 and '"status": "ok"' in deployed.stdout, deployed.stdout + deployed.stderr
    spiders = api(url, "listspiders.json?project=crawler")["spiders"]
    assert {"latest", "archive", "section", "article"} <= set(spiders)

    state = tmp_path / "state"
    with LoopbackSite(articles=60, seed=9) as site:
        settings = {**FAST, "BS_BASE_URL": site.base_url, "BS_STATE_DIR": str(state)}
        schedule = [("project", "crawler"), ("spider", "latest"), *(("setting", f"{k}={v}") for k, v in settings.items())]
        ok_job = api(url, "schedule.json", schedule)["jobid"]
        ok_entry = wait_finished(url, ok_job, workdir)
        site.block_all = True
        blocked_job = api(url, "schedule.json", schedule)["jobid"]
        blocked_entry = wait_finished(url, blocked_job, workdir)

    # Same output as a cron run: the default feed under output/<spider>/ of the working directory.
    feeds = sorted((workdir / "output" / "latest").glob("latest-*.jsonl"))
    assert len(feeds) == 1, feeds  # the blocked run emitted nothing, so wrote no file
    assert len(feeds[0].read_text().splitlines()) > 20
    # scrapyd says both jobs finished, and nothing of how: no exit status in its API.
    assert not any("status" in key or "exit" in key for key in {**ok_entry, **blocked_entry}), (ok_entry, blocked_entry)
    # The run history tells them apart.
    records = RunHistory(state).records()
    assert [r["status"] for r in records] == [EXIT_OK, EXIT_BLOCKED]
    assert records[0]["arguments"] == {}, "scrapyd's own _job argument is not the spider's"
    assert records[0]["counts"]["emitted"] == len(feeds[0].read_text().splitlines())
    assert records[1]["status_words"] == "blocked"
    assert not (ROOT / "build").exists() or (ROOT / "build").stat().st_mtime < started, "the deploy wrote into the project"
