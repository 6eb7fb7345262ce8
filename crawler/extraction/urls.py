"""What kind of page a URL points at, and the one URL an article is fetched by."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from .normalize import article_id, strip_amp

ARTICLE = "article"
VIDEO = "video"
TOPIC = "topic"
LISTING = "listing"
OTHER = "other"

_NON_ARTICLE_PREFIXES = ("/video/", "/podcast/", "/videos/", "/web-stories/", "/photo-gallery/")
_NON_ARTICLE_SEGMENTS = re.compile(r"/(?:video|videos|podcast|live-market|market-data|stock-market-quotes)(?:/|$)")
_LISTING = re.compile(r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?(?:/page-\d+)?/?$")


def url_kind(url: str) -> str:
    """``article``, ``video``, ``topic``, ``listing`` or ``other``; AMP article URLs are articles."""
    path = urlsplit(url).path
    if path.startswith(_NON_ARTICLE_PREFIXES) or _NON_ARTICLE_SEGMENTS.search(path):
        return VIDEO if "video" in path or "podcast" in path else OTHER
    if path.startswith("/topic/"):
        return TOPIC
    if article_id(url):
        return ARTICLE
    if _LISTING.match(path):
        return LISTING
    return OTHER


def article_fetch_url(url: str) -> str:
    """The URL to fetch an article by: AMP forms become the canonical path, fragments go."""
    parts = urlsplit(strip_amp(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
