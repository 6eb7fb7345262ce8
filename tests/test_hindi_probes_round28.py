"""Round 28 probes of the Hindi edition's bylines: agencies and datelines written in Devanagari, as the row and the AMP byline show them."""

from __future__ import annotations

import unicodedata
from html import escape

import pytest

from crawler.extraction import extract
from tests.pages.cases import HINDI_BUDGET, HINDI_SITE, render_hindi, render_hindi_amp

STORY = HINDI_BUDGET
DESKTOP_URL = f"{HINDI_SITE}/storypage.php?autono={STORY.autono}"
AMP_URL = f"{HINDI_SITE}/article-amp/economy/section_economy-{STORY.autono}_1.html"
_ROW = f"{escape(STORY.author)} / {escape(STORY.city)}&nbsp;"
_AMP_BYLINE = f'<div class="byline">{escape(STORY.author)} <span class="dateline">{escape(STORY.city)}</span></div>'
_LD_AUTHOR = f'"name": "{STORY.author}"'


def _desktop(byline: str) -> tuple[list[str], str | None]:
    """The authors and dateline of the 2020 desktop page whose byline row reads ``byline`` (then its date)."""
    page = render_hindi(STORY)
    assert _ROW in page and _LD_AUTHOR in page
    # (JSON-LD's author is the row's text, as the CMS copies it.)
    page = page.replace(_ROW, escape(byline) + "&nbsp;").replace(_LD_AUTHOR, f'"name": "{byline}"')
    article = extract(page.encode(), DESKTOP_URL).article
    assert article.layout == "hindi-2020"
    return [a.name for a in article.authors], article.dateline


def _amp(byline: str) -> tuple[list[str], str | None]:
    """The authors and dateline of the AMP page whose byline reads ``byline`` (its JSON-LD naming no author)."""
    page = render_hindi_amp(STORY)
    ld_author = f'"author": {{"@type": "Person", "name": "{STORY.author}"}}, '
    assert _AMP_BYLINE in page and ld_author in page
    page = page.replace(_AMP_BYLINE, f'<div class="byline">{escape(byline)}</div>').replace(ld_author, "")
    article = extract(page.encode(), AMP_URL).article
    assert article.layout == "amp"
    return [a.name for a in article.authors], article.dateline


AGENCIES = ["पीटीआई", "भाषा", "आईएएनएस", "एएनआई", "रॉयटर्स", "ब्लूमबर्ग", "बीएस संवाददाता", "बिज़नेस स्टैंडर्ड"]
CITIES = ["नई दिल्ली", "मुंबई", "कोलकाता", "चेन्नई", "बेंगलूरु", "बेंगलुरु", "हैदराबाद", "अहमदाबाद", "लखनऊ", "पटना", "जयपुर",
          "भोपाल", "चंडीगढ़", "वॉशिंगटन", "लंदन", "बीजिंग"]
# Every form the site writes an agency's byline in: the city and the agency, either way round.
FORMS = ["{city}, {agency}", "{agency} / {city}", "{city} ({agency})", "{agency} | {city}", "({agency}) {city}", "{agency}, {city}", "{agency} {city}"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("agency", AGENCIES)
def test_a_hindi_agency_byline_names_the_agency_and_its_city_on_the_desktop_page(form: str, agency: str) -> None:
    for city in CITIES:
        assert _desktop(form.format(city=city, agency=agency)) == ([agency], city)


@pytest.mark.parametrize("form", ["{city}, {agency}", "{city} ({agency})", "{agency} | {city}", "({agency}) {city}"])
@pytest.mark.parametrize("agency", ["पीटीआई", "भाषा", "बीएस संवाददाता"])
def test_a_hindi_agency_byline_names_the_agency_and_its_city_on_the_amp_page(form: str, agency: str) -> None:
    for city in ("नई दिल्ली", "मुंबई", "बेंगलूरु", "चंडीगढ़", "वॉशिंगटन"):
        assert _amp(form.format(city=city, agency=agency)) == ([agency], city)


def _spellings(text: str) -> list[str]:
    """``text`` as a CMS may write it: its nukta letters precomposed, with the nukta apart, without it; a joiner in a word."""
    apart = unicodedata.normalize("NFD", text)
    together = apart.replace("\u091c\u093c", "\u095b").replace("\u0922\u093c", "\u095d").replace("\u0921\u093c", "\u095c")
    return [apart, together, apart.replace("\u093c", ""), apart.replace("ी", "ी\u200c", 1), apart.replace("्", "्\u200d", 1)]


@pytest.mark.parametrize("city", ["चंडीगढ़", "नई दिल्ली", "पटना"])
@pytest.mark.parametrize("agency", ["बिज़नेस स्टैंडर्ड", "पीटीआई", "रॉयटर्स"])
def test_a_hindi_byline_reads_the_same_in_each_spelling_of_its_nukta_and_joiners(city: str, agency: str) -> None:
    for spelled_city in _spellings(city):
        for spelled_agency in _spellings(agency):
            authors, dateline = _desktop(f"{spelled_city}, {spelled_agency}")
            # Written as the page writes them (cleaned as every text is: NFC, no joiner at a word's edge).
            assert len(authors) == 1 and dateline is not None and dateline not in authors
            assert unicodedata.normalize("NFC", dateline).replace("\u093c", "").replace("\u200c", "").replace("\u200d", "") == city.replace("\u093c", "")


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("रमेश कुमार, नई दिल्ली", (["रमेश कुमार"], "नई दिल्ली")),
        ("रमेश कुमार | मुंबई", (["रमेश कुमार"], "मुंबई")),
        ("रमेश कुमार और सुधीर सिंह, लखनऊ", (["रमेश कुमार", "सुधीर सिंह"], "लखनऊ")),
        # A person whose name starts as an agency's ("भाषा" is also a given name) stays one person.
        ("भाषा सिंह", (["भाषा सिंह"], None)),
        ("भाषा सिंह, नई दिल्ली", (["भाषा सिंह"], "नई दिल्ली")),
        ("भाषा सिंह / जयपुर", (["भाषा सिंह"], "जयपुर")),
        # Two reporters between bars are two people, neither a city.
        ("रमेश कुमार | सुधीर सिंह", (["रमेश कुमार", "सुधीर सिंह"], None)),
        ("रमेश कुमार, सुधीर सिंह / पटना", (["रमेश कुमार", "सुधीर सिंह"], "पटना")),
        ("बीएस संवाददाता / नई दिल्ली", (["बीएस संवाददाता"], "नई दिल्ली")),
    ],
)
def test_a_reporters_hindi_byline_keeps_the_reporter_whole_and_the_city_apart(byline: str, expected: tuple[list[str], str]) -> None:
    assert _desktop(byline) == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("New Delhi, PTI", (["PTI"], "New Delhi")),
        ("PTI | New Delhi", (["PTI"], "New Delhi")),
        ("Shine Jacob | Chennai", (["Shine Jacob"], "Chennai")),
        ("AP Singh", (["AP Singh"], None)),
    ],
)
def test_an_english_byline_reads_as_before_on_the_amp_page(byline: str, expected: tuple[list[str], str | None]) -> None:
    assert _amp(byline) == expected
