"""The test pages' tooling and the quality gate, as whoever adds a layout meets them: each must fail when it should."""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

import bench.quality as quality
import tests.pages.build as build
import tests.test_extraction_pages as pages_test
from bench.pages import BenchPage, view_of_item
from crawler.extraction import NotAnArticle, extract_article
from tests.conftest import PAGES
from tests.pages.cases import CASES, Case

REAL = next(c for c in CASES if c.shared)
EMBEDS = next(c for c in CASES if c.folder == "nextjs-2023/embeds")
REFUSED = next(c for c in CASES if c.not_article is not None)


@pytest.fixture
def pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of tests/pages that the folder check and the build command read and write instead."""
    copy = tmp_path / "pages"
    shutil.copytree(PAGES, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(pages_test, "PAGES", copy)
    monkeypatch.setattr(build, "HERE", copy)
    return copy


def _folder_check_fails(says: str) -> None:
    with pytest.raises(AssertionError) as failed:
        pages_test.test_every_folder_is_a_case_and_every_case_has_its_files()
    assert says in str(failed.value)


def test_the_copy_of_the_test_pages_passes_the_folder_check(pages: Path) -> None:
    pages_test.test_every_folder_is_a_case_and_every_case_has_its_files()


# --- the folder check: a fixture folder that is wrong fails, naming the folder --------------------------------


def test_an_empty_fixture_folder_fails_the_folder_check(pages: Path) -> None:
    (pages / "nextjs-2023" / "my-new-page").mkdir()
    _folder_check_fails("nextjs-2023/my-new-page")


def test_a_fixture_folder_without_meta_json_and_no_case_fails_the_folder_check(pages: Path) -> None:
    folder = pages / "nextjs-2025" / "redesign"
    folder.mkdir(parents=True)
    shutil.copy(pages / EMBEDS.folder / "page.html", folder / "page.html")
    shutil.copy(pages / EMBEDS.folder / "expected.json", folder / "expected.json")
    _folder_check_fails("nextjs-2025/redesign")


def test_a_case_folder_whose_meta_json_is_missing_fails_the_folder_check(pages: Path) -> None:
    (pages / EMBEDS.folder / "meta.json").unlink()
    _folder_check_fails(EMBEDS.folder)


def test_a_folder_with_both_page_html_and_page_html_gz_fails_the_folder_check(pages: Path) -> None:
    folder = pages / EMBEDS.folder
    (folder / "page.html.gz").write_bytes(gzip.compress((folder / "page.html").read_bytes(), mtime=0))
    _folder_check_fails(f"{EMBEDS.folder}: both page.html and page.html.gz")


def test_a_corrupt_page_html_gz_fails_the_folder_check_naming_it(pages: Path) -> None:
    folder = pages / EMBEDS.folder
    (folder / "page.html").unlink()
    (folder / "page.html.gz").write_bytes(b"<html>not gzip</html>")
    _folder_check_fails(f"{EMBEDS.folder}/page.html.gz")


def test_reading_a_corrupt_page_html_gz_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(b"<html>" * 100)[:-12])
    with pytest.raises(ValueError, match="page.html.gz"):
        build.page_bytes(EMBEDS, tmp_path)


def test_a_real_page_without_source_or_date_fails_the_folder_check(pages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for origin in ({}, {"source": "a crawl of mine"}, {"saved": "2021"}):
        bare = replace(REAL, origin=origin)
        monkeypatch.setattr(pages_test, "CASES", [bare if c is REAL else c for c in CASES])
        (pages / REAL.folder / "meta.json").write_text(json.dumps(bare.meta()), encoding="utf-8")
        _folder_check_fails(f"{REAL.folder}: a real page's meta.json needs its source and the date it was saved")


def test_a_meta_json_of_another_origin_fails_the_folder_check(pages: Path) -> None:
    meta = json.loads((pages / EMBEDS.folder / "meta.json").read_text(encoding="utf-8"))
    (pages / EMBEDS.folder / "meta.json").write_text(json.dumps({**meta, "origin": "found-somewhere"}), encoding="utf-8")
    _folder_check_fails(EMBEDS.folder)


@pytest.mark.parametrize("change", ["missing", "extra", "misspelt"])
def test_an_expected_json_missing_a_key_with_an_extra_or_a_misspelt_one_fails(change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected: dict[str, Any] = json.loads((PAGES / EMBEDS.folder / "expected.json").read_text(encoding="utf-8"))
    if change == "missing":
        del expected["dateline"]
    elif change == "extra":
        expected["subHeadline"] = None
    else:
        expected["dateLine"] = expected.pop("dateline")
    monkeypatch.setattr(pages_test, "_expected", lambda case: expected)
    with pytest.raises(AssertionError):
        pages_test.test_no_unexpected_keys_and_the_schema(EMBEDS)


# --- the regenerate command ---------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_regenerating_is_a_no_op_diff_also_for_gzipped_pages(pages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [EMBEDS.folder, "hindi-2020/budget-166607", REFUSED.folder]
    before = _snapshot(pages)
    build.main(["--expected", *names])
    assert _snapshot(pages) == before
    monkeypatch.setattr(build, "GZIP_ABOVE", 1000)
    build.main(["--expected", EMBEDS.folder])
    packed = _snapshot(pages)
    assert f"{EMBEDS.folder}/page.html.gz" in packed and f"{EMBEDS.folder}/page.html" not in packed
    assert packed[f"{EMBEDS.folder}/expected.json"] == before[f"{EMBEDS.folder}/expected.json"]
    build.main(["--expected", EMBEDS.folder])
    assert _snapshot(pages) == packed


def test_regenerating_an_article_page_that_is_now_refused_writes_nothing_and_fails(pages: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(body: bytes, url: str) -> Any:
        raise NotAnArticle("unknown-layout", "no layout matched")

    before = (pages / EMBEDS.folder / "expected.json").read_bytes()
    monkeypatch.setattr(build, "extract_article", refuse)
    assert build.main(["--expected", EMBEDS.folder]) == 1
    assert (pages / EMBEDS.folder / "expected.json").read_bytes() == before
    assert f"{EMBEDS.folder}: not an article (unknown-layout" in capsys.readouterr().err


def test_regenerating_a_refused_page_that_now_reads_as_an_article_writes_nothing_and_fails(pages: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    article = extract_article(build.page_bytes(EMBEDS, PAGES / EMBEDS.folder), EMBEDS.url)
    before = (pages / REFUSED.folder / "expected.json").read_bytes()
    monkeypatch.setattr(build, "extract_article", lambda body, url: article)
    assert build.main(["--expected", REFUSED.folder]) == 1
    assert (pages / REFUSED.folder / "expected.json").read_bytes() == before
    assert f"{REFUSED.folder}: must be refused as {REFUSED.not_article!r}" in capsys.readouterr().err


def test_regenerating_a_real_page_without_shared_fails_in_one_line_and_copies_nothing(pages: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(build, "SHARED", tmp_path / "no-shared")
    before = _snapshot(pages)
    assert build.main(["--expected", REAL.folder]) == 1
    assert _snapshot(pages) == before
    err = capsys.readouterr().err
    assert f"{REAL.folder}: " in err and "is absent" in err and "Traceback" not in err


def test_regenerating_a_real_page_writes_no_copy_of_it_into_the_project(pages: Path) -> None:
    if not (build.SHARED / REAL.shared).is_file():  # type: ignore[operator]
        pytest.skip(f"{build.SHARED / str(REAL.shared)} is absent: the real page is read from ../shared")
    before = _snapshot(pages)
    build.main(["--expected", REAL.folder])
    assert _snapshot(pages) == before


# --- the gate ------------------------------------------------------------------------------------------------


def test_the_body_f1_reads_hindi_words_whole_with_their_vowel_signs() -> None:
    # \w alone leaves out the vowel signs and the virama (Unicode marks): "कि" and "का" were both "क",
    # so a Hindi body with every vowel sign wrong scored 1.0 and a word split in pieces counted as several.
    assert quality.lcs_f1("कि", "का") == 0.0
    assert quality.lcs_f1("हिंदी में", "हिंदी में") == 1.0
    assert quality.lcs_f1("हिंदी में किताब", "हिंदी में किताब पढ़ी") == pytest.approx(2 * 1.0 * 0.75 / 1.75)
    assert quality.words("प्रतिशत कर दिया है।") == ["प्रतिशत", "कर", "दिया", "है"]
    assert quality.words("café naïve") == ["café", "naïve"]
    assert quality.words("cafe\u0301 x") == ["café", "x"]  # a combining accent stays in its word


def test_lists_are_compared_as_sets_order_and_duplicates_aside_a_missing_element_caught() -> None:
    assert quality._same("topics", ["b", "a", "a"], ["a", "b"])
    assert not quality._same("topics", ["a"], ["a", "b"])
    assert not quality._same("topics", ["a", "b", "c"], ["a", "b"])
    assert not quality._same("authors", [], ["A"])


def _small_gate(monkeypatch: pytest.MonkeyPatch, extract: Any) -> list[BenchPage]:
    chosen = [c for c in CASES if c.not_article is None and not c.shared][:4]
    gate = [BenchPage("test pages", c.url, build.page_bytes(c, PAGES / c.folder), view_of_item(json.loads((PAGES / c.folder / "expected.json").read_text(encoding="utf-8")))) for c in chosen]
    gate.append(replace(gate[0], group="real page"))
    monkeypatch.setattr(quality, "gate_pages", lambda: gate)
    monkeypatch.setattr(quality, "extract_article", extract)
    return gate


@pytest.mark.parametrize("field", ["headline", "authors", "datePublished", "isPremium", "topics", "articleBody"])
def test_each_floor_bites_when_the_extractor_gets_one_field_of_one_page_wrong(field: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    gate = _small_gate(monkeypatch, extract_article)
    assert quality.main() == 0, capsys.readouterr().out
    def one_wrong(body: bytes, url: str) -> Any:
        article = extract_article(body, url)
        if body != gate[1].body:
            return article
        wrong: dict[str, Any] = {"headline": "Another headline", "authors": [], "datePublished": "2001-01-01T00:00:00+05:30", "isPremium": not article.isPremium, "topics": [*article.topics, "Not a topic"], "articleBody": "Nothing of the story."}
        return replace(article, **{field: wrong[field]})

    monkeypatch.setattr(quality, "extract_article", one_wrong)
    assert quality.main() == 1
    out = capsys.readouterr().out
    assert f"{gate[1].url}: {field}" in out and "BELOW FLOOR" in out


def test_an_extractor_exception_on_one_page_fails_the_gate_naming_the_page(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    gate: list[BenchPage] = []

    def crash(body: bytes, url: str) -> Any:
        if body == gate[2].body:
            raise IndexError("list index out of range")
        return extract_article(body, url)

    gate.extend(_small_gate(monkeypatch, crash))
    assert quality.main() == 1
    out = capsys.readouterr().out
    assert f"{gate[2].url}: extraction raised IndexError: list index out of range" in out
    assert "Extraction quality over 5 pages" in out


def test_the_gate_says_how_many_pages_of_each_origin_it_read(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _small_gate(monkeypatch, extract_article)
    assert quality.main() == 0
    assert "pages: test pages 4, real page 1" in capsys.readouterr().out


def test_the_gate_over_the_real_pages_counts_each_real_page(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if not (build.SHARED / "real").is_dir():
        pytest.skip(f"{build.SHARED / 'real'} is absent: the gate includes the real pages")
    monkeypatch.setattr(quality, "loopback_pages", lambda current, amp: iter([]))  # the fixtures alone
    assert quality.main() == 0
    real = sum(1 for c in CASES if c.shared and c.not_article is None)
    assert f"real page {real}" in capsys.readouterr().out

