"""Part 1: extraction time per page and correct fields, ours against trafilatura, newspaper4k and a bare lxml parse."""

from __future__ import annotations

import gc
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .extractors import Extractor, body_f1, extractors, is_right
from .pages import FIELDS, BenchPage


@dataclass
class ExtractionResult:
    """Per-page times (best of the repeats, seconds) and per-field verdicts of every extractor."""

    pages: list[BenchPage]
    names: list[str]
    times: dict[str, list[float]] = field(default_factory=dict)
    # name → field → [right?] over the pages whose truth has the field; absent name/field: not produced
    right: dict[str, dict[str, list[bool]]] = field(default_factory=dict)
    body_f1: dict[str, list[float]] = field(default_factory=dict)
    produced: dict[str, set[str]] = field(default_factory=dict)

    def median_ms(self, name: str, group: str | None = None) -> float:
        times = [t for t, page in zip(self.times[name], self.pages) if group is None or page.group == group]
        return statistics.median(times) * 1000

    def groups(self) -> list[str]:
        return list(dict.fromkeys(page.group for page in self.pages))


def _time_once(run: Any, body: bytes, url: str, keep: bool) -> tuple[float, Any]:
    # CPU time of this process: the other processes of a shared, noisy machine do not count.
    # What a run made and nobody keeps is freed inside its own time, for every extractor alike (ours
    # frees its tree before it returns the item): a result dropped later, when the name is bound
    # again, was freed outside any timing, so a bare parse cost 0.33 ms less than it does on the
    # 200 kB real page. Results are kept once, for judging; the best of the repeats is a freed one.
    start = time.process_time()
    result = run(body, url)
    if not keep:
        result = None
    return time.process_time() - start, result


def measure(pages: list[BenchPage], repeats: int = 3, progress: Any = print, back_to_back: bool = False) -> ExtractionResult:
    """Time every extractor on every page (interleaved, best of ``repeats``), then judge the fields.

    ``back_to_back``: a page's runs of one extractor follow one another (the extractors still take
    turns page by page), so each is timed with its own code and data in the CPU caches rather than
    right after another library has run.
    """
    contenders: list[Extractor] = extractors()
    result = ExtractionResult(pages, [c.name for c in contenders])
    for contender in contenders:  # warm up: imports, compiled expressions, caches of the libraries
        for page in pages[:5]:
            contender.run(page.body, page.url)
    times: dict[str, list[float]] = {c.name: [] for c in contenders}
    outputs: dict[str, list[Any]] = {c.name: [] for c in contenders}
    gc.collect()
    for index, page in enumerate(pages):
        # Interleaved, rotating the order, so drift of a noisy machine hits every extractor alike.
        order = contenders[index % len(contenders) :] + contenders[: index % len(contenders)]
        best: dict[str, float] = defaultdict(lambda: float("inf"))
        # A first run to judge (its result kept, so not freed in its time), then ``repeats`` timed
        # runs that free what they made; a single run (--quick) is both.
        runs = range(repeats + 1 if repeats > 1 else 1)
        turns = [(r, c) for c in order for r in runs] if back_to_back else [(r, c) for r in runs for c in order]
        for repeat, contender in turns:
            judged = repeat == 0 and contender.view is not None  # the bare parse has nothing to judge
            elapsed, output = _time_once(contender.run, page.body, page.url, keep=judged)
            if repeat > 0 or repeats == 1:  # as many timed runs for every extractor
                best[contender.name] = min(best[contender.name], elapsed)
            if judged:
                outputs[contender.name].append(output)
        for contender in contenders:
            times[contender.name].append(best[contender.name])
        if progress and (index + 1) % 100 == 0:
            progress(f"  extraction: {index + 1}/{len(pages)} pages")
    result.times = times
    for contender in contenders:
        if contender.view is None:
            continue
        verdicts: dict[str, list[bool]] = {f: [] for f in FIELDS}
        produced: set[str] = set()
        f1s = []
        for page, output in zip(pages, outputs[contender.name]):
            view = contender.view(output)
            produced.update(k for k in view if k in FIELDS)
            for name in FIELDS:
                if name in page.truth and name in view:
                    verdicts[name].append(is_right(name, view[name], page.truth[name]))
                elif name in page.truth:
                    verdicts[name].append(False)
            f1s.append(body_f1(view.get("articleBody"), page.truth.get("articleBody")))
        result.right[contender.name] = verdicts
        result.produced[contender.name] = produced
        result.body_f1[contender.name] = f1s
    return result


def fields_right_per_page(result: ExtractionResult, name: str) -> list[int]:
    """How many of the compared fields the extractor got right, page by page."""
    counts = [0] * len(result.pages)
    for verdicts in result.right[name].values():
        for index, right in enumerate(verdicts):
            counts[index] += int(right)
    return counts
