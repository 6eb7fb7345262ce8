"""Round 25 probes: the command line as users type it, addresses pasted from a browser, a chat or a mail.

Before these fixes: an article's address given to ``crawl article`` as it is pasted from a chat or
Markdown, in angle brackets, quotes or brackets (``<URL>``, ``"URL"``, ``(URL)``), was refused as "not an
http(s) or file:// URL" (exit 2), and one with the sentence's punctuation after it (``…_1.html.``,
``…_1.html),``) was fetched so, a 404, the story not read (exit 1); an address of Google's AMP cache or
viewer (``www-business--standard-com.cdn.ampproject.org/c/s/www.business-standard.com/amp/…``, Google's
``/amp/s/…``) was refused as off the site; a shared link's click id (Facebook's ``?fbclid=``, Google's
``?gclid=``) stayed in the item's ``url`` (only ``utm_`` parameters went), so the story's ``url`` changed
with the link that led to it; and a ``url_file`` saved as "Unicode" by Notepad or written by Windows
PowerShell's ``>`` (UTF-16 with its byte order mark) was refused as no UTF-8 text file (exit 2)."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.extraction.discovery import parse_feed_or_sitemap
from crawler.extraction.urls import article_fetch_url, pasted_url, without_tracking
from crawler.spiders.article import ArticleSpider
from tests.conftest import SITE
from tests.e2e import crawl, scrapy, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_identity_probes_round18 import _rss, _start_requests
from tests.test_spiders_unit import make_spider

STORY = SITE + "/markets/news/sensex-ends-higher-124101400008_1.html"
HINDI = "https://hindi.business-standard.com/storypage.php?autono=124101"
HINDI_DESKTOP = "https://hindi.business-standard.com//storypage.php?autono=124101"

# How a story's address is pasted: around it, after it, or both.
PASTED = {
    "angle brackets (a mail, Slack)": "<{}>",
    "double quotes": '"{}"',
    "single quotes": "'{}'",
    "curly quotes (a word processor)": "\u201c{}\u201d",
    "brackets": "({})",
    "square brackets": "[{}]",
    "back quotes (Markdown code)": "`{}`",
    "a full stop after it": "{}.",
    "a comma after it": "{},",
    "a closing bracket after it (Markdown's [text](URL))": "{})",
    "brackets and a full stop": "({}).",
    "a quote and a full stop": '"{}".',
    "an exclamation mark": "{}!",
    "white space and a line break": "  {}\n",
}


def _settings() -> Settings:
    return Settings({"BS_BASE_URL": SITE})


@pytest.mark.parametrize("form", sorted(PASTED))
def test_a_story_pasted_with_what_stood_around_it_is_fetched_by_its_address(tmp_path: Path, form: str) -> None:
    given = PASTED[form].format(STORY)
    ArticleSpider.check_usage({"url": given}, _settings())  # (before: exit 2, "not an http(s) or file:// URL", for those around it)
    spider = make_spider(ArticleSpider, tmp_path, url=given)
    # (Before: the punctuation after it fetched, a 404.)
    assert [request.url for request in _start_requests(spider)] == [STORY]
    assert spider.crawler.stats.get_value(stat.ARGUMENT_URL_PASTED) == (None if given.strip() == STORY else 1)


def test_a_hindi_story_and_a_saved_page_pasted_so_are_read_as_their_address(tmp_path: Path) -> None:
    page = tmp_path / "saved page.html"
    page.write_text("<html></html>")
    assert pasted_url(f"<{HINDI}>.") == HINDI
    assert pasted_url(f"({page.as_uri()}).") == page.as_uri()
    arguments = {"urls": f"<{HINDI}>.,({page.as_uri()})"}
    ArticleSpider.check_usage(arguments, _settings())
    spider = make_spider(ArticleSpider, tmp_path, **arguments)
    assert [request.url for request in _start_requests(spider)] == [HINDI_DESKTOP, page.as_uri()]


@pytest.mark.parametrize(
    "url",
    [
        # Characters an address may end with where no story's address ends: left as they are.
        SITE + "/markets/news/a-story.html?q=(1)",
        SITE + "/markets/news/sensex-ends-higher-124101400008_1.html?ref=a.b",
        "https://www.example.com/page.",
        STORY + "#top.",
    ],
)
def test_what_ends_another_address_is_left_to_it(url: str) -> None:
    assert pasted_url(url) == url


@pytest.mark.parametrize(
    ("given", "message"),
    [
        # What stays wrong once the pasting is undone is refused as before, in one line.
        ("<>", "lists no URL"),
        ("<www.business-standard.com/markets/news/a-124101400008_1.html>", "not an http(s) or file:// URL"),
        ("<https://www.example.com/markets/news/a-124101400008_1.html>.", "is not on BS_BASE_URL's site"),
        ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/amp/a-124101400008_1.html", "'https://www.example.com/amp/a-124101400008_1.html' is not on BS_BASE_URL's site"),
    ],
)
def test_what_is_no_address_of_the_site_once_unwrapped_is_still_one_error_line(given: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        ArticleSpider.check_usage({"url": given}, _settings())
    assert message in str(raised.value) and "\n" not in str(raised.value)


AMP_PATH = "/markets/news/sensex-ends-higher-124101400008_1.html"


@pytest.mark.parametrize(
    "given",
    [
        f"https://www-business--standard-com.cdn.ampproject.org/c/s/www.business-standard.com/amp{AMP_PATH}",
        f"https://www-business--standard-com.cdn.ampproject.org/c/s/www.business-standard.com/amp{AMP_PATH}?amp_js_v=a6&usqp=mq331AQFKAGwASA%3D",
        f"https://www-business--standard-com.cdn.ampproject.org/v/s/www.business-standard.com/amp{AMP_PATH}?amp_js_v=0.1",
        f"https://www.google.com/amp/s/www.business-standard.com/amp{AMP_PATH}",
        f"https://www.google.co.in/amp/s/www.business-standard.com/amp{AMP_PATH}",
        f"<https://www.google.com/amp/s/www.business-standard.com/amp{AMP_PATH}>.",
    ],
)
def test_an_address_of_googles_amp_cache_is_fetched_as_the_story_it_serves(tmp_path: Path, given: str) -> None:
    ArticleSpider.check_usage({"url": given}, Settings())  # (before: exit 2, "is not on BS_BASE_URL's site")
    spider = make_spider(ArticleSpider, tmp_path, url=given)
    assert [request.url for request in _start_requests(spider)] == ["https://www.business-standard.com" + AMP_PATH]
    assert spider.crawler.stats.get_value(stat.ARGUMENT_URL_PASTED) == 1


CLICK_IDS = ["fbclid=IwAR2x0abc", "gclid=Cj0KCQiA", "igshid=MzRlODBiNWFlZA==", "mc_cid=5c1d&mc_eid=9a8b", "msclkid=abc123", "_gl=1*abc*_ga*MTIz"]


@pytest.mark.parametrize("click", CLICK_IDS)
def test_a_shared_links_click_id_is_no_part_of_the_story_fetched_nor_of_its_url(click: str) -> None:
    assert article_fetch_url(f"{STORY}?{click}") == STORY
    assert article_fetch_url(f"{STORY}?region=in&{click}&utm_source=fb") == f"{STORY}?region=in"
    # (A feed's or listing's link alike.)
    assert [entry.url for entry in parse_feed_or_sitemap(_rss(f"{STORY}?{click}"), SITE + "/rss/latest.rss").entries] == [STORY]
    assert without_tracking(f"{STORY}?{click}#top") == f"{STORY}#top"


def test_a_parameter_that_only_looks_like_a_click_id_is_kept() -> None:
    for kept in ("fbclid_note=1", "myclid=2", "region=in"):
        assert article_fetch_url(f"{STORY}?{kept}") == f"{STORY}?{kept}"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE), ("utf-8", codecs.BOM_UTF8), ("utf-8", b"")],
)
def test_a_url_file_in_unicode_with_its_byte_order_mark_is_read(tmp_path: Path, encoding: str, bom: bytes) -> None:
    other = SITE + "/companies/news/tata-steel-output-rises-124101400009_1.html"
    url_file = tmp_path / "urls.txt"
    # As Notepad ("Unicode") or Windows PowerShell's `>` writes it: CRLF line ends, a comment, a blank line.
    url_file.write_bytes(bom + f"# today's stories\r\n{STORY}\r\n\r\n<{other}>.\r\n".encode(encoding))
    ArticleSpider.check_usage({"url_file": str(url_file)}, _settings())  # (before: exit 2 for UTF-16 and UTF-32, "not a UTF-8 text file")
    spider = make_spider(ArticleSpider, tmp_path, url_file=str(url_file))
    assert [request.url for request in _start_requests(spider)] == [STORY, other]


def test_a_url_file_in_utf16_without_its_mark_is_still_refused_in_one_line(tmp_path: Path) -> None:
    url_file = tmp_path / "urls.txt"
    url_file.write_bytes(f"{STORY}\n".encode("utf-16-le"))  # (NULs between its letters: no text to read without the mark)
    with pytest.raises(UsageError, match="is a binary file, not a text file of URLs"):
        ArticleSpider.check_usage({"url_file": str(url_file)}, _settings())
    latin = tmp_path / "latin.txt"
    latin.write_bytes(f"# caf\xe9\n{STORY}\n".encode("latin-1"))
    with pytest.raises(UsageError, match="is not a UTF-8 text file of URLs"):
        ArticleSpider.check_usage({"url_file": str(latin)}, _settings())


# --- the command, as a user pastes into it ------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=25, legacy=0) as running:
        yield running


def test_crawl_article_given_pasted_and_tagged_addresses_writes_each_story_once_under_its_address(site: LoopbackSite, tmp_path: Path) -> None:
    first, second, third = (site.base_url + article.path for article in site.articles[-3:])
    url_file = tmp_path / "urls.txt"
    url_file.write_bytes(codecs.BOM_UTF16_LE + f"({third}).\r\n".encode("utf-16-le"))
    done = crawl(
        "article", tmp_path, "-a", f"urls=<{first}>,{second}.,{second}?fbclid=IwAR2x0abc", "-a", f"url_file={url_file}",
        settings={"BS_BASE_URL": site.base_url},
    )
    # (Before: exit 2, the angle brackets refused; without them, the full stop's address a 404 and exit 1.)
    assert done.status == 0, done.log[-3000:]
    assert sorted(item["url"] for item in done.items) == sorted([first, second, third])
    assert stats_from_log(done.log).get(stat.ARGUMENT_URL_PASTED) == 3
    assert done.log.count("read as <") == 3
    assert "http-404" not in done.log


def test_every_click_id_is_looked_for() -> None:
    # (The quick look before a query is split names words of each: one left out was kept in silence.)
    from crawler.extraction.urls import CLICK_IDS, has_tracking

    assert [name for name in sorted(CLICK_IDS) if not has_tracking(f"{STORY}?{name}=1".lower())] == []


def test_scrapy_parse_given_a_pasted_address_prints_the_story(site: LoopbackSite, tmp_path: Path) -> None:
    """(Once the check took it, Scrapy fetched the address as given: its usage text, exit 2, no item.)"""
    article = site.articles[-1]
    done = scrapy(tmp_path, "parse", f"<{site.base_url}{article.path}>.", "-s", f"BS_BASE_URL={site.base_url}", "-s", "LOG_LEVEL=WARNING")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "# Scraped Items" in done.stdout and article.article_id in done.stdout
