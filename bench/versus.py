"""``python -m bench.versus --code DIR [--code DIR …]``: this tree's extraction timed against other
commits' in one process, interleaved page by page, per group of the benchmark's pages.

Each ``DIR`` holds a ``crawler/`` package (``git archive <rev> crawler | tar -x -C DIR``); it is
imported under its own name beside this tree's ``crawler``, so both run in the same process on the
same bytes, one after the other for every page and repeat, the order rotated: the drift of a shared,
noisy machine hits every version alike. Per page the best of the repeats (CPU time); per group the
median, and the ratio of each version to this tree's.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .pages import BenchPage, loopback_pages, project_pages

Run = Callable[[bytes, str], Any]


def load_extractor(code: Path, name: str) -> Run:
    """``extract_article`` of the ``crawler/`` package in ``code``, imported as ``name``."""
    package = code.resolve() / "crawler"
    spec = importlib.util.spec_from_file_location(name, package / "__init__.py", submodule_search_locations=[str(package)])
    if spec is None or spec.loader is None:
        raise SystemExit(f"no crawler package in {code}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    extraction = importlib.import_module(f"{name}.extraction")
    return _quiet(extraction.extract_article, extraction.NotAnArticle)


def _quiet(extract: Callable[[bytes, str], Any], refusal: type[Exception]) -> Run:
    def run(body: bytes, url: str) -> Any:
        try:
            return extract(body, url)
        except refusal:
            return None

    return run


def measure(contenders: dict[str, Run], pages: list[BenchPage], repeats: int) -> dict[str, list[float]]:
    """Per contender, per page the best CPU time of ``repeats``, interleaved and rotated."""
    names = list(contenders)
    for name in names:  # warm up
        for page in pages[:10]:
            contenders[name](page.body, page.url)
    best: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    for index, page in enumerate(pages):
        order = names[index % len(names) :] + names[: index % len(names)]
        times = {name: float("inf") for name in names}
        for _ in range(repeats):
            for name in order:
                start = time.process_time()
                contenders[name](page.body, page.url)
                times[name] = min(times[name], time.process_time() - start)
        for name in names:
            best[name].append(times[name])
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.versus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, action="append", default=[], help="a directory holding another commit's crawler/ (repeatable)")
    parser.add_argument("--current", type=int, default=150, help="loopback Next.js pages (default 150)")
    parser.add_argument("--amp", type=int, default=60, help="loopback AMP pages (default 60)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per page and version, the best kept (default 5)")
    parser.add_argument("--no-fixtures", action="store_true", help="loopback pages only")
    options = parser.parse_args(argv)

    from crawler.extraction import NotAnArticle, extract_article

    contenders: dict[str, Run] = {}
    for index, code in enumerate(options.code):
        contenders[f"{code}"] = load_extractor(code, f"crawler_versus_{index}")
    contenders["this tree"] = _quiet(extract_article, NotAnArticle)
    pages = [] if options.no_fixtures else list(project_pages())
    pages += loopback_pages(options.current, options.amp)
    best = measure(contenders, pages, options.repeats)

    groups = list(dict.fromkeys(page.group for page in pages)) + ["all"]
    names = list(contenders)
    print(f"{len(pages)} pages, best of {options.repeats} per page, CPU ms, median per group; ratio = version ÷ this tree")
    print("| group | pages | " + " | ".join(names) + " | " + " | ".join(f"{n} ÷ this tree" for n in names[:-1]) + " |")
    for group in groups:
        chosen = [i for i, page in enumerate(pages) if group == "all" or page.group == group]
        medians = {name: statistics.median(best[name][i] for i in chosen) * 1000 for name in names}
        # The median of per-page ratios, which the machine's drift between pages does not move.
        ratios = [statistics.median(best[name][i] / best["this tree"][i] for i in chosen) for name in names[:-1]]
        print(
            f"| {group} | {len(chosen)} | "
            + " | ".join(f"{medians[n]:.3f}" for n in names)
            + " | "
            + " | ".join(f"{r:.2f}" for r in ratios)
            + " |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
