"""``scrapy merge OUTPUT INPUT...``: one JSON lines file from a distributed run's per-worker files, one line per article."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def _rank(item: dict[str, Any]) -> tuple[int, datetime]:
    """Higher wins: the later version, then the later download (``version`` is null from ``article``)."""
    version = item.get("version")
    try:
        downloaded = datetime.fromisoformat(str(item.get("dateDownloaded")))
    except ValueError:
        downloaded = _EARLIEST
    if downloaded.tzinfo is None:
        downloaded = downloaded.replace(tzinfo=timezone.utc)
    return (version if isinstance(version, int) else 0), downloaded


def input_files(paths: list[str], output: Path) -> list[Path]:
    """The files named, and the ``*.jsonl`` files under the folders named, without the output."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(path.rglob("*.jsonl")))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no such file or folder: {name}")
    return [p for p in dict.fromkeys(found) if p.resolve() != output.resolve()]


class Command(ScrapyCommand):
    """Merge JSON lines files by ``articleId``."""

    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "OUTPUT INPUT [INPUT ...]"

    def short_desc(self) -> str:
        return "Merge JSON lines files (or folders of them) into one, one line per articleId"

    def long_desc(self) -> str:
        return (
            "Merge the per-worker output files of a distributed run (files, or folders searched for *.jsonl) "
            "into OUTPUT, one line per articleId, sorted by it: the line with the highest version wins, "
            "then the latest dateDownloaded. A cut last line (a killed worker) and lines without an "
            "articleId are skipped and counted."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 2:
            raise UsageError("give the output file and at least one input file or folder")
        output = Path(args[0])
        files = input_files(args[1:], output)
        best: dict[str, dict[str, Any]] = {}
        lines = skipped = 0
        for path in files:
            with open(path, "rb") as feed:
                for raw in feed:
                    try:
                        item = json.loads(raw) if raw.endswith(b"\n") else None
                    except ValueError:
                        item = None
                    if not isinstance(item, dict) or not isinstance(item.get("articleId"), str):
                        skipped += 1
                        continue
                    lines += 1
                    kept = best.get(item["articleId"])
                    if kept is None or _rank(item) > _rank(kept):
                        best[item["articleId"]] = item
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with open(partial, "w", encoding="utf-8") as merged:
            for article_id in sorted(best):
                merged.write(json.dumps(best[article_id], ensure_ascii=False) + "\n")
        os.replace(partial, output)  # never a half-written OUTPUT
        print(
            f"{len(best)} articles from {lines} lines in {len(files)} files into {output} "
            f"({lines - len(best)} duplicates dropped, {skipped} unreadable lines skipped)"
        )
