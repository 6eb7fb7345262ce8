"""Recognising pages that are not the site's content at all: Akamai blocks, bot challenges, "page not found" pages, servers' error pages."""

from __future__ import annotations

import re
from typing import Any

from crawler.extraction.normalize import unescape

# Akamai's "Access Denied" page: tiny, with a reference number and errors.edgesuite.net.
_AKAMAI = re.compile(r"errors\.edgesuite\.net|Reference\s*#\s*\d+\.[0-9a-f]+", re.I)
_ACCESS_DENIED = re.compile(r"<title>\s*Access Denied\s*</title>|<h1>\s*Access Denied\s*</h1>", re.I)
# Akamai encodes punctuation, never letters: a page whose head lacks the word ("Denied", "DENIED")
# is no block page, and unescaping the head of every article (tens of entities) is left out.
_DENIED = ("enied", "ENIED")
_HEAD = 20000  # characters: the block page is tiny, an article's head is where its title is

AKAMAI_ACCESS_DENIED = "Akamai 'Access Denied' page"
AKAMAI_CHALLENGE = "Akamai bot challenge"

# Bot Manager's other answers, sent with 200 in place of the page: its interstitial (a script that
# proves work, then reloads the page with `bm-verify` in the query; a meta refresh does it without
# script) and its crypto challenge (a frame from /_sec/cp_challenge/). Matched in markup, not words:
# an article about them names them in its text.
_AKAMAI_CHALLENGE = re.compile(
    r"""(?:src|href)\s*=\s*["'][^"']*/_sec/cp_challenge/|/_sec/verify\?provider=interstitial|[?&]bm-verify=|"bm-verify"\s*:|\bid\s*=\s*["']sec-if-cpt-container""",
    re.I,
)
# Bot walls of other vendors a CDN change could put in front of the site, by the title or heading they
# show (Imperva's "Pardon Our Interruption", PerimeterX's "Access to this page has been denied" and its
# press-and-hold captcha, Cloudflare's "Just a moment..." and "Attention Required!").
_BOT_WALL = re.compile(
    r"<(title|h1)[^>]*>\s*(Pardon Our Interruption|Access to this page has been denied\.?|Please verify you are a human"
    r"|Just a moment\.\.\.|Attention Required! \| Cloudflare)\s*</\1>",
    re.I,
)
# The markup of an article page (JSON-LD, Open Graph, Next.js's data), which no vendor's bot wall carries:
# a story headlined "Pardon Our Interruption" or "Just a moment..." is still the story.
_ARTICLE_MARKUP = re.compile(r"application/ld\+json|property\s*=\s*[\"']og:|__NEXT_DATA__", re.I)
# Words one of them has in its head (looked for before any expression runs over it): Bot Manager's
# markup, and the bot walls' titles.
_AKAMAI_WORDS = ("_sec/", "bm-verify", "sec-if-cpt")
_WALL_WORDS = ("nterruption", "NTERRUPTION", "uman", "UMAN", "moment", "MOMENT", "ttention", "TTENTION")
# Plain spellings of the article markup, one of which an article's head holds: found, the bot-wall
# words need not be looked for (nor the case-blind expression run over the page).
_ARTICLE_MARKUP_WORDS = ("application/ld+json", "__NEXT_DATA__")
# Challenges and bot walls are small pages (a few KB); an article is some 250 KB, and one that quotes
# such a page in its story is no block.
_CHALLENGE_MAX = 64 * 1024


def _has_article_markup(text: str) -> bool:
    return any(word in text for word in _ARTICLE_MARKUP_WORDS) or _ARTICLE_MARKUP.search(text) is not None


def block_page_kind(text: str) -> str | None:
    """What kind of block the page is (Akamai's "Access Denied" answer, sent with 403 or sometimes
    200; a bot challenge or bot wall sent in place of the page), or None when it is none."""
    # Akamai writes the reference and link with entities ("Reference&#32;&#35;18&#46;…").
    # The words first, on every page: the case-blind expressions try their match at every "<" of
    # the head (all of an article's), where plain searches read it once each. A page with an
    # article's markup is never a bot wall: its words (common ones: "human", "moment") are not
    # looked for there, which spares a small page ten reads of its head.
    head = text[:_HEAD]
    denied = any(word in head for word in _DENIED)
    small = len(text) <= _CHALLENGE_MAX
    akamai = small and any(word in head for word in _AKAMAI_WORDS)
    wall = small and not _has_article_markup(text) and (denied or akamai or any(word in head for word in _WALL_WORDS))
    if not (denied or akamai or wall):
        return None
    if "&" in head:
        head = unescape(head)  # (html.unescape raises on a decimal reference of thousands of digits)
    if denied and _ACCESS_DENIED.search(head) and _AKAMAI.search(head):
        return AKAMAI_ACCESS_DENIED
    if not (akamai or wall):
        return None
    if _AKAMAI_CHALLENGE.search(head):
        return AKAMAI_CHALLENGE
    if not wall:
        return None
    found = _BOT_WALL.search(head)
    return f"bot wall '{found.group(2)}'" if found else None


def is_block_page(text: str) -> bool:
    """Whether the page is a block: Akamai's "Access Denied" answer, or a bot challenge or bot wall
    in place of the page (:func:`block_page_kind`)."""
    return block_page_kind(text) is not None


# The bytes that hold the head's characters in any encoding whose letters are ASCII bytes (UTF-8
# takes at most four bytes a character).
_HEAD_BYTES = 4 * _HEAD


def may_be_block_page(body: bytes) -> bool:
    """Whether an answer's bytes may be a block page: False when its head lacks the words
    :func:`block_page_kind` looks for (among entities), so that most answers need not be decoded to
    know. UTF-16 and UTF-32 text (NUL bytes between its letters) always may. As there, a page with
    an article's markup is no bot wall: its bot-wall words are not looked for."""
    head = body[:_HEAD_BYTES]
    if any(word in head for word in _DENIED_BYTES) or b"\x00" in head:
        return True
    if len(body) > _CHALLENGE_MAX:
        return False
    if any(word in head for word in _AKAMAI_BYTES):
        return True
    # (Markup spelt so in the bytes is spelt so in the text: block_page_kind finds it there too.)
    return not any(word in body for word in _ARTICLE_MARKUP_BYTES) and any(word in head for word in _WALL_BYTES)


_DENIED_BYTES = tuple(word.encode("ascii") for word in _DENIED)
_AKAMAI_BYTES = tuple(word.encode("ascii") for word in _AKAMAI_WORDS)
_WALL_BYTES = tuple(word.encode("ascii") for word in _WALL_WORDS)
_ARTICLE_MARKUP_BYTES = tuple(word.encode("ascii") for word in _ARTICLE_MARKUP_WORDS)


# The reason of a "page not found" page sent with 200 (a soft 404).
NOT_FOUND = "not-found"
# The reason of a server's error or maintenance page sent with 200 (see error_page_kind).
ERROR_PAGE = "error-page"
# (The Hindi edition's words too: "पेज नहीं मिला", "पृष्ठ नहीं मिला", "page not found".)
_NOT_FOUND_TITLE = re.compile(
    r"<title[^>]*>\s*(?:404\b|Page not found\b|This page could not be found|(?:पेज|पृष्ठ)\s+(?:नहीं\s+मिला|उपलब्ध\s+नहीं))", re.I
)
# A title of the site's name alone ("बिजनेस स्टैंडर्ड - ", "Business Standard | Hindi"): the Hindi edition's
# storypage.php asked for a story it does not have answers 200 with its story template and nothing in it.
_SITE_NAME_TITLE = re.compile(
    r"<title[^>]*>[\s|\-\u2013\u2014:]*(?:business\s+standard|बि(?:ज\u093c?|\u095b)नेस\s+स्टैंडर्ड)"
    r"(?:[\s|\-\u2013\u2014:]*(?:hindi|हिंदी|हिन्दी))?[\s|\-\u2013\u2014:]*</title>",
    re.I,
)
# Next.js's own error pages, named so in __NEXT_DATA__.
_NEXT_ERROR_PAGES = ("/404", "/_error")


def is_not_found_page(text: str, next_data: dict[str, Any] | None) -> bool:
    """Whether a page that holds no article is the site's "page not found" page: Next.js's error page
    (``page`` "/404" or "/_error", or a ``statusCode`` of 404 in its props), or a title saying so. Asked
    only of pages no rule reads as an article."""
    if next_data is not None:
        props = next_data.get("props")
        page_props = props.get("pageProps") if isinstance(props, dict) else None
        data = page_props.get("data") if isinstance(page_props, dict) else None
        codes = [holder.get("statusCode") for holder in (page_props, data) if isinstance(holder, dict)]
        if next_data.get("page") in _NEXT_ERROR_PAGES or 404 in codes:
            return True
    return bool(_NOT_FOUND_TITLE.search(text[:_HEAD]))


def is_empty_story_page(text: str) -> bool:
    """Whether a page with no headline is a story template with no story in it, titled with the site's
    name alone (the Hindi edition's ``storypage.php`` for a number it has no story of). Asked only of
    pages no rule reads a headline from."""
    return bool(_SITE_NAME_TITLE.search(text[:_HEAD]))


# A server's error or maintenance page sent with 200 (a CDN or proxy passing an origin's failure on as
# a page): Next.js's own pages for a server error (its static 500 page; its error page naming a status
# that is no 404, or the error it caught), or a page without the site's
# Next.js data (a static page of the CDN's or the operators') whose title begins as such pages' do.
# (A topic or listing of the site titled "Maintenance …" carries its Next.js data.)
_TITLE = re.compile(r"<title[^>]*>([^<]{1,300})</title>", re.I)
_ERROR_TITLE_MAX = 80
_SERVER_ERROR_TITLE = re.compile(
    r"^(?:(?:error\s*)?5\d\d\b(?=\s*(?:$|[:|\-–(]|internal|service|bad|gateway|error|server))|internal server error|service (?:temporarily )?unavailable|bad gateway|gateway time-?out"
    r"|something went wrong|an (?:unexpected )?error (?:has )?occurred)",
    re.I,
)
_MAINTENANCE_TITLE = re.compile(r"^(?:(?:site |website |down for |under |scheduled |planned )?maintenance\b|we(?:'|’)ll be (?:right )?back\b)", re.I)


def error_page_kind(text: str, next_data: dict[str, Any] | None) -> str | None:
    """What a page that holds no story is when it is a server's error or maintenance page sent with
    200, in words (``a maintenance page ('Down for maintenance')``); None when it is none. A "page not
    found" page is none (:func:`is_not_found_page`): the site saying there is no such page."""
    if next_data is not None:
        page = next_data.get("page")
        if page == "/500":
            # The static 500 page Next.js builds (by default, or the site's own pages/500), which it
            # serves for a server error in place of its error page; a page of the site, no listing.
            return "a server's error page (Next.js's 500 page)"
        props = next_data.get("props")
        page_props = props.get("pageProps") if isinstance(props, dict) else None
        status = page_props.get("statusCode") if isinstance(page_props, dict) else None
        if page == "/_error" and isinstance(status, int) and not isinstance(status, bool) and status != 404:
            return f"a server's error page (Next.js's error page, status {status})"
        caught = next_data.get("err")
        if page == "/_error" and status is None and isinstance(caught, dict) and caught.get("statusCode") != 404:
            # No status in its props (an error page of the site's own), but the error it caught beside
            # them: Next.js names one only when rendering failed.
            return "a server's error page (Next.js's error page, a server error)"
        return None
    found = _TITLE.search(text[:_HEAD])
    title = " ".join(unescape(found.group(1)).split()) if found else ""
    if len(title) > _ERROR_TITLE_MAX:
        return None
    if _MAINTENANCE_TITLE.search(title):
        return f"a maintenance page ({title!r})"
    if _SERVER_ERROR_TITLE.search(title):
        return f"a server's error page ({title!r})"
    return None
