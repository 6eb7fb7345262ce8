"""Recognising pages that are not the site's content at all: Akamai blocks and empty bodies."""

from __future__ import annotations

import re

from crawler.extraction.normalize import unescape

# Akamai's "Access Denied" page: tiny, with a reference number and errors.edgesuite.net.
_AKAMAI = re.compile(r"errors\.edgesuite\.net|Reference\s*#\s*\d+\.[0-9a-f]+", re.I)
_ACCESS_DENIED = re.compile(r"<title>\s*Access Denied\s*</title>|<h1>\s*Access Denied\s*</h1>", re.I)
# Akamai encodes punctuation, never letters: a page whose head lacks the word ("Denied", "DENIED")
# is no block page, and unescaping the head of every article (tens of entities) is left out.
_DENIED = ("enied", "ENIED")
_HEAD = 20000  # characters: the block page is tiny, an article's head is where its title is


def is_block_page(text: str) -> bool:
    """Whether the page is Akamai's "Access Denied" answer (sent with 403, sometimes with 200)."""
    # Akamai writes the reference and link with entities ("Reference&#32;&#35;18&#46;…").
    # The word first, on every page: the case-blind expressions try their match at every "<" of
    # the head (all of an article's), where two plain searches read it once each.
    head = text[:_HEAD]
    if not any(word in head for word in _DENIED):
        return False
    if "&" in head:
        head = unescape(head)  # (html.unescape raises on a decimal reference of thousands of digits)
    return bool(_ACCESS_DENIED.search(head) and _AKAMAI.search(head))


# The bytes that hold the head's characters in any encoding whose letters are ASCII bytes (UTF-8
# takes at most four bytes a character).
_HEAD_BYTES = 4 * _HEAD


def may_be_block_page(body: bytes) -> bool:
    """Whether an answer's bytes may be Akamai's block page: False when its head lacks the word
    ("Denied", "DENIED", as :func:`is_block_page` looks for it among entities), so that most answers
    need not be decoded to know. UTF-16 and UTF-32 text (NUL bytes between its letters) always may."""
    head = body[:_HEAD_BYTES]
    return any(word in head for word in _DENIED_BYTES) or b"\x00" in head


_DENIED_BYTES = tuple(word.encode("ascii") for word in _DENIED)
