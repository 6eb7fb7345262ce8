"""Probes of page variants the site's CMS or a slightly changed page can produce, each built from a
fixture page and checked against what a careful reader of that page writes down."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from crawler.extraction import extract
from crawler.extraction.text import block_paragraphs, fragment
from tests.conftest import PAGES, load_json, shared_file
from tests.pages.build import page_bytes
from tests.pages.cases import CASES


def _fixture(folder: str) -> tuple[str, str, dict[str, object]]:
    case = next(c for c in CASES if c.folder == folder)
    if case.shared:
        shared_file(case.shared)  # skips with the reason when ../shared is absent
    return page_bytes(case, PAGES / folder).decode("utf-8"), case.url, load_json(PAGES / folder / "expected.json")


def _once(html: str, old: str, new: str) -> str:
    assert html.count(old) == 1, old
    return html.replace(old, new)


LD_IMAGE = re.compile(r', "image": \{[^{}]*\}')


@pytest.mark.parametrize("folder", ["nextjs-2023/staff-multi-author", "amp/seed-syndicated", "generic/jsonld-unknown-layout"])
def test_a_hero_image_only_og_image_gives_is_counted_as_the_meta_tag(folder: str) -> None:
    html, url, expected = _fixture(folder)
    image = expected["mainImage"]
    assert isinstance(image, dict)
    assert len(LD_IMAGE.findall(html)) == 1
    html = LD_IMAGE.sub("", html).replace(f'"featuredImageObj": {{"url": "{image["url"]}", ', '"featuredImageObj": {')
    if "og:image" not in html:
        html = _once(html, "</head>", f'<meta property="og:image" content="{image["url"]}"></head>')
    result = extract(html.encode(), url)
    assert result.article.mainImage is not None and result.article.mainImage.url == image["url"]
    assert result.provenance.sources["mainImage"] == "meta"


PLACEHOLDERS = {
    "pagespeed": 'pagespeed_lazy_src="{url}" src="/pagespeed_static/1.JiBnMqyl6S.gif"',
    "data-src": 'src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==" data-src="{url}"',
}


@pytest.mark.parametrize("lazy", PLACEHOLDERS.values(), ids=PLACEHOLDERS.keys())
def test_a_lazily_loaded_hero_image_is_its_file_not_the_placeholder(lazy: str) -> None:
    html, url, expected = _fixture("pre2023/real-2019-01-18")
    image = expected["mainImage"]
    assert isinstance(image, dict)
    html = _once(html, f'src="{image["url"]}"', lazy.format(url=image["url"]))
    found = extract(html.encode(), url).article.mainImage
    assert found is not None and (found.url, found.alt, found.caption) == (image["url"], image["alt"], image["caption"])


@pytest.mark.parametrize("lazy", PLACEHOLDERS.values(), ids=PLACEHOLDERS.keys())
def test_the_alt_text_of_a_lazily_loaded_hero_is_found(lazy: str) -> None:
    html, url, expected = _fixture("nextjs-2023/seed-syndicated")
    image = expected["mainImage"]
    assert isinstance(image, dict)
    html = _once(html, f'"alt_text": "{image["alt"]}", ', "")
    html = _once(html, f'<img src="{image["url"]}"', f"<img {lazy.format(url=image['url'])}")
    found = extract(html.encode(), url).article.mainImage
    assert found is not None and (found.url, found.alt) == (image["url"], image["alt"])


@pytest.mark.parametrize("empty", ['content=""', 'content=" "', "content"], ids=["empty", "blank", "bare"])
def test_an_empty_duplicate_meta_tag_before_the_filled_one_does_not_hide_it(empty: str) -> None:
    html, url, expected = _fixture("nextjs-2023/agency-span-byline")
    tag = f'<meta http-equiv="Last-Modified" content="{expected["dateModified"]}">'
    html = _once(html, tag, f'<meta http-equiv="Last-Modified" {empty}>{tag}')
    result = extract(html.encode(), url)
    assert result.article.dateModified == expected["dateModified"] and result.provenance.sources["dateModified"] == "meta"


@pytest.mark.parametrize(
    ("field", "key", "wrap"),
    [
        ("headline", "heading1", lambda text: text.replace(" EV ", " <em>EV</em> ")),
        ("headline", "pageTitle", lambda text: f"<span>{text}</span>"),
        ("description", "subHeading", lambda text: f"<p>{text}</p>"),
    ],
    ids=["heading1-em", "pageTitle-span", "subHeading-p"],
)
def test_inline_markup_in_the_article_json_s_headline_and_standfirst_is_read_as_text(field: str, key: str, wrap: Callable[[str], str]) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    text = expected[field]
    assert isinstance(text, str)
    if key == "pageTitle":  # heading1 empty: pageTitle answers
        html = _once(html, f'"heading1": {json.dumps(text)}', '"heading1": ""')
    html = _once(html, f'"{key}": {json.dumps(text)}', f'"{key}": ' + json.dumps(wrap(text)).replace("</", "<\\/"))
    result = extract(html.encode(), url)
    assert getattr(result.article, field) == text and result.provenance.sources[field] == "next"


MEDIA = {
    "video": '<video controls src="https://bsmedia.business-standard.com/video/clip.mp4"><source src="clip.webm" type="video/webm">Your browser does not support the video tag.</video>',
    "audio": '<audio controls><source src="https://bsmedia.business-standard.com/audio/clip.mp3" type="audio/mpeg">Your browser does not support the audio element.</audio>',
    "canvas": '<canvas width="600" height="300">Chart: Sensex over the week</canvas>',
}


@pytest.mark.parametrize("media", MEDIA.values(), ids=MEDIA.keys())
@pytest.mark.parametrize("folder", ["nextjs-2023/staff-multi-author", "nextjs-2023/embeds-dom-europe"])
def test_the_fallback_text_of_a_media_element_in_the_story_is_not_the_story(folder: str, media: str) -> None:
    html, url, expected = _fixture(folder)
    body = expected["articleBody"]
    assert isinstance(body, str)
    # In the page's story and in htmlContent alike: after a paragraph written the same in both.
    paragraph = next(p for p in body.split("\n") if p.isascii() and not set(p) & set("&<>\"'"))
    changed = html.replace(f"{paragraph}</div>", f"{paragraph}</div>{media}").replace(f"{paragraph}</p>", f"{paragraph}</p>{media}")
    changed = changed.replace(f"{paragraph}<\\/div>", f"{paragraph}<\\/div>" + json.dumps(media)[1:-1].replace("</", "<\\/"))
    assert changed != html
    html = changed
    assert extract(html.encode(), url).article.articleBody == body


@pytest.mark.parametrize("folder", ["generic/jsonld-unknown-layout", "amp/seed-syndicated"])
@pytest.mark.parametrize("twice", ["same", "without-url-first", "other-case"])
def test_an_author_json_ld_lists_twice_is_one_author(folder: str, twice: str) -> None:
    html, url, expected = _fixture(folder)
    authors = expected["authors"]
    assert isinstance(authors, list) and len(authors) == 1
    person = {"@type": "Person", "name": authors[0]["name"], "url": authors[0]["url"]}
    again = {"@type": "Person", "name": person["name"]}
    if twice == "other-case":
        again["name"] = person["name"].upper()
    listed = [again, person] if twice == "without-url-first" else [person, again if twice != "same" else person]
    html = _once(html, f'"author": [{json.dumps(person)}]', f'"author": {json.dumps(listed)}')
    assert [(a.name, a.url) for a in extract(html.encode(), url).article.authors] == [(person["name"], person["url"])]


@pytest.mark.parametrize("folder", ["generic/jsonld-unknown-layout", "amp/seed-syndicated", "pre2023/synthetic-premium", "nextjs-2023/premium-no-htmlcontent"])
@pytest.mark.parametrize("listed", [["", "{}"], [" ", "{}", "Other"], [None, "{}"]], ids=["empty-first", "blank-first", "null-first"])
def test_a_json_ld_section_list_with_an_empty_entry_first_gives_the_section(folder: str, listed: list[str | None]) -> None:
    html, url, expected = _fixture(folder)
    section = expected["section"]
    assert isinstance(section, str)
    html = _once(html, f'"articleSection": {json.dumps(section)}', '"articleSection": ' + json.dumps([section if s == "{}" else s for s in listed]))
    html = html.replace(f'"h1_tag": {json.dumps(section)}', '"h1_tag": ""')  # the article JSON's, where there is one, says nothing
    result = extract(html.encode(), url)
    assert result.article.section == section and result.provenance.sources["section"] == "ld"


TABLE = (
    "<table><thead>\n<tr>\n<th>Maker</th>\n<th>EV sales FY24</th>\n</tr>\n</thead><tbody>"
    "<tr><td>Tata Motors</td><td>73,833</td></tr><tr><td><b>Mahindra</b> &amp; Mahindra</td><td>16,950</td></tr></tbody></table>"
)
ROWS = ["Maker | EV sales FY24", "Tata Motors | 73,833", "Mahindra & Mahindra | 16,950"]


@pytest.mark.parametrize("folder", ["nextjs-2023/staff-multi-author", "nextjs-2023/embeds-dom-europe"])
def test_a_table_in_the_story_gives_a_line_per_row_with_its_cells_apart(folder: str) -> None:
    html, url, expected = _fixture(folder)
    body = expected["articleBody"]
    assert isinstance(body, str)
    paragraphs = body.split("\n")
    at = next(i for i, p in enumerate(paragraphs) if p.isascii() and not set(p) & set("&<>\"'"))
    paragraph = paragraphs[at]
    changed = html.replace(f"{paragraph}</div>", f"{paragraph}</div>{TABLE}").replace(f"{paragraph}</p>", f"{paragraph}</p>{TABLE}")
    changed = changed.replace(f"{paragraph}<\\/div>", f"{paragraph}<\\/div>" + json.dumps(TABLE)[1:-1].replace("</", "<\\/"))
    assert changed != html
    assert extract(changed.encode(), url).article.articleBody == "\n".join([*paragraphs[: at + 1], *ROWS, *paragraphs[at + 1 :]])


@pytest.mark.parametrize(
    ("markup", "paragraphs"),
    [
        # A cell of words beside a cell of paragraphs (a photo credit beside the story): no bar is left hanging.
        ("<table><tr><td>Photo: PTI</td><td>\n<p>Story one.</p><p>Story two.</p></td></tr></table>", ["Photo: PTI", "Story one.", "Story two."]),
        # A line break inside a short cell is the cell's: the row stays one line (round 25).
        ("<table><tr><td>a</td><td><br>b</td></tr></table>", ["a | b"]),
        ("<table><tr><td>a</td><td> </td></tr></table>", ["a"]),
        # A cell's text in a paragraph of its own is the cell's: the row stays one line (round 15).
        ("<table><tr><td><p>A paragraph</p></td><td>Cell</td></tr></table>", ["A paragraph | Cell"]),
        # An empty cell between two keeps its place in the row.
        ("<table><tr><td>Tata</td><td></td><td>1,200</td></tr></table>", ["Tata | | 1,200"]),
        # A bar the page writes itself stays.
        ("<p>Sensex | Nifty |</p>", ["Sensex | Nifty |"]),
    ],
)
def test_the_cells_of_a_row_are_apart_and_no_separator_ends_a_line(markup: str, paragraphs: list[str]) -> None:
    root = fragment(markup)
    assert root is not None and block_paragraphs(root) == paragraphs


# A picture URL that is no URL ("http://[x": an unclosed IPv6 bracket, a CMS placeholder) in the
# page or in its structured data: urlsplit() raises on it. It may cost the picture, never the article.
BAD_PICTURE = "http://[bad/picture.jpg"
BAD_PICTURES = f'<img src="{BAD_PICTURE}" srcset="{BAD_PICTURE} 2x" alt="x"><amp-img src="{BAD_PICTURE}" alt="x"></amp-img>'
PICTURE_FOLDERS = [
    "nextjs-2023/staff-multi-author",
    "nextjs-blueprint/navy-unmanned-submarines",
    "amp/seed-syndicated",
    "pre2023/real-2019-01-18",
    "hindi-2020/markets-166712",
    "generic/jsonld-unknown-layout",
]


@pytest.mark.parametrize("folder", PICTURE_FOLDERS)
def test_a_picture_whose_url_is_no_url_costs_no_article(folder: str) -> None:
    html, url, expected = _fixture(folder)
    image = expected["mainImage"]
    assert isinstance(image, dict)
    hero = str(image["url"])
    # The page's own pictures resized, so that the hero is looked for by its file past the bad one.
    shown = re.sub(r'(<(?:img|amp-img)\b[^>]*?\bsrc=")([^"]*)"', lambda m: f'{m[1]}{m[2]}?w=1"' if m[2] == hero else m[0], html)
    with_bad = re.sub(r"(<body\b[^>]*>)", lambda m: m[1] + BAD_PICTURES, shown, count=1)
    assert with_bad != shown
    article = extract(with_bad.encode(), url).article
    # (The pre-2023 hero, drawn resized, is the file the structured data name, as in the other layouts.)
    assert article.mainImage is not None and article.mainImage.url == hero
    assert article.headline == expected["headline"] and article.articleBody == expected["articleBody"]
    # The structured data's picture the same: the article is still read.
    named_bad = with_bad.replace(hero, BAD_PICTURE)
    assert named_bad != with_bad
    article = extract(named_bad.encode(), url).article
    assert article.headline == expected["headline"] and article.articleBody == expected["articleBody"]
