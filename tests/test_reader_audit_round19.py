"""Round 19's audit of article pages read as a reader would: each layout's byline when it names a
second author after "with", or credits the agencies' inputs after the names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.extraction import extract
from crawler.extraction.article import Article
from tests.conftest import PAGES
from tests.loopback.pages import SITE, Author, render_amp, render_current, render_legacy
from tests.pages import specs
from tests.pages.build import page_bytes
from tests.pages.cases import CASES


def _read(html: str, url: str) -> Article:
    return extract(html.encode("utf-8"), url).article


# --- a byline's "with": a second author, or the wires' inputs --------------------------------------

# The byline as the CMS writes it, in every place the page names the authors (the article JSON's
# records or authorName, JSON-LD's Person or string, the byline's links or spans, the author meta),
# and the names a reader writes down.
BYLINES = {
    "with-a-second-author": ("Shine Jacob with Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "by-with": ("By Shine Jacob with Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "with-inputs-from": ("Shine Jacob with inputs from PTI", ["Shine Jacob"]),
    "comma-with-inputs": ("Shine Jacob, with inputs from Reuters", ["Shine Jacob"]),
    "with-agency-inputs": ("Shine Jacob with agency inputs", ["Shine Jacob"]),
    "with-agencies": ("Shine Jacob with agencies", ["Shine Jacob"]),
    "with-pti-inputs-in-brackets": ("Shine Jacob (With PTI inputs)", ["Shine Jacob"]),
    "two-with-inputs": ("Shine Jacob and Deepak Patel with inputs from agencies", ["Shine Jacob", "Deepak Patel"]),
    "bar-inputs-from": ("Shine Jacob | Inputs from PTI", ["Shine Jacob"]),
}
# Where the names come from on a Next.js page: (article JSON's authors, JSON-LD's authors, byline links).
NEXT_SOURCES = {
    "json-records": ("details", True, True),
    "json-authorName": ("authorName", False, False),
    "json-ld": ("none", True, False),
    "byline-links": ("none", False, True),
    "byline-spans": ("none", False, False),
}


def _spec(byline: str) -> specs.PageSpec:
    return replace(specs.STAFF, authors=[Author(byline, "shine-jacob", 301)], dateline="Chennai")


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
@pytest.mark.parametrize("source", NEXT_SOURCES, ids=list(NEXT_SOURCES))
def test_nextjs_byline_with_a_second_author_or_the_agencies_inputs(byline: str, source: str) -> None:
    """Before: "A with B" was one author named "A with B", and "A with inputs from PTI" one named so
    (the credit for the wires' copy kept in the name); "A | Inputs from PTI" gave two authors, or the
    credit as the story's dateline. A reader writes A and B, or A alone."""
    text, names = BYLINES[byline]
    json_authors, ld_authors, links = NEXT_SOURCES[source]
    spec = replace(_spec(text), json_authors=json_authors, ld_authors=ld_authors, byline_links=links)
    article = _read(render_current(spec), SITE + spec.path)
    assert [a.name for a in article.authors] == names
    assert article.dateline == "Chennai"


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
@pytest.mark.parametrize("layout", ["amp", "amp-byline-only", "pre2023"])
def test_amp_and_older_byline_with_a_second_author_or_the_agencies_inputs(byline: str, layout: str) -> None:
    """Before: as on the Next.js page, the AMP page's JSON-LD Person or byline text and the pre-2023
    page's author link and JSON-LD string kept "with …" in one author's name."""
    text, names = BYLINES[byline]
    spec = _spec(text)
    if layout == "pre2023":
        html = render_legacy(spec)
        url = f"{SITE}/article/companies/{spec.slug}-{spec.article_id}_1.html"
    else:
        html = render_amp(replace(spec, ld_authors=layout == "amp"))
        url = SITE + "/amp" + spec.path
    article = _read(html, url)
    assert [a.name for a in article.authors] == names
    assert article.dateline == "Chennai"


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
def test_generic_author_meta_with_a_second_author_or_the_agencies_inputs(byline: str) -> None:
    """Before: a page of no known layout whose author meta holds such a byline kept it as one name."""
    text, names = BYLINES[byline]
    case = next(c for c in CASES if c.folder == "generic/opengraph-article")
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    assert '<meta name="author" content="BS Reporter">' in html
    html = html.replace('content="BS Reporter"', f'content="{text}"')
    assert [a.name for a in _read(html, case.url).authors] == names


# --- a page of no known layout: the hero picture's alt text and caption ----------------------------

GENERIC = next(c for c in CASES if c.folder == "generic/opengraph-article")
PICTURE = "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/01/full/1746100000-1234.jpg"
ALT = "GST Bhawan in New Delhi"
CAPTION = "The GST Council meets again in June (Photo: PTI)"
# The hero as the page draws it: a <figure> with its <figcaption> (the file as named, resized by a
# query, or only in the srcset), and where the structured data names it.
FIGURES = {
    "figure": f'<figure><img src="{PICTURE}" alt="{ALT}"><figcaption>{CAPTION}</figcaption></figure>',
    "figure-resized": f'<figure class="hero"><img src="{PICTURE}?im=FitAndFill=(826,465)" alt="{ALT}" width="826"><figcaption><span>{CAPTION}</span></figcaption></figure>',
    "figure-srcset": f'<figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="{PICTURE} 1x" alt="{ALT}"><figcaption>{CAPTION}</figcaption></figure>',
}
NAMED_BY = {
    "og:image": f'<meta property="og:image" content="{PICTURE}">',
    "json-ld": '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "GST collections rise 9% in April", '
    f'"datePublished": "2026-05-01T18:30:00+05:30", "image": {{"@type": "ImageObject", "url": "{PICTURE}"}}}}</script>',
}


def _generic_page(head: str, figure: str = "") -> str:
    html = page_bytes(GENERIC, PAGES / GENERIC.folder).decode("utf-8")
    assert "</head>" in html and "<article><h1>" in html and "og:image" not in html
    return html.replace("</head>", head + "</head>", 1).replace("<article><h1>", f"<article>{figure}<h1>", 1)


@pytest.mark.parametrize("named_by", NAMED_BY)
@pytest.mark.parametrize("figure", FIGURES)
def test_generic_hero_picture_keeps_its_alt_text_and_caption(named_by: str, figure: str) -> None:
    """Before: the picture the structured data names was written with no alt text and no caption,
    though the page draws it in a <figure> with its alt and a <figcaption> under it."""
    article = _read(_generic_page(NAMED_BY[named_by], FIGURES[figure]), GENERIC.url)
    assert article.mainImage is not None
    assert (article.mainImage.url, article.mainImage.alt, article.mainImage.caption) == (PICTURE, ALT, CAPTION)
    # (The caption is no line of the story.)
    assert CAPTION not in (article.articleBody or "")


def test_generic_hero_picture_alt_from_its_meta_when_the_page_draws_it_nowhere() -> None:
    """Before: og:image:alt, the text the page gives for its picture, was not read."""
    article = _read(_generic_page(NAMED_BY["og:image"] + f'<meta property="og:image:alt" content="{ALT}">'), GENERIC.url)
    assert article.mainImage is not None
    assert (article.mainImage.alt, article.mainImage.caption) == (ALT, None)


def test_generic_caption_equal_to_the_alt_text_is_kept_as_the_page_shows_it() -> None:
    """The line under the picture is its caption even when it repeats the alt text (as on the real
    2019 page): each field says what the page shows."""
    figure = f'<figure><img src="{PICTURE}" alt="{ALT}"><figcaption>{ALT}</figcaption></figure>'
    article = _read(_generic_page(NAMED_BY["og:image"], figure), GENERIC.url)
    assert article.mainImage is not None
    assert (article.mainImage.alt, article.mainImage.caption) == (ALT, ALT)


def test_generic_picture_drawn_elsewhere_lends_no_caption() -> None:
    """Another picture's figure (an advertisement, a related story's) gives the hero no caption."""
    other = f'<figure><img src="https://bsmedia.business-standard.com/ads/banner.jpg" alt="Advertisement"><figcaption>{CAPTION}</figcaption></figure>'
    article = _read(_generic_page(NAMED_BY["og:image"], other), GENERIC.url)
    assert article.mainImage is not None
    assert (article.mainImage.alt, article.mainImage.caption) == (None, None)


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
def test_pre2023_author_link_holding_the_whole_byline_gives_its_page_to_one_name_only(byline: str) -> None:
    """An author page is one person's: a link whose text names two ("A with B") gives neither of them
    its page; one naming A and the agencies' credit gives A its page."""
    text, names = BYLINES[byline]
    spec = _spec(text)
    article = _read(render_legacy(spec), f"{SITE}/article/companies/{spec.slug}-{spec.article_id}_1.html")
    page = f"{SITE}/author/search/keyword/shine-jacob"
    assert [(a.name, a.url) for a in article.authors] == [(name, page if len(names) == 1 else None) for name in names]
