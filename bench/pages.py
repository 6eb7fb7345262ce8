"""The pages the extraction benchmark runs on, each with the fields a reader sees on it (the truth).

Three kinds, as the issue asks: the project's test pages (truth: their reviewed ``expected.json``),
the real pre-2023 page in ``../shared/real/`` (truth: ``tests/pages/pre2023/real-*/expected.json``), and generated loopback
articles (truth: the :class:`PageSpec` the page was rendered from) in the three layouts the site has.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.loopback.corpus import CURRENT
from tests.loopback.site import LoopbackSite
from tests.pages.build import page_bytes
from tests.pages.cases import CASES

ROOT = Path(__file__).resolve().parent.parent
TEST_PAGES = ROOT / "tests" / "pages"
REAL_PAGES = ROOT.parent / "shared" / "real"
SITE = "https://www.business-standard.com"

# The fields compared between extractors, in the order of the report. A value is what a reader
# would check: text, a list of names or URLs, an ISO date, a flag.
FIELDS = (
    "headline",
    "description",
    "authors",
    "datePublished",
    "dateModified",
    "articleBody",
    "mainImage",
    "topics",
    "section",
    "canonicalUrl",
    "inLanguage",
    "dateline",
    "readTimeMinutes",
    "alsoRead",
    "isSyndicated",
    "isPremium",
    "isLiveBlog",
    "articleId",
)
View = dict[str, Any]


@dataclass
class BenchPage:
    """One page: its bytes, the URL it was fetched from, which group it is in, and its truth."""

    group: str
    url: str
    body: bytes
    truth: View


def view_of_item(item: dict[str, Any]) -> View:
    """The compared fields of one of our items (``asdict(Article)`` or an expected JSON file)."""
    image = item.get("mainImage") or {}
    return {
        "headline": item.get("headline"),
        "description": item.get("description"),
        "authors": [a["name"] for a in item.get("authors") or []],
        "datePublished": item.get("datePublished"),
        "dateModified": item.get("dateModified"),
        "articleBody": item.get("articleBody"),
        "mainImage": image.get("url"),
        "topics": list(item.get("topics") or []),
        "section": item.get("section"),
        "canonicalUrl": item.get("canonicalUrl"),
        "inLanguage": item.get("inLanguage"),
        "dateline": item.get("dateline"),
        "readTimeMinutes": item.get("readTimeMinutes"),
        "alsoRead": [link["url"] for link in item.get("alsoRead") or []],
        "isSyndicated": item.get("isSyndicated"),
        "isPremium": item.get("isPremium"),
        "isLiveBlog": item.get("isLiveBlog"),
        "articleId": item.get("articleId"),
    }


def _spec_truth(site: LoopbackSite, record: Any, form: str) -> View:
    """What a reader sees on a loopback page, from the spec it was rendered from."""
    spec = record.spec
    current = record.layout == CURRENT
    amp = form == "amp"
    return {
        "headline": spec.headline,
        "description": spec.standfirst,
        "authors": [a.name for a in spec.authors],
        "datePublished": spec.published.isoformat(),
        "dateModified": spec.modified.isoformat(),
        "articleBody": "\n".join(spec.paragraphs),
        "mainImage": spec.image_url,
        "topics": list(spec.topics),
        "section": spec.section_name,
        "canonicalUrl": record.url,
        "inLanguage": "en",
        "dateline": spec.dateline,
        # The pre-2023 page shows no read time; the AMP page has no "Also Read" box.
        "readTimeMinutes": spec.read_time if current else None,
        "alsoRead": [] if amp else [site.base_url + path for _, path in spec.also_read],
        "isSyndicated": spec.syndicated and current,
        "isPremium": spec.premium,
        "isLiveBlog": bool(spec.live_updates),
        "articleId": record.article_id,
    }


def project_pages() -> Iterator[BenchPage]:
    """The test pages (every layout's fixtures) and the real page, with their reviewed JSON."""
    for case in CASES:
        if case.not_article is not None:
            continue
        if case.shared and not (ROOT.parent / "shared" / case.shared).is_file():
            raise SystemExit(f"../shared/{case.shared} is absent: the benchmark needs ../shared beside the project")
        expected = json.loads((TEST_PAGES / case.folder / "expected.json").read_text(encoding="utf-8"))
        group = "real page" if case.shared else "test pages"
        yield BenchPage(group, case.url, page_bytes(case, TEST_PAGES / case.folder), view_of_item(expected))


def loopback_pages(current: int, amp: int, seed: int = 1) -> Iterator[BenchPage]:
    """Generated articles: every pre-2023 one, ``current`` Next.js pages and ``amp`` AMP twins, spread over the corpus."""
    site = LoopbackSite(articles=max(current, amp) * 2, seed=seed)
    try:
        records = site.articles
        legacy = [r for r in records if r.layout != CURRENT]
        modern = [r for r in records if r.layout == CURRENT]
        chosen = [(r, "page", "loopback pre-2023") for r in legacy]
        chosen += [(r, "page", "loopback Next.js") for r in modern[:: max(1, len(modern) // current)][:current]]
        chosen += [(r, "amp", "loopback AMP") for r in modern[1 :: max(1, len(modern) // amp)][:amp]]
        for record, form, group in chosen:
            body = site.article_response(record, form).body
            path = ("/amp" if form == "amp" else "") + record.path
            yield BenchPage(group, site.base_url + path, body, _spec_truth(site, record, form))
    finally:
        site.stop()


def bench_pages(current: int = 500, amp: int = 60) -> list[BenchPage]:
    """Every page of one benchmark run."""
    return [*project_pages(), *loopback_pages(current, amp)]
