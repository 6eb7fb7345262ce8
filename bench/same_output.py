"""``python -m bench.same_output [--base REV] [--articles N]``: the same loopback crawl on another commit
(default ``main``) and on this tree; the outputs must be byte-identical save for ``dateDownloaded``.

Each tree runs ``scrapy crawl archive -a since=2000-01-01 -O out.jsonl`` in its own empty folder (fresh
seen-store) against one loopback site. The base commit is exported with ``git archive`` into a temporary
folder, so the working tree is left as it is. Lines are compared as sorted lists: the order in which
concurrent downloads finish is not part of the output's content. Exit status 0 when identical, 1 if not.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .crawl import SETTINGS, SINCE, Site, loopback

ROOT = Path(__file__).resolve().parent.parent
_DOWNLOADED = re.compile(rb'"dateDownloaded": "[^"]*", ')


def export(revision: str, folder: Path) -> str:
    """The tree of ``revision`` in ``folder``; its full commit id."""
    commit = subprocess.run(["git", "rev-parse", revision], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return commit


def run(site: Site, tree: Path, workdir: Path) -> tuple[int, list[bytes]]:
    """``archive`` over the whole site with the code of ``tree``: its exit status and output lines."""
    workdir.mkdir(parents=True)
    output = workdir / "out.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", f"since={SINCE}", "-O", str(output)]
    settings = {**SETTINGS, "LOG_FILE": str(workdir / "crawl.log"), "BS_BASE_URL": site.base_url, "BS_STATE_DIR": str(workdir / "state")}
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(tree), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    site.control("reset")
    done = subprocess.run(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    lines = output.read_bytes().splitlines() if output.exists() else []
    return done.returncode, sorted(_DOWNLOADED.sub(b"", line) for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base", default="main", help="the commit to compare with (default main)")
    parser.add_argument("--articles", type=int, default=2000, help="articles on the loopback site (default 2,000)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bs-same-") as scratch:
        base_tree = Path(scratch) / "base"
        commit = export(options.base, base_tree)
        with loopback(options.articles) as site:
            base_status, base_lines = run(site, base_tree, Path(scratch) / "run-base")
            ours_status, our_lines = run(site, ROOT, Path(scratch) / "run-ours")
    same = base_status == ours_status == 0 and base_lines == our_lines and len(base_lines) > 0
    print(f"{options.base} ({commit[:10]}): exit {base_status}, {len(base_lines)} lines; this tree: exit {ours_status}, {len(our_lines)} lines")
    if not same:
        differing = len(set(base_lines) ^ set(our_lines))
        print(f"outputs DIFFER: {differing} lines in only one of them")
        return 1
    print("outputs identical save for dateDownloaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
