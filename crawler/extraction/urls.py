"""What kind of page a URL points at, and the one URL an article is fetched by."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .normalize import HINDI_HOSTS, PLACEHOLDER_ENDINGS, article_id, hindi_article_id, strip_amp

ARTICLE = "article"
VIDEO = "video"
TOPIC = "topic"
LISTING = "listing"
OTHER = "other"
WEBSTORY = "webstory"  # a NotAnArticle reason, beside VIDEO
SPONSORED = "sponsored"  # a NotAnArticle reason: a brand's paid story or a press release, no news of the paper's

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
    # Paths are read case-blind: the site's links and its servers are (``/Video-Gallery/…``).
    path = urlsplit(url).path.lower()
    if path.startswith(_NON_ARTICLE_PREFIXES) or _NON_ARTICLE_SEGMENTS.search(path):
        return VIDEO if _MEDIA_SEGMENT.search(path) or path.startswith(("/video", "/podcast")) else OTHER
    if path.startswith("/topic/"):
        return TOPIC
    # By its path: a login, subscription, search or share link that names a story in its query
    # ("/login?next=/markets/news/…_1.html") is no article page, and taken for one (listed before the
    # story's own link) it was fetched in the story's place.
    if article_id(path):
        return ARTICLE
    if _LISTING.match(path):
        return LISTING
    return OTHER


# The site's listings that are so by their form (SITE.md): the latest news, and a section's or listing's pages.
_PAGED_LISTING = re.compile(r"^/(?:latest-news|[a-z0-9-]+(?:/[a-z0-9-]+)?/page-\d+)/?$")


def known_non_story(url: str) -> str | None:
    """What the page at ``url`` is when its form alone says it is no story (``the home page``, ``a listing
    page``, ``a topic page``, ``a video or podcast page``, ``a web story or photo gallery``); None when
    only the page can tell. A section's address (``/markets/news``) is one of those: a path without an id
    is also what a story's address would be under a URL scheme the site changed to."""
    path = urlsplit(url).path.lower()
    if path in ("", "/"):
        return "the home page"
    kind = non_article_kind(url) or url_kind(url)
    if kind == VIDEO:
        return "a video or podcast page"
    if kind == WEBSTORY:
        return "a web story or photo gallery"
    if kind == TOPIC:
        return "a topic page"
    if kind != ARTICLE and _PAGED_LISTING.match(path):
        return "a listing page"
    return None


_WEB_STORY = re.compile(r"/(?:webstories|web-stories|photo-gallery)(?:/|$)")
# Paid content at the site's own story addresses: its "Brand Connect" pages, and the wires' press
# releases under /content/ (robots.txt forbids /content/; a run without robots.txt, or a link to its
# AMP copy, reached them).
_SPONSORED = re.compile(r"/(?:brand-connect|content/press-releases?(?:-[a-z0-9-]+)?)(?:/|$)")
# A word of every path _MEDIA_SEGMENT, _WEB_STORY or _SPONSORED matches.
_NON_ARTICLE_WORDS = ("video", "podcast", "stories", "photo-gallery", "brand-connect", "press-release")


def non_article_kind(url: str) -> str | None:
    """``video`` (videos, podcasts), ``webstory`` (web stories, photo galleries) or ``sponsored``
    ("Brand Connect" pages, press releases) for a URL that is never an article of the feed whatever id
    it carries; None for anything else (the markup decides)."""
    lowered = url.lower()
    if not any(word in lowered for word in _NON_ARTICLE_WORDS):  # most URLs: no need to split them
        return None
    path = urlsplit(lowered).path
    if _MEDIA_SEGMENT.search(path) or path.startswith(("/video/", "/podcast/")):
        return VIDEO
    if _WEB_STORY.search(path):
        return WEBSTORY
    if _SPONSORED.search(path):
        return SPONSORED
    return None


assert all("hindi" in host for host in HINDI_HOSTS)  # on_hindi_edition() looks for the word first


def on_hindi_edition(url: str | None) -> bool:
    """Whether a URL is on one of the Hindi edition's hosts."""
    # (The host's name in the text at all first, and before it the word every such host has: most
    # URLs are not the Hindi edition's.)
    if not url:
        return False
    lowered = url.lower()
    if "hindi" not in lowered or not any(host in lowered for host in HINDI_HOSTS):
        return False
    try:
        return urlsplit(url).hostname in HINDI_HOSTS
    except ValueError:  # "https://[hindi.business-standard.com": no URL, no host
        return False


def hindi_story_id(url: str | None) -> str | None:
    """``hi-<N>`` for a story URL on the Hindi edition's hosts, in any of its forms: ``storypage.php?autono=N``,
    AMP ``section_<section>-N_1.html``, or an English-style 12-digit id (a redesign like the English site's)."""
    if not url or not on_hindi_edition(url):
        return None
    found = hindi_article_id(url)
    if found:
        return found
    # By its path, as the English site's (url_kind): a login or share link naming a story in its
    # query is no story, and listed before the story's own link it was fetched in its place.
    number = article_id(urlsplit(url).path)
    return f"hi-{number}" if number else None


# The site's short links, shared from its pages (SITE.md): each leads to a story on the site.
SHORT_LINK_HOSTS = ("mybs.in",)


def is_short_link(url: str) -> bool:
    """Whether ``url`` is one of the site's short links (``https://mybs.in/…``), whose story is known only once it is followed."""
    if "mybs" not in url.lower():  # most URLs: no need to split them
        return False
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    return any(host == short or host.endswith("." + short) for short in SHORT_LINK_HOSTS)


def short_link_key(url: str) -> str:
    """One of the site's short links as one link however spelt: without its scheme, its host in small
    letters without a closing dot; its code as written, which a link shortener reads case by case
    (``mybs.in/2ZxYwV`` and ``mybs.in/2zxywv`` are two links, two stories)."""
    parts = urlsplit(url)
    return urlunsplit(("", (parts.netloc or "").lower().rstrip("."), parts.path, parts.query, parts.fragment))


def is_story_url(url: str) -> bool:
    """Whether a link found by discovery is a story to fetch: an article URL of the English site, or a
    Hindi-edition story in any of its forms (``storypage.php?autono=N``, AMP, the mobile twin), and
    neither a video, podcast, web story nor gallery."""
    return (url_kind(url) == ARTICLE or hindi_story_id(url) is not None) and non_article_kind(url) is None


# What an href starting so names: a place on the page, a script, an address to write to (absolute_url: None).
_NO_ADDRESS = ("#", "javascript:", "mailto:")
# What may turn an href into more than its characters: an entity (for a digit, an underscore), a line
# break or tab, which unwrapping takes out ("auto\nno="), non-ASCII white space, escaped into digits.
_MAY_CHANGE = re.compile("[&\t\r\n]").search
_DIGIT = re.compile("[0-9]").search
_ABSOLUTE_PREFIXES = ("https://", "http://")
# What ends or is no host where a link's host should start: the page's own address is read in.
_NO_HOST_START = frozenset(("", *"/?#\\ \t\r\n\x0b\x0c"))


def may_name_story(href: str, base: str) -> bool:
    """Whether ``href``, read against the page at ``base``, may be a story's link (``page_article_id`` of
    its address not None): False only where it surely is not, known without reading the address.

    Every story id is digits with an underscore after them (the English site's "…124101400008_1.html",
    a Hindi AMP story's "…-166607_1.html") or after ``autono=`` (a Hindi story's). An href without them
    names no story when nothing else is read into its address: it has a host of its own, or it is a path
    from the root of its page's host, which holds no underscore."""
    if href.startswith(_NO_ADDRESS):
        return False
    if not href.isascii() or _MAY_CHANGE(href) is not None:
        return True
    if ("_" in href or "autono" in href) and _DIGIT(href) is not None:
        return True
    if href[:1] == "/":
        if href[1:2] == "/":
            return href[2:3] in _NO_HOST_START
        return _root_holds_underscore(base)
    for prefix in _ABSOLUTE_PREFIXES:
        if href.startswith(prefix):
            return href[len(prefix) : len(prefix) + 1] in _NO_HOST_START
    return True


@lru_cache(maxsize=64)
def _root_holds_underscore(base: str) -> bool:
    """Whether the scheme and host of a page's address (what a link from the root keeps of it) hold an underscore."""
    end = base.find("/", base.find("//") + 2)
    return "_" in (base if end < 0 else base[:end])


def page_article_id(canonical: str | None, url: str) -> str | None:
    """The id of the story a page holds, from its canonical URL, then the fetched URL. The scheme follows
    the host, whatever the layout: a page on the Hindi edition (either URL on its hosts) gets ``hi-<N>``
    only, so a Hindi story never takes an English article's id; any other the 12-digit id."""
    if on_hindi_edition(canonical) or on_hindi_edition(url):
        return hindi_story_id(canonical) or hindi_story_id(url)
    return article_id(canonical) or article_id(url)


def hindi_story_url(story_id: str) -> str | None:
    """The desktop URL of a Hindi story by its ``hi-<N>`` id, as the site's canonical links write it
    (``//storypage.php``, double slash); None for an id of another form."""
    number = story_id[len("hi-") :] if story_id.startswith("hi-") else ""
    return f"https://{HINDI_HOSTS[0]}//storypage.php?autono={number}" if number.isdigit() and len(number) < 12 else None


# A slash after the article's file (``…_1.html/``): the site serves the story alike.
_SLASH_AFTER_FILE = re.compile(r"(\.html?)/(?=$|[?#])", re.IGNORECASE)


# Click and share ids that platforms add to a link they pass on (Facebook's ``fbclid``, Google Ads'
# ``gclid``, Instagram's ``igshid``, Mailchimp's ``mc_cid``), and what Google's AMP cache adds to the
# address of a page it serves (``amp_js_v``, ``usqp``): none names the story, each differs from click
# to click.
CLICK_IDS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid", "igsh",
    "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "amp_js_v", "amp_gsa", "_gsa", "usqp", "amp_tf", "ampshare",
})
# Words one of them holds (in small letters): a query without any keeps its parameters unsplit.
_TRACKING_WORDS = ("utm_", "amp", "clid", "clkid", "gclsrc", "braid", "_gsa", "igsh", "li_fat", "mc_", "_ga", "_gl", "usqp")


def has_tracking(lowered: str) -> bool:
    """Whether a URL in small letters may hold a tracking parameter or the AMP switch (a quick look before
    :func:`without_tracking` splits it)."""
    query = lowered.find("?")
    # (A name written with percent-escapes, `?%66bclid=`, `?utm%5Fsource=`, holds none of the words.)
    return query >= 0 and (any(word in lowered for word in _TRACKING_WORDS) or "%" in lowered[query:])


def without_tracking(url: str) -> str:
    """``url`` without its ``utm_`` parameters, click ids (``fbclid``, ``gclid``: :data:`CLICK_IDS`) and its
    AMP switch (``?amp``, ``&amp=1``), the rest left as written. Feeds, listings, related cards and shared
    links tag their links (``?utm_source=rss``, Facebook's ``?fbclid=…``) or point at the AMP twin; the
    fetched URL becomes the item's ``url``, which must not change with the link that led to it, and a story
    must not be fetched under two addresses."""
    head, hash_mark, fragment = url.partition("#")
    path, _, query = head.partition("?")
    kept = [part for part in query.split("&") if part and not _tracking_or_amp(part)]
    return path + ("?" + "&".join(kept) if kept else "") + hash_mark + fragment


def _tracking_or_amp(parameter: str) -> bool:
    # (After an "&" a feed or page escaped twice, "&amp;amp;" read once as "&amp;", its name is the same.)
    # A name is read as the server reads it, its percent-escapes decoded: `?%66bclid=…` is an `fbclid`.
    name = unquote(parameter.partition("=")[0]).lower().removeprefix("amp;")
    return name.startswith("utm_") or name == "amp" or name in CLICK_IDS


def site_host_form(url: str) -> str:
    """``url`` with its host as the site writes it: in small letters, without the dot that ends a fully
    qualified name (``WWW.Business-Standard.com.`` is www.business-standard.com to DNS). A host ending in
    a dot is no host of the site to the off-site filter, and one in capitals would become an item's
    ``url`` and a second address of the story to the shared duplicate filter."""
    start = url.find("://") + 3
    if start < 3:
        return url
    found = _HOST_END.search(url, start)
    end = found.start() if found else len(url)
    netloc = url[start:end]
    # (Most hosts are written so: no need to split them.)
    if "@" in netloc or (netloc == netloc.lower() and not netloc.endswith(".") and ".:" not in netloc):
        return url
    host, colon, port = netloc.rpartition(":") if not netloc.endswith("]") and ":" in netloc else (netloc, "", "")
    return url[:start] + host.lower().rstrip(".") + colon + port + url[end:]


def article_fetch_url(url: str) -> str:
    """The URL to fetch an article by: AMP forms become the canonical path, a slash after the file,
    fragments and tracking parameters go, the host is written as the site writes it (one story, one URL: two spellings would be
    fetched twice, by different workers too)."""
    url = site_host_form(url)
    if has_tracking(url.lower()):
        url = without_tracking(url)
    if on_hindi_edition(url):
        # A Hindi-edition story in any of its forms (AMP, the mobile twin, storypage.php with a tag or
        # over http) is fetched by its canonical URL, the desktop storypage.php its canonical link and
        # every layout's canonicalUrl name; not at the English site's /article/ twin of the AMP path,
        # which the Hindi site does not serve. (A story numbered as the English ones keeps its URL.)
        story = hindi_article_id(url)
        desktop = hindi_story_url(story) if story else None
        if desktop:
            return desktop
    stripped = strip_amp(url)
    # (strip_amp() found nothing to strip, no fragment, and nothing splitting would change.)
    if stripped is url and not _SLASH_AFTER_FILE.search(url):
        return url
    parts = urlsplit(stripped)
    return urlunsplit((parts.scheme, parts.netloc, _SLASH_AFTER_FILE.sub(r"\1", parts.path), parts.query, ""))


# A host as a link may name one: a name of letters, digits, dots, hyphens and underscores (any
# script's letters and marks: an internationalised name), or an IPv6 address in brackets, with a port or not.
# What else stands there (a template's "{{host}}", two hosts run together by a comma, the rest of a
# tag a broken quote let in) names no server.
_HOST = re.compile(r"(?:[^\s/?#@]*@)?(?:[^\x00-\x2c/:-@\[-^`{-\x7f\s]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?")
_HOST_END = re.compile(r"[/?#]")
_WHITE_SPACE = re.compile(r"[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
# The hosts of the site's two editions: a page on one of them may name another as canonical.
_SITE_DOMAINS = ("business-standard.com", "bshindi.com")


def item_link(url: str | None) -> str | None:
    """An absolute http(s) URL as an item holds it: without its fragment (never sent to the server:
    ``…_1.html#comments`` is the story), None when what stands for its host names none."""
    if url is None:
        return None
    if "#" in url:
        url = url[: url.index("#")]
        if url.endswith(PLACEHOLDER_ENDINGS):
            return None  # ("undefined#top": a template's word for no link, with an anchor after it)
    if "<" in url or ">" in url:
        # Never in an address (a browser sends them as %3C, %3E): an href whose quote was left open,
        # run on over the page's tags.
        return None
    if not url.isascii():
        # White space beyond the space (a no-break space in a pasted link) and invisible characters
        # (a zero-width space), sent percent-encoded as a browser does: an item's URL holds none.
        url = _WHITE_SPACE.sub(lambda found: quote(found.group()), url)
    start = url.find("://") + 3
    found = _HOST_END.search(url, start)
    host = url[start : found.start() if found else len(url)]
    return url if host and _HOST.fullmatch(host) else None


def _site(host: str) -> str:
    host = host.lower().rstrip(".")
    return "business-standard" if host.endswith(_SITE_DOMAINS) and (host in _SITE_DOMAINS or host.endswith(tuple("." + d for d in _SITE_DOMAINS))) else host


def same_site(url: str, page_url: str) -> bool:
    """Whether ``url`` is on the site of ``page_url`` (the same host, or either edition's hosts for a page
    on one); any site for a page read from no web host (a saved page, ``file://…``). The site's own
    hosts always are: a copy served from elsewhere (``BS_BASE_URL`` a mirror or proxy) names them."""
    try:
        page_host = urlsplit(page_url).hostname
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not page_host:
        return True
    return bool(host) and _site(host or "") in (_site(page_host), "business-standard")


# A line break or tab in an address, with the white space around it: a pretty-printer's wrapping of a
# long link ("…-\n      124101400008_1.html"), never part of it. Browsers drop tabs and line breaks
# from an address too (WHATWG URL); folded to a space, "%20" stood before the id, which was then no id.
_WRAPPING = re.compile(r"[ ]*[\t\r\n]\s*")
# A story's id and what may follow it, where it starts (what stands just before it is between the slug
# and the id).
_ID_AHEAD = re.compile(r"1\d{11}_\d+\.html?/?(?:$|[?#])", re.IGNORECASE)
# White space between a story's slug and its id: what stands there is no part of its address (the id
# names the story), and white space there is wrapping (an Atom href's line break is a space to XML).
_SPACE_BEFORE_ID = re.compile(r"(?:%20|\u00a0)+(?=" + _ID_AHEAD.pattern + ")", re.IGNORECASE)
# A host of the site's two editions where a link starts: the link without its scheme.
_SITE_HOST_FIRST = re.compile(
    r"(?:[a-z0-9-]+\.)*(?:" + "|".join(map(re.escape, _SITE_DOMAINS)) + r")\.?(?::\d+)?(?:[/?#]|$)", re.IGNORECASE
).match


def unwrapped(text: str) -> str:
    """``text`` without the line breaks and tabs that wrap it, nor the white space around them; where
    they stand just before a story's id, a space (see without_space_before_id): dropped, digits the slug
    ends with ran into the id ("…-2024\n124…_1.html" read "…-2024124…_1.html", no story's address)."""
    if "\n" not in text and "\r" not in text and "\t" not in text:
        return text
    return _WRAPPING.sub(lambda found: " " if _ID_AHEAD.match(text, found.end()) else "", text)


def as_link(href: str) -> str:
    """An href as a browser reads it (unwrapped), over https when it lost its scheme but starts with a host
    of the site's editions: "www.business-standard.com/markets/…" is that address, not a path below the
    feed or page that links it ("/rss/www.business-standard.com/…", fetched there and served by its id)."""
    href = unwrapped(href)
    if not href.startswith(("http://", "https://", "/")) and _SITE_HOST_FIRST(href.lstrip()):
        return "https://" + href.lstrip()
    return href


def _id_apart(space: re.Match[str]) -> str:
    """What white space before a story's id becomes: nothing after the slug's hyphen (or a slash), else
    a hyphen, so that digits the slug ends with do not run into the id."""
    before = space.string[space.start() - 1 : space.start()]
    return "" if before in ("-", "/") else "-"


def without_space_before_id(url: str) -> str:
    """``url`` without white space (``%20``, a no-break space) just before a story's id."""
    return _SPACE_BEFORE_ID.sub(_id_apart, url) if "%20" in url or "\u00a0" in url else url


# What stands around an address pasted from a chat, a mail or Markdown, never a part of it: a pair of
# angle brackets, quotes or brackets around it, and the punctuation of the sentence after it (a Hindi
# one's full stop, the danda, and an ellipsis among it).
_PASTE_PAIRS = {"<": ">", '"': '"', "'": "'", "(": ")", "[": "]", "{": "}", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}
_PASTE_TRAILING = re.compile(r"[.,;:!?)\]}>'\"`\u201d\u2019\u00bb\u2026\u0964\u0965]+$")
# Where a story's address ends (its file, a Hindi story's number), or one of the site's short links (its
# code, letters and digits: the address its share buttons give, the one most often pasted), for what
# may follow it.
_STORY_END = re.compile(
    r"(?:\.html?/?|[?&]autono=\d+|^https?://(?:www\.)?(?:" + "|".join(map(re.escape, SHORT_LINK_HOSTS)) + r")/[A-Za-z0-9_-]+/?)$",
    re.IGNORECASE,
)
# Google's AMP cache (``www-business--standard-com.cdn.ampproject.org/c/s/www.business-standard.com/amp/…``) and
# its viewer (``www.google.com/amp/s/…``): the page's own address after ``/c/``, ``/v/`` or ``/amp/``, over
# https when an ``s/`` leads it.
_AMP_CACHE = re.compile(r"https?://[^/?#]+\.cdn\.ampproject\.org/(?:c|v|wp)/(s/)?([^/?#]+\..*)", re.IGNORECASE)
_AMP_VIEWER = re.compile(r"https?://(?:www\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?/amp/(s/)?([^/?#]+\..*)", re.IGNORECASE)
_ENCODED_QUERY = re.compile("%3F", re.IGNORECASE)
# A Markdown link (``[headline](URL)``, with a title after the address or the address in angle brackets,
# the sentence's punctuation after it):
# copied from a README, a chat or a note as its source, the link's text stands before the address.
_MARKDOWN_LINK = re.compile(r"!?\[.*\]\(\s*<?(\S+?)>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)[.,;:!?\u2026\u0964]*")


def pasted_url(text: str) -> str:
    """An address as pasted from a chat, a mail, Markdown or a search result's link, as the address itself:
    without white space around it, the quotes, angle brackets or brackets it stands in (``<URL>``,
    ``"URL"``, ``(URL)``, a Markdown link's ``[text](URL)``), the sentence's punctuation after a story's address (``…_1.html.``, ``…_1.html),``),
    and out of Google's AMP cache or viewer (the page it serves). Anything else is returned as given."""
    url = text.strip()
    markdown = _MARKDOWN_LINK.fullmatch(url) if url.startswith(("[", "![")) else None
    if markdown is not None:
        url = markdown.group(1)
    while len(url) > 1 and url[0] in _PASTE_PAIRS:
        closer = _PASTE_PAIRS[url[0]]
        # (No address begins with one of them: its scheme begins with a letter.)
        url = (url[1:-1] if url.endswith(closer) else url[1:]).strip()
    served = _AMP_CACHE.fullmatch(url) or _AMP_VIEWER.fullmatch(url)
    if served is not None:
        page = served.group(2)
        encoded = _ENCODED_QUERY.search(page) if served.re is _AMP_VIEWER and "?" not in page else None
        if encoded is not None:
            # Google's viewer writes the page's query percent-encoded ("…_1.html%3Famp_js_v%3D0.1",
            # "storypage.php%3Fautono%3DN"): read as written, no story's address, and no autono.
            page = page[: encoded.start()] + "?" + unquote(page[encoded.end() :])
        url = ("https://" if served.group(1) else "http://") + page
    # (After the page is out of the viewer: a full stop after its encoded query is after the page's.)
    trailing = _PASTE_TRAILING.search(url)
    if trailing is not None and _STORY_END.search(url, 0, trailing.start()):
        url = url[: trailing.start()]
    return url
