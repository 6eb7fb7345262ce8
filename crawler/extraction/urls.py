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
WEBSTORY = "webstory"  # a NotAnArticle reason, beside VIDEO

_NON_ARTICLE_PREFIXES = (
    "/video/", "/podcast/", "/videos/", "/web-stories/", "/photo-gallery/",
    # Seen under article-like URLs (with an id) in 2024–2026.
    "/video-gallery/", "/podcasts/", "/webstories/",
)
_NON_ARTICLE_SEGMENTS = re.compile(
    r"/(?:video|videos|video-gallery|podcast|podcasts|webstories|web-stories|live-market|market-data|stock-market-quotes)(?:/|$)"
)
_MEDIA_SEGMENT = re.compile(r"/(?:video|videos|video-gallery|podcast|podcasts)(?:/|$)")
_LISTING = re.compile(r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?(?:/page-\d+)?/?$")


def url_kind(url: str) -> str:
    """``article``, ``video``, ``topic``, ``listing`` or ``other``; AMP article URLs are articles."""
    path = urlsplit(url).path
    if path.startswith(_NON_ARTICLE_PREFIXES) or _NON_ARTICLE_SEGMENTS.search(path):
        return VIDEO if _MEDIA_SEGMENT.search(path) or path.startswith(("/video", "/podcast")) else OTHER
    if path.startswith("/topic/"):
        return TOPIC
    if article_id(url):
        return ARTICLE
    if _LISTING.match(path):
        return LISTING
    return OTHER


_WEB_STORY = re.compile(r"/(?:webstories|web-stories|photo-gallery)(?:/|$)")


def non_article_kind(url: str) -> str | None:
    """``video`` (videos, podcasts) or ``webstory`` (web stories, photo galleries) for a URL that is
    never an article whatever id it carries; None for anything else (the markup decides)."""
    path = urlsplit(url).path
    if _MEDIA_SEGMENT.search(path) or path.startswith(("/video/", "/podcast/")):
        return VIDEO
    if _WEB_STORY.search(path):
        return WEBSTORY
    return None


def article_fetch_url(url: str) -> str:
    """The URL to fetch an article by: AMP forms become the canonical path, fragments go."""
    parts = urlsplit(strip_amp(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
