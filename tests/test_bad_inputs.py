"""The catalogue of bad inputs (README "Bad input"): each one a log line naming the URL, a stat,
no traceback, no bad item, no lost item."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extraction import Article, NotAnArticle, extract_article
from crawler.extraction.validate import missing_required
from crawler.schema import SCHEMA_PATH
from tests.conftest import PAGES, SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.pages.specs import SEED

# fault → (stat that must be counted, whether the article still comes out)
FAULTS = {
    "truncated": ("bs/failed/data-loss", False),
    "empty": ("bs/skipped/empty", False),
    "latin1": ("bs/recovered/encoding", True),
    "block403": ("bs/blocked/403", False),
    "block200": ("bs/skipped/blocked", False),
    "paywall-stub": ("bs/skipped/paywall-stub", False),
    "404": ("bs/failed/http-404", False),
    "410": ("bs/failed/http-410", False),
    "error500-once": ("retry/reason_count/500 Internal Server Error", True),
    "error503-always": ("bs/failed/http-503", False),
    "redirect-home": ("bs/skipped/redirected-away", False),
    "slow": ("bs/failed/timeout", False),
    "gzip-bomb": ("bs/failed/too-large", False),
}


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One `article` run over a good article, each fault, and pages that are not articles."""
    with LoopbackSite(articles=80, seed=5, slow_seconds=4) as site:
        current = [r for r in site.articles if r.layout == "current"]
        faulty = dict(zip(FAULTS, current[-len(FAULTS) :]))
        for kind, record in faulty.items():
            site.set_fault(record.article_id, kind)
        good = current[0]
        others = {
            "listing": site.base_url + "/markets/news",
            # (A topic page's or a video's address is refused before anything is fetched, and the run with it:
            # tests/test_leftovers_probes_round25.py. A section's front is known from its page alone.)
            "amp-twin": site.base_url + "/amp" + good.path,
            "other-slug-twin": f"{site.base_url}/a/another-slug-{good.article_id}_1.html",
        }
        urls = [good.url, *(r.url for r in faulty.values()), *others.values()]
        result = crawl(
            "article",
            tmp_path_factory.mktemp("faults"),
            "-a",
            "urls=" + ",".join(urls),
            settings={"BS_BASE_URL": site.base_url, "DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "1"},
        )
        assert not site.errors
        yield result, faulty, good, others


@pytest.mark.xdist_group("faulty-run")
def test_no_traceback_and_only_good_items(faulty_run) -> None:  # type: ignore[no-untyped-def]
    result, faulty, good, _ = faulty_run
    assert "Traceback" not in result.log, result.log[-4000:]
    expected = {good.article_id} | {faulty[k].article_id for k, (_, comes_out) in FAULTS.items() if comes_out}
    assert sorted(result.ids()) == sorted(expected)
    schema = json.loads(SCHEMA_PATH.read_text())
    for item in result.items:
        jsonschema.validate(item, schema)
        assert item["headline"] and item["articleBody"] and item["datePublished"]
        assert "\ufffd" not in json.dumps(item, ensure_ascii=False), "no mojibake reaches the output"


@pytest.mark.xdist_group("faulty-run")
@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_each_fault_has_its_stat_and_a_log_line_naming_the_url(faulty_run, kind: str) -> None:  # type: ignore[no-untyped-def]
    result, faulty, _, _ = faulty_run
    stat, _ = FAULTS[kind]
    assert stats_from_log(result.log).get(stat, 0) >= 1, stat
    if kind == "error500-once":
        return  # retried and emitted: Scrapy's retry line is DEBUG, the retry stat says it
    assert faulty[kind].path in "\n".join(l for l in result.log.splitlines() if " WARNING: " in l or " ERROR: " in l)


@pytest.mark.xdist_group("faulty-run")
@pytest.mark.parametrize(("name", "stat"), [("listing", "bs/skipped/listing")])
def test_pages_that_are_not_articles(faulty_run, name: str, stat: str) -> None:  # type: ignore[no-untyped-def]
    result, _, _, others = faulty_run
    assert stats_from_log(result.log).get(stat, 0) >= 1
    assert f"Skipped <{others[name]}>: not an article" in result.log


@pytest.mark.xdist_group("faulty-run")
def test_two_slugs_and_the_amp_url_are_one_article(faulty_run) -> None:  # type: ignore[no-untyped-def]
    result, _, good, _ = faulty_run
    assert result.ids().count(good.article_id) == 1
    # Folded before the fetch: the story is asked for once (before, fetched three times, two dropped as duplicates).
    stats = stats_from_log(result.log)
    assert stats["bs/discovery/same_story"] == 2 and "article/dropped/duplicate" not in stats
    assert [item["url"] for item in result.items if item["articleId"] == good.article_id] == [good.url]


def test_an_oversized_page_is_refused(tmp_path: Path) -> None:
    with LoopbackSite(articles=10, seed=2) as site:
        record = [r for r in site.articles if r.layout == "current"][-1]
        result = crawl("article", tmp_path, "-a", f"url={record.url}", settings={"BS_BASE_URL": site.base_url, "DOWNLOAD_MAXSIZE": "4000"})
    assert result.items == [] and "Traceback" not in result.log
    assert stats_from_log(result.log).get("bs/failed/too-large") == 1, result.log[-3000:]


# --- the rules on their own -----------------------------------------------------------------------

SEED_HTML = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
SEED_URL = SITE + SEED.path


def test_invalid_json_ld_is_read_anyway_and_a_page_without_any_still_extracts() -> None:
    assert "\n" in SEED_HTML.split('"articleBody": "', 1)[1][:2000], "the seed's JSON-LD has raw newlines"
    assert extract_article(SEED_HTML, SEED_URL).headline == SEED.headline
    broken = SEED_HTML.replace('"@type": "NewsArticle",', '"@type": "NewsArticle",,,')
    without = "".join(part.split("</script>", 1)[-1] for part in broken.split('<script type="application/ld+json">'))
    for html in (broken, without):
        article = extract_article(html, SEED_URL)
        assert article.headline == SEED.headline and article.datePublished == "2024-02-28T15:42:00+05:30"


def test_next_data_with_missing_keys_falls_back_to_json_ld_and_the_dom() -> None:
    start = SEED_HTML.index('<script id="__NEXT_DATA__"')
    end = SEED_HTML.index("</script>", start)
    html = SEED_HTML[:start] + '<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {}}}' + SEED_HTML[end:]
    article = extract_article(html, SEED_URL)
    assert article.headline == SEED.headline
    assert article.authors and article.authors[0].name == "Press Trust of India"
    assert article.articleBody and article.articleBody.startswith("Cooperation in the field")
    assert article.dateline == "New Delhi" and article.topics


def test_an_article_whose_date_cannot_be_read_is_dropped_not_written(tmp_path: Path) -> None:
    html = (
        SEED_HTML.replace("2024-02-28T15:42:00+05:30", "not a date")
        .replace('"publishDate": 1709115120', '"publishDate": "soon"')
        .replace("First Published: Feb 28 2024 | 3:42 PM IST", "First Published: someday")
    )
    assert extract_article(html, SEED_URL).datePublished is None
    page = tmp_path / "undated.html"
    page.write_text(html, encoding="utf-8")
    result = crawl("article", tmp_path, "-a", f"url={page.as_uri()}")
    assert result.items == []
    assert stats_from_log(result.log)["article/dropped/missing_datePublished"] == 1
    assert "missing required field(s): datePublished" in result.log


def test_a_live_blog_is_an_item_marked_live() -> None:
    html = (PAGES / "nextjs-2023" / "live-blog" / "page.html").read_text(encoding="utf-8")
    article = extract_article(html, "https://www.business-standard.com/markets/news/stock-market-live-updates-sensex-nifty-today-124110500018_1.html")
    assert article.isLiveBlog and "IT stocks lead gains" in (article.articleBody or "")


# --- property-based: random and mutated HTML ---------------------------------------------------------

SCHEMA = json.loads(SCHEMA_PATH.read_text())
PAGE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(PAGES.glob("nextjs-2023/*/page.html"))]


def _check(html: str | bytes) -> None:
    try:
        article = extract_article(html, SEED_URL)
    except NotAnArticle as error:
        assert error.reason
        return
    assert isinstance(article, Article)
    if missing_required(article):
        return  # dropped by the validation pipeline, never written: the schema is of written lines
    # The spider's stamp, as on every written line.
    article.dateDownloaded = "2024-03-01T09:00:00+05:30"
    jsonschema.validate(asdict(article), SCHEMA)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=3000), st.binary(max_size=3000)))
def test_random_input_gives_an_item_or_not_an_article(html: str | bytes) -> None:
    _check(html)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    page=st.sampled_from(PAGE_TEXTS),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 0.2), st.text(max_size=40)), min_size=1, max_size=6),
)
def test_mutated_pages_give_an_item_or_not_an_article(page: str, cuts: list[tuple[float, float, str]]) -> None:
    for start, length, insert in cuts:
        begin = int(start * len(page))
        page = page[:begin] + insert + page[begin + int(length * len(page)) :]
    _check(page)
