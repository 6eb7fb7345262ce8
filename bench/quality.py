"""Quality gate: per-field accuracy of the extraction over every test page, failing under pinned floors.

``python -m bench.quality`` prints, per field, the share of pages on which the extracted value is what
a reader of the page writes down, and exits 1 when a field falls under its floor in :data:`FLOORS`.
Pages: every fixture in ``tests/pages/`` (truth: its reviewed ``expected.json``; the real pages of
``../shared/real/`` among them) and generated loopback pages of every layout (truth: the spec each
was rendered from, not the rules). Scalars must match exactly, lists as sets, the body by the F1 of
the longest common subsequence of its words (at least :data:`BODY_LCS_F1`).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import asdict
from typing import Any

from crawler.extraction import NotAnArticle, extract_article

from .pages import FIELDS, BenchPage, loopback_pages, project_pages, view_of_item

BODY_LCS_F1 = 0.95
# Pinned floors (share of pages right), measured when the gate was set up; raise them as the rules
# improve, never lower one without saying why in the commit.
FLOORS: dict[str, float] = {field: 1.0 for field in FIELDS}
FLOORS.update({"body_lcs_f1_mean": 0.99})



def _marks() -> str:
    """The code points of Unicode's marks, as ranges of a regular expression's class."""
    # \w leaves out marks (Mn, Mc, Me): the vowel signs and the virama of Devanagari, combining accents.
    # Every mark is in planes 0-1 or among the variation selectors of plane 14.
    points = [c for c in [*range(0x20000), *range(0xE0100, 0xE01F0)] if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


# A word is a run of letters, digits and marks: with \w alone "हिंदी" was four words and "कि", "का" both "क".
_WORD = re.compile(rf"[\w{_marks()}]+")


def words(text: str) -> list[str]:
    """The words of a text (NFC, case folded), as the body's F1 counts them."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def lcs_f1(found: str | None, truth: str | None) -> float:
    """F1 of the longest common subsequence of the two texts' words (case folded)."""
    ours = words(found or "")
    theirs = words(truth or "")
    if not ours and not theirs:
        return 1.0
    if not ours or not theirs:
        return 0.0
    # Bit-parallel LCS (Hyyrö 2004): one big-integer step per word of ``ours``.
    positions: dict[str, int] = defaultdict(int)
    for index, word in enumerate(theirs):
        positions[word] |= 1 << index
    mask = (1 << len(theirs)) - 1
    row = mask
    for word in ours:
        matches = row & positions.get(word, 0)
        row = ((row + matches) | (row - matches)) & mask
    common = len(theirs) - bin(row).count("1")
    if not common:
        return 0.0
    precision, recall = common / len(ours), common / len(theirs)
    return 2 * precision * recall / (precision + recall)


def _same(field: str, found: Any, truth: Any) -> bool:
    if isinstance(truth, list) or isinstance(found, list):
        return set(found or []) == set(truth or [])
    if field == "articleBody":
        return lcs_f1(found, truth) >= BODY_LCS_F1
    if truth in (None, "") and found in (None, ""):
        return True
    return bool(found == truth)


def evaluate(pages: list[BenchPage]) -> tuple[dict[str, float], list[str]]:
    """Per-field accuracy (and the mean body LCS-F1), and the misses as lines to print."""
    right: dict[str, list[bool]] = defaultdict(list)
    f1s: list[float] = []
    misses: list[str] = []
    for page in pages:
        view: dict[str, Any] | None = None
        try:
            view = view_of_item(asdict(extract_article(page.body, page.url)))
        except NotAnArticle as error:
            misses.append(f"{page.url}: not an article ({error.reason})")
        except Exception as error:  # noqa: BLE001 - a crash on one page is a miss of every field, never a page dropped
            misses.append(f"{page.url}: extraction raised {type(error).__name__}: {error}")
        for field in FIELDS:
            if field not in page.truth:
                continue
            # A page that gave no item has every field wrong, also those whose truth is empty.
            ok = view is not None and _same(field, view.get(field), page.truth[field])
            right[field].append(ok)
            if view is not None and not ok:
                misses.append(f"{page.url}: {field}: {str(view.get(field))[:80]!r} != {str(page.truth[field])[:80]!r}")
        f1s.append(lcs_f1(view.get("articleBody"), page.truth.get("articleBody")) if view is not None else 0.0)
    scores = {field: sum(values) / len(values) for field, values in right.items()}
    scores["body_lcs_f1_mean"] = sum(f1s) / len(f1s) if f1s else 0.0
    return scores, misses


def gate_pages() -> list[BenchPage]:
    """The fixtures (real pages included) and a spread of loopback pages of every layout."""
    return [*project_pages(), *loopback_pages(current=40, amp=10)]


def main() -> int:
    pages = gate_pages()
    scores, misses = evaluate(pages)
    failed = []
    print(f"Extraction quality over {len(pages)} pages ({len({p.group for p in pages})} groups)")
    groups: dict[str, int] = {}
    for page in pages:
        groups[page.group] = groups.get(page.group, 0) + 1
    # Which pages were read: a gate that silently lost its real pages would still print OK.
    print("pages: " + ", ".join(f"{group} {count}" for group, count in groups.items()))
    print(f"{'field':<20} {'score':>7} {'floor':>7}")
    for field, score in scores.items():
        floor = FLOORS.get(field, 0.0)
        mark = "" if score >= floor else "  BELOW FLOOR"
        if mark:
            failed.append(field)
        print(f"{field:<20} {score:7.3f} {floor:7.3f}{mark}")
    for line in misses[:40]:
        print("  miss:", line)
    if failed:
        print(f"FAILED: {', '.join(failed)} under the pinned floor")
        return 1
    print("OK: every field at or above its floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
