"""Round 24's probes of re-extraction and `scrapy merge`: feeds cut and appended to, nested and CR-only MHTML, saved pages without an extension or with curl's headers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import scrapy
from tests.test_reextract_probes_round21 import _feed, _items

# --- scrapy merge of a feed cut short, then appended to ------------------------------------------------------
# Before: a worker's feed cut within a line (a kill, a disk that filled up mid-write) and then appended to by its
# next run (`-o worker.jsonl` from cron) ran the cut line and the next run's first line together, as one line
# that is no JSON: that article was lost with the cut line, exit 0. So it was in UTF-8 at any cut, and in UTF-16
# at an even byte (a whole code unit: within a surrogate pair, or just before the newline, where the article
# itself was whole and lost too). A last line without its newline (another program's file, `"\n".join`) was
# counted unreadable, its article lost, exit 0.

EMOJI = "\U0001f4c8"


def _merged(tmp_path: Path, *names: str) -> tuple[list[str], str]:
    done = scrapy(tmp_path, "merge", "all.jsonl", *names)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    ids = [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    return ids, done.stdout


def _cut_within(feed: bytes, text: str, encoding: str, *, after: int) -> bytes:
    """``feed`` cut ``after`` bytes into the last ``text`` in it (as written in ``encoding``)."""
    return feed[: feed.rfind(text.encode(encoding)) + after]


@pytest.mark.parametrize(
    ("encoding", "cut", "whole"),
    [
        ("utf-8", "mid-line", False),
        ("utf-8", "mid-character", False),  # (a Hindi headline's character cut after its first byte)
        ("utf-8", "before-newline", True),
        ("utf-8-sig", "mid-line", False),
        ("utf-16", "mid-line", False),  # an even byte: a whole code unit
        ("utf-16", "mid-surrogate-pair", False),
        ("utf-16", "before-newline", True),
        ("utf-16", "within-newline", True),  # an odd byte: half the newline
        ("utf-16-be", "mid-surrogate-pair", False),
        ("utf-32", "mid-line", False),
    ],
)
def test_merge_of_a_feed_cut_then_appended_to_keeps_every_whole_article(tmp_path: Path, encoding: str, cut: str, whole: bool) -> None:
    items = [*_items(("124010100001", 1)), {"articleId": "124010100002", "version": 1, "headline": f"रुपया {EMOJI} up"}]
    first = _feed(items, encoding)
    appended = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}.get(encoding, encoding)
    later = _feed(_items(("124010100003", 1), ("124010100004", 1)), appended)
    newline = "\n".encode(appended)
    cuts = {
        "mid-line": lambda: _cut_within(first, '"headline"', appended, after=0),
        "mid-character": lambda: _cut_within(first, "रु", appended, after=1),
        "mid-surrogate-pair": lambda: _cut_within(first, EMOJI, appended, after=len(EMOJI.encode(appended)) // 2),
        "before-newline": lambda: first[: -len(newline)],
        "within-newline": lambda: first[:-1],
    }
    (tmp_path / "worker.jsonl").write_bytes(cuts[cut]() + later)

    ids, stdout = _merged(tmp_path, "worker.jsonl")

    assert ids == ["124010100001", *(["124010100002"] if whole else []), "124010100003", "124010100004"]
    assert f"{0 if whole else 1} unreadable lines skipped" in stdout


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_merge_reads_a_last_line_without_its_newline(tmp_path: Path, encoding: str) -> None:
    lines = [json.dumps(item) for item in _items(("124010100001", 1), ("124010100002", 1))]
    (tmp_path / "other.jsonl").write_bytes("\r\n".join(lines).encode(encoding))

    ids, stdout = _merged(tmp_path, "other.jsonl")

    assert ids == ["124010100001", "124010100002"] and "0 unreadable lines skipped" in stdout


def test_merge_still_skips_a_last_line_cut_short_and_keeps_the_newest_version_once(tmp_path: Path) -> None:
    newer = _feed(_items(("124010100001", 3), ("124010100002", 1)), "utf-8")
    older = _feed(_items(("124010100001", 2), ("124010100003", 1)), "utf-8")
    (tmp_path / "a.jsonl").write_bytes(newer + newer[:40])  # the same article again, cut by a kill
    (tmp_path / "b.jsonl").write_bytes(older[: older.rfind(b'"headline"')] + newer)  # cut, then appended

    ids, stdout = _merged(tmp_path, "a.jsonl", "b.jsonl")

    assert ids == ["124010100001", "124010100002"]
    versions = {json.loads(line)["articleId"]: json.loads(line)["version"] for line in (tmp_path / "all.jsonl").read_text().splitlines()}
    assert versions == {"124010100001": 3, "124010100002": 1}
    assert "2 unreadable lines skipped" in stdout  # (124010100003's line, cut in b.jsonl: that article is lost)


def test_merge_still_refuses_a_file_whose_first_line_is_no_article_even_when_braces_follow(tmp_path: Path) -> None:
    line = json.dumps([{"articleId": "124010100001", "version": 1}, {"articleId": "124010100002", "version": 1}])
    (tmp_path / "array.jsonl").write_text(line[:-1] + "\n")  # a .json array, cut: its objects are no lines
    done = scrapy(tmp_path, "merge", "all.jsonl", "array.jsonl")
    assert done.returncode == 1 and "is no JSON lines file of articles" in done.stderr
    assert not (tmp_path / "all.jsonl").exists()


def test_a_cut_array_on_one_line_gives_no_article_as_a_first_line_and_its_last_after_one() -> None:
    # (Its last object, after ", ", reads as an article appended after a cut; a file beginning so is refused, above.)
    from crawler.commands.merge import _line_articles

    objects = ", ".join(json.dumps({"articleId": f"1240101{n:05d}", "version": 1}) for n in range(20_000))
    line = ("[" + objects).encode() + b"\n"
    assert _line_articles(line, resume=False) == ([], 1)
    assert _line_articles(line) == ([{"articleId": "124010119999", "version": 1}], 1)
