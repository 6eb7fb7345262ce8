"""``scrapy crawl article`` as a newcomer runs it: saved pages in, one correct JSON line each out."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_EXTRACTION
from tests.conftest import PAGES, load_json, shared_file
from tests.e2e import crawl

VOLATILE = {"url", "dateDownloaded"}


def without(item: dict[str, object], keys: set[str]) -> dict[str, object]:
    return {k: v for k, v in item.items() if k not in keys}


def test_every_saved_test_page_gives_its_expected_item(tmp_path: Path) -> None:
    pages = sorted(PAGES.glob("nextjs-2023/*/page.html"))
    urls = ",".join(page.resolve().as_uri() for page in pages)
    result = crawl("article", tmp_path, "-a", f"urls={urls}")
    assert result.status == 0, result.log[-3000:]
    by_id = {item["articleId"]: item for item in result.items}
    assert len(result.items) == len(pages) == len(by_id)
    for page in pages:
        expected = load_json(page.parent / "expected.json")
        item = by_id[expected["articleId"]]
        assert item["url"] == page.resolve().as_uri()
        assert item["dateDownloaded"]
        assert list(item) == list(expected), "keys in the documented order"
        assert without(item, VOLATILE) == without(expected, VOLATILE)


def test_the_real_pre_2023_page(tmp_path: Path) -> None:
    page = shared_file("real/article-2019-01-18-119011800410.html")
    expected = load_json(PAGES / "pre2023" / "real-2019-01-18" / "expected.json")
    result = crawl("article", tmp_path, "-a", f"url={page.resolve().as_uri()}")
    assert result.status == 0, result.log[-3000:]
    (item,) = result.items
    assert without(item, VOLATILE) == without(expected, VOLATILE)


def test_default_output_is_a_jsonl_file_per_run(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    page = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").resolve().as_uri()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"url={page}"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (output,) = (tmp_path / "output" / "article").glob("article-*.jsonl")
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"articleId": "124022800873"' in lines[0]


@pytest.mark.parametrize("name", ["not-an-article"])
def test_a_page_that_is_not_an_article_gives_no_item_and_a_stat(tmp_path: Path, name: str) -> None:
    page = tmp_path / f"{name}.html"
    page.write_text("<html><body><h1>Latest News</h1><a href='/a/a-124070800259_1.html'>x</a></body></html>")
    result = crawl("article", tmp_path, "-a", f"url={page.as_uri()}")
    assert result.items == []
    assert result.status == EXIT_EXTRACTION, "an article run that extracted nothing fails"
    assert "bs/skipped/unknown-layout" in result.log
    assert "not an article" in result.log
