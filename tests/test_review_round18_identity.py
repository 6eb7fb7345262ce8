"""Review of round 18's story identity across address forms: the near variants its fixes left out.

Before these fixes: a link wrapped over lines just before a story's id, after a slug ending in digits
(``…-top-10\\n      124…_1.html``), was read with the digits run into the id (``…-10124…_1.html``), no
story's address, the story lost (white space written there as a space or a no-break space was already
kept apart by a hyphen); and an article page's related card was read without the rules discovery's
links had: its link wrapped over lines was no story's address (the card lost from ``alsoRead``), and one
that lost its scheme but names the site's host was written as a path below the article
(``…/india-news/www.business-standard.com/india-news/…``)."""

from __future__ import annotations

import pytest

from crawler.extraction.discovery import Entry
from tests.conftest import PAGES, SITE
from tests.test_identity_probes_round18 import SOURCES, STORY, STORY_ID, _listed



@pytest.mark.parametrize("source", [source for source in SOURCES if source != "atom"])
@pytest.mark.parametrize("wrap", ["\n", "\n          ", "\r\n\t", " \n  "])
def test_a_link_wrapped_before_the_id_after_a_slug_ending_in_digits_keeps_them_apart(source: str, wrap: str) -> None:
    """Before: ``…-higher-2024124101400008_1.html``, no story's address, the story lost."""
    [url] = _listed(source, STORY.replace("higher-", "higher-2024" + wrap))
    assert url == STORY.replace("higher-", "higher-2024-")
    assert Entry(url=url).article_id == STORY_ID


@pytest.mark.parametrize("source", [source for source in SOURCES if source != "atom"])
@pytest.mark.parametrize("link", [STORY.replace("2024", "20\n24"), STORY.replace("higher-", "higher-20\n  24-"), STORY.replace("124101", "124\n101")])
def test_a_link_wrapped_inside_a_number_is_the_number(source: str, link: str) -> None:
    # (Only white space just before the id stands between two things: inside a number it is wrapping.)
    [url] = _listed(source, link)
    assert url == link.replace("\n  ", "").replace("\n", "")


def _related(href_of: dict[str, str]) -> tuple[list[str], list[str]]:
    """The related stories' URLs of a real page as it is, and with the first card's link written otherwise."""
    from crawler.extraction import extract

    html = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
    url = SITE + "/india-news/india-us-defence-meet-124022800873_1.html"
    plain = [related.url for related in extract(html, url).article.alsoRead]
    assert plain
    first = plain[0]
    changed = html.replace(f'href="{first}"', f'href="{href_of["form"].format(url=first, path=first[len(SITE):])}"')
    return plain, [related.url for related in extract(changed, url).article.alsoRead]


@pytest.mark.parametrize(
    "form",
    [
        "www.business-standard.com{path}",  # lost its scheme
        "WWW.Business-Standard.COM.{path}",
        "{url}",  # as written: the control
    ],
)
def test_a_related_cards_link_without_its_scheme_is_the_sites_address(form: str) -> None:
    """Before: ``alsoRead[].url`` a path below the article, ``…/india-news/www.business-standard.com/…``."""
    plain, changed = _related({"form": form})
    assert changed == plain


@pytest.mark.parametrize("cut", ["-\n      1", "-\n1", "business-\n   standard", "_1.\n  html"])
def test_a_related_cards_link_wrapped_over_lines_is_the_story_it_names(cut: str) -> None:
    """Before: the card's link, with ``%20`` where the break was, was no story's: the card left out."""
    plain, _ = _related({"form": "{url}"})
    target = "-1" if cut.endswith("1") else cut.replace("\n", "").replace(" ", "")
    assert target in plain[0]
    _, changed = _related({"form": plain[0].replace(target, cut, 1).replace("{", "{{").replace("}", "}}")})
    assert changed == plain


@pytest.mark.parametrize("host", ["WWW.Business-Standard.COM", "www.business-standard.com.", "Www.Business-Standard.Com.:443"])
def test_a_page_at_an_address_whose_host_is_written_otherwise_is_written_under_the_sites_spelling(host: str) -> None:
    """A page reached at such an address (a short link's or a CDN's redirect to it: Scrapy follows a
    ``Location`` as written). Before: its item's ``url`` was written as spelt there, beside its
    ``canonicalUrl`` in small letters, a second address of the story in the output."""
    from crawler.extraction import extract

    html = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
    path = "/india-news/india-us-defence-meet-124022800873_1.html"
    article = extract(html, f"https://{host}{path}").article
    assert article.url == "https://www.business-standard.com" + (":443" if ":443" in host else "") + path
