"""Round 29 leftovers: an agency's reporter after its bar, a Hindi byline's city with no mark before it, a "more stories" rail of microdata cards."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import escape

import pytest

from crawler.extraction import Article, extract
from crawler.extraction.layouts import base
from crawler.extraction.layouts.base import author_names, hindi_key, is_dateline_city, is_news_agency
from tests.loopback.pages import render_legacy
from tests.pages.cases import render_generic_opengraph
from tests.pages.specs import SEED
from tests.test_extraction_probes_round21 import AMP, NEXT, SPAN, _amp, _fixture, _names, _next_js, _with_data, _with_ld
from tests.test_hindi_probes_round28 import _amp as _hindi_amp
from tests.test_hindi_probes_round28 import _desktop as _hindi_desktop

# --- a reporter after a byline's bar, in every layout ---------------------------------------------------------

# An agency (or a reporter), a bar, then a reporter: the words end in one of the commonest surnames and are no listed city.
REPORTERS = [
    ("PTI | Singh", ["PTI", "Singh"]),
    ("Reuters | Priya Singh", ["Reuters", "Priya Singh"]),
    ("PTI | Anil Sharma", ["PTI", "Anil Sharma"]),
    ("Bloomberg | Ruchi Bhatia", ["Bloomberg", "Ruchi Bhatia"]),
    ("Press Trust of India | Rao", ["Press Trust of India", "Rao"]),
    ("Shine Jacob | Sohini Das", ["Shine Jacob", "Sohini Das"]),
]
HINDI_REPORTERS = [
    ("पीटीआई | सिंह", ["पीटीआई", "सिंह"]),
    ("रॉयटर्स | प्रिया सिंह", ["रॉयटर्स", "प्रिया सिंह"]),
    ("पीटीआई सिंह", ["पीटीआई", "सिंह"]),
]
# After a bar, a listed city, or words no list holds as a surname, are the dateline as before.
PLACES = [("Reuters | Kozhikode", ["Reuters"], "Kozhikode"), ("PTI | New Delhi", ["PTI"], "New Delhi"), ("Shine Jacob | Chennai", ["Shine Jacob"], "Chennai")]


@pytest.mark.parametrize("form", ["one-span", "spans"])
@pytest.mark.parametrize(("byline", "authors"), REPORTERS + HINDI_REPORTERS[:2])
def test_a_next_js_byline_s_reporter_after_the_agency_s_bar_is_an_author(byline: str, authors: list[str], form: str) -> None:
    # Before: the reporter was the dateline ("Singh", "Priya Singh") and lost as an author.
    shown = f"<span>{byline}</span>" if form == "one-span" else "<span>" + byline.replace(" | ", "</span> | <span>") + "</span>"
    article = _next_js(SPAN.format(shown))
    assert (_names(article), article.dateline) == (authors, None)


@pytest.mark.parametrize("form", ["byline-div", "site-span"])
@pytest.mark.parametrize(("byline", "authors"), REPORTERS + HINDI_REPORTERS[:2])
def test_an_amp_byline_s_reporter_after_the_agency_s_bar_is_an_author(byline: str, authors: list[str], form: str) -> None:
    shown = f'<div class="byline">{byline}</div>' if form == "byline-div" else SPAN.format(f"<span>{byline}</span>")
    article = _amp(shown)
    assert (_names(article), article.dateline) == (authors, None)


@pytest.mark.parametrize("field", ["authorName", "sourceTitle"])
@pytest.mark.parametrize(("byline", "authors"), REPORTERS)
def test_the_article_json_s_agency_and_reporter_after_a_bar_are_both_authors(field: str, byline: str, authors: list[str]) -> None:
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "authorName", "placeName"):
            data.pop(key, None)
        data[field] = byline

    article = extract(_with_ld(_with_data(html, change), lambda a: a.pop("author")).encode(), url).article
    assert _names(article) == authors


def _pre2023(ld_author: str) -> Article:
    """A pre-2023 page with no author links, JSON-LD's author the byline the CMS copied into it."""
    html = render_legacy(replace(SEED, authors=[]))
    url = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    assert url is not None and '"author": ""' in html
    article = extract(html.replace('"author": ""', f'"author": {json.dumps(ld_author, ensure_ascii=False)}'), url.group(1)).article
    assert article.layout == "pre2023"
    return article


def _generic(meta_author: str) -> Article:
    html = render_generic_opengraph()
    assert '<meta name="author" content="BS Reporter">' in html
    article = extract(html.replace("BS Reporter", escape(meta_author)), GENERIC_URL).article
    assert article.layout == "generic"
    return article


@pytest.mark.parametrize(("byline", "authors"), REPORTERS + HINDI_REPORTERS[:2])
def test_structured_data_s_agency_and_reporter_after_a_bar_are_both_authors(byline: str, authors: list[str]) -> None:
    # Before: JSON-LD's author and the author meta gave the agency alone ("what follows a bar is no author").
    assert _names(_pre2023(byline)) == authors
    assert _names(_generic(byline)) == authors
    assert author_names(byline, person=True) == authors


@pytest.mark.parametrize(("byline", "authors"), REPORTERS + HINDI_REPORTERS)
def test_a_hindi_byline_s_reporter_after_the_agency_is_an_author_on_both_pages(byline: str, authors: list[str]) -> None:
    assert _hindi_desktop(byline) == (authors, None)
    assert _hindi_amp(byline) == (authors, None)


@pytest.mark.parametrize(("byline", "authors", "city"), PLACES)
def test_a_city_after_a_bar_is_still_the_dateline(byline: str, authors: list[str], city: str) -> None:
    for article in (_next_js(SPAN.format(f"<span>{byline}</span>")), _amp(f'<div class="byline">{byline}</div>')):
        assert (_names(article), article.dateline) == (authors, city)
    assert author_names(byline) == authors


def test_a_reporter_named_as_an_agency_s_hindi_service_stays_whole() -> None:
    # "भाषा" is PTI's Hindi service and a woman's name: before one surname, a person.
    assert _hindi_desktop("भाषा सिंह / लखनऊ") == (["भाषा सिंह"], "लखनऊ")


# --- a Hindi byline's city with no mark between it and the names -------------------------------------------------

HINDI_RUN_ON = [
    ("अनिल शर्मा नई दिल्ली", ["अनिल शर्मा"], "नई दिल्ली"),
    ("अनिल शर्मा मुंबई", ["अनिल शर्मा"], "मुंबई"),
    ("अनिल शर्मा नयी दिल्ली", ["अनिल शर्मा"], "नयी दिल्ली"),
    ("नई दिल्ली पीटीआई", ["पीटीआई"], "नई दिल्ली"),
    ("मुंबई भाषा", ["भाषा"], "मुंबई"),
    ("बेंगलूरु बीएस संवाददाता", ["बीएस संवाददाता"], "बेंगलूरु"),
    ("अनिल शर्मा, नई दिल्ली", ["अनिल शर्मा"], "नई दिल्ली"),
]


@pytest.mark.parametrize(("byline", "authors", "city"), HINDI_RUN_ON)
def test_a_hindi_byline_s_city_is_no_part_of_an_author_s_name(byline: str, authors: list[str], city: str) -> None:
    # Before: one author "अनिल शर्मा नई दिल्ली" or "नई दिल्ली पीटीआई", no dateline; on AMP "नई दिल्ली" a second author.
    assert _hindi_desktop(byline) == (authors, city)
    assert _hindi_amp(byline) == (authors, city)


@pytest.mark.parametrize("byline", ["अनिल शर्मा", "अनिल कुमार सूरी", "नई दिल्ली", "अनिल शर्मा कोझिकोड"])
def test_a_hindi_byline_with_no_listed_city_keeps_its_names(byline: str) -> None:
    # A city no list holds stays in the name (as an English one does), and a city alone is not cut in two.
    authors, city = _hindi_desktop(byline)
    assert " ".join(authors) == byline and city is None


# --- the lists: each in one place, and a name missing from one degrades safely ------------------------------------


def test_the_guessed_lists_do_not_overlap() -> None:
    # A surname that is a listed city, or an agency that is one, would make a reporter a place or the reverse.
    assert not {name for name in base.SURNAMES if is_dateline_city(name) or is_news_agency(name)}
    assert not {name for name in base.HINDI_SURNAMES if name in base.HINDI_DATELINE_CITIES or name in base.HINDI_AGENCIES}
    assert not {name for name in base.NEWS_AGENCIES if is_dateline_city(name)}
    assert all(hindi_key(name) == name for name in base.HINDI_SURNAMES)


@pytest.mark.parametrize(
    ("byline", "authors", "city"),
    [
        # A surname no list holds: read as a place (the agency still the one author, never a city as author).
        ("PTI | Quraishi", ["PTI"], "Quraishi"),
        # An agency no list holds: a reporter's byline with its city, as before.
        ("Kyodo | Tokyo", ["Kyodo"], "Tokyo"),
        # A city no list holds after a reporter: the dateline as before, never an author.
        ("Shine Jacob | Kozhikode", ["Shine Jacob"], "Kozhikode"),
    ],
)
def test_a_name_missing_from_a_list_keeps_every_reporter(byline: str, authors: list[str], city: str | None) -> None:
    article = _next_js(SPAN.format(f"<span>{byline}</span>"))
    assert (_names(article), article.dateline) == (authors, city)


# --- a "more stories" rail of microdata cards beside an OpenGraph story ---------------------------------------------

GENERIC_URL = "https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html"
OTHER = "https://www.business-standard.com/markets/news/sensex-falls-{0}-per-cent-12605010010{0}_1.html"
# How a card names the story it teases: its own url, its mainEntityOfPage, or a link on its headline.
CARD_LINKS = {
    "url-meta": '<meta itemprop="url" content="{url}"><h3 itemprop="headline">{headline}</h3>',
    "main-entity-link": '<link itemprop="mainEntityOfPage" href="{url}"><h3 itemprop="headline">{headline}</h3>',
    "headline-link": '<h3><a href="{url}"><span itemprop="headline">{headline}</span></a></h3>',
}
# What a card states of its story: its summary as articleBody or description, its author, its date.
CARD_TEXT = {
    "articleBody": '<div itemprop="articleBody"><p>Markets slid as investors weighed the rate outlook, card {i}.</p></div>',
    "description": '<p itemprop="description">Markets slid as investors weighed the rate outlook, card {i}.</p>',
    "meta-description": '<meta itemprop="description" content="Markets slid, card {i}.">',
}


def _card(i: int, link: str, text: str) -> str:
    return (
        '<div itemscope itemtype="https://schema.org/NewsArticle">'
        + CARD_LINKS[link].format(url=OTHER.format(i), headline=f"Sensex falls {i} per cent")
        + f'<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Card Writer {i}</span></span>'
        + CARD_TEXT[text].format(i=i)
        + f'<meta itemprop="datePublished" content="2026-04-2{i}T10:00:00+05:30"><meta itemprop="author" content="Card Writer {i}"></div>'
    )


# The story's own paragraphs, as long as a story's (a page with no more than a line outside its items
# beside cards alike is a listing's).
STORY = [
    "Gross GST collections rose 9 per cent to a record in April, official data showed on Friday.",
    "Collections from imports grew faster than domestic collections.",
    "The finance ministry said compliance had improved after the introduction of e-invoicing for smaller firms.",
    "States with large manufacturing bases, led by Maharashtra and Tamil Nadu, reported the biggest gains.",
]


def _with_rail(cards: int, link: str, text: str, *, page_metas: bool) -> str:
    html = render_generic_opengraph()
    assert f"<p>{STORY[1]}</p>" in html
    html = html.replace(f"<p>{STORY[1]}</p>", "".join(f"<p>{line}</p>" for line in STORY[1:]))
    rail = '<section class="rail"><h2>More stories</h2>' + "".join(_card(i, link, text) for i in range(1, cards + 1)) + "</section>"
    html = html.replace("</article>", "</article>" + rail)
    if not page_metas:  # the story's author and date stated by nothing but the cards
        html = html.replace('<meta name="author" content="BS Reporter">', "")
        html = html.replace('<meta property="og:description" content="Collections crossed Rs 2 trillion for a second month">', "")
    return html


@pytest.mark.parametrize("page_metas", [True, False], ids=["page-metas", "cards-alone"])
@pytest.mark.parametrize("cards", [1, 3])
@pytest.mark.parametrize("text", list(CARD_TEXT))
@pytest.mark.parametrize("link", list(CARD_LINKS))
def test_a_rail_of_microdata_teasers_gives_none_of_the_story_s_fields(link: str, text: str, cards: int, page_metas: bool) -> None:
    # Before: the cards' authors were the story's, a card's articleBody its body, and with no author meta
    # or OpenGraph description a card's <meta itemprop> date and summary the story's.
    article = extract(_with_rail(cards, link, text, page_metas=page_metas), GENERIC_URL).article
    assert article.headline == "GST collections rise 9% in April"
    assert article.articleBody.split("\n") == STORY
    assert article.datePublished == "2026-05-01T18:30:00+05:30"
    assert _names(article) == (["BS Reporter"] if page_metas else [])
    assert "card" not in (article.description or "")


def test_the_story_s_own_microdata_item_still_gives_its_fields() -> None:
    # The story's own item, its <meta itemprop> properties inside it: still the story's.
    html = render_generic_opengraph()
    html = html.replace('<meta property="article:published_time" content="2026-05-01T18:30:00+05:30">', "").replace('<meta name="author" content="BS Reporter">', "")
    html = html.replace(
        "<article><h1>",
        '<article itemscope itemtype="https://schema.org/NewsArticle"><meta itemprop="datePublished" content="2026-05-01T18:30:00+05:30">'
        '<meta itemprop="author" content="Shine Jacob"><h1 itemprop="headline">',
    )
    article = extract(html, GENERIC_URL).article
    assert (article.datePublished, _names(article)) == ("2026-05-01T18:30:00+05:30", ["Shine Jacob"])


# Every agency the Hindi list holds, as the credit after a reporter's name writes it.
HINDI_CREDITED = ["एएफपी", "रायटर", "रायटर्स", "यूनीवार्ता", "प्रेस ट्रस्ट ऑफ इंडिया", "बीएस संवाददाता", "भाषा", "पीटीआई", "AFP", "Reuters"]


@pytest.mark.parametrize("agency", HINDI_CREDITED)
@pytest.mark.parametrize("credit", ["{agency} इनपुट के साथ", "{agency} इनपुट"])
def test_every_listed_agency_s_hindi_credit_leaves_the_reporter_s_name(agency: str, credit: str) -> None:
    # Before: the credit's own list of agencies lacked AFP, Reuters' other spelling, UNI's and PTI's full
    # names: one author "अभिषेक कुमार एएफपी".
    assert _hindi_desktop(f"अभिषेक कुमार {credit.format(agency=agency)} / लखनऊ") == (["अभिषेक कुमार"], "लखनऊ")
