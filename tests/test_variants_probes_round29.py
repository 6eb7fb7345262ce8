"""The real pages served as the site's CDN and templates also serve them: each variant gives the plain page's item."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest

from crawler.extraction import extract
from tests.conftest import PAGES, load_json, shared_file

# The real pre-2023 page is read from ../shared (never copied here); the current layout's pages are the
# project's, written from ../shared/seed (tests/pages/specs.py): the Next.js one, its AMP twin, and the
# same story drawn with the European DOM (an inline picture and its caption line inside the story).
REAL = "pre2023/real-2019-01-18"
SEED = "nextjs-2023/seed-syndicated"
SEED_AMP = "amp/seed-syndicated"
EUROPE = "nextjs-2023/embeds-dom-europe"


def _page(folder: str) -> tuple[str, str]:
    """The page's HTML and the URL it was fetched from."""
    url = str(load_json(PAGES / folder / "meta.json")["url"])
    if folder == REAL:
        return shared_file("real/article-2019-01-18-119011800410.html").read_text(encoding="utf-8"), url
    return (PAGES / folder / "page.html").read_text(encoding="utf-8"), url


def _item(html: str, url: str) -> dict[str, Any]:
    return asdict(extract(html.encode("utf-8"), url).article)


# --- the variants: transforms of the page's text ------------------------------------------------------

PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_IMG = re.compile(r'<img\b([^>]*?)\ssrc="([^"]+)"([^>]*?)\s*/?>')


def lazy_noscript(html: str) -> str:
    """Lazy loading as a CDN optimiser writes it: a placeholder in ``src``, the file in ``data-src``,
    and the picture again in a ``<noscript>`` after it for readers without scripts."""
    return _IMG.sub(lambda m: f'<img{m[1]} src="{PLACEHOLDER}" data-src="{m[2]}"{m[3]}><noscript><img{m[1]} src="{m[2]}"{m[3]}></noscript>', html)


def lazy_srcset(html: str) -> str:
    """Lazy loading that leaves the file only in a ``data-srcset`` of its sizes, through the resizer."""
    return _IMG.sub(lambda m: f'<img{m[1]} src="{PLACEHOLDER}" data-srcset="{m[2]}?w=320 320w, {m[2]}?w=640 640w"{m[3]}>', html)


def picture(html: str) -> str:
    """The picture wrapped in a ``<picture>`` with WebP and resized sources, as an image CDN serves it."""
    return _IMG.sub(lambda m: f'<picture><source type="image/webp" srcset="{m[2]}?w=640&amp;format=webp 640w"><source srcset="{m[2]}?w=640 640w">{m[0]}</picture>', html)


def resized(html: str) -> str:
    """Every ``<img>`` drawn through the resizer (``?w=640``); the structured data still name the file."""
    return _IMG.sub(lambda m: f'<img{m[1]} src="{m[2]}?w=640"{m[3]}>', html)


PICTURE_VARIANTS: dict[str, Callable[[str], str]] = {
    "lazy-noscript": lazy_noscript,
    "lazy-data-srcset": lazy_srcset,
    "picture-sources": picture,
    "resized": resized,
}

_CANONICAL = re.compile(r'(<link\s+rel="canonical"\s+href=")([^"]+)(")')
_OG_URL = re.compile(r'(<meta\s+property="og:url"\s+content=")([^"]+)(")')


def tagged(tail: str) -> Callable[[str], str]:
    """The canonical link and og:url with ``tail`` after them, as a share or feed template writes them."""

    def transform(html: str) -> str:
        html, links = _CANONICAL.subn(lambda m: m[1] + m[2] + tail + m[3], html)
        html, metas = _OG_URL.subn(lambda m: m[1] + m[2] + tail + m[3], html)
        assert links + metas, "the page names no canonical URL"
        return html

    return transform


TRACKING_VARIANTS: dict[str, Callable[[str], str]] = {
    "utm": tagged("?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=latest"),
    "utm-and-fragment": tagged("?utm_source=twitter#comments"),
    "amp-switch": tagged("?amp"),
    "amp-switch-and-utm": tagged("?amp=1&amp;utm_source=whatsapp"),
    "click-id": tagged("?fbclid=IwAR0abc"),
}

_LD = re.compile(r'(<script type="application/ld\+json">)(.*?)(</script>)', re.S)


def stale_copy(first: bool) -> Callable[[str], str]:
    """The story's JSON-LD object twice: the one as first published (its first headline, modified when
    it was published) beside the updated one, before it or after it, as a page cache or a second SEO
    plugin leaves it."""

    def transform(html: str) -> str:
        def doubled(found: re.Match[str]) -> str:
            text = found[2]
            if not re.search(r'"@type"\s*:\s*"NewsArticle"', text):
                return found[0]
            published = re.search(r'"datePublished"\s*:\s*"([^"]+)"', text)
            assert published is not None
            stale = re.sub(r'("dateModified"\s*:\s*")[^"]*(")', lambda m: m[1] + published[1] + m[2], text)
            stale = re.sub(r'("headline"\s*:\s*")', r"\1Earlier: ", stale)
            assert stale != text
            copy = found[1] + stale + found[3]
            return copy + found[0] if first else found[0] + copy

        changed = _LD.sub(doubled, html)
        assert changed != html, "the page has no NewsArticle to copy"
        return changed

    return transform


def _same_item(folder: str, transform: Callable[[str], str]) -> None:
    html, url = _page(folder)
    plain = _item(html, url)
    variant = transform(html)
    assert variant != html
    assert _item(variant, url) == plain


# --- the hero picture as a CDN optimiser draws it -----------------------------------------------------


@pytest.mark.parametrize("variant", PICTURE_VARIANTS)
@pytest.mark.parametrize("folder", [REAL, SEED, EUROPE])
def test_a_picture_drawn_lazily_resized_or_in_a_picture_element_gives_the_same_item(folder: str, variant: str) -> None:
    # On the real page the hero's caption is the element after the picture: a <noscript> copy or a
    # <picture> around it lost it (before: caption null; with data-srcset alone alt and caption null,
    # and drawn resized the item's picture was the `?w=640` copy). In a story drawn with the European
    # DOM, the inline picture's caption line became a paragraph of the body.
    _same_item(folder, PICTURE_VARIANTS[variant])


def test_a_picture_named_only_in_its_sizes_is_the_widest_when_nothing_else_names_it() -> None:
    # No structured data naming the file: the widest of the sizes the page lists is the picture shown.
    html, url = _page(REAL)
    # (Every source in the head that names it too: og:image and its https form, X's card, itemprop=image, image_src.)
    bare = _LD.sub("", re.sub(r'<meta\s+(?:property|itemprop)="(?:og:image(?::secure_url)?|twitter:image:src|image)"[^>]*>|<link\s+rel="image_src"[^>]*>', "", html))
    plain = _item(bare, url)["mainImage"]
    assert plain is not None and plain["caption"]
    image = _item(lazy_srcset(bare), url)["mainImage"]
    assert image == {**plain, "url": plain["url"] + "?w=640"}


# --- the canonical URL with a share or feed template's tags -------------------------------------------


@pytest.mark.parametrize("variant", TRACKING_VARIANTS)
@pytest.mark.parametrize("folder", [REAL, SEED, SEED_AMP])
def test_a_canonical_url_tagged_for_tracking_or_amp_gives_the_same_item(folder: str, variant: str) -> None:
    # (before: canonicalUrl kept `?utm_source=…`, `?amp`, `?fbclid=…`: one story under several addresses)
    _same_item(folder, TRACKING_VARIANTS[variant])


def test_a_hindi_canonical_url_keeps_its_story_number_without_its_tags() -> None:
    folder = "hindi-2020/markets-166712"
    html = (PAGES / folder / "page.html").read_text(encoding="utf-8")
    url = str(load_json(PAGES / folder / "meta.json")["url"])
    plain = _item(html, url)
    assert "autono=" in str(plain["canonicalUrl"])
    variant = re.sub(r'(<link\s+rel="canonical"\s+href="[^"]+)(")', r"\1&amp;utm_source=rss\2", html)
    assert variant != html and _item(variant, url) == plain


# --- two JSON-LD objects for the story, one of them stale ---------------------------------------------


@pytest.mark.parametrize("first", [True, False], ids=["stale-first", "stale-after"])
def test_a_stale_copy_of_the_story_s_json_ld_beside_the_updated_one_gives_the_same_item(first: bool) -> None:
    # (before, with the stale copy first: its first headline, "Earlier: …", was the item's)
    _same_item(REAL, stale_copy(first))


def test_of_two_json_ld_copies_the_later_version_wins_in_every_field_it_gives() -> None:
    # A page of no known layout reads its dates and headline from JSON-LD alone.
    url = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
    html = (PAGES / "generic" / "jsonld-unknown-layout" / "page.html").read_text(encoding="utf-8")
    plain = _item(html, url)
    for first in (True, False):
        item = _item(stale_copy(first)(html), url)
        assert (item["headline"], item["dateModified"]) == (plain["headline"], plain["dateModified"])
    assert json.dumps(plain["dateModified"]) != json.dumps(plain["datePublished"])
