"""Probes of the current site's pages and their AMP twins in variants the CMS plausibly writes: promos
in other shapes, inline markup next to punctuation, inline promos that look like the related list,
each built from a fixture page and checked against what a careful reader writes down."""

from __future__ import annotations

import json
import re

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_nextjs import _with_data

STORY = ["Intro of the story.", "The story goes on."]
OTHER = "https://www.business-standard.com/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html"
ANOTHER = "https://www.business-standard.com/companies/news/mahindra-unveils-new-electric-suv-platform-124061900410_1.html"
LINK = f'<a href="{OTHER}">EV makers seek extension of FAME subsidy</a>'
LINK2 = f'<a href="{ANOTHER}">Mahindra unveils new electric SUV platform</a>'
LD_BODY = re.compile(r'"articleBody": "(?:[^"\\]|\\.)*", ')


def _next_body(markup: str) -> tuple[str | None, str | None]:
    """The body read from ``htmlContent`` holding ``markup``, and the source that answered."""
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    result = extract(_with_data(html, lambda data: data.update(htmlContent=markup)).encode(), url)
    return result.article.articleBody, result.provenance.sources.get("articleBody")


def _amp_body(markup: str) -> tuple[str | None, str | None]:
    """The body of the AMP fixture whose story container holds ``markup`` (JSON-LD without a body)."""
    html, url, _ = _fixture("amp/seed-syndicated")
    start = html.index('<div class="storycontent">')
    end = html.index("</div>", start)
    html, removed = LD_BODY.subn("", html[:start] + f'<div class="storycontent">{markup}' + html[end:])
    assert removed == 1
    result = extract(html.encode(), url)
    return result.article.articleBody, result.provenance.sources.get("articleBody")


# --- "Also Read" as a label on its own line, the promoted stories on the lines after it ----------

LABEL_THEN_LINKS = {
    "bold-paragraph-then-link-paragraph": f"<p>{STORY[0]}</p><p><strong>Also Read:</strong></p><p>{LINK}</p><p>{STORY[1]}</p>",
    "br-lines": f"<p>{STORY[0]}<br><strong>Also Read:</strong><br>{LINK}<br>{STORY[1]}</p>",
    "heading-then-list": f"<p>{STORY[0]}</p><h3>Also Read</h3><ul><li>{LINK}</li><li>{LINK2}</li></ul><p>{STORY[1]}</p>",
    "read-more-then-div": f"<div>{STORY[0]}</div><div><b>READ MORE</b></div><div>{LINK}</div><div>{STORY[1]}</div>",
}


@pytest.mark.parametrize("markup", LABEL_THEN_LINKS.values(), ids=LABEL_THEN_LINKS.keys())
def test_stories_promoted_on_the_lines_after_a_label_alone_stay_out_of_the_body(markup: str) -> None:
    assert _next_body(markup) == ("\n".join(STORY), "next")
    assert _amp_body(markup) == ("\n".join(STORY), "dom")


def test_a_line_that_is_a_link_stays_when_no_label_is_before_it() -> None:
    # A link of the story on a line of its own (a document, a statement): no promo without the label.
    markup = f"<p>{STORY[0]}</p><p><a href='/topic/rbi'>Read the RBI statement</a></p><p>{LINK}</p><p>Also Read: {LINK2}</p><p>{STORY[1]}</p>"
    assert _next_body(markup) == (f"{STORY[0]}\nRead the RBI statement\nEV makers seek extension of FAME subsidy\n{STORY[1]}", "next")
    # Past the label's links, the story's next line is the story, also when it holds a link.
    markup = f"<p>{STORY[0]}</p><p><b>Also Read</b></p><p>{LINK}</p><p>{STORY[1]} <a href='/topic/ev'>EV</a></p>"
    assert _next_body(markup) == (f"{STORY[0]}\n{STORY[1]} EV", "next")


# --- inline markup next to punctuation ----------------------------------------------------------

HEADLINE = "Tata Motors and Mahindra step up EV capacity ahead of festive demand"


@pytest.mark.parametrize(
    ("marked", "read"),
    [
        (f"<em>Exclusive</em>: {HEADLINE}", f"Exclusive: {HEADLINE}"),
        (f"<b>Tata Motors</b>' EV push: {HEADLINE[12:]}", f"Tata Motors' EV push: {HEADLINE[12:]}"),
        (f"{HEADLINE} (<i>updated</i>)", f"{HEADLINE} (updated)"),
        (f"{HEADLINE}<br>Part two", f"{HEADLINE} Part two"),
    ],
    ids=["em-colon", "b-apostrophe", "i-in-brackets", "br"],
)
def test_inline_markup_next_to_punctuation_adds_no_space(marked: str, read: str) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    # The article JSON's headline and the page's h1 with markup, JSON-LD's as plain text: one headline.
    html = _once(html, f'"headline": "{HEADLINE}"', f'"headline": {json.dumps(read)}')
    html = _once(html, f'stryhdtp">{HEADLINE}</h1>', f'stryhdtp">{marked}</h1>')
    html = _with_data(html, lambda data: data.update(heading1=marked))
    result = extract(html.encode(), url)
    assert result.article.headline == read
    assert "headline" not in result.provenance.disagreements
    # The page's own h1, standfirst and caption, with the article JSON silent.
    caption = expected["mainImage"]["caption"]  # type: ignore[index]
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _with_data(html, lambda data: (data.update(heading1="", pageTitle="", subHeading=""), data["featuredImageObj"].update(caption="")))
    html = re.sub(r'"headline": "[^"]*", ', "", html)
    html = _once(html, f'stryhdtp">{HEADLINE}</h1>', f'stryhdtp">{marked}</h1>')
    html = _once(html, 'strydsc">Both carmakers plan to double battery pack assembly by the end of the financial year</h2>', 'strydsc">Both carmakers plan to double <b>battery pack</b> assembly by the <i>year</i>\u2019s end.</h2>')
    html = _once(html, f"captiontext\">{caption}</div>", 'captiontext">An electric car at a charging station in <b>Mumbai</b>. (Photo: <i>Reuters</i>)</div>')
    article = extract(html.encode(), url).article
    assert article.headline == read
    assert article.description == "Both carmakers plan to double battery pack assembly by the year\u2019s end."
    assert article.mainImage is not None and article.mainImage.caption == "An electric car at a charging station in Mumbai. (Photo: Reuters)"


def test_text_in_separate_elements_stays_apart() -> None:
    # Names in spans of their own, words of separate blocks: a space between, as before.
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _with_data(html, lambda data: data["featuredImageObj"].update(caption=""))
    html = re.sub(r'<div class="MainStory_captiontext__Lm2Xc captiontext">[^<]*</div>', '<div class="MainStory_captiontext__Lm2Xc captiontext"><p>Chargers in Mumbai</p><p>Photo: Reuters</p></div>', html)
    article = extract(html.encode(), url).article
    assert article.mainImage is not None and article.mainImage.caption == "Chargers in Mumbai Photo: Reuters"


# --- an inline promo headed like the related list, inside the story -------------------------------

RELATED_AFTER = ["EV makers seek extension of FAME subsidy", "Mahindra unveils new electric SUV platform", "Tata Power to set up 1,000 EV chargers"]
INLINE_HEADED = {
    "h3-and-list": "<h3>Also Read</h3><ul><li>{link}</li></ul>",
    "bold-and-list-in-a-div": "<div><strong>Also Read</strong><ul><li>{link}</li></ul></div>",
    "h4-more-from-this-section": "<h4>More From This Section</h4><p>{link}</p>",
}
INLINE_LINK = '<a href="https://www.business-standard.com/companies/news/battery-makers-raise-funds-124070500120_1.html">Battery makers raise funds</a>'


@pytest.mark.parametrize("inline", INLINE_HEADED.values(), ids=INLINE_HEADED.keys())
def test_an_inline_promo_headed_like_the_related_list_does_not_hide_the_list_after_the_story(inline: str) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    # The page's story (before __NEXT_DATA__) with the promo between two of its paragraphs.
    html = html.replace("<div>Mahindra plans to roll out", inline.format(link=INLINE_LINK) + "<div>Mahindra plans to roll out", 1)
    # (The promo's story after the list's, as a reader sees both: round 28's inline promos, its links
    # as a list's items or under the list's heading too.)
    assert [r.headline for r in extract(html.encode(), url).article.alsoRead] == [*RELATED_AFTER, "Battery makers raise funds"]
    # Without a list after the story, the promo's links are what there is (as before).
    html = re.sub(r'<div class="MainStory_alsoreadbox__Uu3Pa alsoreadbox">.*?</div>', "", html, flags=re.S)
    assert "Battery makers raise funds" in [r.headline for r in extract(html.encode(), url).article.alsoRead]


# --- AMP components whose text is a control, a fallback or a gallery's, in the story -------------

AMP_COMPONENTS = {
    "story-player": '<amp-story-player layout="fixed" width="360" height="600"><a href="https://www.business-standard.com/webstories/x/budget-125020400714_1.html">Budget 2025 in ten pictures</a></amp-story-player>',
    "list": '<amp-list src="/api/related" height="100" layout="fixed-height"><template type="amp-mustache"><p>{{title}}</p></template>'
    '<div overflow>See more</div><div placeholder>Loading related stories</div><div fallback>Could not load related stories</div></amp-list>',
    "carousel-captions": '<amp-carousel type="slides" width="4" height="3" layout="responsive"><div><amp-img src="a.jpg" width="4" height="3"></amp-img>'
    '<p class="caption">The plant at Sanand. Photo: Reuters</p></div><div><amp-img src="b.jpg" width="4" height="3"></amp-img><div>Battery line</div></div></amp-carousel>',
    "base-carousel": '<amp-base-carousel width="4" height="3" layout="responsive"><div>Slide one of three</div></amp-base-carousel>',
    "lightbox": '<amp-lightbox id="share" layout="nodisplay"><div>Share this story</div><div>Close</div></amp-lightbox>',
    "sidebar": '<amp-sidebar id="menu" layout="nodisplay" side="left"><ul><li>Markets</li><li>Companies</li></ul></amp-sidebar>',
    "image-slider": '<amp-image-slider width="300" height="200"><amp-img src="a.jpg" width="300" height="200"></amp-img><amp-img src="b.jpg" width="300" height="200"></amp-img><div first>Before</div><div second>After</div></amp-image-slider>',
}


@pytest.mark.parametrize("component", AMP_COMPONENTS.values(), ids=AMP_COMPONENTS.keys())
def test_the_text_of_an_amp_component_that_is_no_story_stays_out_of_the_amp_body(component: str) -> None:
    assert _amp_body(f"<p>{STORY[0]}</p>{component}<p>{STORY[1]}</p>") == ("\n".join(STORY), "dom")


def test_a_poll_s_choices_in_the_story_are_no_story() -> None:
    poll = "<form><p>Will the RBI cut rates?</p><select name='vote'><option>Yes</option><option>No</option></select><textarea>Your comment</textarea><button>Vote</button></form>"
    assert _next_body(f"<p>{STORY[0]}</p>{poll}<p>{STORY[1]}</p>") == (f"{STORY[0]}\nWill the RBI cut rates?\n{STORY[1]}", "next")


# --- markup in JSON-LD's text fields ---------------------------------------------------------------

AMP_HEADLINE = "India-US defence meet: Security cooperation, intelligence sharing discussed"


@pytest.mark.parametrize("marked", [f"<em>India-US</em>{AMP_HEADLINE[8:]}", f"<p>{AMP_HEADLINE}</p>", f"[\"<b>{AMP_HEADLINE[:17]}</b>{AMP_HEADLINE[17:]}\"]"], ids=["em", "p", "list"])
def test_markup_in_the_json_ld_headline_is_read_as_its_text(marked: str) -> None:
    html, url, _ = _fixture("amp/seed-syndicated")
    value = (marked if marked.startswith("[") else json.dumps(marked)).replace("</", "<\\/")
    html = _once(html, f'"headline": "{AMP_HEADLINE}"', f'"headline": {value}')
    result = extract(html.encode(), url)
    assert result.article.headline == AMP_HEADLINE and result.provenance.sources["headline"] == "ld"


def test_markup_in_the_json_ld_description_is_read_as_its_text() -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    standfirst = expected["description"]
    assert isinstance(standfirst, str)
    # Neither the article JSON nor the page has a standfirst: JSON-LD's answers, written as markup.
    html = _with_data(html, lambda data: data.update(subHeading="", metaDescription=""))
    html = re.sub(r'<h2 class="MainStory_strydsc__Jl9Ko strydsc">.*?</h2>', "", html)
    html = _once(html, f'"description": "{standfirst}"', '"description": "<p>Both carmakers plan to <b>double</b> battery pack assembly by the end of the financial year<\\/p>"')
    result = extract(html.encode(), url)
    assert result.article.description == standfirst and result.provenance.sources["description"] == "ld"


# --- inline promos in the other shapes the CMS writes them ----------------------------------------

INLINE_RUNS = {
    "strong-read-more": f"<strong>Read more: {LINK}</strong>",
    "b-read-more-bar": f"<b>READ MORE | {LINK}</b>",
    "link-around-bold": f'<a href="{OTHER}"><strong>Also Read: EV makers seek extension of FAME subsidy</strong></a>',
    "em-also-read": f"<em>Also Read: {LINK}</em>",
    "i-around-bold-label": f"<i><b>ALSO READ:</b> {LINK}</i>",
}


@pytest.mark.parametrize("run", INLINE_RUNS.values(), ids=INLINE_RUNS.keys())
def test_an_inline_promo_run_of_any_shape_goes_and_the_story_around_it_stays(run: str) -> None:
    assert _next_body(f"<p>{STORY[0]} {run} {STORY[1]}</p>") == (" ".join(STORY), "next")


def test_a_link_reading_read_more_inside_a_sentence_stays() -> None:
    markup = f"<p>{STORY[0]} Investors can <a href='/topic/sgb'>read more about the scheme</a> on its site. <em>Read</em> it <a href='/x'>here</a>.</p>"
    assert _next_body(markup) == (f"{STORY[0]} Investors can read more about the scheme on its site. Read it here.", "next")
    markup = f"<p>{STORY[0]} Lawyers should <a href='/x-124070800259_1.html'>also read the order</a> and <i>also read <a href='/y'>the rules</a></i>.</p>"
    assert _next_body(markup) == (f"{STORY[0]} Lawyers should also read the order and also read the rules.", "next")


# --- blocks of older markup ---------------------------------------------------------------------

OLD_BLOCKS = {
    "center": ("<center><b>Key figures</b></center>Revenue rose 12 per cent.", ["Key figures", "Revenue rose 12 per cent."]),
    "details": ("<details><summary>Key points</summary>Revenue rose 12 per cent.</details>", ["Key points", "Revenue rose 12 per cent."]),
    "fieldset": ("<fieldset><legend>Quick poll</legend>Will the RBI cut rates?</fieldset>", ["Quick poll", "Will the RBI cut rates?"]),
    "hgroup": ("<hgroup>Q1 results</hgroup>Revenue rose 12 per cent.", ["Q1 results", "Revenue rose 12 per cent."]),
}


@pytest.mark.parametrize(("markup", "lines"), OLD_BLOCKS.values(), ids=OLD_BLOCKS.keys())
def test_the_lines_of_blocks_of_older_markup_are_not_glued_to_the_next(markup: str, lines: list[str]) -> None:
    assert _next_body(f"<p>{STORY[0]}</p>{markup}<p>{STORY[1]}</p>") == ("\n".join([STORY[0], *lines, STORY[1]]), "next")


# --- the story's own labels inside its h1 --------------------------------------------------------

H1_LABELS = {
    "premium": ('<span class="MainStory_strlabel__Ab1Cd strlabel">Premium</span>', "isPremium"),
    "live": ('<span class="LiveButton_livebtn__Xy2Zw LiveButton">LIVE</span> ', "isLiveBlog"),
}


@pytest.mark.parametrize(("label", "flag"), H1_LABELS.values(), ids=H1_LABELS.keys())
def test_a_label_inside_the_h1_is_not_part_of_the_headline(label: str, flag: str) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _once(html, f'stryhdtp">{HEADLINE}</h1>', f'stryhdtp">{label}{HEADLINE}</h1>')
    result = extract(html.encode(), url)
    assert result.article.headline == HEADLINE and getattr(result.article, flag) is True
    assert "headline" not in result.provenance.disagreements
    # The page's h1 alone gives the headline.
    html = re.sub(r'"headline": "[^"]*", ', "", _with_data(html, lambda data: data.update(heading1="", pageTitle="")))
    result = extract(html.encode(), url)
    assert result.article.headline == HEADLINE and result.provenance.sources["headline"] == "dom"


# --- htmlContent written as text -------------------------------------------------------------------

PARAGRAPHS = ["Tata Motors and Mahindra & Mahindra are expanding capacity.", "Both companies declined to comment on their plans."]


@pytest.mark.parametrize(
    "content",
    [
        "".join(f"&lt;p&gt;{p.replace('&', '&amp;amp;')}&lt;/p&gt;" for p in PARAGRAPHS),
        "\n\n".join(PARAGRAPHS),
        "\r\n".join(PARAGRAPHS[:1] + [PARAGRAPHS[1].replace("comment", "<b>comment</b>")]),
    ],
    ids=["escaped-markup", "text-lines", "text-lines-with-inline-markup"],
)
def test_html_content_written_as_text_gives_its_paragraphs(content: str) -> None:
    assert _next_body(content) == ("\n".join(PARAGRAPHS), "next")


def test_html_content_of_text_lines_and_a_table_keeps_the_table_s_rows() -> None:
    content = f"{PARAGRAPHS[0]}\n<table>\n<tr><td>Tata Motors</td><td>1,200</td></tr>\n<tr><td>Mahindra</td><td>900</td></tr>\n</table>\n{PARAGRAPHS[1]}"
    assert _next_body(content) == (f"{PARAGRAPHS[0]}\nTata Motors | 1,200\nMahindra | 900\n{PARAGRAPHS[1]}", "next")


# --- live updates whose text repeats their headline ---------------------------------------------


@pytest.mark.parametrize("repeat", ["{h}", "{h}\n{b}", "<p>{h}</p><p>{b}</p>"], ids=["headline-alone", "headline-line-first", "headline-paragraph-first"])
def test_a_live_update_whose_text_starts_with_its_headline_gives_it_once(repeat: str) -> None:
    html, url, expected = _fixture("nextjs-2023/live-blog")
    headline, body = "Sensex opens 300 points higher", "The BSE Sensex opened at 78,950, up 300 points."
    update = json.dumps(repeat.format(h=headline, b=body)).replace("</", "<\\/")
    html = _once(html, f'"articleBody": "{body}"', f'"articleBody": {update}')
    article = extract(html.encode(), url).article
    lines = expected["articleBody"].split("\n")  # type: ignore[union-attr]
    if repeat == "{h}":
        lines.remove(body)
    assert article.articleBody == "\n".join(lines)


# --- an AMP page whose JSON-LD names no author --------------------------------------------------

LD_AUTHOR = re.compile(r'"author": (?:\[.*?\]|\{.*?\}), ')
AMP_BYLINE = '<div class="byline">Press Trust of India <span class="dateline">New Delhi</span></div>'
AMP_BYLINES = {
    "agency-text": (AMP_BYLINE, [("Press Trust of India", None)]),
    "linked-names": (
        '<div class="byline">By <a href="/author/search/keyword/shine-jacob">Shine Jacob</a> and <a href="/author/search/keyword/deepak-patel">Deepak Patel</a> <span class="dateline">New Delhi</span></div>',
        [("Shine Jacob", "https://www.business-standard.com/author/search/keyword/shine-jacob"), ("Deepak Patel", "https://www.business-standard.com/author/search/keyword/deepak-patel")],
    ),
    "names-in-spans": ('<div class="byline"><span>Shine Jacob</span> &amp; <span>Sohini Das</span> <span class="dateline">Chennai</span></div>', [("Shine Jacob", None), ("Sohini Das", None)]),
    "hindi": ('<div class="byline">अनुराग शर्मा <span class="dateline">नई दिल्ली</span></div>', [("अनुराग शर्मा", None)]),
    "hindi-joint": ('<div class="byline">अनुराग शर्मा और प्रिया सिंह <span class="dateline">नई दिल्ली</span></div>', [("अनुराग शर्मा", None), ("प्रिया सिंह", None)]),
}


@pytest.mark.parametrize(("byline", "authors"), AMP_BYLINES.values(), ids=AMP_BYLINES.keys())
def test_an_amp_page_whose_json_ld_names_no_author_gives_the_byline_s(byline: str, authors: list[tuple[str, str | None]]) -> None:
    html, url, _ = _fixture("amp/seed-syndicated")
    html, removed = LD_AUTHOR.subn("", _once(html, AMP_BYLINE, byline))
    assert removed == 1
    result = extract(html.encode(), url)
    assert [(a.name, a.url) for a in result.article.authors] == authors
    assert result.provenance.sources["authors"] == "dom"
    # JSON-LD's authors, where it has them, are the item's (the byline is a fallback).
    html, url, expected = _fixture("amp/seed-syndicated")
    result = extract(_once(html, AMP_BYLINE, byline).encode(), url)
    assert [a.__dict__ for a in result.article.authors] == expected["authors"] and result.provenance.sources["authors"] == "ld"


# --- promos with a decoration around their words ---------------------------------------------------

DECORATED_PROMOS = [
    "\U0001f4e2 Click here to follow our WhatsApp channel",
    "(Click here to follow our WhatsApp channel)",
    "\U0001f449 Follow us on Google News",
    "\u25ba Also Read: EV makers seek extension of FAME subsidy",
    "Also Read >> EV makers seek extension of FAME subsidy",
    "ALSO READ \u00bb EV makers seek extension of FAME subsidy",
    "Also Read \u2192 EV makers seek extension of FAME subsidy",
    "Advertisement.",
    "- Advertisement -",
]


@pytest.mark.parametrize("promo", DECORATED_PROMOS)
def test_a_promo_with_a_decoration_around_its_words_goes(promo: str) -> None:
    assert _next_body(f"<p>{STORY[0]}</p><p>{promo}</p><p>{STORY[1]}</p>") == ("\n".join(STORY), "next")


@pytest.mark.parametrize("line", ['"Read more books," the minister told students.', "(Also read in Parliament, the bill was passed.)", "\u2018Advertisement\u2019 rules tightened by Sebi"])
def test_a_story_line_starting_with_a_promo_s_words_stays(line: str) -> None:
    assert _next_body(f"<p>{STORY[0]}</p><p>{line}</p><p>{STORY[1]}</p>") == (f"{STORY[0]}\n{line}\n{STORY[1]}", "next")


# --- code in JSON-LD's articleBody ------------------------------------------------------------------

CODE_LINES = {
    "gpt": ["googletag.cmd.push(function() { googletag.display('div-gpt-ad-1700000000000-0'); });"],
    "data-layer": ["window.dataLayer = window.dataLayer || [];", "dataLayer.push({ event: 'story_view' });"],
    "css": [".mb-20 .storyadsprg{display:none;margin-bottom:20px}", "@media (max-width: 600px) { .storyadsprg { height: 250px; } }"],
    "iife": ["(function () {", "var s = document.createElement('script'); s.async = true;", "})();"],
}


@pytest.mark.parametrize("code", CODE_LINES.values(), ids=CODE_LINES.keys())
@pytest.mark.parametrize("folder", ["nextjs-2023/staff-multi-author", "amp/seed-syndicated", "nextjs-2023/premium-no-htmlcontent"])
def test_the_code_of_a_script_or_style_in_json_ld_s_body_is_no_story(folder: str, code: list[str]) -> None:
    # The site's articleBody is the story with its tags stripped: a script's code and a style's rules
    # in the story stay in it as text. The page's own whole body must not lose to it, and where
    # JSON-LD's body is the one there is, the code is not in it.
    html, url, expected = _fixture(folder)
    found = re.search(r'"articleBody": ("(?:[^"\\]|\\.)*")', html)
    assert found is not None
    lines = json.loads(found.group(1)).split("\n")
    with_code = "\n".join(lines[:2] + code + lines[2:])
    html = html[: found.start(1)] + json.dumps(with_code) + html[found.end(1) :]
    result = extract(html.encode(), url)
    assert result.article.articleBody == expected["articleBody"]
    assert result.article.isPremium == expected["isPremium"]
    assert ("truncated-dom" in result.provenance.flags) == folder.endswith("premium-no-htmlcontent")


def test_story_lines_with_an_equals_sign_or_braces_stay_in_json_ld_s_body() -> None:
    html, url, expected = _fixture("nextjs-2023/premium-no-htmlcontent")
    prose = ["The valuation gap = price-to-earnings ratio less the sector's.", "The order {in Hindi and English} was posted on the window. Analysts (most of them) agreed."]
    found = re.search(r'"articleBody": ("(?:[^"\\]|\\.)*")', html)
    assert found is not None
    lines = json.loads(found.group(1)).split("\n")
    html = html[: found.start(1)] + json.dumps("\n".join(lines[:1] + prose + lines[1:])) + html[found.end(1) :]
    body = extract(html.encode(), url).article.articleBody
    assert body is not None and all(line in body.split("\n") for line in prose)


# --- an editor named in the byline --------------------------------------------------------------

NEXT_BYLINE = re.compile(r'<span class="MainStory_dtlauthinfo__Pq2Ws">.*?</span></span>\n')
EDITED_BYLINES = {
    "edited-by-span": ('<span><a href="/author/search/keyword/shine-jacob">Shine Jacob</a></span> <span>Edited by: Rahul Goreja</span>', ["Shine Jacob"]),
    "edited-by-span-no-link": ("<span>BS Web Team</span> <span>Edited by: Rahul Goreja</span>", ["BS Web Team"]),
    "written-and-edited": ("Written by Shine Jacob and Sohini Das, edited by Rahul Goreja and Ayush Mishra", ["Shine Jacob", "Sohini Das"]),
    "bar-edited-by": ("<span>Shine Jacob</span> <span>| Edited By Rahul Goreja</span>", ["Shine Jacob"]),
}


@pytest.mark.parametrize(("names", "authors"), EDITED_BYLINES.values(), ids=EDITED_BYLINES.keys())
def test_an_editor_named_in_the_byline_is_not_an_author(names: str, authors: list[str]) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _with_data(html, lambda data: data.update(authorDetails=[], articleMappedMultipleAuthors={}, authorName="", sourceTitle=""))
    html = re.sub(r'"author": \[.*?\](?=, "keywords")', '"author": []', html)
    html, replaced = NEXT_BYLINE.subn(f'<span class="MainStory_dtlauthinfo__Pq2Ws">{names} <span style="font-weight:400">Chennai</span></span>\n', html)
    assert replaced == 1
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == authors and result.article.dateline == "Chennai"
    # The AMP page's byline, read the same way.
    html, url, _ = _fixture("amp/seed-syndicated")
    html = _once(LD_AUTHOR.sub("", html), AMP_BYLINE, f'<div class="byline">{names} <span class="dateline">New Delhi</span></div>')
    assert [a.name for a in extract(html.encode(), url).article.authors] == authors


# --- the caption of an embedded video -----------------------------------------------------------

VIDEO_FIGURES = {
    "iframe": '<figure><iframe src="https://www.youtube.com/embed/abc" width="560" height="315"></iframe><figcaption>Watch: the minister on the budget</figcaption></figure>',
    "amp-youtube": '<figure><amp-youtube data-videoid="abc" width="480" height="270"></amp-youtube><figcaption>Watch: the minister on the budget</figcaption></figure>',
}


@pytest.mark.parametrize("figure", VIDEO_FIGURES.values(), ids=VIDEO_FIGURES.keys())
def test_the_caption_of_an_embedded_video_is_no_story_and_a_table_s_title_is(figure: str) -> None:
    assert _next_body(f"<p>{STORY[0]}</p>{figure}<p>{STORY[1]}</p>") == ("\n".join(STORY), "next")
    assert _amp_body(f"<p>{STORY[0]}</p>{figure}<p>{STORY[1]}</p>") == ("\n".join(STORY), "dom")
    table = "<figure><table><tr><td>TCS</td><td>12,000</td></tr></table><figcaption>Q1 profit (Rs crore)</figcaption></figure>"
    assert _next_body(f"<p>{STORY[0]}</p>{table}") == (f"{STORY[0]}\nTCS | 12,000\nQ1 profit (Rs crore)", "next")


# --- the related list's heading in a wrapper of its own ---------------------------------------------

WRAPPED_HEADINGS = {
    "heading-alone": '<div class="MainStory_secthead__Ab1Cd secthead"><h2>More From This Section</h2></div>',
    "heading-and-view-more": '<div class="MainStory_secthead__Ab1Cd secthead"><h2>More From This Section</h2><a href="/companies/news">View more</a></div>',
    "two-wrappers": '<div class="MainStory_secthead__Ab1Cd secthead"><div><h2>More From This Section</h2></div></div>',
}


@pytest.mark.parametrize("wrapped", WRAPPED_HEADINGS.values(), ids=WRAPPED_HEADINGS.keys())
def test_a_related_list_whose_heading_has_a_wrapper_of_its_own_is_read(wrapped: str) -> None:
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    html = _once(html, "<h2>More From This Section</h2>", wrapped)
    result = extract(html.encode(), url)
    assert [r.__dict__ for r in result.article.alsoRead] == expected["alsoRead"]


@pytest.mark.parametrize("heading", ["More From This Section &gt;", "More From This Section \u203a", "MORE FROM THIS SECTION \u00bb", "More From This Section \u2192"])
def test_a_related_list_heading_with_an_arrow_after_it_is_read(heading: str) -> None:
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    html = _once(html, "<h2>More From This Section</h2>", f"<h2>{heading}</h2>")
    assert [r.__dict__ for r in extract(html.encode(), url).article.alsoRead] == expected["alsoRead"]


# --- entities the CMS escaped twice in the article JSON ------------------------------------------


def test_entities_escaped_twice_in_the_article_json_read_as_the_page_s_do() -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    read = "Tata Motors\u2019 and Mahindra\u2019s EV push: capacity up ahead of festive demand"
    twice = "Tata Motors&amp;#8217; and Mahindra&amp;rsquo;s EV push: capacity up ahead of festive demand"
    html = _once(html, f'"headline": "{HEADLINE}"', f'"headline": "{read}"')
    # The page's h1 holds the same escaping: the parser undoes one, the text rule the other.
    html = _once(html, f'stryhdtp">{HEADLINE}</h1>', f'stryhdtp">{twice}</h1>')
    html = _with_data(html, lambda data: data.update(heading1=twice, subHeading="Capacity &amp;amp; demand"))
    result = extract(html.encode(), url)
    assert (result.article.headline, result.article.description) == (read, "Capacity & demand")
    assert "headline" not in result.provenance.disagreements


# --- the article JSON's authorName naming several people --------------------------------------------


@pytest.mark.parametrize("written", ["Shine Jacob and Deepak Patel", "Shine Jacob & Deepak Patel", "By Shine Jacob, Deepak Patel", "Shine Jacob | Deepak Patel"])
def test_an_author_name_of_several_people_gives_each(written: str) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _with_data(html, lambda data: data.update(authorDetails=[], articleMappedMultipleAuthors={}, authorName=written))
    html = re.sub(r', \{"@type": "Person", "name": "Sohini Das"[^{}]*\}', "", html)
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == ["Shine Jacob", "Deepak Patel"]
    assert result.provenance.sources["authors"] == "next" and "authors" not in result.provenance.disagreements


# --- the syndication note cut by a line break, or run into the story's last line ---------------------

NOTE = ("(Only the headline and picture of this report may have been reworked by the Business Standard staff;", "the rest of the content is auto-generated from a syndicated feed.)")
NOTE_FORMS = {
    "br-inside": f'<p id="auto_disclaimer">{NOTE[0]}<br>{NOTE[1]}</p>',
    "italic-lines": f'<p id="auto_disclaimer"><i>{NOTE[0]}</i><br><i>{NOTE[1]}</i></p>',
    "run-into-last-line": f"<em>{NOTE[0]} {NOTE[1]}</em>",
}


@pytest.mark.parametrize("note", NOTE_FORMS.values(), ids=NOTE_FORMS.keys())
def test_the_syndication_note_cut_by_a_line_break_or_run_into_the_last_line_is_the_note(note: str) -> None:
    markup = f"<p>{STORY[0]}</p><p>{STORY[1]} {note}</p>" if note.startswith("<em>") else f"<p>{STORY[0]}</p><p>{STORY[1]}</p>{note}"
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    article = extract(_with_data(html, lambda data: data.update(htmlContent=markup)).encode(), url).article
    assert (article.articleBody, article.disclaimer, article.isSyndicated) == ("\n".join(STORY), " ".join(NOTE), True)


# --- an AMP live blog whose updates JSON-LD alone lists --------------------------------------------


def test_an_amp_live_blog_without_a_live_list_gives_the_updates_json_ld_lists() -> None:
    from tests.loopback.pages import SITE, render_amp
    from tests.pages import specs

    spec = specs.LIVE_DOM
    updates = [{"@type": "BlogPosting", "headline": u.headline, "articleBody": u.body} for u in spec.live_updates]
    html = _once(render_amp(spec), '"@type": "LiveBlogPosting"', f'"@type": "LiveBlogPosting", "liveBlogUpdate": {json.dumps(updates)}')
    article = extract(html.encode(), SITE + "/amp" + spec.path).article
    assert article.isLiveBlog is True
    assert article.articleBody == "\n".join([*spec.paragraphs, *(line for u in spec.live_updates for line in (u.headline, u.body))])
    # Updates the page shows in its story too are read once.
    shown = "".join(f"<h3>{u.headline}</h3><p>{u.body}</p>" for u in spec.live_updates)
    html = _once(html, "</p></div>\n", f"</p>{shown}</div>\n")
    assert extract(html.encode(), SITE + "/amp" + spec.path).article.articleBody == article.articleBody


# --- a related card whose link holds more than the headline -------------------------------------

CARD_URL = "https://www.business-standard.com/companies/news/mahindra-unveils-new-electric-suv-platform-124061900410_1.html"
CARD_FORMS = {
    "heading-and-read-time": f'<a href="{CARD_URL}"><img src="t.jpg" alt="SUV"><h3>Mahindra unveils new electric SUV platform</h3><span>2 min read</span></a>',
    "text-and-read-time": f'<a href="{CARD_URL}">Mahindra unveils new electric SUV platform <span class="readtime">3 min read</span></a>',
    "heading-and-summary": f'<a href="{CARD_URL}"><h4>Mahindra unveils new electric SUV platform</h4><p>The carmaker will build five models on it by 2027.</p></a>',
}


@pytest.mark.parametrize("card", CARD_FORMS.values(), ids=CARD_FORMS.keys())
def test_a_related_card_s_headline_is_its_headline_alone(card: str) -> None:
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    html = _once(html, f'<a href="{CARD_URL}">Mahindra unveils new electric SUV platform</a>', card)
    assert [r.__dict__ for r in extract(html.encode(), url).article.alsoRead] == expected["alsoRead"]
