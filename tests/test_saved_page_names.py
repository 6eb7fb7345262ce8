"""Saved pages under the names wget gives them: a second download numbered, a URL's query kept in the
file name, server-side extensions (the Hindi edition's ``storypage.php``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.reextract.sources import SAVED_PAGE, iter_source_paths, is_saved_page
from tests.test_reextract import SEED_PAGE, SEED_URL
from tests.test_reextract_probes_round11 import HINDI_PAGE, reextract_run


@pytest.mark.parametrize(
    "name",
    [
        "story-124022800873_1.html.1",  # wget without -nc, the second download of one name
        "story-124022800873_1.html.gz.3",
        "story-124022800873_1.html?utm_source=rss&utm_medium=feed",  # wget keeps the query without -E
        "storypage.php?autono=166607",
        "storypage.php@autono=166607",  # --restrict-file-names=windows
        "STORY.HTM",
        "index.shtml",
    ],
)
def test_wget_names_are_saved_pages(name: str) -> None:
    assert is_saved_page(Path(name))


@pytest.mark.parametrize("name", ["notes.txt", "image.png", "story.html.bak", "sitemap.xml?page=2", "feed.rss", "php", "a.warc.gz"])
def test_other_files_are_not(name: str) -> None:
    assert not is_saved_page(Path(name))


def test_a_wget_mirror_is_read_whole(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "www.business-standard.com" / "india-news").mkdir(parents=True)
    (mirror / "hindi.business-standard.com").mkdir()
    story = SEED_URL.rsplit("/", 1)[1]
    english = mirror / "www.business-standard.com" / "india-news"
    shutil.copy(SEED_PAGE, english / f"{story}?utm_source=rss")
    shutil.copy(SEED_PAGE, english / f"{story}.1")  # fetched again in a later mirror run
    shutil.copy(HINDI_PAGE, mirror / "hindi.business-standard.com" / "storypage.php?autono=166607")
    (english / "robots.txt").write_text("User-agent: *\n")
    kinds = sorted(kind for kind, _ in iter_source_paths(mirror))
    assert kinds == [SAVED_PAGE] * 3

    status, items, stats, log = reextract_run(mirror, tmp_path)

    assert status == 0, log[-3000:]
    assert sorted(item["articleId"] for item in items) == sorted(["124022800873", "hi-166607"])
    assert stats["article/dropped/duplicate"] == 1  # the same story twice is one item
