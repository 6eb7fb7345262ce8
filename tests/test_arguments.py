"""A careless operator: every wrong ``-a`` value is one ``error:`` line and exit 2, before Scrapy starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from crawler.monitoring.verdict import EXIT_USAGE
from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.article import ArticleSpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.e2e import scrapy
from tests.conftest import ROOT, SITE
from tests.loopback.site import LoopbackSite

GOOD = f"{SITE}/markets/news/x-124022800873_1.html"


def _settings(base_url: str = SITE) -> Settings:
    return Settings({"BS_BASE_URL": base_url})


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    binary = tmp_path / "urls.bin"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe\x00garbage\x00")
    nul = tmp_path / "nul.txt"
    nul.write_bytes(GOOD.encode() + b"\n\x00\n")
    comments = tmp_path / "comments.txt"
    comments.write_text("# nothing but comments\n\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"binary": str(binary), "nul": str(nul), "comments": str(comments), "folder": str(folder), "missing": str(tmp_path / "none.html")}


# (spider, arguments, words the one line must hold); {name} is filled from the files fixture.
WRONG = [
    (SectionSpider, {"sections": "markets/news", "pages": "²"}, "pages='²' must be a whole number"),
    (SectionSpider, {"sections": "markets/news", "pages": "٣"}, "must be a whole number"),
    (SectionSpider, {"sections": "markets/news", "pages": "0"}, "must be a whole number"),
    (SectionSpider, {"sections": "markets/news", "pages": "99999999999999999999"}, "from 1 to"),
    (SectionSpider, {"sections": "márkets/news"}, "not a section path"),
    (SectionSpider, {"sections": "markets/news", "page": "3"}, "unknown argument(s) page; it takes -a fresh=…, -a sections=…, -a pages=…"),
    (ArchiveSpider, {"since": "2024-02-30"}, "is not a date"),
    (ArchiveSpider, {"since": "2024-01-01", "untill": "2024-02-01"}, "unknown argument(s) untill"),
    (LatestSpider, {"fresh": "maybe"}, "fresh='maybe' must be 1 or 0"),
    (LatestSpider, {"since": "2024-01-01"}, "unknown argument(s) since; it takes -a fresh=…"),
    (ArticleSpider, {"url": "http://[::1"}, "not a valid URL"),
    (ArticleSpider, {"url": "http://127.0.0.1:port/x"}, "not a valid URL"),
    (ArticleSpider, {"url": "https:///markets/news/x-124022800873_1.html"}, "no host"),
    (ArticleSpider, {"url": "javascript:alert(1)"}, "not an http(s) or file:// URL"),
    (ArticleSpider, {"url": "file://{missing}"}, "no such saved page"),
    (ArticleSpider, {"url": "file://otherhost/tmp/x.html"}, "names a file on this machine"),
    (ArticleSpider, {"url": "https://evil.example/markets/news/x-124022800873_1.html"}, "is not on BS_BASE_URL's site"),
    (ArticleSpider, {"urls": f"{GOOD},https://business-standard.com.evil.example/x-124022800873_1.html"}, "is not on BS_BASE_URL's site"),
    (ArticleSpider, {"url": "https://m.bshindi.com.evil.example/storypage.php?autono=166607"}, "is not on BS_BASE_URL's site"),
    (ArticleSpider, {"url_file": "{binary}"}, "not a UTF-8 text file"),
    (ArticleSpider, {"url_file": "{nul}"}, "binary file"),
    (ArticleSpider, {"url_file": "{comments}"}, "lists no URL"),
    (ArticleSpider, {"url_file": "{folder}"}, "does not exist or is not a file"),
    (ArticleSpider, {"url": GOOD, "ur": GOOD}, "unknown argument(s) ur; it takes -a url=…, -a urls=…, -a url_file=…"),
]


@pytest.mark.parametrize(("spider_class", "arguments", "message"), WRONG)
def test_wrong_arguments_are_one_usage_error(spider_class: type, arguments: dict[str, str], message: str, files: dict[str, str]) -> None:
    filled = {name: value.format(**files) for name, value in arguments.items()}
    with pytest.raises(UsageError) as caught:
        spider_class.check_usage(filled, _settings())
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("spider_class", "arguments"),
    [
        (SectionSpider, {"sections": "markets/news,companies/news", "pages": "20", "fresh": "1"}),
        (ArchiveSpider, {"since": "2024-01-01", "until": "2024-02-01", "fresh": "0"}),
        (LatestSpider, {}),
        (LatestSpider, {"_job": "6487ec79947edab326d6db28a2d86511e8247444"}),  # scrapyd's job id
        (ArticleSpider, {"url": GOOD}),
        (ArticleSpider, {"url": "https://hindi.business-standard.com/x-124022800873_1.html"}),
        (ArticleSpider, {"urls": "https://hindi.business-standard.com//storypage.php?autono=166607,https://m.bshindi.com/storypage.php?autono=166607"}),
    ],
)
def test_right_arguments_pass(spider_class: type, arguments: dict[str, str]) -> None:
    spider_class.check_usage(arguments, _settings())


def test_the_configured_site_and_saved_pages_are_on_the_site(tmp_path: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_text("<html></html>")
    ArticleSpider.check_usage({"urls": f"http://127.0.0.1:8000/a/x-124022800873_1.html,{page.as_uri()}"}, _settings("http://127.0.0.1:8000"))


# --- the command, as cron runs it ---------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=10, seed=4) as running:
        yield running



@pytest.mark.parametrize(
    "arguments",
    [
        ("section", "-a", "sections=markets/news", "-a", "pages=²"),
        ("article", "-a", "url=http://[::1"),
        ("article", "-a", "url_file={binary}"),
        ("article", "-a", "url=file://{missing}"),
        ("article", "-a", "url=https://www.example.com/markets/news/x-124022800873_1.html"),
        ("latest", "-a", "fersh=1"),
        ("archive", "-a", "since=yesterday"),
    ],
)
def test_the_command_prints_one_error_line_and_exits_2_before_scrapy_starts(
    site: LoopbackSite, tmp_path: Path, files: dict[str, str], arguments: tuple[str, ...]
) -> None:
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", *(a.format(**files) for a in arguments), "-s", f"BS_BASE_URL={site.base_url}")
    assert done.returncode == EXIT_USAGE
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-3000:]
    assert done.stdout == ""
    assert sum(site.counts.values()) == 0
    # Nothing made but the refusal's record in the run history.
    assert sorted(p.name for p in (tmp_path / ".state").iterdir()) == ["runs.jsonl"]
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("base_url", ["", "127.0.0.1:8000", "ftp://example.org"])
def test_a_base_url_that_is_no_http_url_is_one_usage_error(base_url: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={base_url}"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == EXIT_USAGE
    assert done.stderr.strip().splitlines() == [f"error: BS_BASE_URL={base_url!r} is not an http(s) URL like https://www.business-standard.com"]
