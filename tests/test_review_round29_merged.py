"""Round 29's first merges read as a reviewer: the stricter schema, the page's own item metas, a Latin byline's city."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crawler.extraction import extract
from crawler.schema import SCHEMA_PATH
from tests.pages.cases import render_generic_opengraph
from tests.test_extraction_probes_round21 import SPAN, _amp, _names, _next_js
from tests.conftest import SHARED

SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
ROOT = Path(__file__).resolve().parents[1]
SAVED_2019 = SHARED / "real" / "article-2019-01-18-119011800410.html"


def _saved_page_line(path: Path) -> dict[str, Any]:
    """The line `scrapy crawl article -a url=file://…` writes for a saved page: its `url` the file's, as fetched."""
    article = extract(path.read_bytes(), path.as_uri()).article
    article.dateDownloaded = "2026-05-01T09:00:00+05:30"
    return asdict(article)


def test_a_saved_page_read_with_article_file_url_is_a_valid_line() -> None:
    # README: "`file://` URLs of saved pages work, so a saved page can be re-extracted offline"; the item's
    # `url` is the final URL fetched, the file's. Before: the schema's http(s) pattern refused it, so every
    # such run failed Spidermon's "Item validation" monitor (and sent its failure actions) for a good line.
    line = _saved_page_line(SAVED_2019)
    assert line["url"].startswith("file:///")
    assert [error.message for error in VALIDATOR.iter_errors(line)] == []
    assert line["canonicalUrl"].startswith("https://www.business-standard.com/")


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a.html", "file:relative.html", "file:///tmp/a.html#top", "file:///tmp/a page.html", "/article/a-119011800410_1.html"],
)
def test_the_fetched_url_is_still_http_s_or_a_local_file(url: str) -> None:
    # The file:// form is the one the article spider accepts (no host, or localhost), nothing wider.
    line = _saved_page_line(SAVED_2019)
    assert not VALIDATOR.is_valid({**line, "url": url})
    # And only `url` is the fetched address: the links a page names stay http(s).
    assert not VALIDATOR.is_valid({**line, "canonicalUrl": SAVED_2019.as_uri()})


def test_a_saved_page_run_with_spidermon_passes_item_validation(tmp_path: Path) -> None:
    # The whole run as an operator has it: `article -a url=file://…` with Spidermon's item validation on.
    pytest.importorskip("spidermon")
    (tmp_path / "scrapy.cfg").write_text((ROOT / "scrapy.cfg").read_text())
    out = tmp_path / "out.jsonl"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"url={SAVED_2019.as_uri()}", "-O", str(out),
         "-s", "SPIDERMON_ENABLED=True", "-s", "LOG_LEVEL=INFO"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(out.read_text().splitlines()[0])["url"] == SAVED_2019.as_uri()
    assert "Every written item matches the JSON Schema... OK" in done.stderr, done.stderr[-3000:]
    assert "spidermon/validation/items/errors" not in done.stderr


GENERIC_URL = "https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html"
# The page's date, author and summary stated only as `<meta itemprop>` in its head.
ITEMPROP_METAS = {
    '<meta property="article:published_time" content="2026-05-01T18:30:00+05:30">': '<meta itemprop="datePublished" content="2026-05-01T18:30:00+05:30">',
    '<meta name="author" content="BS Reporter">': '<meta itemprop="author" content="BS Reporter">',
    '<meta property="og:description" content="Collections crossed Rs 2 trillion for a second month">': '<meta itemprop="description" content="Collections crossed Rs 2 trillion for a second month">',
}


def _itemprop_page(root: str, itemtype: str | None) -> str:
    html = render_generic_opengraph()
    for before, after in ITEMPROP_METAS.items():
        assert before in html
        html = html.replace(before, after)
    if itemtype is not None:
        tag = '<html lang="en">' if root == "html" else "<body>"
        html = html.replace(tag, tag[:-1] + f' itemscope itemtype="https://schema.org/{itemtype}">', 1)
    return html


@pytest.mark.parametrize("itemtype", [None, "WebPage", "NewsArticle", "Article"])
@pytest.mark.parametrize("root", ["html", "body"])
def test_the_page_s_own_item_metas_are_the_page_s(root: str, itemtype: str | None) -> None:
    # An item on <html> (or <body>) is the whole page, as many templates write `<html itemscope
    # itemtype="…/WebPage">`: the <meta itemprop> in its head are the page's own. Before (round 29's rule that
    # a <meta itemprop> inside an item is that item's): with a WebPage item on <html> the story had no
    # date, no author, no summary, and was dropped as having no publication date.
    article = extract(_itemprop_page(root, itemtype), GENERIC_URL).article
    assert article.datePublished == "2026-05-01T18:30:00+05:30"
    assert [author.name for author in article.authors] == ["BS Reporter"]
    assert article.description == "Collections crossed Rs 2 trillion for a second month"


def test_a_card_s_metas_under_a_page_item_are_still_the_card_s() -> None:
    # The rule the page item must not undo: a "more stories" card's own item keeps its metas, also inside
    # the page's WebPage item.
    html = _itemprop_page("html", "WebPage").replace(
        "</article>",
        '</article><section><div itemscope itemtype="https://schema.org/NewsArticle">'
        '<meta itemprop="url" content="https://www.business-standard.com/markets/news/other-story-126043000011_1.html">'
        '<h3 itemprop="headline">Another story</h3><meta itemprop="datePublished" content="2026-04-30T10:00:00+05:30">'
        '<meta itemprop="author" content="Card Writer"><meta itemprop="description" content="A card\'s summary"></div></section>',
    )
    for before, after in ITEMPROP_METAS.items():
        html = html.replace(after, "")
    article = extract(html, GENERIC_URL).article
    assert article.datePublished is None
    assert article.authors == []
    assert article.description != "A card's summary"


@pytest.mark.parametrize("name", ["Zoë Paris", "José Washington", "Sébastien Berlin", "Inés London"])
def test_an_accented_latin_name_ending_in_a_listed_city_is_one_person(name: str) -> None:
    # Round 29's rule for a Hindi byline's city run into the names ("अनिल शर्मा नई दिल्ली") took any byline
    # with a letter outside ASCII: "Zoë Paris" became the author "Zoë" filed from "Paris", where "Zoe Paris"
    # stays one person. Latin bylines have capitals to tell a city by; only a Devanagari one is read so.
    for article in (_next_js(SPAN.format(f"<span>{name}</span>")), _amp(f'<div class="byline">{name}</div>')):
        assert (_names(article), article.dateline) == ([name], None)


def test_a_devanagari_byline_s_city_is_still_its_dateline() -> None:
    for article in (_next_js(SPAN.format("<span>अनिल शर्मा नई दिल्ली</span>")), _amp('<div class="byline">अनिल शर्मा नई दिल्ली</div>')):
        assert (_names(article), article.dateline) == (["अनिल शर्मा"], "नई दिल्ली")
