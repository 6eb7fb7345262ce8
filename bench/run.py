"""``python -m bench.run [--quick] [--large] [--rounds N] [--only PART] [--json PATH]``: measure
extraction and whole crawls as users run them, and print the tables the README shows.

1. Extraction per page (test pages, the real pages, loopback articles): ours against trafilatura
   ``bare_extraction`` (with metadata), newspaper4k ``parse`` and a bare ``lxml.html.fromstring`` of the
   same bytes; and which of our fields each gets right.
2. ``scrapy crawl archive … -O out.jsonl`` over a 5,000-article loopback site against (a) a null spider
   of a bare Scrapy project (Scrapy's default settings) and (b) the same null spider with our settings:
   paired, interleaved rounds (at least 5); the median of the per-round ratios with their min–max, for
   CPU (user + system) and wall time.
3. Peak RSS of ``archive`` at 2,000 and 20,000 articles (and 200,000 with ``--large``).
4. A no-change ``archive`` run over the 20,000 known articles: requests and seconds.

``--quick`` runs a smaller version of everything (a smoke test of the benchmark, not a result).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import crawl, extraction
from .pages import FIELDS, bench_pages

TARGETS = {
    "trafilatura": 6.0,  # ours at least 6× faster
    "lxml": 2.0,  # ours at most 2× a bare parse
    "crawl-bare": 1.0,  # CPU at most that of a bare Scrapy project's null spider
    "crawl-ours": 1.3,  # CPU at most 1.3× the null spider with our settings
    "rss": 1.3,  # peak RSS at the largest size at most 1.3× that at 2,000
}


def machine() -> str:
    """nproc, CPU model and Python version, as the README states them."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} CPUs ({model}){memory}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _fmt_share(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.0%}" if values else "—"


def extraction_report(result: extraction.ExtractionResult) -> str:
    names = result.names
    ours = result.median_ms("ours")
    lines = [
        f"**Extraction**: {len(result.pages)} pages ("
        + ", ".join(f"{sum(p.group == g for p in result.pages)} {g}" for g in result.groups())
        + "); per page the best of the repeats, CPU time; the table gives the median.",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        "| ms/page (median, all pages) | " + " | ".join(f"{result.median_ms(n):.2f}" for n in names) + " |",
    ]
    for group in result.groups():
        lines.append(f"| ms/page, {group} | " + " | ".join(f"{result.median_ms(n, group):.2f}" for n in names) + " |")
    lines.append("| time ÷ ours | " + " | ".join(f"{result.median_ms(n) / ours:.2f}" for n in names) + " |")
    lines.append("")
    lines.append("**Fields right** (share of pages; — = the extractor has no such field):")
    lines.append("")
    judged = [n for n in names if n in result.right]
    lines.append("| field | " + " | ".join(judged) + " |")
    lines.append("|---|" + "---|" * len(judged))
    for name in FIELDS:
        cells = []
        for extractor in judged:
            produced = name in result.produced[extractor]
            cells.append(_fmt_share(result.right[extractor][name]) if produced else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    per_page = {n: extraction.fields_right_per_page(result, n) for n in judged}
    lines.append(
        f"| **fields right per page** (median of {len(FIELDS)}) | "
        + " | ".join(f"{statistics.median(per_page[n]):.0f}" for n in judged)
        + " |"
    )
    lines.append(
        "| articleBody word F1 (mean) | " + " | ".join(f"{statistics.mean(result.body_f1[n]):.3f}" for n in judged) + " |"
    )
    return "\n".join(lines)


def _median(runs: list[crawl.CrawlRun], attribute: str) -> float:
    return statistics.median(float(getattr(run, attribute)) for run in runs)


def _spread(values: list[float]) -> str:
    """``median (min–max)`` of per-round ratios."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


LABELS = {
    "archive": "`archive -O out.jsonl` (ours)",
    "null-ours": "null spider, our settings",
    "null-bare": "null spider, bare Scrapy project",
}


def crawl_report(result: crawl.CrawlResult) -> str:
    lines: list[str] = []
    if result.rounds:
        articles = result.rounds[0]["archive"].articles
        lines += [
            f"**Whole crawl**: {articles:,} loopback articles, {len(result.rounds)} paired rounds (each round runs the "
            "three once, the order rotated); per variant the median run:",
            "",
            "| variant | wall s | CPU s | CPU ms/request | requests | items | peak RSS MiB | exit |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for variant in crawl.VARIANTS:
            runs = [r[variant] for r in result.rounds]
            per_request = statistics.median(1000 * r.cpu / max(r.requests, 1) for r in runs)
            lines.append(
                f"| {LABELS[variant]} | {_median(runs, 'wall'):.1f} | {_median(runs, 'cpu'):.1f} | {per_request:.2f} | "
                f"{_median(runs, 'requests'):.0f} | {_median(runs, 'items'):.0f} | {_median(runs, 'max_rss_mib'):.0f} | "
                f"{'/'.join(str(r.status) for r in runs)} |"
            )
        lines += [
            "",
            "Ours ÷ null, the median of the per-round ratios (min–max):",
            "",
            "| | CPU | wall |",
            "|---|---|---|",
        ]
        for baseline in ("null-bare", "null-ours"):
            lines.append(
                f"| ours ÷ {LABELS[baseline]} | **{_spread(result.ratios('cpu', baseline))}** | {_spread(result.ratios('wall', baseline))} |"
            )
    lines += ["", "**Memory**: peak RSS of the whole crawl process (kernel `ru_maxrss`).", ""]
    lines.append("| articles | archive peak RSS MiB | null (our settings) peak RSS MiB | archive wall s | archive requests |")
    lines.append("|---|---|---|---|---|")
    sizes = sorted({r.articles for r in result.memory})
    for size in sizes:
        ours_run = next(r for r in result.memory if r.articles == size and r.spider == "archive")
        null_run = next((r for r in result.memory if r.articles == size and r.spider == "null-ours"), None)
        null_rss = f"{null_run.max_rss_mib:.0f}" if null_run else "—"
        lines.append(f"| {size:,} | {ours_run.max_rss_mib:.0f} | {null_rss} | {ours_run.wall:.1f} | {ours_run.requests} |")
    if len(sizes) >= 2:
        small = next(r for r in result.memory if r.articles == sizes[0] and r.spider == "archive")
        for size in sizes[1:]:
            large = next(r for r in result.memory if r.articles == size and r.spider == "archive")
            lines.append(f"| **{size:,} ÷ {sizes[0]:,}** | **{large.max_rss_mib / small.max_rss_mib:.2f}** | | | |")
    if result.no_change is not None:
        run = result.no_change
        lines += [
            "",
            f"**No-change run**: `archive` again over the {run.articles:,} articles it has just emitted: "
            f"{run.site_article_requests} article requests, {run.site_requests} requests in all "
            f"(robots.txt, sitemap index, monthly sitemaps), {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, "
            f"{run.items} items, exit {run.status}.",
        ]
    return "\n".join(lines)


def targets_report(ex: extraction.ExtractionResult | None, cr: crawl.CrawlResult | None) -> str:
    lines = ["| target | measured | |", "|---|---|---|"]
    if ex is not None:
        ours_ms = ex.median_ms("ours")
        trafilatura = ex.median_ms("trafilatura") / ours_ms
        lxml = ours_ms / ex.median_ms("bare lxml parse")
        right = {n: statistics.median(extraction.fields_right_per_page(ex, n)) for n in ex.right}
        more = all(right["ours"] > right[n] for n in right if n != "ours")
        lines.append(
            f"| extraction ≥ {TARGETS['trafilatura']:.0f}× faster than trafilatura, more correct fields | "
            f"{trafilatura:.1f}× faster; {right['ours']:.0f} vs {right['trafilatura']:.0f} fields right | "
            f"{_verdict(trafilatura >= TARGETS['trafilatura'] and more)} |"
        )
        lines.append(f"| — the same against one bare lxml parse, median page | {lxml:.2f}× | (for reference) |")
        groups = [g for g in ex.groups() if g.startswith("loopback")]
        if groups:
            per_group = ", ".join(f"{g.removeprefix('loopback ')} {ex.median_ms('trafilatura', g) / ex.median_ms('ours', g):.2f}×" for g in groups)
            lines.append(f"| — trafilatura's time ÷ ours per loopback layout | {per_group} | (for reference) |")
        real = [g for g in ex.groups() if g.startswith("real")]
        if real:
            on_real = max(ex.median_ms("ours", g) / ex.median_ms("bare lxml parse", g) for g in real)
            lines.append(
                f"| extraction ≤ {TARGETS['lxml']:.0f}× one bare lxml parse on the real pages | {on_real:.2f}× | "
                f"{_verdict(on_real <= TARGETS['lxml'])} |"
            )
    if cr is not None and cr.rounds:
        for baseline, limit in (("null-bare", TARGETS["crawl-bare"]), ("null-ours", TARGETS["crawl-ours"])):
            ratios = cr.ratios("cpu", baseline)
            lines.append(
                f"| full crawl CPU ≤ {limit}× the {LABELS[baseline]} | {_spread(ratios)}× | "
                f"{_verdict(statistics.median(ratios) <= limit)} |"
            )
    if cr is not None and cr.memory:
        archive = sorted((r for r in cr.memory if r.spider == "archive"), key=lambda r: r.articles)
        if len(archive) >= 2:
            growth = archive[-1].max_rss_mib / archive[0].max_rss_mib
            lines.append(
                f"| peak RSS at {archive[-1].articles:,} ≤ {TARGETS['rss']}× at {archive[0].articles:,} | {growth:.2f}× "
                f"({archive[0].max_rss_mib:.0f} → {archive[-1].max_rss_mib:.0f} MiB) | {_verdict(growth <= TARGETS['rss'])} |"
            )
    if cr is not None and cr.no_change is not None:
        run = cr.no_change
        ok = run.site_article_requests == 0 and run.wall < 60
        lines.append(
            f"| no-change run over {run.articles:,}: no article request, seconds | {run.site_article_requests} article requests, "
            f"{run.wall:.1f} s | {_verdict(ok)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small run of everything, to try the benchmark")
    parser.add_argument("--only", choices=("extraction", "crawl"), help="run one half")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--large", action="store_true", help="also measure peak RSS at 200,000 articles (about 80 minutes more: 4,560 s wall for the crawl alone, measured)")
    parser.add_argument("--back-to-back", action="store_true", help="time a page's runs of one extractor one after another (its own code and data in the CPU caches), not in turns with the others")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds of the crawl comparison (default 5)")
    options = parser.parse_args(argv)
    quick = options.quick
    started = time.perf_counter()
    print(f"Machine: {machine()}", flush=True)
    ex: extraction.ExtractionResult | None = None
    cr: crawl.CrawlResult | None = None
    if options.only in (None, "extraction"):
        pages = bench_pages(current=60, amp=10) if quick else bench_pages(current=500, amp=60)
        print(f"1. Extraction over {len(pages)} pages…", flush=True)
        ex = extraction.measure(pages, repeats=1 if quick else 3, back_to_back=options.back_to_back)
    if options.only in (None, "crawl"):
        print("2–4. Crawls (each in a subprocess, the site in another)…", flush=True)
        if quick:
            cr = crawl.measure(crawl_articles=500, memory_sizes=(300, 1500), rounds=2, no_change_size=1500)
        else:
            sizes = (2000, 20000, 200000) if options.large else (2000, 20000)
            cr = crawl.measure(crawl_articles=5000, memory_sizes=sizes, rounds=max(options.rounds, 5), no_change_size=20000)
    print()
    print(f"Machine: {machine()}")
    flags = "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    print(f"Command: python -m bench.run{flags} ({time.perf_counter() - started:.0f} s)")
    print()
    if ex is not None:
        print(extraction_report(ex))
        print()
    if cr is not None:
        print(crawl_report(cr))
        print()
    print(targets_report(ex, cr))
    if options.json:
        raw: dict[str, Any] = {"machine": machine(), "quick": quick}
        if ex is not None:
            raw["extraction"] = {
                "ms_per_page": {n: ex.median_ms(n) for n in ex.names},
                "by_group": {g: {n: ex.median_ms(n, g) for n in ex.names} for g in ex.groups()},
                "fields_right": {n: {f: sum(v) / len(v) for f, v in per.items() if v} for n, per in ex.right.items()},
            }
        if cr is not None:
            raw["crawl"] = {
                "rounds": [{k: asdict(v) for k, v in r.items()} for r in cr.rounds],
                "memory": [asdict(r) for r in cr.memory],
                "no_change": asdict(cr.no_change) if cr.no_change else None,
            }
        options.json.write_text(json.dumps(raw, indent=2, default=str))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
