"""Probes of round 27 on round 26's state dir of a cron user who is not root: what a refused run or a look at one page leaves a group, a receipts folder a first run as root left, a state dir that cannot be made or whose link leads nowhere, and a seen-store whose tables lack a column."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_OK, EXIT_STATE, EXIT_USAGE
from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite
from tests.test_distributed_probes_round24b import _port
from tests.test_operations_probes_round26 import _as, crawl, error_lines, needs_setpriv, records

ARTICLES = 5
# Users and a group of no account on the machine (setpriv takes numbers), apart from round 26's.
SHARED_GROUP, CRON_USER, OTHER_USER = 16560, 16561, 16562


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=ARTICLES, seed=27, legacy=0, port=_port()) as running:
        yield running


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder every user can reach (pytest's own are root's alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bs-round27-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def shared_state_dir(workdir: Path) -> Path:
    """`install -d -m 2775 -g crawlers .state`, as the README's Cron section has it."""
    state = workdir / ".state"
    state.mkdir()
    os.chown(state, 0, SHARED_GROUP)
    state.chmod(0o2775)
    return state


# --- What a group-shared state dir is left by runs that are not a crawl's -----------------------------------
# Round 26 opened the umask to the group for the spiders that keep a seen-store, once their run lock was to be
# taken. A run refused before (a typo in -a or -s) and a look at one page (`crawl article`) wrote the history
# under cron's umask 077: runs.jsonl 0600 and running/ 0700, the user's alone, and every run of the group's
# other user was refused from then on (exit 7, `runs.jsonl cannot be written by this run`).


@needs_setpriv
@pytest.mark.parametrize(
    "refused", [["-a", "fresh=nope"], ["-s", "BS_FRESH=yes"], ["-s", "BS_NO_SUCH=1"]], ids=["argument", "switch", "unknown-setting"]
)
def test_a_refused_run_leaves_the_history_of_a_shared_state_dir_to_its_group(
    site: LoopbackSite, workdir: Path, refused: list[str]
) -> None:
    state = shared_state_dir(workdir)
    first = crawl(site, workdir, "-O", "a.jsonl", *refused, user=(CRON_USER, SHARED_GROUP), umask=0o077)
    assert first.returncode == EXIT_USAGE, first.stderr[-2000:]
    for path in state.rglob("*"):
        assert path.stat().st_mode & 0o060 == 0o060, (path, oct(path.stat().st_mode))
    second = crawl(site, workdir, "-O", "b.jsonl", user=(OTHER_USER, SHARED_GROUP), umask=0o077)
    assert second.returncode == EXIT_OK, second.stderr[-3000:]
    assert len((workdir / "b.jsonl").read_text(encoding="utf-8").splitlines()) == len(site.articles)
    assert [record["status"] for record in records(workdir)] == [EXIT_USAGE, EXIT_OK]


@needs_setpriv
def test_a_look_at_one_page_leaves_the_history_of_a_shared_state_dir_to_its_group(site: LoopbackSite, workdir: Path) -> None:
    state = shared_state_dir(workdir)
    url = site.articles[-1].url
    command = [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"url={url}", "-s", f"BS_BASE_URL={site.base_url}", "-O", "page.jsonl"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    look = subprocess.run(_as(CRON_USER, SHARED_GROUP, command), cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=lambda: os.umask(0o077))
    assert look.returncode == EXIT_OK, look.stderr[-2000:]
    assert len((workdir / "page.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    assert (state / "runs.jsonl").exists()
    for path in state.rglob("*"):
        assert path.stat().st_mode & 0o060 == 0o060, (path, oct(path.stat().st_mode))
    done = crawl(site, workdir, "-O", "b.jsonl", user=(OTHER_USER, SHARED_GROUP), umask=0o077)
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert [record["status"] for record in records(workdir)] == [EXIT_OK, EXIT_OK]


# --- A receipts folder a first run as root left -------------------------------------------------------------
# A run to stdout (`-o -:jsonl | …`) keeps its receipts in .state/receipts/. Left root's by a first run as
# root, the cron user's runs passed the state dir's check and stopped at their first article: `Cannot write
# the output file .state/receipts/….jsonl (Permission denied)`, exit 6 as if the output were to blame, and no
# word of whose the folder is nor what to do, every run.


@needs_setpriv
def test_a_receipts_folder_root_left_refuses_the_cron_user_before_anything_is_fetched(site: LoopbackSite, workdir: Path) -> None:
    first = crawl(site, workdir, "-o", "-:jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    assert len(first.stdout.splitlines()) == len(site.articles)
    state = workdir / ".state"
    assert (state / "receipts").is_dir()
    for path in [state, *state.rglob("*")]:
        if path.name != "receipts":
            os.chown(path, CRON_USER, CRON_USER)
    before = (state / "seen.sqlite3").read_bytes()
    site.add_articles(1)
    site.reset_counts()
    done = crawl(site, workdir, "-o", "-:jsonl", user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = error_lines(done.stderr)
    assert len(lines) == 1, done.stderr[-3000:]
    assert ".state/receipts" in lines[0] and "belongs to root" in lines[0] and f"chown -R {CRON_USER} .state" in lines[0], lines
    assert sum(site.counts.values()) == 0, site.counts
    assert (state / "seen.sqlite3").read_bytes() == before
    # What the line says to do is enough: the new article comes, once.
    subprocess.run(["chown", "-R", str(CRON_USER), str(state)], check=True)
    again = crawl(site, workdir, "-o", "-:jsonl", user=(CRON_USER, CRON_USER))
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    assert len(again.stdout.splitlines()) == 1


@needs_setpriv
def test_an_empty_receipts_folder_root_left_holds_back_no_run_to_a_file(site: LoopbackSite, workdir: Path) -> None:
    # receipts/ is written only by a run to stdout or a remote store, or settled when a killed run left some:
    # a run to a file never touches an empty one. Checked for every run, one `sudo scrapy crawl latest -O -`
    # refused every cron run to a file after it, exit 7.
    first = crawl(site, workdir, "-o", "-:jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    state = workdir / ".state"
    assert (state / "receipts").is_dir() and not any((state / "receipts").iterdir())
    for path in [state, *state.rglob("*")]:
        if path.name != "receipts":
            os.chown(path, CRON_USER, CRON_USER)
    os.chown(workdir, CRON_USER, CRON_USER)
    site.add_articles(1)
    done = crawl(site, workdir, "-O", "out.jsonl", user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert len((workdir / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1


# --- A state dir that cannot be made, or whose link leads nowhere -------------------------------------------
# BS_STATE_DIR=/srv/bs/state with /srv/bs root's: `run lock …/latest.lock cannot be created: Permission denied`,
# naming neither the folder at fault nor what to do. A state dir that is a link to a disk not mounted: `is a
# file: give a folder (made if it is not there)`, which it is not, and which, followed, starts the seen-store
# afresh (every article emitted again).


@needs_setpriv
def test_a_state_dir_the_user_cannot_make_names_the_folder_and_the_fix(site: LoopbackSite, workdir: Path) -> None:
    parent = workdir / "srv"
    parent.mkdir(mode=0o755)
    wanted = parent / "state"
    site.reset_counts()
    done = crawl(site, workdir, "-O", "a.jsonl", "-s", f"BS_STATE_DIR={wanted}", user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == 1, done.stderr[-3000:]
    assert f"the folder {parent} it is made in belongs to root:root, mode 755" in lines[0], lines
    assert f"`install -d -o {CRON_USER} {wanted}`" in lines[0], lines
    assert sum(site.counts.values()) == 0
    # Followed, it works.
    subprocess.run(["install", "-d", "-o", str(CRON_USER), str(wanted)], check=True)
    again = crawl(site, workdir, "-O", "b.jsonl", "-s", f"BS_STATE_DIR={wanted}", user=(CRON_USER, CRON_USER))
    assert again.returncode == EXIT_OK, again.stderr[-3000:]


@pytest.mark.parametrize("under", [False, True], ids=["the-link", "under-the-link"])
def test_a_state_dir_whose_link_leads_nowhere_says_so(site: LoopbackSite, tmp_path: Path, under: bool) -> None:
    link = tmp_path / "state-link"
    link.symlink_to(tmp_path / "unmounted" / "bs-state")
    given = link / "latest" if under else link
    site.reset_counts()
    done = crawl(site, tmp_path, "-O", "a.jsonl", "-s", f"BS_STATE_DIR={given}")
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    where = f"is under {link}, which is" if under else "is"
    assert f"{where} a symbolic link to {tmp_path / 'unmounted' / 'bs-state'}, which is not there" in lines[0], lines
    assert "is a file" not in lines[0]
    assert sum(site.counts.values()) == 0
    assert not (tmp_path / "unmounted").exists()


# --- A seen-store whose tables lack a column ----------------------------------------------------------------
# Its tables all there but one column renamed or dropped (a hand edit, a tool's own migration): taken as a
# seen-store, every feed fetched, then a traceback at each source (`no such column: content_hash`), exit 1,
# and the same at every run.


@pytest.mark.parametrize(
    ("table", "column"),
    [("seen", "content_hash"), ("seen", "source_date"), ("pending", "run_id"), ("feeds", "path"), ("gone", "answer"), ("aliases", "target")],
)
def test_a_seen_store_whose_table_lacks_a_column_is_refused_before_anything_is_fetched(
    site: LoopbackSite, tmp_path: Path, table: str, column: str
) -> None:
    first = crawl(site, tmp_path, "-O", "first.jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    store = tmp_path / ".state" / "seen.sqlite3"
    db = sqlite3.connect(store)
    db.execute(f"ALTER TABLE {table} RENAME COLUMN {column} TO {column}_old")
    db.close()
    before = store.read_bytes()
    site.reset_counts()
    done = crawl(site, tmp_path, "-O", "second.jsonl")
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert error_lines(done.stderr) == [
        f"error: seen-store .state/seen.sqlite3 is damaged: its table {table} has no column {column}; it is left as it is"
    ], done.stderr[-3000:]
    assert sum(site.counts.values()) == 0
    assert store.read_bytes() == before


# --- No false refusal ---------------------------------------------------------------------------------------


@needs_setpriv
def test_a_state_dir_of_roots_files_the_users_group_may_write_is_taken(site: LoopbackSite, workdir: Path) -> None:
    first = crawl(site, workdir, "-o", "-:jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    state = workdir / ".state"
    for path in [state, *state.rglob("*")]:
        os.chown(path, 0, SHARED_GROUP)
        path.chmod(0o2775 if path.is_dir() else 0o664)
    site.add_articles(1)
    done = crawl(site, workdir, "-o", "-:jsonl", user=(CRON_USER, SHARED_GROUP))
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    assert len(done.stdout.splitlines()) == 1
