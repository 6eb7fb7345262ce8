"""AMP pages: the story's own standfirst, dateline and caption (not a site header's), and premium only with
its body cut (SITE.md, "Evidence from 2024-2026": JSON-LD isAccessibleForFree is false on some free pages)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from crawler.extraction import extract
from tests.conftest import PAGES, load_json
from tests.pages import specs
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, Case

SEED = specs.SEED


def _case(folder: str) -> Case:
    return next(c for c in CASES if c.folder == folder)


def _seed_amp() -> tuple[str, str]:
    case = _case("amp/seed-syndicated")
    return page_bytes(case, PAGES / case.folder).decode("utf-8"), case.url


def test_a_site_header_before_the_story_and_a_locked_json_ld_flag_change_nothing() -> None:
    case = _case("amp/site-header-free")
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    assert "Trending Topics" in html and '"isAccessibleForFree": false' in html
    article = extract(html, case.url).article
    assert article.description == SEED.standfirst and article.dateline == SEED.dateline
    assert article.mainImage is not None and article.mainImage.caption == SEED.image_caption
    assert article.isPremium is False, "the whole story is on the page"
    assert asdict(article) == load_json(PAGES / "amp" / "seed-syndicated" / "expected.json")


def test_a_premium_amp_page_is_premium_and_whole() -> None:
    case, spec = _case("amp/premium"), specs.PREMIUM
    result = extract(page_bytes(case, PAGES / case.folder), case.url)
    assert result.article.isPremium is True
    assert result.article.articleBody == "\n".join(spec.paragraphs)
    assert "truncated-dom" in result.provenance.flags


def test_a_cut_body_without_a_locked_flag_is_not_premium() -> None:
    case = _case("amp/premium")
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    assert '"isAccessibleForFree": false' in html
    article = extract(html.replace('"isAccessibleForFree": false', '"isAccessibleForFree": true'), case.url).article
    assert article.isPremium is False


STANDFIRST = f"<h2>{SEED.standfirst}</h2>"


@pytest.mark.parametrize(
    "where",
    ["sub-heading in the body", "heading of the related list after the body"],
)
def test_without_a_standfirst_an_h2_in_or_after_the_body_is_not_taken_for_it(where: str) -> None:
    html, url = _seed_amp()
    assert STANDFIRST in html
    html = html.replace(STANDFIRST, "")
    if where.startswith("sub-heading"):
        html = html.replace('<div class="storycontent"><p>', '<div class="storycontent"><h2>What was discussed</h2><p>', 1)
    else:
        html = html.replace("</body>", '<h2>More From This Section</h2><ul><li><a href="/x-124022800874_1.html">Other</a></li></ul></body>', 1)
    ld = json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    article = extract(html, url).article
    assert article.description == ld["description"], "JSON-LD's description, the fallback"


def test_a_site_header_with_an_h1_of_its_own_does_not_hide_the_story_s_headline() -> None:
    html, url = _seed_amp()
    header = '<header><h1>Business Standard</h1><h2>Trending Topics</h2><span class="dateline">Updated daily</span></header>'
    article = extract(html.replace("<body>\n", "<body>\n" + header, 1), url).article
    assert (article.description, article.dateline) == (SEED.standfirst, SEED.dateline)


def test_without_an_h1_the_first_of_each_in_the_page_is_taken() -> None:
    html, url = _seed_amp()
    html = html.replace(f"<h1>{SEED.headline}</h1>", "", 1)
    assert "<h1>" not in html
    article = extract(html, url).article
    assert (article.description, article.dateline) == (SEED.standfirst, SEED.dateline)
    assert article.mainImage is not None and article.mainImage.caption == SEED.image_caption


# --- the layouts that read premium from JSON-LD and the body alone ---------------------------------------------


def _generic(locked: bool, article_paragraphs: int | None) -> bool:
    body = ["First paragraph of the story here.", "Second paragraph of the story here.", "Third paragraph of the story here."]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Rupee ends at record low",
        "datePublished": "2026-05-12T16:20:00+05:30",
        "articleBody": "\n".join(body),
        "isAccessibleForFree": not locked,
    }
    shown = body[: article_paragraphs or 0]
    article = f"<article><h1>{ld['headline']}</h1>{''.join(f'<p>{p}</p>' for p in shown)}</article>" if article_paragraphs is not None else ""
    html = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body>{article}</body></html>'
    item = extract(html, "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html").article
    assert item.layout == "generic" and item.articleBody == ld["articleBody"]
    return item.isPremium


@pytest.mark.parametrize(
    ("locked", "shown", "premium"),
    [(True, 1, True), (True, 3, False), (True, None, False), (True, 0, False), (False, 1, False)],
    ids=["locked-cut", "locked-whole", "locked-no-article", "locked-empty-article", "free-cut"],
)
def test_generic_premium_needs_the_locked_flag_and_a_cut_page(locked: bool, shown: int | None, premium: bool) -> None:
    assert _generic(locked, shown) is premium


def test_pre2023_premium_by_content_tier_or_by_the_flag_with_a_cut_body() -> None:
    case = _case("pre2023/synthetic-premium")
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    tier, news = '<meta property="article:content_tier" content="locked">', '"@type": "NewsArticle", '
    assert tier in html and news in html
    assert extract(html, case.url).article.isPremium is True
    untiered = html.replace(tier, '<meta property="article:content_tier" content="">')
    assert extract(untiered, case.url).article.isPremium is False, "no tier, no flag"
    flagged = untiered.replace(news, news + '"isAccessibleForFree": false, ', 1)
    assert extract(flagged, case.url).article.isPremium is True, "the flag, and the page's body cut"
