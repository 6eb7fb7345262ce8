"""Round 16 probes of the Hindi edition end to end: what a reader of its stories met, kept as regression tests."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import NotAnArticle, extract
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, HINDI_BUDGET, Case

HEADLINE = HINDI_BUDGET.headline
SITE_NAME = "बिजनेस स्टैंडर्ड"


def _case(folder: str) -> Case:
    return next(c for c in CASES if c.folder == folder)


def _html(folder: str) -> str:
    case = _case(folder)
    return page_bytes(case, PAGES / case.folder).decode("utf-8")


DESKTOP = "hindi-2020/budget-166607"
AMP = "amp/hindi-budget-166607"


def _without_shown_headline(html: str) -> str:
    """The page with neither its h1's text nor og:title: JSON-LD's headline (the site's name in front) is all there is."""
    html = re.sub(r'<meta property="og:title" content="[^"]*"\s*/?>', "", html)
    return re.sub(r"(<h1[^>]*>)[^<]*(</h1>)", r"\1\2", html)


# --- the site's name in front of JSON-LD's headline ----------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        f"{SITE_NAME} {HEADLINE}",  # as the 2020 pages' JSON-LD writes it
        f"{SITE_NAME} - {HEADLINE}",  # as their <title> does
        f"{SITE_NAME}: {HEADLINE}",
        f"बिज़नेस स्टैंडर्ड {HEADLINE}",  # ज़ with its nukta, decomposed
        f"बि\u095bनेस स्टैंडर्ड {HEADLINE}",  # ज़ precomposed
    ],
    ids=["json-ld", "title-dash", "colon", "nukta", "nukta-precomposed"],
)
@pytest.mark.parametrize("folder", [DESKTOP, AMP])
def test_a_headline_read_from_json_ld_is_without_the_site_name_in_front(folder: str, written: str) -> None:
    html = _without_shown_headline(_html(folder)).replace(f"{SITE_NAME} {HEADLINE}", written)
    article = extract(html, _case(folder).url).article
    assert article.headline == HEADLINE


def test_a_hindi_page_read_by_the_generic_layout_has_no_site_name_in_its_headline() -> None:
    # No h1 at all and no og:title: no table layout to read, JSON-LD only (the mobile twin, a redesign).
    html = re.sub(r"<h1[^>]*>[^<]*</h1>", "", _without_shown_headline(_html(DESKTOP)))
    extraction = extract(html, _case(DESKTOP).url)
    assert extraction.article.layout == "generic"
    assert extraction.article.headline == HEADLINE


@pytest.mark.parametrize("folder", [DESKTOP, AMP])
def test_a_json_ld_headline_of_the_site_name_alone_is_no_headline(folder: str) -> None:
    # A template whose headline field was empty: "बिजनेस स्टैंडर्ड " is the site's name, not a story's title.
    html = _without_shown_headline(_html(folder)).replace(f"{SITE_NAME} {HEADLINE}", f"{SITE_NAME} ")
    with pytest.raises(NotAnArticle) as refused:
        extract(html, _case(folder).url)
    assert refused.value.reason == "no-headline"


def test_a_headline_that_begins_with_the_site_name_on_the_page_keeps_it() -> None:
    # A story about the paper itself, as its h1 and og:title show it: nothing of it is cut.
    own = f"{SITE_NAME} के पाठकों के लिए एक पत्र"
    html = _html(DESKTOP).replace(HEADLINE, own)
    assert extract(html, _case(DESKTOP).url).article.headline == own


# --- one text, two Unicode spellings (nukta letters precomposed or not) ---------------------------

# "बढ़ा" as the CMS may write it: ढ़ one code point (U+095D) or ढ + nukta (U+0922 U+093C). A browser
# draws both alike; Unicode holds them canonically equivalent (NFC is the decomposed one).
COMPOSED, DECOMPOSED = "ब\u095dा", "ब\u0922\u093cा"


def test_the_same_headline_in_two_spellings_is_no_disagreement_of_sources() -> None:
    html = _html(DESKTOP)
    html = html.replace(f'og:title" content="{HEADLINE}"', f'og:title" content="{HEADLINE.replace("बढ़ा", DECOMPOSED)}"')
    html = html.replace(f">{HEADLINE}</h1>", f">{HEADLINE.replace('बढ़ा', COMPOSED)}</h1>")
    extraction = extract(html, _case(DESKTOP).url)
    assert extraction.provenance.disagreements == []
    assert extraction.article.headline == HEADLINE


@pytest.mark.parametrize("spellings", [(COMPOSED, DECOMPOSED), (DECOMPOSED, COMPOSED)], ids=["composed-first", "decomposed-first"])
def test_a_keyword_listed_in_two_spellings_is_one_topic(spellings: tuple[str, str]) -> None:
    first, second = spellings
    keywords = f"<a href='/search.php?search={first}' class='ctxtRelated'>{first}</a>,<a href='/search.php?search={second}' class='ctxtRelated'>{second}</a>,"
    html = _html(DESKTOP).replace("<span class='ctxtblue'>Keyword:&nbsp;</span>", f"<span class='ctxtblue'>Keyword:&nbsp;</span>{keywords}")
    topics = extract(html, _case(DESKTOP).url).article.topics
    assert topics.count(DECOMPOSED) == 1 and COMPOSED not in topics


def test_every_text_field_of_a_hindi_story_comes_out_in_one_spelling() -> None:
    # The page written with precomposed nukta letters throughout: the item holds the same text as the
    # page written the other way, so a reader's search or a hash of the item finds one story, not two.
    html = _html(DESKTOP)
    spelled = html.replace("\u0922\u093c", "\u095d").replace("\u0921\u093c", "\u095c").replace("\u091c\u093c", "\u095b")
    assert spelled != html
    url = _case(DESKTOP).url
    plain, other = extract(html, url).article, extract(spelled, url).article
    assert (other.headline, other.description, other.articleBody, other.authors, other.dateline, other.topics) == (
        plain.headline, plain.description, plain.articleBody, plain.authors, plain.dateline, plain.topics
    )


@pytest.mark.parametrize(
    "written, nfc",
    [
        ("\u095c\u0947", "\u0921\u093c\u0947"),  # ड़े: Devanagari nukta letter, precomposed
        ("\u09dc", "\u09a1\u09bc"),  # Bengali ড়
        ("cafe\u0301", "caf\u00e9"),  # an accent combined after its letter
        ("10 \u212b", "10 \u00c5"),  # the Angstrom sign
        ("\u0928\u093c \u095c", "\u0929 \u0921\u093c"),  # ऩ composes with its nukta; beside a decomposed one
        ("\u0921\u093c cafe\u0301", "\u0921\u093c caf\u00e9"),  # a nukta already NFC beside an accent
        ("\U0001d15e", "\U0001d157\U0001d165"),  # a musical symbol beyond U+FFFF NFC replaces
    ],
    ids=["devanagari", "bengali", "combining-accent", "angstrom", "composing-nukta", "nukta-and-accent", "astral"],
)
def test_clean_text_gives_one_spelling_of_a_text(written: str, nfc: str) -> None:
    from crawler.extraction.normalize import clean_text

    assert clean_text(written) == clean_text(nfc) == nfc


# --- the story's paragraphs where no script stands before them --------------------------------------

HINDI_FOLDERS = [c.folder for c in CASES if c.layout == "hindi-2020"]
_CELL_SCRIPTS = re.compile(r"<script\b.*?</script>", re.S)


def _story_cell(html: str) -> tuple[int, int]:
    """Where the headline's cell runs from its byline table to the keyword row."""
    return html.index("</table>", html.index("<h1")), html.index("<span class='ctxtblue'>Keyword:")


def _body_of(html: str, folder: str) -> str | None:
    return extract(html, _case(folder).url).article.articleBody


@pytest.mark.parametrize("folder", HINDI_FOLDERS)
def test_a_hindi_story_saved_without_its_scripts_keeps_its_body(folder: str) -> None:
    # A copy saved by a tool that drops scripts, or served once the template's third-party widgets
    # (AddThis, Google's show_ads.js, both retired) are gone: the story follows the byline's table.
    html = _html(folder)
    start, end = _story_cell(html)
    stripped = html[:start] + _CELL_SCRIPTS.sub("", html[start:end]) + html[end:]
    assert "<script" not in stripped[start : _story_cell(stripped)[1]]
    assert _body_of(stripped, folder) == _body_of(html, folder) and _body_of(html, folder)


@pytest.mark.parametrize("folder", HINDI_FOLDERS)
def test_a_hindi_story_whose_ad_code_sits_in_a_wrapper_keeps_its_body(folder: str) -> None:
    html = _html(folder)
    start, end = _story_cell(html)
    cell = html[start:end]
    first, last = cell.index("<script"), cell.rindex("</script>") + len("</script>")
    wrapped = html[:start] + cell[:first] + "<div class='ad-slot'>" + cell[first:last] + "</div>" + cell[last:] + html[end:]
    assert _body_of(wrapped, folder) == _body_of(html, folder) and _body_of(html, folder)


def test_an_address_keeps_its_spelling() -> None:
    # A URL names a file by its bytes: a browser asks for "ढ़" precomposed as %E0%A5%9D, never as ढ +
    # nukta. The picture and canonical URLs are written as the page gives them.
    picture = f"https://hindi.business-standard.com/images/upload/{COMPOSED}.jpg"
    html = _html(DESKTOP).replace("https://hindi.business-standard.com/images/nopreview.png", picture)
    article = extract(html, _case(DESKTOP).url).article
    assert article.mainImage is not None and article.mainImage.url == picture
    from crawler.extraction.normalize import clean_text

    for address in (picture, f"/economy/{COMPOSED}-166607_1.html", f"images/{COMPOSED}.jpg"):
        assert clean_text(address) == address


# --- the byline row: what stands between its author, city and date ---------------------------------

BYLINE = f"{HINDI_BUDGET.author} / {HINDI_BUDGET.city}&nbsp;February  14, 2020"


@pytest.mark.parametrize(
    "byline",
    ["भाषा | February  14, 2020", "भाषा - February  14, 2020", "भाषा: १४ फरवरी, २०२०", "भाषा | 14 फ़रवरी 2020, 9:42 PM IST", "भाषा / &nbsp;February  14, 2020"],
    ids=["bar", "dash", "colon", "hindi-date", "empty-city"],
)
def test_a_byline_without_a_city_gives_the_author_without_the_mark_before_the_date(byline: str) -> None:
    article = extract(_html(DESKTOP).replace(BYLINE, byline), _case(DESKTOP).url).article
    assert [a.name for a in article.authors] == ["भाषा"] and article.dateline is None


@pytest.mark.parametrize(
    "updated",
    ["अपडेटेड: February 15, 2020", "अंतिम अपडेट - 15 फरवरी, 2020", "Updated: February 15, 2020 10:05 AM IST", "प्रकाशित तिथि: February 14, 2020"],
    ids=["updated-hi", "last-update-hi", "updated-en", "published-hi"],
)
def test_a_labelled_second_date_in_the_byline_is_no_part_of_the_city(updated: str) -> None:
    html = _html(DESKTOP).replace(BYLINE, f"{BYLINE} | {updated}")
    article = extract(html, _case(DESKTOP).url).article
    assert (article.dateline, [a.name for a in article.authors]) == (HINDI_BUDGET.city, [HINDI_BUDGET.author])
    assert article.datePublishedRaw == "February 14, 2020"


@pytest.mark.parametrize("folder", HINDI_FOLDERS)
@pytest.mark.parametrize("scripts", [True, False], ids=["after-the-ad-script", "no-script"])
def test_a_hindi_story_typed_as_bare_text_between_line_breaks_keeps_its_body(folder: str, scripts: bool) -> None:
    # An older story in the 2020 template, or one pasted as plain text: no div or p around its
    # paragraphs, only <br>s between them in the headline's cell.
    html = _html(folder)
    start, end = _story_cell(html)
    cell = html[start:end]
    first_block = cell.index("<p>", cell.rindex("</script>"))
    cell_end = cell.index("</td>", first_block)
    paragraphs = extract(html, _case(folder).url).article.articleBody.split("\n")
    bare = cell[:first_block] + "<br>\n<br>\n".join(paragraphs) + "\n" + cell[cell_end:]
    if not scripts:
        bare = _CELL_SCRIPTS.sub("", bare)
    assert _body_of(html[:start] + bare + html[end:], folder) == "\n".join(paragraphs)


@pytest.mark.parametrize(
    "written, paragraphs",
    [
        # an agency's credit after the last paragraph, outside it
        ("<div>पहला अनुच्छेद।</div><div>दूसरा अनुच्छेद।</div>(भाषा)", ["पहला अनुच्छेद।", "दूसरा अनुच्छेद।", "(भाषा)"]),
        # a line typed between two of the editor's divs
        ("<div>पहला अनुच्छेद।</div>दूसरा अनुच्छेद।<div>तीसरा अनुच्छेद।</div>", ["पहला अनुच्छेद।", "दूसरा अनुच्छेद।", "तीसरा अनुच्छेद।"]),
        # the first line before the editor's divs, with no <p> of the template around it
        ("पहला अनुच्छेद।<div>दूसरा अनुच्छेद।</div>", ["पहला अनुच्छेद।", "दूसरा अनुच्छेद।"]),
    ],
    ids=["credit-after", "line-between", "first-line"],
)
def test_story_text_outside_the_paragraph_blocks_is_kept(written: str, paragraphs: list[str]) -> None:
    html = _html(DESKTOP)
    start, end = _story_cell(html)
    cell = html[start:end]
    first_block = cell.index("<p>", cell.rindex("</script>"))
    changed = html[:start] + cell[:first_block] + written + cell[cell.index("</td>", first_block) :] + html[end:]
    assert _body_of(changed, DESKTOP) == "\n".join(paragraphs)


# --- the site's name after og:title --------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", [" | Business Standard", " | Business Standard Hindi", " - बिजनेस स्टैंडर्ड", " | बिज़नेस स्टैंडर्ड"], ids=["en", "en-hindi", "hi-dash", "hi-nukta"]
)
@pytest.mark.parametrize("folder", [DESKTOP, AMP])
def test_og_title_with_the_site_name_after_it_is_the_headline_without_it(folder: str, suffix: str) -> None:
    html = _html(folder).replace(f'og:title" content="{HEADLINE}"', f'og:title" content="{HEADLINE}{suffix}"')
    url = _case(folder).url
    shown = extract(html, url)
    assert shown.article.headline == HEADLINE and "headline" not in shown.provenance.disagreements
    # With no h1 to read, og:title is the headline: without the site's name.
    html = re.sub(r"(<h1[^>]*>)[^<]*(</h1>)", r"\1\2", html)
    assert extract(html, url).article.headline == HEADLINE


@pytest.mark.parametrize("suffix", [" | Business Standard", " - बिजनेस स्टैंडर्ड"], ids=["en", "hi"])
def test_og_title_with_the_site_name_after_it_in_the_generic_layout(suffix: str) -> None:
    html = re.sub(r"<h1[^>]*>[^<]*</h1>", "", _html(DESKTOP)).replace(f'og:title" content="{HEADLINE}"', f'og:title" content="{HEADLINE}{suffix}"')
    extraction = extract(html, _case(DESKTOP).url)
    assert extraction.article.layout == "generic" and extraction.article.headline == HEADLINE


@pytest.mark.parametrize("folder", [DESKTOP, AMP])
def test_a_headline_that_ends_in_the_site_name_on_the_page_keeps_it(folder: str) -> None:
    own = f"{HEADLINE} | {SITE_NAME}"
    html = _html(folder).replace(f'og:title" content="{HEADLINE}"', f'og:title" content="{own}"').replace(f">{HEADLINE}</h1>", f">{own}</h1>")
    extraction = extract(html, _case(folder).url)
    assert extraction.article.headline == own and "headline" not in extraction.provenance.disagreements
