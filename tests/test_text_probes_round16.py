"""Round 16 probes of the text a reader of the JSON lines gets: entities, promos and lines of the
page's chrome in every layout's text fields."""

from __future__ import annotations

import io
import json
from dataclasses import asdict, replace
from html import escape as html_escape
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction import Article, extract
from crawler.extraction.normalize import clean_text
from crawler.extraction.text import block_paragraphs, fragment, split_body
from crawler.incremental.exporters import ArticleJsonItemExporter, ArticleJsonLinesItemExporter
from tests.item_contract import contract_problems
from tests.loopback.pages import SITE, Author, render_amp, render_current, render_legacy
from tests.pages.cases import HINDI_BUDGET, HINDI_COMPANIES, HINDI_SITE, render_hindi
from tests.pages.specs import SEED

# --- an ampersand the page shows before a word is no entity ---------------------------------------

# What a story shows as written: a link's query ("&region=", "&copy=", "&param=", "&sect="), and
# words run on after an ampersand ("&notes", "&cents"). HTML's legacy entities ("&reg", "&copy",
# "&para", "&not") are read without their semicolon, but, as a browser reads an attribute, not
# before a letter, a digit or "=": the page's "&amp;region=in" is "&region=in" to its reader, not
# "®ion=in" (the parser undoes the page's own escape, and the text was unescaped once more).
SHOWN = "&region=in&copy=2&param=x&sect=3 &notes &cents"


def _spec() -> Any:
    return replace(
        SEED,
        headline=f"Apply by Friday: {SHOWN}",
        standfirst=f"The portal {SHOWN}",
        paragraphs=[SEED.paragraphs[0], f"Apply at https://example.gov.in/apply?id=1{SHOWN} before Friday.", *SEED.paragraphs[2:4]],
        authors=[Author("Shine Jacob", "shine-jacob", 5)],
        image_caption=f"The portal {SHOWN}",
        topics=[f"portal {SHOWN}", "security"],
        also_read=[(f"Rana {SHOWN}", SEED.also_read[0][1])],
    )


def _pages() -> dict[str, tuple[str, str]]:
    spec = _spec()
    url = SITE + spec.path
    return {
        "nextjs": (render_current(spec), url),
        "nextjs-dom-europe": (render_current(replace(spec, region="europe", html_content=False)), url),
        "nextjs-dom": (render_current(replace(spec, html_content=False)), url),
        "amp": (render_amp(spec), SITE + "/amp" + spec.path),
        "pre2023": (render_legacy(spec), f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html"),
    }


@pytest.mark.parametrize("layout", ["nextjs", "nextjs-dom-europe", "nextjs-dom", "amp", "pre2023"])
def test_an_ampersand_before_a_word_stays_in_every_text_field(layout: str) -> None:
    html, url = _pages()[layout]
    article = extract(html, url).article
    assert article.headline == f"Apply by Friday: {SHOWN}"
    assert article.description == f"The portal {SHOWN}"
    assert article.articleBody.split("\n")[1] == f"Apply at https://example.gov.in/apply?id=1{SHOWN} before Friday."
    assert f"portal {SHOWN}" in article.topics
    assert article.mainImage is not None and article.mainImage.caption in (f"The portal {SHOWN}", None)
    if article.alsoRead:
        assert article.alsoRead[0].headline == f"Rana {SHOWN}"
    assert contract_problems(article, future_skew=None) == []


@pytest.mark.parametrize("story", [HINDI_BUDGET, HINDI_COMPANIES], ids=["div-body", "p-body"])
def test_an_ampersand_before_a_word_stays_on_the_hindi_edition(story: Any) -> None:
    changed = replace(
        story, headline=f"{story.headline} {SHOWN}", paragraphs=[f"{story.paragraphs[0]} {SHOWN}", *story.paragraphs[1:]],
        keywords=[f"{story.keywords[0]} {SHOWN}", *story.keywords[1:]],
    )
    article = extract(render_hindi(changed), f"{HINDI_SITE}/storypage.php?autono={story.autono}").article
    assert article.headline == f"{story.headline} {SHOWN}"
    assert article.articleBody.split("\n")[0] == " ".join(f"{story.paragraphs[0]} {SHOWN}".split())
    assert article.topics[0] == f"{story.keywords[0]} {SHOWN}"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # Before a letter, a digit or "=": text.
        ("?id=1&region=in", "?id=1&region=in"),
        ("a&copy=2", "a&copy=2"),
        ("Procter&notes", "Procter&notes"),
        ("&para1 &sect2", "&para1 &sect2"),
        # (but a no-break space typed without it before a word, which no word starts with)
        ("Rs&nbsp5 crore", "Rs 5 crore"),
        ("A&nbspB", "A B"),
        # Elsewhere the entity, with or without its semicolon; a whole one before anything.
        ("&copy 2024", "\u00a9 2024"),
        ("&copy2024", "&copy2024"),
        ("&copy;2024", "\u00a92024"),
        ("Rs 5&nbsp;crore", "Rs 5 crore"),
        ("A&nbsp B", "A B"),
        ("Sensex&#8217;s", "Sensex\u2019s"),
        ("Sensex&#x2019s rally", "Sensex\u2019s rally"),
        ("M&amp;M", "M&M"),
        ("AT&T", "AT&T"),
        ("&reg.", "\u00ae."),
        ("&lt;5%", "<5%"),
        ("&registered;", "&registered;"),
    ],
)
def test_legacy_entities_are_read_only_where_a_browser_reads_them_in_an_attribute(raw: str, text: str) -> None:
    assert clean_text(raw) == text


def test_an_ampersand_before_a_word_stays_in_a_json_ld_body() -> None:
    # The generic layout's body is JSON-LD's articleBody: plain text, "&region=in" as written, and
    # the same escaped for HTML.
    body = f"Apply at https://example.gov.in/apply?id=1{SHOWN} before Friday."
    for written in (body, body.replace("&", "&amp;")):
        page = (
            '<html><head><script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Portal opens", "articleBody": f"{SEED.paragraphs[0]}\n{written}",
                          "datePublished": "2024-02-28T15:42:00+05:30", "author": {"@type": "Person", "name": "Shine Jacob"}})
            + "</script></head><body><h1>Portal opens</h1></body></html>"
        )
        article = extract(page, f"{SITE}/india-news/portal-opens-124022800873_1.html").article
        assert article.layout == "generic"
        assert article.articleBody.split("\n")[1] == body


# --- the site's promos, however typed ----------------------------------------------------------

STORY = ["India and the US held their annual dialogue on Wednesday.", "The next round will be held in Washington."]


def _body_of(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return split_body(block_paragraphs(root))[0]


@pytest.mark.parametrize(
    "promo",
    [
        # The Telegram promo under the story (SITE.md's seed), its apostrophe typeset as a CMS does.
        "Don\u2019t miss the most important news and views of the day. Get them on our Telegram channel",
        "DON\u2019T MISS THE MOST IMPORTANT NEWS AND VIEWS OF THE DAY.",
        # "Follow us on …" for the other networks the site posts to, as for Google News and WhatsApp.
        "Follow us on Twitter",
        "Follow us on X for the latest updates",
        "Follow Business Standard on Instagram",
        "Follow us on Facebook, Instagram and LinkedIn",
        "\U0001f4e2 Follow us on YouTube",
        "Follow us on Threads",
    ],
)
def test_a_promo_goes_however_its_apostrophe_or_network_is_written(promo: str) -> None:
    assert _body_of(f"<p>{STORY[0]}</p><p>{promo}</p><p>{STORY[1]}</p>") == STORY


@pytest.mark.parametrize(
    "line",
    [
        "\u201cDon\u2019t miss the most important news and views of the day,\u201d the editor wrote.",
        "\u201cFollow us on Twitter,\u201d the minister told the crowd, \u201cand you will see the proof.\u201d",
        "Followers of the party on Twitter disagreed.",
        "Follow usage on X-ray machines was recorded by the hospital.",
    ],
)
def test_story_lines_that_look_like_them_stay(line: str) -> None:
    assert _body_of(f"<p>{STORY[0]}</p><p>{line}</p>") == [STORY[0], line]


# --- the JSON written in an encoding that cannot write every character ----------------------------


def _hindi_article() -> Article:
    article = extract(render_hindi(HINDI_BUDGET), f"{HINDI_SITE}/storypage.php?autono={HINDI_BUDGET.autono}").article
    # Beside the Hindi words: a typeset apostrophe, the rupee sign, a family emoji and a flag.
    return replace(article, description="Sensex\u2019s \u20b9 5 crore \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f1ee\U0001f1f3")


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252", "iso-8859-15"])
@pytest.mark.parametrize("exporter", [ArticleJsonLinesItemExporter, ArticleJsonItemExporter], ids=["jsonl", "json"])
def test_json_in_an_encoding_without_every_character_escapes_them(exporter: Any, encoding: str) -> None:
    # Before, the first such character failed to encode: the run stopped at its first article (exit 6).
    article = _hindi_article()
    out = io.BytesIO()
    writer = exporter(out, encoding=encoding)
    writer.start_exporting()
    writer.export_item(article)
    writer.finish_exporting()
    data = out.getvalue()
    assert data.isascii()
    written = json.loads(data.decode(encoding))
    assert (written[0] if isinstance(written, list) else written) == json.loads(json.dumps(asdict(article)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
def test_json_in_an_encoding_with_every_character_writes_them_as_they_are(encoding: str) -> None:
    article = _hindi_article()
    out = io.BytesIO()
    writer = ArticleJsonLinesItemExporter(out, encoding=encoding)
    writer.export_item(article)
    text = out.getvalue().decode(encoding)
    assert "\u20b9" in text and "\\u" not in text
    assert json.loads(text) == json.loads(json.dumps(asdict(article)))
    # Options the feed gives are kept.
    kept = io.BytesIO()
    ArticleJsonLinesItemExporter(kept, encoding="latin-1", ensure_ascii=False).export_item({"headline": "Caf\u00e9"})
    assert kept.getvalue() == '{"headline": "Caf\u00e9"}\n'.encode("latin-1")


# --- markup the CMS escaped into the story's text ----------------------------------------------------

# A story whose CMS escaped a pasted piece of markup once more: the page's markup holds
# "&lt;b&gt;no&lt;/b&gt;", JSON-LD's articleBody the tags. The item holds their text, as it does for
# a meta tag's or an attribute's escaped markup (README, "The article item"), never the tags.
ESCAPED = ["The order said <b>no</b> such thing.", "<p>First of the points.</p><p>Second of the points.</p>"]
ESCAPED_TEXT = ["The order said no such thing.", "First of the points.", "Second of the points."]


@pytest.mark.parametrize("layout", ["nextjs", "nextjs-dom-europe", "nextjs-dom", "amp", "pre2023"])
def test_markup_escaped_into_the_story_gives_its_text(layout: str) -> None:
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], *ESCAPED, *SEED.paragraphs[2:4]])
    url = SITE + spec.path
    html, url = {
        "nextjs": (render_current(spec), url),
        "nextjs-dom-europe": (render_current(replace(spec, region="europe", html_content=False)), url),
        "nextjs-dom": (render_current(replace(spec, html_content=False)), url),
        "amp": (render_amp(spec), SITE + "/amp" + spec.path),
        "pre2023": (render_legacy(spec), f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html"),
    }[layout]
    article = extract(html, url).article
    assert article.articleBody.split("\n")[1:4] == ESCAPED_TEXT
    assert contract_problems(article, future_skew=None) == []


def test_markup_escaped_into_a_hindi_story_gives_its_text() -> None:
    story = replace(HINDI_BUDGET, paragraphs=[HINDI_BUDGET.paragraphs[0], *ESCAPED, *HINDI_BUDGET.paragraphs[1:]])
    article = extract(render_hindi(story), f"{HINDI_SITE}/storypage.php?autono={story.autono}").article
    assert article.articleBody.split("\n")[1:4] == ESCAPED_TEXT


@pytest.mark.parametrize(
    "text",
    ["Inflation stayed <5% and the repo rate >6%.", "The ratio a<b holds when b>a.", "Use the <bs> tag in the form."],
)
def test_angle_brackets_of_no_markup_stay(text: str) -> None:
    assert _body_of(f"<p>{html_escape(text)}</p>") == [text]


@pytest.mark.parametrize("layout", ["nextjs", "nextjs-dom-europe", "nextjs-dom", "amp", "pre2023"])
def test_markup_escaped_into_a_field_the_page_shows_gives_its_text(layout: str) -> None:
    # The caption, a related story's headline, AMP's and the pre-2023 page's standfirst and topics
    # were read from the page alone, the tags as text: "Caption <em>no</em> way".
    spec = replace(
        SEED, headline="Sensex falls: <em>no</em> way", standfirst="The standfirst: <em>no</em> way", image_caption="Caption <em>no</em> way",
        topics=["topic <em>no</em> way", "security"], also_read=[("Rana <em>no</em> way", SEED.also_read[0][1])],
        authors=[Author("Shine <b>Jacob</b>", "shine-jacob", 5)], dateline="New <b>Delhi</b>",
    )
    url = SITE + spec.path
    html, url = {
        "nextjs": (render_current(spec), url),
        "nextjs-dom-europe": (render_current(replace(spec, region="europe", html_content=False)), url),
        "nextjs-dom": (render_current(replace(spec, html_content=False)), url),
        "amp": (render_amp(spec), SITE + "/amp" + spec.path),
        "pre2023": (render_legacy(spec), f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html"),
    }[layout]
    article = extract(html, url).article
    assert (article.headline, article.description) == ("Sensex falls: no way", "The standfirst: no way")
    assert article.mainImage is not None and article.mainImage.caption == "Caption no way"
    assert article.topics == ["topic no way", "security"]
    assert [a.headline for a in article.alsoRead][:1] in ([], ["Rana no way"])
    assert [a.name for a in article.authors] == ["Shine Jacob"]
    assert article.dateline == "New Delhi"
    assert contract_problems(article, future_skew=None) == []


# --- inline elements inside a word ----------------------------------------------------------------

# Elements that sit inside a word: a superscript ordinal, a subscript, a line-break chance. The
# fields read from the page joined the text around them with a space: "5 th", "H 2 O", "extra ordinary".
INSIDE_WORDS = {
    "The 5<sup>th</sup> rate cut of <wbr>the year": "The 5th rate cut of the year",
    "CO<sub>2</sub> curbs on extra<wbr>ordinary steel plants": "CO2 curbs on extraordinary steel plants",
}


@pytest.mark.parametrize("markup", INSIDE_WORDS, ids=["sup-wbr", "sub-wbr"])
@pytest.mark.parametrize("layout", ["nextjs-dom", "amp", "pre2023"])
def test_an_inline_element_inside_a_word_adds_no_space(layout: str, markup: str) -> None:
    # The page's markup holds the elements, its structured data the plain text (the placeholders are
    # replaced in the markup first, then the rest of the page).
    text = INSIDE_WORDS[markup]
    spec = replace(SEED, standfirst="STANDFIRSTX", image_caption="CAPTIONX", also_read=[("RELATEDX", SEED.also_read[0][1])], topics=["TOPICX"])
    url = SITE + spec.path
    html, url = {
        "nextjs-dom": (render_current(replace(spec, html_content=False)), url),
        "amp": (render_amp(spec), SITE + "/amp" + spec.path),
        "pre2023": (render_legacy(spec), f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html"),
    }[layout]
    for placeholder in ("STANDFIRSTX", "CAPTIONX", "RELATEDX", "TOPICX"):
        html = html.replace(f">{placeholder}<", f">{placeholder[:3]} {markup}<").replace(placeholder, f"{placeholder[:3]} {text}")
    article = extract(html, url).article
    assert article.mainImage is not None and article.mainImage.caption == f"CAP {text}"
    assert article.description in (f"STA {text}", None)
    if layout != "amp":
        assert [a.headline for a in article.alsoRead][:1] == [f"REL {text}"]
    assert article.topics == [f"TOP {text}"]


def test_an_inline_element_inside_a_word_adds_no_space_to_a_headline_read_from_the_page() -> None:
    from crawler.extraction.layouts.base import element_text
    from crawler.extraction.text import fragment as parse

    for markup, text in INSIDE_WORDS.items():
        found = parse(f"<h1>{markup}</h1>")
        assert found is not None
        assert element_text(found[0]) == text
        # The page's own tree is not changed.
        assert found[0].find(".//sup") is not None or found[0].find(".//sub") is not None
    # A superscript of a word of its own, after a space, stays apart; a span still parts words.
    found = parse("<h1>Sensex <sup>NEW</sup> high, <span>AP</span><span>Miami</span></h1>")
    assert found is not None and element_text(found[0]) == "Sensex NEW high, AP Miami"


# --- the syndication note broken over several lines ------------------------------------------------

NOTE = (
    "(Only the headline and picture of this report may have been reworked by the Business Standard staff; "
    "the rest of the content is auto-generated from a syndicated feed.)"
)


@pytest.mark.parametrize(
    "breaks",
    [
        ["reworked by the ", "Business Standard staff; the rest of the content is ", "auto-generated from"],
        ["may have been ", "reworked by the ", "Business Standard staff; "],
        ["reworked by the "],
    ],
    ids=["three-lines", "four-lines", "two-lines"],
)
def test_a_note_broken_over_several_lines_is_the_note_not_the_story(breaks: list[str]) -> None:
    # (Before, the lines after its second were the story's last lines, and the note was cut short.)
    note = NOTE
    for end in breaks:
        note = note.replace(end, end.rstrip() + "<br>", 1)
    assert note.count("<br>") == len(breaks)
    for markup in (f"<p><i>{note}</i></p>", f"<div>{note}</div>"):
        assert split_body(block_paragraphs(fragment(f"<p>{STORY[0]}</p><p>{STORY[1]}</p>{markup}"))) == (STORY, NOTE)  # type: ignore[arg-type]
    # The page's note, twice (in the story and after it): once, neither copy in the story.
    twice = f"<p>{STORY[0]}</p><p><i>{note}</i></p><p>{STORY[1]}</p><div>{note}</div>"
    assert split_body(block_paragraphs(fragment(twice))) == (STORY, NOTE)  # type: ignore[arg-type]


def test_lines_after_a_note_without_its_end_stay_the_story() -> None:
    # A wording without "syndicated feed" at its end: the story's lines after it are not taken for its rest.
    note = "(This story has not been edited by Business Standard staff.)"
    lines = ["Shares of the company rose 3 per cent.", "The board meets on Friday.", "Analysts expect a dividend."]
    markup = f"<p>{STORY[0]}</p><p>{note}</p>" + "".join(f"<p>{line}</p>" for line in lines)
    assert split_body(block_paragraphs(fragment(markup))) == ([STORY[0], *lines], note)  # type: ignore[arg-type]
    # Nor a long paragraph before a later note's end.
    long_line = "The company said it would raise capital " + "and expand capacity " * 20 + "by the end of the year."
    markup = f"<p>{note}</p><p>{long_line}</p><p>auto-generated from a syndicated feed.)</p>"
    body, found = split_body(block_paragraphs(fragment(markup)))  # type: ignore[arg-type]
    assert long_line in body and found == note


@pytest.mark.parametrize(
    ("feeds", "encoding", "refused"),
    [
        ({"out.csv": {"format": "csv"}}, "cp1252", True),
        ({"out.csv": {"format": "csv"}}, "latin-1", True),
        ({"out.jsonl": {"format": "jsonlines"}, "out.csv": {"format": "csv", "encoding": "ascii"}}, "utf-8", True),
        ({"out.csv": {"format": "csv"}}, "utf-8", False),
        ({"out.csv": {"format": "csv"}}, "utf-8-sig", False),
        ({"out.csv": {"format": "csv", "encoding": "utf-16"}}, "latin-1", False),
        # JSON escapes what its encoding lacks, XML writes character references.
        ({"out.jsonl": {"format": "jsonlines"}, "out.json": {"format": "json"}, "out.xml": {"format": "xml"}}, "latin-1", False),
    ],
)
def test_a_csv_feed_in_an_encoding_without_every_character_is_refused_before_the_run(feeds: dict[str, Any], encoding: str, refused: bool) -> None:
    from crawler.commands.crawl import feeds_problem

    problem = feeds_problem(feeds, encoding)
    assert (problem is not None) == refused, problem
    if refused:
        assert problem is not None and "out.csv" in problem and "utf-8" in problem


def test_a_csv_feed_in_cp1252_is_one_line_and_exit_6_before_anything_is_fetched(tmp_path: Path) -> None:
    # Before: the run fetched, then stopped at the first article with a "₹" or a Hindi word, its
    # traceback in the log, exit 6, the articles before it written and the rest not.
    from crawler.monitoring.verdict import EXIT_OUTPUT
    from tests.e2e import scrapy

    done = scrapy(tmp_path, "crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9", "-O", "out.csv", "-s", "FEED_EXPORT_ENCODING=cp1252")
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    assert "cp1252" in done.stderr and "Traceback" not in done.stderr
    assert "Crawled" not in done.stderr and "GET " not in done.stderr


# --- "Also Read" and its stories' lines in JSON-LD's articleBody -------------------------------------


def test_the_stories_an_also_read_label_promotes_stay_out_of_a_body_read_from_json_ld() -> None:
    # A premium page shows its first paragraphs; JSON-LD's articleBody (the story with its tags
    # stripped) holds the rest, and the inline "Also Read" label on a line of its own with the
    # promoted story's headline on the next. The label went; the headline was a line of the story.
    from tests.pages.specs import PREMIUM

    promoted = ("Smallcap funds curb inflows as valuations soar", "/markets/news/smallcap-funds-curb-inflows-124030400100_1.html")
    spec = replace(PREMIUM, html_content=False, paragraphs=[*PREMIUM.paragraphs[:3], "Also Read", promoted[0], *PREMIUM.paragraphs[3:]], also_read=[promoted])
    extraction = extract(render_current(spec), SITE + spec.path)
    assert extraction.provenance.sources["articleBody"] == "ld"
    assert extraction.article.articleBody == "\n".join(PREMIUM.paragraphs)
    # A line that is no link's text stays, as on the page's own body.
    spec = replace(spec, also_read=[])
    assert promoted[0] in extract(render_current(spec), SITE + spec.path).article.articleBody.split("\n")


# --- comments in JSON's text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment",
    ["<!-- ad slot -->", "<!--googleoff: all-->", "<![CDATA[ between_article_content_1 ]]>"],
)
def test_a_comment_in_a_json_ld_body_or_headline_is_no_text(comment: str) -> None:
    # JSON-LD's articleBody as plain lines with a CMS's comment among them (or inside one), and a
    # headline with one: a reader sees none of it. (Before: "<!-- ad slot -->" a line of the story.)
    body = f"{SEED.paragraphs[0]}\n{comment}\n{SEED.paragraphs[1]} {comment}\n{SEED.paragraphs[2]}"
    page = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": f"Portal {comment}opens", "articleBody": body,
                      "datePublished": "2024-02-28T15:42:00+05:30", "author": {"@type": "Person", "name": "Shine Jacob"}}).replace("</", "<\\/")
        + "</script></head><body></body></html>"
    )
    article = extract(page, f"{SITE}/india-news/portal-opens-124022800873_1.html").article
    assert article.articleBody == "\n".join(SEED.paragraphs[:3])
    assert article.headline == "Portal opens"


def test_the_stories_an_also_read_label_promotes_stay_out_of_a_pre2023_body() -> None:
    # The label alone on its line went from every layout, the promoted story's headline (a link) on
    # the next line only from the CMS story markup's layouts (Next.js, AMP): here it stayed a line.
    promo = "<p>Also Read</p><p><a href='/article/india-news/rana-case-124010300512_1.html'>Rana stayed at Mumbai hotel</a></p>"
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], "PROMOX", *SEED.paragraphs[1:3]])
    html = render_legacy(spec).replace("<p>\n PROMOX</p>", promo).replace("\\n\\nPROMOX", "")
    article = extract(html, f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html").article
    assert article.articleBody == "\n".join(SEED.paragraphs[:3])
