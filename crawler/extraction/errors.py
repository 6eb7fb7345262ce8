"""The one exception extraction raises: the page is not an article it can read."""

from __future__ import annotations


class NotAnArticle(Exception):
    """Raised when a page is not an article of a known layout.

    ``reason`` is a short slug used in stats and logs (``blocked``, ``empty``,
    ``listing``, ``video``, ``paywall-stub``, ``unknown-layout``, ``no-article-id``,
    ``no-headline``); ``detail`` says what was seen.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
