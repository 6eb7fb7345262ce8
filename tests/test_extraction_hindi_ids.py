"""The Hindi edition's ids follow the host, whatever the layout: ``hi-<N>`` on its hosts, so a Hindi story
never takes an English article's id; its AMP form is read as the same story as its desktop page."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest

from crawler.extraction import Article, NotAnArticle, extract
from crawler.extraction.urls import hindi_story_id, hindi_story_url, page_article_id
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, HINDI_BUDGET, HINDI_SITE, Case, render_hindi

AMP_URL = f"{HINDI_SITE}/article-amp/{HINDI_BUDGET.section}/section_{HINDI_BUDGET.section}-{HINDI_BUDGET.autono}_1.html"
STORY_URL = f"{HINDI_SITE}//storypage.php?autono={HINDI_BUDGET.autono}"
CANONICAL_LINK = re.compile(r'<link rel="canonical" href="[^"]*">')


def _case(folder: str) -> Case:
    return next(c for c in CASES if c.folder == folder)


def _html(folder: str) -> str:
    case = _case(folder)
    return page_bytes(case, PAGES / case.folder).decode("utf-8")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_hindi_amp_page_reads_as_its_story() -> None:
    case, story = _case("amp/hindi-budget-166607"), HINDI_BUDGET
    assert case.url == AMP_URL
    article = extract(_html(case.folder), case.url).article
    assert (article.layout, article.articleId, article.inLanguage) == ("amp", f"hi-{story.autono}", "hi")
    assert article.canonicalUrl == STORY_URL, "the desktop story's URL, never the AMP one"
    assert article.headline == story.headline, "without JSON-LD's 'बिजनेस स्टैंडर्ड ' prefix"
    assert article.description == _words(" ".join(story.paragraphs)), "not JSON-LD's 200-byte cut"
    assert article.mainImage is None, "JSON-LD's image is the nopreview placeholder"
    assert [a.name for a in article.authors] == [story.author] and article.dateline == story.city
    assert article.datePublished == story.published.isoformat() and article.section == story.section_en
    assert article.articleBody == "\n".join(_words(p) for p in story.paragraphs)
    assert article.topics == story.keywords


@pytest.mark.parametrize("canonical", ["none", "itself"])
def test_a_hindi_amp_page_without_a_canonical_link_of_its_own_gets_the_desktop_url(canonical: str) -> None:
    html = _html("amp/hindi-budget-166607")
    html = CANONICAL_LINK.sub("" if canonical == "none" else f'<link rel="canonical" href="{AMP_URL}">', html, count=1)
    html = html.replace(f'<meta property="og:url" content="{STORY_URL}"/>', "").replace(f', "@id": "{STORY_URL}"', "")
    assert STORY_URL not in html
    article = extract(html, AMP_URL).article
    assert (article.articleId, article.canonicalUrl) == (f"hi-{HINDI_BUDGET.autono}", STORY_URL)


def test_the_desktop_and_amp_forms_of_a_story_are_one_article() -> None:
    desktop = extract(_html("hindi-2020/budget-166607"), STORY_URL).article
    amp = extract(_html("amp/hindi-budget-166607"), AMP_URL).article
    for key in ("articleId", "canonicalUrl", "headline", "description", "authors", "dateline", "datePublished", "articleBody", "topics", "inLanguage"):
        assert getattr(amp, key) == getattr(desktop, key), key


def test_a_table_layout_page_served_as_amp_is_read_by_its_table_layout() -> None:
    html = render_hindi(HINDI_BUDGET).replace('<html xmlns="http://www.w3.org/1999/xhtml"', '<html amp xmlns="http://www.w3.org/1999/xhtml"', 1)
    assert "<html amp " in html
    article = extract(html, AMP_URL).article
    desktop = extract(_html("hindi-2020/budget-166607"), STORY_URL).article
    assert article.layout == "hindi-2020" and article.articleId == f"hi-{HINDI_BUDGET.autono}"
    assert {**asdict(article), "url": None} == {**asdict(desktop), "url": None}


def _on_hindi_host(html: str, url: str) -> tuple[str, str]:
    english = "https://www.business-standard.com"
    return html.replace(english, HINDI_SITE), url.replace(english, HINDI_SITE)


@pytest.mark.parametrize(
    "folder", ["nextjs-2023/seed-syndicated", "generic/jsonld-unknown-layout", "generic/opengraph-article", "amp/seed-syndicated"]
)
def test_every_layout_on_the_hindi_host_gives_a_hindi_id(folder: str) -> None:
    case = _case(folder)
    english = extract(_html(folder), case.url).article
    article = extract(*_on_hindi_host(_html(folder), case.url)).article
    assert article.layout == english.layout
    assert article.articleId == f"hi-{english.articleId}" != english.articleId
    assert article.inLanguage == "hi"


def test_a_hindi_page_whose_url_has_no_id_is_refused_not_given_an_english_one() -> None:
    case = _case("generic/jsonld-unknown-layout")
    html, _ = _on_hindi_host(_html(case.folder), case.url)
    with pytest.raises(NotAnArticle) as raised:
        extract(html.replace("-126051200877_1.html", ".html"), f"{HINDI_SITE}/markets/news/rupee-ends-at-record-low.html")
    assert raised.value.reason == "no-article-id"


@pytest.mark.parametrize(
    ("canonical", "url", "expected"),
    [
        (None, f"{HINDI_SITE}/storypage.php?autono=166607", "hi-166607"),
        (None, "https://m.bshindi.com/storypage.php?autono=166607", "hi-166607"),
        (STORY_URL, AMP_URL, "hi-166607"),
        (None, "https://m.bshindi.com/article/economy/section_economy-166607_1.html", "hi-166607"),
        (None, f"{HINDI_SITE}/markets/news/sensex-falls-124022800873_1.html", "hi-124022800873"),
        # An English canonical link on a Hindi page: the Hindi scheme still, from the fetched URL.
        ("https://www.business-standard.com/markets/news/x-124022800873_1.html", f"{HINDI_SITE}/storypage.php?autono=166607", "hi-166607"),
        # A saved Hindi page read at a file path: its canonical link's host decides.
        (STORY_URL, "file:///tmp/page.html", "hi-166607"),
        (None, "https://www.business-standard.com/markets/news/x-124022800873_1.html", "124022800873"),
        (None, "https://www.business-standard.com/storypage.php?autono=166607", None),
    ],
)
def test_page_article_id_follows_the_host(canonical: str | None, url: str, expected: str | None) -> None:
    assert page_article_id(canonical, url) == expected


def test_hindi_story_urls() -> None:
    assert hindi_story_id("https://www.business-standard.com/storypage.php?autono=166607") is None
    assert hindi_story_url("hi-166607") == STORY_URL
    assert hindi_story_url("124022800873") is None and hindi_story_url("hi-124022800873") is None


def test_an_english_amp_page_keeps_its_english_id() -> None:
    case = _case("amp/seed-syndicated")
    article: Article = extract(_html(case.folder), case.url).article
    assert article.articleId == "124022800873" and article.inLanguage == "en"
