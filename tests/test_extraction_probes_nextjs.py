"""Probes of the current site's pages (Next.js) in the variants its article JSON, JSON-LD and markup
can take, each built from a fixture page and checked against what a careful reader writes down."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once

NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', re.S)


def _with_data(html: str, change: Callable[[dict[str, Any]], object]) -> str:
    """The page with its article JSON (``props.pageProps.data``) changed by ``change``."""
    found = NEXT_DATA.search(html)
    assert found is not None
    whole = json.loads(found.group(2))
    change(whole["props"]["pageProps"]["data"])
    return html[: found.start(2)] + json.dumps(whole).replace("</", "<\\/") + html[found.end(2) :]


@pytest.mark.parametrize("unset", [0, "0", -19800], ids=["zero", "zero-string", "local-midnight-1970"])
def test_an_unset_modification_time_in_the_article_json_is_no_date(unset: object) -> None:
    html, url, expected = _fixture("nextjs-2023/agency-source-title")
    html = _with_data(html, lambda data: data.update(modificationDate=unset))
    result = extract(html.encode(), url)
    assert result.article.dateModified == expected["dateModified"]
    assert result.provenance.sources["dateModified"] == "meta"
    assert "dateModified" not in result.provenance.disagreements


def test_an_unset_publication_time_in_the_article_json_disagrees_with_nothing() -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    result = extract(_with_data(html, lambda data: data.update(publishDate=0)).encode(), url)
    assert result.article.datePublished == expected["datePublished"]
    assert "datePublished" not in result.provenance.disagreements


HERO_FORMS: dict[str, Callable[[str], tuple[str, str]]] = {
    # (the article JSON's URL, JSON-LD's) for the fixture's hero picture
    "json-ld-resized": lambda url: (url, url + "?im=FeatureCrop,size=(826,465)"),
    "json-ld-http": lambda url: (url, url.replace("https://", "http://", 1)),
    "article-json-protocol-relative": lambda url: (url.replace("https:", "", 1), url),
}


@pytest.mark.parametrize("forms", HERO_FORMS.values(), ids=HERO_FORMS.keys())
def test_one_hero_picture_named_in_two_forms_is_no_disagreement(forms: Callable[[str], tuple[str, str]]) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    image = expected["mainImage"]
    assert isinstance(image, dict)
    in_json, in_ld = forms(image["url"])
    html = _once(html, f'"image": {{"@type": "ImageObject", "url": "{image["url"]}"', f'"image": {{"@type": "ImageObject", "url": "{in_ld}"')
    html = _with_data(html, lambda data: data["featuredImageObj"].update(url=in_json))
    result = extract(html.encode(), url)
    found = result.article.mainImage
    assert found is not None and (found.url, found.alt, found.caption) == (image["url"], image["alt"], image["caption"])
    assert result.provenance.sources["mainImage"] == "next"
    assert "mainImage" not in result.provenance.disagreements


RELATED_CARD = (
    '<li><a href="https://www.business-standard.com/companies/news/mahindra-unveils-new-electric-suv-platform-124061900410_1.html">'
    "Mahindra unveils new electric SUV platform</a></li>"
)
EXTRA_CARDS: dict[str, Callable[[str], str]] = {
    "this-story": lambda url: f'<li><a href="{url}">Tata Motors and Mahindra step up EV capacity ahead of festive demand</a></li>',
    "this-story-relative": lambda url: f'<li><a href="{url.split(".com", 1)[1]}">Tata Motors and Mahindra step up EV capacity</a></li>',
    "same-story-tracked": lambda url: RELATED_CARD.replace('_1.html"', '_1.html?utm_source=section"'),
}


@pytest.mark.parametrize("card", EXTRA_CARDS.values(), ids=EXTRA_CARDS.keys())
def test_the_related_list_holds_neither_this_story_nor_one_story_twice(card: Callable[[str], str]) -> None:
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    html = _once(html, RELATED_CARD, RELATED_CARD + card(url))
    found = extract(html.encode(), url).article.alsoRead
    assert [{"headline": r.headline, "url": r.url} for r in found] == expected["alsoRead"]


CARD_LINK = '<a href="https://www.business-standard.com/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html">'
CARD_LABEL = '<span class="MainStory_strlabel__Lk8Mn strlabel">premium</span>'
PREMIUM_CARD = f"{CARD_LINK}EV makers seek extension of FAME subsidy</a>{CARD_LABEL}"
LABELLED_LINKS = {
    "label-after": f"{CARD_LINK}EV makers seek extension of FAME subsidy{CARD_LABEL}</a>",
    "label-before": f"{CARD_LINK}{CARD_LABEL} EV makers seek extension of FAME subsidy</a>",
}


@pytest.mark.parametrize("card", LABELLED_LINKS.values(), ids=LABELLED_LINKS.keys())
def test_a_premium_label_inside_a_related_cards_link_is_not_in_its_headline(card: str) -> None:
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    result = extract(_once(html, PREMIUM_CARD, card).encode(), url)
    assert [{"headline": r.headline, "url": r.url} for r in result.article.alsoRead] == expected["alsoRead"]
    assert result.article.isPremium is False


TICKER_CELLS = '<span class="tickername">Sensex</span> <span class="tickerval"></span> (<span class="tickerchg"></span> <span class="tickerpct"></span>%)'
# (value, change, per cent) as the cells show them, and as a reader writes them down
TICKER_FORMS = {
    "down-arrow-before": (("73,158.24", "\u25bc 254.86", "\u25bc0.35"), (73158.24, -254.86, -0.35)),
    "down-arrow-after": (("73,158.24 \u25bc", "254.86 \u25bc", "0.35% \u25bc"), (73158.24, -254.86, -0.35)),
    "up-arrow": (("1,23,456.70", "\u25b2 254.86", "\u25b2 0.35"), (123456.70, 254.86, 0.35)),
    "signed": (("73,158.24", "\u2212254.86", "-0.35"), (73158.24, -254.86, -0.35)),
}


@pytest.mark.parametrize(("cells", "quote"), TICKER_FORMS.values(), ids=TICKER_FORMS.keys())
def test_a_fall_drawn_as_an_arrow_in_the_ticker_is_negative(cells: tuple[str, str, str], quote: tuple[float, float, float]) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    value, change, percent = cells
    filled = (
        f'<span class="tickername">Sensex</span> <span class="tickerval">{value}</span> '
        f'(<span class="tickerchg">{change}</span> <span class="tickerpct">{percent}</span>%)'
    )
    sensex = extract(_once(html, TICKER_CELLS, filled).encode(), url).article.market[0]
    assert (sensex.name, sensex.value, sensex.change, sensex.changePercent) == ("Sensex", *quote)


def test_the_article_jsons_tags_written_as_a_list_are_its_topics() -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    topics = expected["topics"]
    assert isinstance(topics, list)
    html = _with_data(html, lambda data: data.update(articleTags=[*topics, " ", topics[0]]))
    result = extract(html.encode(), url)
    assert result.article.topics == topics and result.provenance.sources["topics"] == "next"


DAY_ONLY = {
    "published-json-ld": ("datePublished", '"datePublished": "2024-07-10T21:05:00+05:30"', '"datePublished": "2024-07-10"', "next"),
    "published-meta": ("datePublished", 'property="article:published_time" content="2024-07-10T21:05:00+05:30"', 'property="article:published_time" content="2024-07-10"', "ld"),
    "modified-json-ld": ("dateModified", '"dateModified": "2024-07-11T08:47:00+05:30"', '"dateModified": "2024-07-11"', "meta"),
}


@pytest.mark.parametrize(("field", "old", "new", "source"), DAY_ONLY.values(), ids=DAY_ONLY.keys())
def test_a_date_without_its_time_of_day_agrees_with_a_source_that_has_it(field: str, old: str, new: str, source: str) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    result = extract(_once(html, old, new).encode(), url)
    assert getattr(result.article, field) == expected[field]
    assert result.provenance.sources[field] == source and field not in result.provenance.disagreements


def test_a_date_without_its_time_of_day_is_read_when_no_source_has_the_time() -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _once(html, '"datePublished": "2024-07-10T21:05:00+05:30"', '"datePublished": "2024-07-10"')
    html = _once(html, '<meta property="article:published_time" content="2024-07-10T21:05:00+05:30">', "")
    html = _once(html, "First Published: Jul 10 2024 | 9:05 PM IST", "")
    result = extract(_with_data(html, lambda data: data.pop("publishDate")).encode(), url)
    assert result.article.datePublished == "2024-07-10T00:00:00+05:30" and result.provenance.sources["datePublished"] == "ld"


@pytest.mark.parametrize("written", ["1720625700", "1720625700000", 1720625700000], ids=["seconds-text", "milliseconds-text", "milliseconds"])
def test_the_article_jsons_unix_time_in_other_forms_agrees_with_json_ld(written: object) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    html = _once(html, '"datePublished": "2024-07-10T21:05:00+05:30"', '"datePublished": "2024-07-10"')
    result = extract(_with_data(html, lambda data: data.update(publishDate=written)).encode(), url)
    assert result.article.datePublished == expected["datePublished"] and result.provenance.sources["datePublished"] == "next"


def test_a_headline_with_typographic_quotes_in_one_source_agrees_with_its_typewriter_form() -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    headline = expected["headline"]
    assert isinstance(headline, str)
    quoted = headline.replace("Tata Motors", "\u2018Tata Motors\u2019", 1)
    html = _once(html, f'"headline": "{headline}"', f'"headline": "{quoted}"')
    typed = quoted.replace("\u2018", "'").replace("\u2019", "'")
    html = _once(html, f"stryhdtp\">{headline}</h1>", f"stryhdtp\">{typed}</h1>")
    html = _with_data(html, lambda data: data.update(heading1=typed))
    result = extract(html.encode(), url)
    assert result.article.headline == "'Tata Motors' and Mahindra step up EV capacity ahead of festive demand"
    assert "headline" not in result.provenance.disagreements


NOTE = "(Only the headline and picture of this report may have been reworked by the Business Standard staff; the rest of the content is auto-generated from a syndicated feed.)"
NOTE_FORMS = {
    "bold-name": f'<p id="auto_disclaimer"><i>{NOTE.replace("Business Standard", "<b>Business Standard</b>")}</i></p>',
    "brackets-outside": f'<p id="auto_disclaimer">(<i>{NOTE[1:-1]}</i>)</p>',
    "spans-in-div": f'<div class="disclaimer"><span>{NOTE[:45]}</span><span>{NOTE[45:]}</span></div>',
}


@pytest.mark.parametrize("form", NOTE_FORMS.values(), ids=NOTE_FORMS.keys())
def test_the_syndication_note_the_page_alone_shows_is_read_whole_whatever_its_markup(form: str) -> None:
    html, url, expected = _fixture("nextjs-2023/embeds")
    assert expected["disclaimer"] == NOTE
    written = f'<p id="auto_disclaimer"><i>{NOTE}</i></p>'
    # Out of htmlContent (the story's JSON), and on the page in another markup.
    html = _once(html, json.dumps(written)[1:-1].replace("</", "<\\/"), "")
    html = _once(html, written, form)
    article = extract(html.encode(), url).article
    assert article.disclaimer == NOTE and article.isSyndicated
    assert NOTE[1:20] not in (article.articleBody or "")


@pytest.mark.parametrize(("field", "old", "new"), [(f, o, n.replace("2024-07-", "2024-06-")) for f, o, n, _ in DAY_ONLY.values()], ids=DAY_ONLY.keys())
def test_a_date_without_its_time_of_day_on_another_day_is_a_disagreement(field: str, old: str, new: str) -> None:
    # The day alone gives way to a source with the time, but a source that names another day still
    # says something else.
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    result = extract(_once(html, old, new).encode(), url)
    assert getattr(result.article, field) == expected[field] and field in result.provenance.disagreements
