"""Recognising pages that are not the site's content at all: Akamai blocks and empty bodies."""

from __future__ import annotations

import html
import re

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
    head = text[:_HEAD]
    if "&" in head:  # (a one-character search: fast in any string, unlike a word's outside ASCII)
        if not any(word in head for word in _DENIED):
            return False
        head = html.unescape(head)
    return bool(_ACCESS_DENIED.search(head) and _AKAMAI.search(head))
