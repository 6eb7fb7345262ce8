"""The item contract (tests/item_contract.py) over every page the crawler can read, and the defects it found."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.extraction import Article, NotAnArticle, extract, extract_article
from tests.conftest import PAGES
from tests.item_contract import contract_problems
from tests.pages.build import page_bytes
from tests.pages.cases import CASES

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

STORY_URL = "https://www.business-standard.com/companies/news/tata-motors-and-mahindra-step-up-ev-capacity-ahead-of-festive-demand-124071000934_1.html"
CANONICAL = f'<link rel="canonical" href="{STORY_URL}">'


def _problems_of(body: bytes | str, url: str) -> list[str] | None:
    """The contract's complaints about the item a page gives; None for a page refused as no article."""
    try:
        return contract_problems(extract(body, url).article)
    except NotAnArticle:
        return None


def _story() -> str:
    return (PAGES / "nextjs-2023" / "staff-multi-author" / "page.html").read_text(encoding="utf-8")


def _item(html: str, url: str = STORY_URL) -> Article:
    article = extract_article(html, url)
    assert contract_problems(article) == []
    return article


# --- every page the crawler reads ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.folder)
def test_every_test_page_gives_a_well_formed_item_or_none(case: object) -> None:
    # Every layout's fixtures, the real pages kept in ../shared/real and the page written from ../shared/seed.
    shared = getattr(case, "shared")
    if shared and not (SHARED / shared).is_file():
        pytest.skip(f"{SHARED / shared} is absent: clone the project beside ../shared to run this test")
    body = page_bytes(case, PAGES / getattr(case, "folder"))  # type: ignore[arg-type]
    assert _problems_of(body, getattr(case, "url")) in ([], None)


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    from tests.loopback.site import LoopbackSite

    loopback = LoopbackSite(articles=120, seed=13)
    yield loopback
    loopback.stop()


def _loopback_pages(site):  # type: ignore[no-untyped-def]
    from tests.loopback.corpus import CURRENT

    for record in site.articles:
        forms = ("page", "amp") if record.layout == CURRENT else ("page",)
        for form in forms:
            url = site.base_url + ("/amp" if form == "amp" else "") + record.path
            for variant in ("", "stale-first", "paywall-stub"):
                yield f"{form} {variant} {record.article_id}", url, site.article_response(record, form, variant).body


def test_every_loopback_article_page_gives_a_well_formed_item(site) -> None:  # type: ignore[no-untyped-def]
    # Current and pre-2023 pages, the AMP twins, the stories before their updates, the paywall stubs.
    failures = {name: problems for name, url, body in _loopback_pages(site) if (problems := _problems_of(body, url))}
    assert failures == {}


@pytest.mark.parametrize("seed", [7, 13, 29])
def test_a_mutated_page_gives_a_smaller_item_or_none_never_a_malformed_one(site, seed: int) -> None:  # type: ignore[no-untyped-def]
    # bench.differential's mutations: seeded random cuts and insertions of markup-ish characters.
    pages = [(url, body.decode()) for _, url, body in _loopback_pages(site)]
    rng = random.Random(seed)
    failures = {}
    for index in range(400):
        url, text = rng.choice(pages)
        for _ in range(rng.randint(1, 6)):
            begin = rng.randrange(len(text))
            cut = rng.randint(0, len(text) // 5)
            insert = "".join(rng.choice("<>/\"'= &;#divpsan\n{}[]:,") for _ in range(rng.randint(0, 40)))
            text = text[:begin] + insert + text[begin + cut :]
        problems = _problems_of(text, url)
        if problems:
            failures[f"{index} {url}"] = problems
    assert failures == {}


def test_the_differential_pages_give_well_formed_items() -> None:
    # The block, truncated, re-encoded and stub pages of bench.differential, and its mutations of seed 1.
    from bench.differential import _pages

    failures = {name: problems for name, url, body in _pages(60, 300, 1) if (problems := _problems_of(body, url))}
    assert failures == {}


# --- canonicalUrl: on the article's own site, with a host -----------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "https://{{host}}/companies/news/tata-motors-124071000934_1.html",  # a template's placeholder for the host
        "https://www.business-standard.com,www.business-standard.com/companies/news/x-124071000934_1.html",  # two run together
        "https://www.example.com/companies/news/tata-motors-124071000934_1.html",  # a template's default site
        "https://news.google.com/companies/news/another-story-124071000935_1.html",  # another site, another story's id
    ],
)
def test_a_canonical_link_off_the_site_or_without_a_host_is_not_the_page_s_address(href: str) -> None:
    article = _item(_story().replace(CANONICAL, f'<link rel="canonical" href="{href}">'))
    # JSON-LD's address of the page is taken instead, and the id is the story's own.
    assert (article.canonicalUrl, article.articleId) == (STORY_URL, "124071000934")


def test_a_canonical_link_on_the_other_host_of_the_edition_is_kept() -> None:
    # The site's hosts are one site: a mobile page names its desktop page, a Hindi AMP page its storypage.php.
    mobile = STORY_URL.replace("www.", "m.")
    assert _item(_story(), mobile).canonicalUrl == STORY_URL


# --- links: no fragment, a host ---------------------------------------------------------------------------------


def test_links_in_the_item_carry_no_fragment_nor_a_hostless_address() -> None:
    related = "https://www.business-standard.com/companies/news/tata-power-to-set-up-1-000-ev-chargers-124052300118_1.html"
    image = "https://bsmedia.business-standard.com/_media/bs/img/article/2024-07/10/full/1720625700-2231.jpg"
    page = _story().replace(f'"url": "{image}"', f'"url": "{image}#main"').replace(f'href="{related}"', f'href="{related}#comments"')
    page = page.replace('"https://www.business-standard.com/author/search/keyword/shine-jacob"', '"https://{{site}}/author/shine-jacob"')
    article = _item(page)
    assert article.mainImage is not None and article.mainImage.url == image
    assert related in [r.url for r in article.alsoRead]
    assert article.authors[0].name == "Shine Jacob" and article.authors[0].url != "https://{{site}}/author/shine-jacob"


# --- authors and topics: text, each once ------------------------------------------------------------------------


def test_an_author_name_the_cms_wrote_with_markup_is_its_text() -> None:
    page = _story().replace('"author_name": "Shine Jacob"', '"author_name": "<a href=\\"/author/shine\\">Shine Jacob</a>"')
    assert [a.name for a in _item(page).authors] == ["Shine Jacob", "Deepak Patel", "Sohini Das"]


def test_an_author_listed_twice_in_another_case_is_one_author() -> None:
    page = _story().replace('"author_name": "Deepak Patel"', '"author_name": "SHINE JACOB"').replace('"302": "Deepak Patel"', '"302": "SHINE JACOB"')
    assert [a.name for a in _item(page).authors] == ["Shine Jacob", "Sohini Das"]


def test_a_topic_listed_twice_in_another_case_is_one_topic() -> None:
    listed = "Tata Motors,TATA MOTORS,Electric vehicles,electric  vehicles"
    page = _story().replace('"keywords": "Tata Motors,Mahindra & Mahindra,Electric vehicles"', f'"keywords": "{listed}"')
    article = _item(page.replace('"articleTags": "Tata Motors,Mahindra & Mahindra,Electric vehicles"', f'"articleTags": "{listed}"'))
    assert [t.casefold() for t in article.topics] == ["tata motors", "electric vehicles"]


@pytest.mark.parametrize("markup", ["<s>Tata</s>", "<sup>Tata</sup>", "<font color=red>Tata</font>"])
def test_a_headline_with_inline_markup_in_the_article_json_is_its_text(markup: str) -> None:
    page = _story().replace('"heading1": "Tata Motors', f'"heading1": "{markup} Motors').replace('"headline": "Tata Motors', f'"headline": "{markup} Motors')
    assert _item(page).headline == "Tata Motors and Mahindra step up EV capacity ahead of festive demand"


# --- attributes a quote left open ran over markup -------------------------------------------------------------


def test_an_alt_text_run_over_the_page_s_markup_is_none() -> None:
    # (The article JSON names no alt text: the picture's attribute is read.)
    page = _story().replace('"alt_text": "Electric vehicle charging"', '"alt_text": ""')
    page = page.replace('alt="Electric vehicle charging"', 'alt="Electric vehicle charging</strong></a></div><div>The story goes on" data-x="')
    article = _item(page)
    assert article.mainImage is not None and article.mainImage.alt is None


def test_a_shown_date_attribute_run_over_markup_gives_way_to_the_label() -> None:
    page = _story().replace('data-expandedtime="Jul 11 2024 | 8:47 AM IST"', 'data-expandedtime="Jul 11 2024 | <span>8:47 AM IST</span></div><div class=x"')
    assert _item(page).dateModifiedRaw == "Jul 11 2024 | 8:47 AM IST"


# --- dates: a modification never before publication ------------------------------------------------------------


def _dated(published: str, modified: str | None) -> str:
    page = _story().replace('"datePublished": "2024-07-10T21:05:00+05:30"', f'"datePublished": "{published}"')
    epoch = int(datetime.fromisoformat(published).astimezone(timezone.utc).timestamp())
    page = page.replace('"publishDate": 1720625700', f'"publishDate": {epoch}')
    # Every source of the publication alike (one alone gives way to the others that agree, round 26).
    moment = datetime.fromisoformat(published)
    page = page.replace('published_time" content="2024-07-10T21:05:00+05:30"', f'published_time" content="{published}"')
    page = page.replace("First Published: Jul 10 2024 | 9:05 PM IST", f"First Published: {moment:%b %d %Y} | {moment.hour % 12 or 12}:{moment:%M %p} IST")
    modified_json = f'"dateModified": "{modified}", ' if modified else ""
    return page.replace('"dateModified": "2024-07-11T08:47:00+05:30", ', modified_json)


def test_last_updated_shown_to_the_minute_of_a_story_published_that_minute_is_its_publication() -> None:
    # A story never updated shows "Last Updated : Jul 11 2024 | 8:47 AM IST"; its data has the second.
    article = _item(_dated("2024-07-11T08:47:31+05:30", None))
    assert (article.datePublished, article.dateModified) == ("2024-07-11T08:47:31+05:30", "2024-07-11T08:47:31+05:30")
    assert article.dateModifiedRaw == "Jul 11 2024 | 8:47 AM IST"


def test_a_modification_before_publication_is_no_modification_time() -> None:
    article = _item(_dated("2024-07-11T08:47:31+05:30", "2024-07-09T10:00:00+05:30"))
    assert article.datePublished == "2024-07-11T08:47:31+05:30"
    # Not JSON-LD's July 9: the "Last Updated" line the page shows, to the minute of the publication, is
    # the publication (as for a story never updated). Every source before it: none (tests/test_date_probes_round25.py).
    assert article.dateModified == "2024-07-11T08:47:31+05:30"


# --- inLanguage: a language tag of the edition ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["x-default", "{{locale}}", "", "english", "EN-in"])
def test_a_declared_language_that_is_no_tag_of_the_site_s_languages_is_english(lang: str) -> None:
    page = re.sub(r'"inLanguage": *"[^"]*",?', "", _story()).replace('<html lang="en">', f'<html lang="{lang}">')
    assert _item(page).inLanguage == "en"


def test_the_contract_finds_what_it_names() -> None:
    article = _item(_story())
    broken = replace(
        article,
        canonicalUrl="https://{{host}}/x-124071000934_1.html",
        headline="Tata &amp; Mahindra <p>rise",
        authors=[*article.authors, replace(article.authors[0], name="SHINE  JACOB")],
        dateModified="2024-07-10T21:04:00+05:30",
        inLanguage="x-",
        readTimeMinutes=0,
    )
    found = " | ".join(contract_problems(broken))
    for words in ("canonicalUrl", "entity '&amp;'", "markup '<p>'", "listed twice", "after dateModified", "inLanguage", "readTimeMinutes"):
        assert words in found


# --- readTimeMinutes: a small positive whole number -------------------------------------------------------------


@pytest.mark.parametrize("shown", ["0 min read", "2.5 min read", "1,200 min read", "999 min read"])
def test_a_read_time_that_is_no_reading_time_is_none(shown: str) -> None:
    # A template's "0 min read" for a story it has no estimate of, a fraction, a grouped or placeholder number.
    assert _item(_story().replace("<span>5 min read</span>", f"<span>{shown}</span>")).readTimeMinutes is None


def test_a_read_time_is_read_as_shown() -> None:
    assert _item(_story().replace("<span>5 min read</span>", "<span>12 mins read</span>")).readTimeMinutes == 12


def test_a_breadcrumb_step_listed_twice_is_one_step() -> None:
    step = '{"@id": "https://www.business-standard.com/companies/news", "name": "Companies News"}}]'
    twice = step[:-1] + ', {"@type": "ListItem", "position": 3, "item": {"@id": "https://www.business-standard.com/companies/news", "name": "companies news"}}]'
    article = _item(_story().replace(step, twice))
    assert [b.name for b in article.breadcrumbs] == ["Home", "Companies News"]


# --- what a quote left open, or a frame left open, takes in ----------------------------------------------------

LEGACY = PAGES / "pre2023" / "synthetic-premium"
LEGACY_URL = "https://www.business-standard.com/article/markets/smallcap-rally-runs-into-valuation-wall-as-funds-curb-inflows-124030500112_1.html"


def _legacy() -> str:
    return (LEGACY / "page.html").read_text(encoding="utf-8")


GENERIC = PAGES / "generic" / "opengraph-article"
GENERIC_URL = "https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html"


def test_a_meta_tag_run_over_the_page_s_markup_is_no_value() -> None:
    # OpenGraph and the author meta are all a generic page has: a quote left open takes in the tags after it.
    page = (GENERIC / "page.html").read_text(encoding="utf-8")
    page = page.replace('content="Collections crossed Rs 2 trillion for a second month">', 'content="Collections crossed Rs 2 trillion>\n<meta property=\'og:url\' content=\'x\'>\n<meta name=x content="')
    page = page.replace('<meta name="author" content="BS Reporter">', '<meta name="author" content="BS Reporter</title></head><body><header>Business Standard</header>">')
    article = _item(page, GENERIC_URL)
    assert article.description is None or "<" not in article.description
    assert [a.name for a in article.authors if "<" in a.name] == []


def test_a_description_the_cms_escaped_markup_into_is_its_text() -> None:
    from crawler.extraction.text import attribute_text

    assert attribute_text("&lt;p&gt;Both &lt;b&gt;carmakers&lt;/b&gt; plan.&lt;/p&gt;") == "Both carmakers plan."
    assert attribute_text("Sensex &lt; 70,000") == "Sensex < 70,000"


def test_an_author_link_run_over_markup_or_with_a_no_break_space_is_a_well_formed_address() -> None:
    run_over = _legacy().replace('href="/author/search/keyword/sundar-sethuraman">', "href=\"/author/search/keyword/sundar-sethuraman,ss</pa&'<\xa0<b>x\">")
    assert _item(run_over, LEGACY_URL).authors[0].url is None
    spaced = _legacy().replace('href="/author/search/keyword/sundar-sethuraman"', 'href="/author/search/keyword/sundar\xa0sethuraman"')
    assert _item(spaced, LEGACY_URL).authors[0].url == "https://www.business-standard.com/author/search/keyword/sundar%C2%A0sethuraman"


def test_a_label_inside_a_frame_left_open_is_no_date_shown() -> None:
    # The page after an unclosed <iframe> is the frame's raw text to the parser, "Last Updated" and tags alike.
    page = _legacy().replace('<div class="last-update mT10">', '<iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X"><div class="last-update mT10">', 1)
    try:
        article = extract_article(page, LEGACY_URL)
    except NotAnArticle:
        return
    assert contract_problems(article) == []
    assert article.dateModifiedRaw is None


# --- market: finite numbers ---------------------------------------------------------------------------------------


def test_a_ticker_figure_too_long_for_a_float_is_null_not_infinity() -> None:
    from tests.test_splash_probes_round11 import market_of

    market = market_of([("Sensex", "9" * 400, "-254.86", "-0.35"), ("Nifty", "22,198.35", "65.8", "0.30")])
    assert market["Sensex"] == (None, -254.86, -0.35)
    assert market["Nifty"] == (22198.35, 65.8, 0.30)


@pytest.mark.parametrize("tail", ["#comments", "?utm_source=x#top"])
def test_the_url_fetched_is_written_without_a_fragment(tail: str) -> None:
    assert _item(_story(), STORY_URL + tail).url == STORY_URL + tail.split("#")[0]


# --- as the crawl writes them: the spider's callback, then the validation pipeline ---------------------------------


def test_every_test_article_as_the_crawl_writes_it_meets_the_contract(tmp_path: Path) -> None:
    # dateDownloaded stamped by the spider, the pipeline's second normalisation: the contract holds after both.
    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse, Request

    from crawler.pipelines import ArticleValidationPipeline
    from crawler.spiders.article import ArticleSpider
    from tests.test_spiders_unit import make_spider

    spider = make_spider(ArticleSpider, tmp_path, url=STORY_URL)
    pipeline = ArticleValidationPipeline.from_crawler(spider.crawler)
    failures, written = {}, 0
    for case in CASES:
        if case.not_article or (case.shared and not (SHARED / case.shared).is_file()):
            continue
        response = HtmlResponse(case.url, body=page_bytes(case, PAGES / case.folder), request=Request(case.url))
        for item in spider.parse_article(response):
            if not isinstance(item, Article):
                continue
            try:
                article = pipeline.process_item(item, spider)
            except DropItem:
                continue
            written += 1
            if problems := contract_problems(article):
                failures[case.folder] = problems
    assert written > 20 and failures == {}


# --- links pasted with invisible characters, or a template's word with an anchor -------------------------------


def test_a_link_pasted_with_a_zero_width_space_is_the_link() -> None:
    page = _legacy().replace('href="/author/search/keyword/sundar-sethuraman"', 'href="\u200b/author/search/keyword/sundar-sethuraman\u200b"')
    assert _item(page, LEGACY_URL).authors[0].url == "https://www.business-standard.com/author/search/keyword/sundar-sethuraman"
    inside = _legacy().replace('href="/author/search/keyword/sundar-sethuraman"', 'href="/author/search/keyword/sundar\u200b-sethuraman"')
    assert _item(inside, LEGACY_URL).authors[0].url == "https://www.business-standard.com/author/search/keyword/sundar%E2%80%8B-sethuraman"


def test_a_canonical_link_of_a_template_s_word_with_an_anchor_is_none() -> None:
    article = _item(_story().replace(CANONICAL, '<link rel="canonical" href="undefined#top">'))
    assert article.canonicalUrl == STORY_URL  # JSON-LD's address of the page


# --- what templates and editors put in a field, in every layout's pages ------------------------------------------

# A JSON string's value or an attribute's, as a CMS may write it: its placeholder words, markup, entities
# escaped twice, invisible or doubled white space, the text twice, a host placeholder, an anchor.
HAZARDS = [
    lambda v: "null", lambda v: "undefined", lambda v: "None", lambda v: "", lambda v: f"<p>{v}</p>",
    lambda v: f'<a href=\\"/x\\">{v}</a>', lambda v: "&lt;b&gt;" + v + "&lt;/b&gt;", lambda v: v.replace(" ", " &amp;nbsp; ", 1),
    lambda v: v + " &amp;amp; co", lambda v: "\u200b" + v + "\u200b", lambda v: "  " + v + "  ", lambda v: v.upper(),
    lambda v: v + ", " + v, lambda v: "https://{{host}}/" + v, lambda v: v + "#x", lambda v: v + "\\u0000", lambda v: v + "\\n\\n" + v,
]
_JSON_VALUE = re.compile(r'("[A-Za-z_@:]+"\s*:\s*")((?:[^"\\]|\\.){1,200})(")')
_ATTRIBUTE_VALUE = re.compile(r'((?:content|alt|href|title)=")([^"<>]{1,200})(")')


@pytest.mark.parametrize("seed", [1, 2])
def test_a_field_written_as_templates_and_editors_write_it_gives_a_well_formed_item(seed: int) -> None:
    rng = random.Random(seed)
    pages = [
        (case.folder, case.url, page_bytes(case, PAGES / case.folder).decode("utf-8", "replace"))
        for case in CASES
        if not case.not_article and not (case.shared and not (SHARED / case.shared).is_file())
    ]
    failures = {}
    for index in range(1500):
        folder, url, text = rng.choice(pages)
        for _ in range(rng.randint(1, 3)):
            pattern = rng.choice([_JSON_VALUE, _ATTRIBUTE_VALUE])
            found = list(pattern.finditer(text))
            if found:
                match = rng.choice(found)
                hazard = rng.choice(HAZARDS)
                if hazard is HAZARDS[6] and ("htmlContent" in match.group(1) or "articleBody" in match.group(1)):
                    # (Tags escaped inside the story's markup are text the site's page shows as written, "<b>".)
                    continue
                value = hazard(match.group(2))
                if pattern is _ATTRIBUTE_VALUE:
                    value = value.replace('\\"', "&quot;").replace('"', "&quot;")
                text = text[: match.start(2)] + value + text[match.end(2) :]
        problems = _problems_of(text, url)
        if problems:
            failures[f"{index} {folder}"] = problems
    assert failures == {}


def test_a_page_served_from_a_mirror_keeps_its_canonical_link_on_the_site() -> None:
    # BS_BASE_URL pointed at a mirror or caching proxy: the page names the site's own address.
    page = (PAGES / "nextjs-2023" / "no-image" / "page.html").read_text(encoding="utf-8")
    expected = extract(page, "https://www.business-standard.com/x").article.canonicalUrl
    assert expected and expected.startswith("https://www.business-standard.com/")
    assert extract(page, "http://bs-mirror.internal:8080/x").article.canonicalUrl == expected
