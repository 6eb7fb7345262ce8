"""The item contract: what every emitted article looks like, whatever page it came from (README, "The article item")."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from datetime import datetime
from html.entities import html5
from typing import Any
from urllib.parse import urlsplit

from crawler.extraction import MARKET_INDICES, LAYOUTS, Article
from crawler.extraction.normalize import HINDI_HOSTS, PLACEHOLDERS, article_id, hindi_article_id

KNOWN_LAYOUTS = frozenset(layout.layout for layout in LAYOUTS)
# The site's hosts (either edition): a canonical link there is the article's own site.
SITE_DOMAINS = ("business-standard.com", "bshindi.com")

# Markup a reader never sees: a tag of HTML, or an entity left escaped. (Text that only looks like
# them stays text: "<n>" is no element, "&nas;" no entity, and a browser shows both as written.)
_ELEMENTS = (
    "a abbr article aside audio b blockquote body br button caption cite code dd del div dl dt em figcaption figure font footer "
    "form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins label li link main mark meta nav noscript ol p picture pre "
    "q s script section small source span strong style sub sup table tbody td th thead time title tr u ul video amp-img amp-ad"
).split()
_TAG = re.compile(r"</?(?:" + "|".join(sorted(_ELEMENTS, key=len, reverse=True)) + r")(?:\s[^<>]*)?/?>", re.I)
_ENTITY = re.compile(r"&(?:(" + "|".join(sorted((n.rstrip(";") for n in html5 if n.endswith(";")), key=len, reverse=True)) + r")|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# A host: letters of any script, digits, dots, hyphens, underscores; or an IPv6 address; a port.
_HOST = re.compile(r"(?:[^\x00-\x2c/:-@\[-^`{-\x7f\s]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?")
# Invisible characters: C0/C1 controls (the body's line breaks aside), zero-width and bidi
# marks, BOM, soft hyphen, lone surrogates. Zero-width (non-)joiners shape Devanagari inside words.
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
_ODD_SPACE = re.compile(r"[^\S\n ]|  ")
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _site(host: str) -> str:
    """The site a host belongs to: the Business Standard family is one, any other host its own."""
    for domain in SITE_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return "business-standard"
    return host


def url_problems(name: str, value: Any) -> list[str]:
    """An absolute http(s) URL with a host, without white space, a fragment or an HTML entity."""
    if not isinstance(value, str):
        return [f"{name}: not a string: {value!r}"]
    problems = []
    if any(c.isspace() for c in value) or _INVISIBLE.search(value):
        problems.append(f"{name}: white space or control character in {value!r}")
    if "#" in value:
        problems.append(f"{name}: fragment in {value!r}")
    if _ENTITY.search(value):
        problems.append(f"{name}: HTML entity in {value!r}")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return problems + [f"{name}: unparsable URL {value!r}"]
    if parts.scheme not in ("http", "https") or not host:
        problems.append(f"{name}: not an absolute http(s) URL: {value!r}")
    elif not _HOST.fullmatch(parts.netloc.rpartition("@")[2]):
        problems.append(f"{name}: no host name in {value!r}")
    if any(value.rstrip("/").endswith("/" + word) for word in PLACEHOLDERS):
        problems.append(f"{name}: a template's placeholder in {value!r}")
    return problems


def text_problems(name: str, value: Any, *, lines: bool = False) -> list[str]:
    """Visible text: no markup, entity, invisible character, placeholder word, or stray white space."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [f"{name}: not a string: {value!r}"]
    problems = []
    if not value.strip():
        problems.append(f"{name}: empty text {value!r}")
    if value.strip() in PLACEHOLDERS:
        problems.append(f"{name}: a placeholder word {value!r}")
    if _TAG.search(value):
        problems.append(f"{name}: markup {_TAG.search(value).group()!r} in {value[:120]!r}")  # type: ignore[union-attr]
    found = _ENTITY.search(value)
    if found:
        problems.append(f"{name}: entity {found.group()!r} in {value[:120]!r}")
    found_invisible = _INVISIBLE.search(value)
    if found_invisible:
        problems.append(f"{name}: invisible character {found_invisible.group()!r} in {value[:120]!r}")
    parts = value.split("\n") if lines else [value]
    if not lines and "\n" in value:
        problems.append(f"{name}: line break in {value[:120]!r}")
    for part in parts:
        if not part.strip():
            problems.append(f"{name}: empty line in {value[:120]!r}")
            break
        if part != part.strip() or _ODD_SPACE.search(part):
            problems.append(f"{name}: stray white space in {part[:120]!r}")
            break
    return problems


def date_problems(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str) or not _ISO.fullmatch(value):
        return [f"{name}: not ISO 8601 with an offset: {value!r}"]
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return [f"{name}: no such date: {value!r}"]
    if moment.year < 1990:
        return [f"{name}: before 1990: {value!r}"]
    return []


def _parsed(value: str | None) -> datetime | None:
    if value is None or date_problems("", value):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _no_duplicates(name: str, keys: list[Any]) -> list[str]:
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            return [f"{name}: {key!r} listed twice"]
        seen.add(key)
    return []


def _links(name: str, links: Any, text_key: str, *, url_required: bool) -> list[str]:
    problems: list[str] = []
    if not isinstance(links, list):
        return [f"{name}: not a list: {links!r}"]
    for index, link in enumerate(links):
        text = getattr(link, text_key, None)
        if not text:
            problems.append(f"{name}[{index}]: no {text_key}")
        problems += text_problems(f"{name}[{index}].{text_key}", text)
        url = getattr(link, "url", None)
        if url is not None or url_required:
            problems += url_problems(f"{name}[{index}].url", url)
    return problems


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def contract_problems(article: Article, future_skew: float | None = 600.0) -> list[str]:
    """Every way ``article`` breaks the item contract; empty for a well-formed item. ``future_skew``: the
    seconds a publication may lie after the download (BS_FUTURE_DATE_SKEW); None for any (a typo'd year
    the pipeline counts and keeps)."""
    if future_skew is None:
        future_skew = float("inf")
    problems: list[str] = []
    problems += url_problems("url", article.url)
    host = urlsplit(article.url).hostname or "" if isinstance(article.url, str) else ""
    hindi = host.lower() in HINDI_HOSTS
    if article.canonicalUrl is not None:
        problems += url_problems("canonicalUrl", article.canonicalUrl)
        try:
            canonical_host = (urlsplit(article.canonicalUrl).hostname or "").lower()
        except ValueError:
            canonical_host = ""
        if _site(canonical_host) != _site(host.lower()):
            problems.append(f"canonicalUrl: {article.canonicalUrl!r} is not on the site of {article.url!r}")
        if urlsplit(article.canonicalUrl).path.lstrip("/").startswith(("amp/", "article-amp/")):
            problems.append(f"canonicalUrl: an AMP URL {article.canonicalUrl!r}")
    # The id: the one the canonical URL names, else the fetched URL's (the canonical one is the story's
    # address where the fetched one is a redirect's, an AMP twin's or a tagged link's).
    id_of = hindi_article_id if (hindi or (article.canonicalUrl and (urlsplit(article.canonicalUrl).hostname or "").lower() in HINDI_HOSTS)) else article_id
    named = {id_of(article.url), id_of(article.canonicalUrl)} - {None}
    if article.articleId not in named:
        problems.append(f"articleId: {article.articleId!r}, the URLs name {sorted(named)!r}")
    problems += text_problems("section", article.section)
    problems += _links("breadcrumbs", article.breadcrumbs, "name", url_required=False)
    problems += _no_duplicates("breadcrumbs", [(_folded(b.name), b.url) for b in article.breadcrumbs if isinstance(b.name, str)])
    if not article.headline:
        problems.append("headline: empty")
    problems += text_problems("headline", article.headline)
    problems += text_problems("description", article.description)
    problems += _links("authors", article.authors, "name", url_required=False)
    problems += _no_duplicates("authors", [_folded(a.name) for a in article.authors if isinstance(a.name, str)])
    problems += text_problems("dateline", article.dateline)
    for name in ("datePublished", "dateModified", "dateDownloaded"):
        problems += date_problems(name, getattr(article, name))
    problems += text_problems("datePublishedRaw", article.datePublishedRaw)
    problems += text_problems("dateModifiedRaw", article.dateModifiedRaw)
    published, modified, downloaded = (_parsed(article.datePublished), _parsed(article.dateModified), _parsed(article.dateDownloaded))
    if published and modified and published > modified:
        problems.append(f"datePublished {article.datePublished} after dateModified {article.dateModified}")
    # (A publication after the download is written as the page gives it, counted and logged
    # (article/future_date, the README's check_not_ahead). The site's typo'd year is still the article, and dropping or
    # changing it would lose it on every fetch; so the contract asks it only of the skew the pipeline allows.)
    if published and downloaded and (published - downloaded).total_seconds() > future_skew:
        problems.append(f"datePublished {article.datePublished} after dateDownloaded {article.dateDownloaded}")
    minutes = article.readTimeMinutes
    if minutes is not None and (type(minutes) is not int or not 1 <= minutes <= 120):
        problems.append(f"readTimeMinutes: {minutes!r} is no small positive integer")
    if article.mainImage is not None:
        problems += url_problems("mainImage.url", article.mainImage.url)
        problems += text_problems("mainImage.alt", article.mainImage.alt)
        problems += text_problems("mainImage.caption", article.mainImage.caption)
    problems += text_problems("articleBody", article.articleBody, lines=True)
    problems += _links("alsoRead", article.alsoRead, "headline", url_required=True)
    problems += _no_duplicates("alsoRead", [r.url for r in article.alsoRead])
    for related in article.alsoRead:
        if related.url in (article.url, article.canonicalUrl):
            problems.append(f"alsoRead: the page itself {related.url!r}")
    if not isinstance(article.topics, list):
        problems.append(f"topics: not a list: {article.topics!r}")
    else:
        for index, topic in enumerate(article.topics):
            problems += text_problems(f"topics[{index}]", topic) or ([] if topic else [f"topics[{index}]: empty"])
        problems += _no_duplicates("topics", [_folded(t) for t in article.topics if isinstance(t, str)])
    problems += text_problems("disclaimer", article.disclaimer)
    if article.isSyndicated != (article.disclaimer is not None):
        problems.append(f"isSyndicated {article.isSyndicated!r} with disclaimer {article.disclaimer!r}")
    for name in ("isSyndicated", "isPremium", "isLiveBlog"):
        if type(getattr(article, name)) is not bool:
            problems.append(f"{name}: not a boolean: {getattr(article, name)!r}")
    language = article.inLanguage
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        problems.append(f"inLanguage: {language!r} is no BCP 47 code")
    elif language not in ("en", "hi") or (hindi and language != "hi"):
        # (The English site's page may declare a story Hindi; a page on the Hindi edition is Hindi.)
        problems.append(f"inLanguage: {language!r} on the {'Hindi' if hindi else 'English'} edition ({article.url})")
    names = [quote.name for quote in article.market]
    if names != list(MARKET_INDICES):
        problems.append(f"market: indices {names!r}")
    for quote in article.market:
        for key in ("value", "change", "changePercent"):
            number = getattr(quote, key)
            if number is not None and (type(number) is not float or not math.isfinite(number) or (number == 0 and math.copysign(1, number) < 0)):
                problems.append(f"market {quote.name}.{key}: {number!r}")
    if article.layout not in KNOWN_LAYOUTS:
        problems.append(f"layout: {article.layout!r}")
    if article.version is not None and (type(article.version) is not int or article.version < 1):
        problems.append(f"version: {article.version!r}")
    expected = {f.name for f in fields(Article)}
    if set(vars(article)) - {"_provenance"} != expected:
        problems.append(f"keys: {sorted(set(vars(article)) ^ expected)}")
    return problems
