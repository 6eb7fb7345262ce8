"""Review of round 16's operations fixes: the file merge and report write named as a folder, and merge
inputs beginning ``~`` that no shell expanded (systemd's ``ExecStart=``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_USAGE
from tests.conftest import ROOT

ARTICLE = {"articleId": "1", "version": 1, "dateDownloaded": "2026-01-01T00:00:00+00:00", "url": "https://www.business-standard.com/a-1.html"}


def run(workdir: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` in ``workdir``, with ``HOME`` set to ``home`` when given."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        ("merge", "merged/", "a.jsonl"),
        ("merge", "out/merged/", "a.jsonl"),
        ("report", "-o", "www/"),
        ("report", "--output=/tmp/{tmp}/www/"),
    ],
)
def test_merge_or_report_given_a_folder_to_write_is_refused_not_a_file_named_as_it(tmp_path: Path, args: tuple[str, ...]) -> None:
    # Scrapy's feeds are refused so (`-o out/`, exit 6); merge and report wrote one file named as the
    # folder (`merged`, `www`), exit 0, where the user looked for a file inside it.
    (tmp_path / "a.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    given = [arg.replace("/tmp/{tmp}", str(tmp_path)) for arg in args]
    done = run(tmp_path, *given)
    assert done.returncode == EXIT_USAGE, (done.stdout, done.stderr[-2000:])
    assert "names a folder" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


def test_merge_inputs_beginning_tilde_are_in_the_home_folder_as_its_output_is(tmp_path: Path) -> None:
    # systemd's ExecStart= expands no ~: OUTPUT ~/all.jsonl was the home folder's, ~/in/ "no such file".
    home = tmp_path / "home"
    (home / "in").mkdir(parents=True)
    (home / "in" / "w1.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    (home / "one.jsonl").write_text(json.dumps({**ARTICLE, "articleId": "2"}) + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    done = run(work, "merge", "~/all.jsonl", "~/in/", "~/one.jsonl", home=home)
    assert done.returncode == 0, done.stderr[-2000:]
    merged = [json.loads(line)["articleId"] for line in (home / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert merged == ["1", "2"]
    assert list(work.iterdir()) == []


def test_merge_of_a_workers_project_folder_leaves_its_hidden_state_out(tmp_path: Path) -> None:
    # A worker's project folder copied whole holds .state/runs.jsonl (the run history): since merge
    # refuses a file that is no feed of articles, walking into it ended the merge (exit 1, nothing
    # written); the README's distributed runs merge such folders.
    worker = tmp_path / "w1"
    (worker / "output" / "archive").mkdir(parents=True)
    (worker / "output" / "archive" / "archive-w1-1.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    (worker / ".state").mkdir()
    (worker / ".state" / "runs.jsonl").write_text(json.dumps({"spider": "archive", "exit": 0}) + "\n", encoding="utf-8")
    (worker / ".hidden.jsonl").write_text("not an article\n", encoding="utf-8")
    done = run(tmp_path, "merge", "all.jsonl", "w1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()] == ["1"]
    # A hidden file named on its own is read as named.
    named = run(tmp_path, "merge", "again.jsonl", "w1/.state/runs.jsonl")
    assert named.returncode == 1 and "no JSON lines file of articles" in named.stderr
