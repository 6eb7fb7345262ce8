"""What every page object shares: the item built from field methods by name, sources counted per field.

A page object has one method per :class:`~crawler.extraction.article.Article` field, named exactly as
the field (``headline()``, ``mainImage()`` …); :meth:`ArticlePage.to_item` calls them by name. A field
that several sources can answer says so with :meth:`ArticlePage.pick`, which records which source
answered (``article/source/<field>/<source>``) and whether two present sources disagreed.

The defaults here read the structured data alone (JSON-LD, meta tags), with the text-anchored DOM
labels as the last resort; layouts override a field to put their own sources in front.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Set
from copy import deepcopy
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, ClassVar, TypeVar, Union, cast
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from .selectors import CSSSelector, XPath
from lxml.etree import _Element

from ..article import MARKET_INDICES, Article, Image, Link, MarketQuote, RelatedArticle
from ..errors import NotAnArticle
from ..lazy import cached_property
from ..normalize import (
    READ_TIME_WORDS,
    SITE_ROOT,
    absolute_url,
    clean_text,
    date_after_label,
    date_of_article_id,
    normalize_date,
    read_time_minutes,
    split_list,
    strip_amp,
    unescape,
    unique,
)
from ..page import Page, dig, ld_types, live_updates_of
from ..urls import SPONSORED, WEBSTORY, article_fetch_url, as_link, has_tracking, item_link, may_name_story, non_article_kind, on_hindi_edition, page_article_id, same_site, site_host_form, without_space_before_id, without_tracking
from ..text import BLOCK_TAGS, attribute_text, DATE_LABELS, DISCLAIMER, MIN_READ, PUBLISHED_LABELS, UPDATED_LABELS, RELATED_HEADINGS, SYNDICATION, block_paragraphs, emoji_alt, escaped_markup, fragment, holds_markup, inline_promo_runs, is_code, is_promo, is_promo_label, split_body, without_promo_label, superscript, text_paragraphs, without_promoted_links, without_unseen

T = TypeVar("T")
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article))

# Source names, as they appear in stats.
NEXT_DATA = "next"  # __NEXT_DATA__ props.pageProps.data (= the article JSON API)
JSON_LD = "ld"
META = "meta"
DOM = "dom"
URL = "url"

# The text-anchored rules: the labels are written once, in crawler/extraction/text.py. All text
# nodes of the scope are read in one XPath walk and searched in Python: a predicate per node in
# libxml2 costs more than the walk (and than the parse).
LABELS = (*DATE_LABELS, MIN_READ, SYNDICATION)
_ALL_TEXTS = XPath("descendant::text()")
# Text no reader sees as the page's: code, and what the parser keeps as raw text (a frame's fallback,
# a form field's value, the tab's title), where an unclosed <iframe> takes in the whole page after it.
_INVISIBLE_AROUND_LINKS = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff \t\r\n\xa0"
_NOT_TEXT = frozenset({"script", "style", "iframe", "textarea", "title"})
_TEXTS = XPath("descendant-or-self::text()[not(parent::style or parent::script)]", smart_strings=False)
_LINKS_AFTER = XPath("following-sibling::*/descendant-or-self::a[@href]")
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


# An entity left after one unescape: the CMS escaped it twice ("&amp;#8217;"), as a page's text read
# by the parser and then cleaned is unescaped twice.
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I).search
_LANGUAGE_TAG = re.compile(r"(en|hi)(?:[-_][A-Za-z0-9]{1,8})*", re.I).fullmatch


def _one_each(values: list[T], by_page: bool = False) -> list[T]:
    """Authors or topics, each once whatever the case and spacing its sources wrote it in ("Shine Jacob"
    and "SHINE JACOB" are one person): the first, with the first author page any of them names.
    ``by_page``: a breadcrumb's step is one by its name and its page (a trail may pass two sections' "News")."""
    if len(values) < 2:
        return values
    kept: dict[tuple[str, str | None], T] = {}
    for value in values:
        name = value.name if isinstance(value, Link) else value
        key = (" ".join(str(name).casefold().split()), value.url if by_page and isinstance(value, Link) else None)
        known = kept.get(key)
        if known is None:
            kept[key] = value
        elif isinstance(known, Link) and isinstance(value, Link) and known.url is None and value.url:
            kept[key] = cast(T, Link(name=known.name, url=value.url))
    return values if len(kept) == len(values) else list(kept.values())


def _modified_after(published: str | None, modified: str | None) -> str | None:
    """The modification time, never before publication: a page showing "Last Updated" to the minute
    of a story published at 15:42:31 says 15:42, the publication itself; a time earlier than that
    minute contradicts the page's own publication and says nothing."""
    if published is None or modified is None or modified >= published:
        # (Both are ISO 8601 in +05:30: the text's order is the time's.)
        return modified
    return published if modified[:16] == published[:16] else None


# A source's date further ahead of the time the page was fetched than this is a typo (a year, an hour
# of the wrong half of the day), not clock skew: BS_FUTURE_DATE_SKEW's default, which the crawl passes in.
FUTURE_SKEW = timedelta(minutes=10)


# Two sources' dates of a field that lie this close agree: the second the CMS saved the story and the
# minute the page shows, a source written a few minutes later. A typo lies further: a year, a month and
# day swapped, the wrong half of the day, a zone's hours (UTC's wall time given as India's).
AGREEMENT = timedelta(minutes=30)


def _agree(one: str, one_day: bool, other: str, other_day: bool) -> bool:
    """Whether two sources' dates (ISO 8601 in +05:30) are one: the same day where either gives a day alone,
    else within :data:`AGREEMENT`."""
    if one_day or other_day:
        return one[:10] == other[:10]
    return abs(datetime.fromisoformat(one) - datetime.fromisoformat(other)) <= AGREEMENT


def ahead(date: str, now: datetime, skew: timedelta = FUTURE_SKEW) -> bool:
    """Whether the ISO 8601 date ``date`` (as :func:`normalize_date` writes it) lies more than
    ``skew`` ahead of ``now``, the time the page was fetched."""
    try:
        return datetime.fromisoformat(date) > now + skew
    except (ValueError, TypeError):  # (TypeError: a date without its zone)
        return False


def text_of(value: Any) -> str | None:
    """A JSON value that should be text: strings are cleaned, anything else is None."""
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    if text and "&" in text and _ENTITY(text):
        text = clean_text(text)
    # A name, a section or a topic the CMS wrote with its markup ("<a href=…>A</a>", "<b>…</b>"):
    # its text, as the page shows it. (Only tags HTML has: "a <b> c" of other words stays.)
    if text and "<" in text and holds_markup(text):
        text = element_text(fragment(text))
    # (A short text alone is looked at: a value is no placeholder past five characters.)
    if text and len(text) <= 5 and (text.casefold() in _NO_VALUE or not any(c.isalnum() for c in text)):
        return None
    return text


# What a CMS writes in a text field it has no value for (a dateline, a standfirst, an image's alt
# text): "NA", "N/A", or marks alone ("-", ".", "--"). No reader takes them for a value.
_NO_VALUE = frozenset({"na", "n/a", "n.a.", "n. a."})


# A comma between two digits is a number's ("Rs 2,000 notes", "Rs 1,00,000 crore"), not a list's.
_LISTED_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def names_of(value: Any) -> list[str]:
    """Names from JSON written as a list of them or as one comma-separated string; in a list, a
    string of several (``["Rupee, Forex"]``, a template's list around the CMS's one string) is
    split, though not at a number's comma, and a term written as an object (schema.org's
    DefinedTerm) is its ``name``."""
    if isinstance(value, list):
        texts = (text_of(v.get("name") if isinstance(v, dict) else v) for v in value)
        return unique(name for text in texts if text for name in (clean_text(part) for part in _LISTED_COMMA.split(text)) if name)
    return split_list(text_of(value))


def first_text_of(value: Any, read: Callable[[Any], str | None] = text_of) -> str | None:
    """:func:`text_of` (or ``read``) of a value, or of the first string of a list of them (schema.org
    allows several values wherever it allows one)."""
    if isinstance(value, list):
        return next((text for item in value if (text := read(item))), None)
    return read(value)


# A JSON string its CMS escaped once more before writing it (PHP's addslashes on encoded text): its
# line breaks read \n (or \r\n), its quotes \" and \'. Undone only in a text with no real line
# break where such a "line break" ends a sentence, as one between paragraphs does: a story may show
# a backslash to its readers ("C:\new\reports", "use \n in the pattern"), never after a full stop.
_ESCAPED_TWICE = re.compile(r"\\(?:r\\n|[nrt\"'/\\])")
_ESCAPED_LINE_BREAK = r"\s*\\(?:r\\n|n)"
_ESCAPED_PARAGRAPH_BREAK = re.compile(rf"[.!?\"'\u201d)]{_ESCAPED_LINE_BREAK}")
# In markup, also after a tag ("</p>\\r\\n<p>").
_ESCAPED_MARKUP_BREAK = re.compile(rf"[.!?\"'\u201d)>]{_ESCAPED_LINE_BREAK}")
_ESCAPES = {"\\r\\n": "\n", "\\n": "\n", "\\r": "\n", "\\t": " ", '\\"': '"', "\\'": "'", "\\/": "/", "\\\\": "\\"}


def text_of_block(value: Any) -> str | None:
    """A JSON string kept with its line breaks (for paragraph splitting), entities unescaped."""
    if not isinstance(value, str) or not value.strip():
        return None
    return unescape(_escapes_read(value, _ESCAPED_PARAGRAPH_BREAK))


def _escapes_read(text: str, paragraph_break: re.Pattern[str]) -> str:
    """``text`` with the escapes of its second escaping read, where it has no real line break and
    ``paragraph_break`` finds an escaped one between paragraphs; else as it is."""
    if "\\" in text and "\n" not in text and paragraph_break.search(text):
        return _ESCAPED_TWICE.sub(lambda escape: _ESCAPES[escape.group()], text)
    return text


def date_value(value: Any) -> str | float | None:
    """A structured-data date: its text, a Unix time (the site's own data writes its dates so, and a
    template may copy one into JSON-LD as it is), or the first of a list of them; anything else (an
    object, the empty array a PHP back end writes for an unset field) is no date."""
    if isinstance(value, list):  # the first that is a date (a list may start with a blank)
        value = next((v for v in value if (isinstance(v, str) and v.strip()) or (isinstance(v, (int, float)) and not isinstance(v, bool))), None)
    if isinstance(value, str):
        return text_of(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


# Markup that makes its own paragraphs: without any, the text's line breaks are its paragraphs.
_BLOCK_MARKUP = re.compile(r"<(?:p|br|div|blockquote|h[1-6]|ul|ol|li|figure|table|tr|pre|section|article)\b[^<>]*>", re.I).search


def story_markup(markup: str) -> str:
    """A CMS field meant as the story's markup (``htmlContent``), as markup: escaped once more (no tag,
    only ``&lt;p&gt;``), its tags are unescaped; its JSON escaped twice (a literal ``\\r\\n`` between
    paragraphs, as the site's JSON-LD ``articleBody`` may be), its escapes read; written as lines of text
    with no block markup (agency copy, a bold word or a link at most), its line breaks are made ``<br>``s."""
    markup = _escapes_read(markup, _ESCAPED_MARKUP_BREAK)
    if "<" not in markup and "&lt;" in markup:
        markup = unescape(markup)
    if "\n" in markup and not _BLOCK_MARKUP(markup):
        markup = "<br>".join(markup.splitlines())
    return markup


def block_text_paragraphs(value: Any) -> list[str]:
    """Paragraphs of a JSON text block (``articleBody``): lines of plain text, or the blocks of the
    markup it holds, read as the page's own body is (embeds and captions left out)."""
    text = text_of_block(value)
    if not text:
        return []
    if holds_markup(text):
        if not _BLOCK_MARKUP(text):  # lines with a bold word, a link or a comment in them
            text = "<br>".join(text.splitlines())
        root = fragment(text)
        return block_paragraphs(root) if root is not None else []
    return text_paragraphs(text)


# Between a byline's names: a comma, semicolon, ampersand, bar, "and" or "with" (in Hindi "और",
# "एवं", "तथा"); before them, "By". An ampersand inside a word joins no people: "S&P", "AT&T" are names.
# "With" may follow a dash ("A — with PTI"), and joins names only: a lowercase word after it runs a
# line on ("Talking with the Taliban").
_NAME_SEPARATORS = re.compile(
    r"\s*(?:[,;|]|\band\b|(?:[-\u2013\u2014]\s*)?\bwith\b(?=\s*(?-i:[^a-z\s])))\s*|\s+&\s*|&\s+|\s+(?:और|एवं|तथा)\s+"
    # A slash with a space or the text's end either side parts two names, as a bar does ("Reuters /
    # Bloomberg", "Shine Jacob / Sohini Das"); one inside a word does not ("Reuters/Ipsos", "24/7").
    r"|\s*(?<!\S)/(?!\S)\s*",
    re.I,
)
# "With" and a second name in brackets ("A (with B)"): read as "A with B".
_BRACKETED_WITH = re.compile(r"\s*[(\[]\s*(with\b[^()\[\]]*)[)\]]", re.I)
# The words before the one person a byline names that make "with" no separator: "Interview with A",
# "In conversation with A", "Q&A with A", "In association with A" name no second author.
_LEAD_IN = re.compile(
    r"^(?:an?\s+)?(?:in\s+)?(?:interview|conversation|chat|q\s*&\s*a|association|partnership|collaboration|talking|speaking|face\s+to\s+face)\s+with\b\s*",
    re.I,
).match
# A column's or a sponsored series' title of one word before "with" ("Lunch with BS", "Coffee with
# Kotak"): a person's name is never one word, save an agency's ("Reuters with AFP" is two). A series is
# never sponsored by a news agency: "Agencies with PTI", "Team with Reuters" name the agency apart.
_TITLE_WITH = re.compile(r"^[^\W\d_][\w'\u2019-]*\s+with\b\s*", re.I).match


def _column_title(text: str) -> re.Match[str] | None:
    """A column's one-word title before "with" that begins the byline ("Lunch with BS")."""
    title = _TITLE_WITH(text)
    if title is None or is_news_agency(title.group().split()[0]):
        return None
    return None if is_news_agency(_NAME_SEPARATORS.split(text[title.end() :], maxsplit=1)[0]) else title
# A credit for the news agencies' part in the story after the names ("with inputs from PTI", "(With
# agency inputs)", "with PTI inputs", "with agencies", "| Inputs from Reuters", "| Inputs: PTI"): no author, and no
# dateline city after a bar. ("With" and a few words before "inputs": a second author's name never
# ends so.)
_WITH_INPUTS = re.compile(r"\bwith\s+(?:[\w.&-]+\s+){0,3}?(?:inputs?|agenc(?:y|ies))\b", re.I)
_INPUTS_FROM = re.compile(r"(?:^|[,;|(\[])\s*inputs?\s*(?:from\b|[:\u2013\u2014-])", re.I)
# The Hindi edition's credit: "इनपुट: भाषा", "| भाषा इनपुट के साथ", "(एजेंसी के इनपुट के साथ)" ("input" is
# no word of a name): from the mark before it, or the agency's word just before "इनपुट". The words
# before "इनपुट" are the credit's only where it ends "के साथ" (a source's input) or an agency's name
# ("भाषा"): before the label "इनपुट: भाषा" they are a name ("अभिषेक कुमार इनपुट: भाषा", "A, सुधीर सिंह इनपुट: भाषा").
_HINDI_INPUT = r"इनपुट(?:्स)?(?![\u0900-\u097F\w])"
# (_HINDI_INPUTS, the credit, is compiled after the agencies' lists below: it names every agency they hold.)
# A Hindi credit's words that name no agency: what is left of a byline that is nothing but the credit
# ("इनपुट: भाषा") is the agency, its author, as the site names an agency for agency copy.
_HINDI_CREDIT_WORDS = re.compile(rf"[\s,;|()\[\]:\u2013\u2014-]+|(?<![\u0900-\u097F\w])(?:{_HINDI_INPUT}|(?:के|साथ|सहित)(?![\u0900-\u097F\w]))")


def without_inputs_credit(text: str) -> str:
    """A byline's text without the agencies' credit that ends it ("A with inputs from PTI" → "A")."""
    if "input" not in text.lower() and "agenc" not in text.lower():  # nearly every byline
        if text.isascii() or "इनपुट" not in text:
            return text
        found = _HINDI_INPUTS.search(text)
        if found is None:
            return text
        return text[: found.start()].rstrip(CITY_PUNCTUATION + "([") or " ".join(_HINDI_CREDIT_WORDS.sub(" ", text).split())
    found = _WITH_INPUTS.search(text) or _INPUTS_FROM.search(text)
    return text[: found.start()].rstrip(CITY_PUNCTUATION + "([") if found else text
_BY = re.compile(r"^(?:(?:written|reported)\s+)?by(?:\s*:\s*|\s+)", re.I)
_NOT_NAMES = frozenset({"updated", "published", "by"})
# An editor the byline names after the authors ("Edited by: C", "| Edited By C and D") is no author.
_EDITED_BY = re.compile(r"^(?:edited|compiled|curated)\s+by\b", re.I).match


# The story's date line or read time where a byline runs on into them ("… | Last Updated : Feb 28
# 2024 | 3:42 PM IST", "2 min read"): the names end there.
_DATE_LINE = re.compile(rf"^(?:(?:last\s+)?updated|(?:first\s+)?published|posted)\b|^\d+\s*{READ_TIME_WORDS}\b", re.I).match


# A date line, time of day or read time a byline runs on into with no bar before it ("AP 2 min read",
# "PTI Last Updated : Dec 04 2026 | 11:20 PM IST", "Reuters 3 Dec"): neither a name nor a place, and
# the byline ends there. A month's name is a date only with a day beside it ("Theresa May" is a name).
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_TAIL = re.compile(
    rf"(?:^|(?<=\s))(?:(?:last\s+)?updated\b|(?:first\s+)?published\b|posted\s+(?:on\b|at\b|:)|\d+\s*{READ_TIME_WORDS}\b"
    rf"|{_MONTH}\s+\d{{1,2}}(?!\d)(?!\s*{READ_TIME_WORDS})|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?!\w)|\d{{1,2}}:\d{{2}}(?!\d))",
    re.I,
).search


def without_date_tail(text: str) -> str:
    """A byline's text without the date line, time or read time it runs on into ("AP 2 min read" → "AP")."""
    found = _DATE_TAIL(text)
    return text[: found.start()].rstrip(CITY_PUNCTUATION) if found else text


def byline_names(text: str) -> list[str]:
    """The names of a byline's text ("By A and B", "A, B & C"), without the words around them and
    without the editors named after them, nor a date line after them."""
    text = without_date_tail(without_inputs_credit(text))
    if "(" in text or "[" in text:
        text = _BRACKETED_WITH.sub(r" \1", text)
    lead_in = _LEAD_IN(text) or _column_title(text)
    names = []
    for part in _NAME_SEPARATORS.split(text[lead_in.end() :] if lead_in else text):
        if _EDITED_BY(part) or _DATE_LINE(part):
            break
        name = _BY.sub("", part)
        if name and name.lower() not in _NOT_NAMES:
            names.append(name)
    if lead_in and names:  # the byline as the page writes it, the person it names not its author
        names[0] = lead_in.group().rstrip() + " " + names[0]
    return names


# The news agencies whose copy the site runs (SITE.md: "AP Miami", `sourceTitle`). An agency shares no
# byline with a person, so what follows its bar is its city, even in an element of its own.
NEWS_AGENCIES = frozenset(
    {"pti", "press trust of india", "ani", "asian news international", "ians", "reuters", "ap", "associated press",
     "afp", "agence france-presse", "bloomberg", "dpa", "xinhua"}
)


def is_news_agency(name: str) -> bool:
    key = name.strip(CITY_PUNCTUATION + ".").casefold()
    return key in NEWS_AGENCIES or (not key.isascii() and hindi_key(key) in HINDI_AGENCIES)


# The Hindi edition's spelling of a name: a nukta letter written with its nukta, precomposed or without
# it ("बिज़नेस", "बिजनेस"), a joiner inside a word or not (a reader sees one name); compared without both.
_HINDI_VARIANTS = re.compile("[\u093c\u200c\u200d]")


def hindi_key(name: str) -> str:
    """A Devanagari name as the Hindi lists hold it: NFC (which writes a nukta letter apart), without nukta or joiners."""
    return " ".join(_HINDI_VARIANTS.sub("", unicodedata.normalize("NFC", name)).split())


def hindi_spelled(name: str) -> str:
    """A regular expression of a Hindi list's name (as :func:`hindi_key` spells it) in any of its spellings."""
    if name.isascii():
        return re.escape(name)
    return "".join(r"\s+" if char == " " else _NUKTA_LETTERS.get(char, re.escape(char)) + "[\u093c\u200c\u200d]*" for char in name)


# A letter that takes a nukta, and its nukta letter precomposed (U+0958–U+095F, which NFC writes apart).
_NUKTA_LETTERS = {unicodedata.normalize("NFD", chr(code))[0]: f"[{unicodedata.normalize('NFD', chr(code))[0]}{chr(code)}]" for code in range(0x958, 0x960)}


# The agencies as the Hindi edition credits them: PTI (and its Hindi service, भाषा), IANS, ANI, UNI and
# its Hindi service (वार्ता), Reuters, Bloomberg, AFP; and the paper's own desk ("बीएस संवाददाता",
# "BS correspondent"; "बिज़नेस स्टैंडर्ड"), which, as an agency's, shares no byline with a city as an author.
# Written as hindi_key spells them.
HINDI_AGENCIES = frozenset(
    hindi_key(name)
    for name in ("पीटीआई", "प्रेस ट्रस्ट ऑफ इंडिया", "भाषा", "आईएएनएस", "एएनआई", "यूएनआई", "वार्ता", "यूनीवार्ता", "रॉयटर्स", "रायटर",
                 "रायटर्स", "ब्लूमबर्ग", "एएफपी", "बीएस संवाददाता", "बिज़नेस स्टैंडर्ड")
)
# The words before "इनपुट" that name whose input it is: an agency the lists hold, in any of its
# spellings, or "the agency"/"agencies" ("एजेंसी के इनपुट"). (Built from the lists, so that an
# agency added to them is cut with its credit, not left in the reporter's name: "A एएफपी इनपुट के साथ".)
_HINDI_AGENCY = "|".join(
    [hindi_spelled(name) for name in sorted(HINDI_AGENCIES, key=len, reverse=True)]
    + ["एजेंसियों", "एजेंसियां", "एजेंसियाँ", "एजेंसी", "(?i:" + "|".join(re.escape(name) for name in sorted(NEWS_AGENCIES, key=len, reverse=True)) + ")"]
)
_HINDI_INPUTS = re.compile(
    rf"[,;|(\[]\s*(?:(?:[^\s,;|(\[]+\s+){{1,3}}?(?:के\s+)?{_HINDI_INPUT}(?=\s*(?:के\s+साथ|सहित|[)\]]|$))|{_HINDI_INPUT})"
    rf"|(?:^|\s+)(?:(?:{_HINDI_AGENCY})\s+)?(?:के\s+)?{_HINDI_INPUT}"
)


# The places the site dates its stories from most (India's metros and state capitals, the world's
# capitals and markets): a reporter's byline "Name | City" in two spans names one person, where
# "A | B" names two, and only the second's words tell them apart. (A city not listed is read as
# before: a second author.)
DATELINE_CITIES = frozenset(
    {"new delhi", "delhi", "mumbai", "kolkata", "chennai", "bengaluru", "bangalore", "hyderabad", "ahmedabad",
     "pune", "lucknow", "jaipur", "chandigarh", "bhopal", "patna", "thiruvananthapuram", "kochi", "guwahati",
     "bhubaneswar", "raipur", "ranchi", "dehradun", "shimla", "srinagar", "jammu", "gandhinagar", "panaji",
     "noida", "gurugram", "gurgaon", "amritsar", "varanasi", "kanpur", "nagpur", "indore", "surat", "vadodara",
     "coimbatore", "visakhapatnam", "vijayawada", "amaravati", "imphal", "shillong", "agartala", "aizawl",
     "kohima", "itanagar", "gangtok", "puducherry", "secunderabad", "mangaluru", "mysuru", "ludhiana", "leh", "goa",
     "washington", "new york", "london", "singapore", "beijing", "shanghai", "hong kong", "tokyo", "seoul",
     "dubai", "abu dhabi", "riyadh", "doha", "moscow", "paris", "berlin", "frankfurt", "brussels", "geneva",
     "zurich", "davos", "sydney", "melbourne", "toronto", "ottawa", "san francisco", "los angeles", "miami",
     "chicago", "houston", "boston", "seattle", "dhaka", "colombo", "kathmandu", "islamabad", "karachi",
     "lahore", "kabul", "tehran", "jerusalem", "tel aviv", "kyiv", "ankara", "istanbul", "cairo", "nairobi",
     "johannesburg", "bangkok", "jakarta", "kuala lumpur", "manila", "hanoi", "taipei", "wellington", "rome",
     "madrid", "vienna", "stockholm", "oslo", "copenhagen", "amsterdam", "warsaw", "muscat", "tashkent",
     "thimphu", "yangon", "brasilia", "sao paulo", "mexico city", "buenos aires"}
)


# The same places as the Hindi edition writes them (in the spellings of both its pages and Hindi's
# papers: "बेंगलूरु" and "बेंगलुरु", "वॉशिंगटन" and "वाशिंगटन"), as hindi_key spells them.
HINDI_DATELINE_CITIES = frozenset(
    hindi_key(name)
    for name in ("नई दिल्ली", "नयी दिल्ली", "दिल्ली", "मुंबई", "कोलकाता", "चेन्नई", "बेंगलूरु", "बेंगलुरु", "बेंगलूर", "बंगलौर", "बेंगलुरू",
                 "हैदराबाद", "अहमदाबाद", "पुणे", "लखनऊ", "जयपुर", "चंडीगढ़", "भोपाल", "पटना", "तिरुवनंतपुरम", "कोच्चि", "गुवाहाटी",
                 "भुवनेश्वर", "रायपुर", "रांची", "देहरादून", "शिमला", "श्रीनगर", "जम्मू", "गांधीनगर", "पणजी", "नोएडा", "गुरुग्राम",
                 "गुड़गांव", "अमृतसर", "वाराणसी", "कानपुर", "नागपुर", "इंदौर", "सूरत", "वडोदरा", "कोयंबटूर", "विशाखापत्तनम", "विजयवाड़ा",
                 "अमरावती", "इंफाल", "शिलांग", "अगरतला", "आइजोल", "कोहिमा", "ईटानगर", "गंगटोक", "पुदुच्चेरी", "लुधियाना", "लेह", "गोवा",
                 "वॉशिंगटन", "वाशिंगटन", "न्यूयॉर्क", "न्यूयार्क", "लंदन", "सिंगापुर", "बीजिंग", "शंघाई", "हांगकांग", "तोक्यो", "टोक्यो",
                 "सोल", "दुबई", "अबू धाबी", "रियाद", "दोहा", "मॉस्को", "मास्को", "पेरिस", "बर्लिन", "फ्रैंकफर्ट", "ब्रसेल्स", "जिनेवा",
                 "ज्यूरिख", "दावोस", "सिडनी", "मेलबर्न", "टोरंटो", "ओटावा", "सैन फ्रांसिस्को", "लॉस एंजिलिस", "ढाका", "कोलंबो", "काठमांडू",
                 "इस्लामाबाद", "कराची", "लाहौर", "काबुल", "तेहरान", "यरुशलम", "तेल अवीव", "कीव", "इस्तांबुल", "काहिरा", "बैंकॉक",
                 "जकार्ता", "कुआलालंपुर", "मनीला", "हनोई", "ताइपे", "रोम", "मस्कट", "ताशकंद", "थिंपू", "संयुक्त राष्ट्र")
)


def _is_city(place: str) -> bool:
    return place in DATELINE_CITIES or (not place.isascii() and hindi_key(place) in HINDI_DATELINE_CITIES)


def is_dateline_city(name: str) -> bool:
    """Whether a name is a place the site dates stories from, or two ("New Delhi/Mumbai"), in English or Hindi."""
    place = name.strip(CITY_PUNCTUATION + ".").casefold()
    return _is_city(place) or ("/" in place and all(_is_city(part.strip()) for part in place.split("/")))


def place_after_a_name(first_name: str, place: str) -> bool:
    """Whether what follows a byline's bar in an element of its own, after a name in another, is the
    dateline's city rather than a second author: after a news agency (which shares no byline with a
    person), or a place the site dates its stories from ("Shine Jacob | Chennai"; "A | B" is two)."""
    return is_dateline_city(place) or (is_news_agency(first_name) and not is_news_agency(place) and not reporter_after_bar(place))


def reporter_after_bar(words: str) -> bool:
    """Whether the words after a byline's bar are a reporter's name, not the dateline's city: they end
    in one of the commonest surnames (SURNAMES) and are no listed city ("PTI | Singh", "Reuters | Priya
    Singh", "Shine Jacob | Sohini Das"; "Reuters | Kozhikode" is a city, as a place no list holds is read)."""
    return not is_news_agency(words) and not is_dateline_city(words) and is_surname_ended(words)


# What may stand between a byline's names and its city (", Chennai").
CITY_PUNCTUATION = " ,;:|-\u2013\u2014"
# The dateline's city after a byline's last bar or spaced slash ("Press Trust of India | New Delhi",
# "Reuters / New Delhi"), as the site writes a byline that draws no city of its own; a story filed from
# two cities names both, a slash between them unspaced ("| New Delhi/Mumbai").
_PLACE_AFTER = re.compile(r"(?:\||(?:^|\s)/)\s*((?:[^|/]|(?<=\S)/(?=\S))*?)\s*$")
# What no place's name holds, nor is: a digit, a dot or colon of a web address, an at sign.
_NO_PLACE = re.compile(r"[\d.:@_=?#]|^\s*$").search


def has_place_bar(text: str) -> bool:
    """Whether a byline's text holds a bar or a spaced slash, either of which may set the dateline's city
    after its names ("PTI | Mumbai", "Reuters / New Delhi"; "New Delhi/Mumbai" is two cities)."""
    return "|" in text or _SPACED_SLASH(text) is not None


_SPACED_SLASH = re.compile(r"(?:^|\s)/").search


def without_agency_city(names: list[str], known_place: str | None) -> list[str]:
    """Structured data's author names without the city beside an agency's or a reporter's ("New Delhi,
    PTI" gives PTI, "Shine Jacob, Mumbai" Shine Jacob): the byline's rule (see :func:`agency_names`) for
    a place a CMS copied into the author field."""
    if len(names) < 2 or not any(is_place_beside(name, names, known_place) for name in names):
        return names
    return [name for name in names if not is_place_beside(name, names, known_place)]


def is_place_beside(name: str, names: list[str], known_place: str | None) -> bool:
    """Whether one of a byline's ``names`` is the dateline's city written beside the others ("Shine
    Jacob, Mumbai", "New Delhi, PTI"): a listed city, or the one the story's data names, where some other
    name is none (a byline of cities alone names no one to keep)."""
    def place(text: str) -> bool:
        return is_dateline_city(text) or (known_place is not None and text.casefold() == known_place.casefold())

    return len(names) > 1 and place(name) and not all(place(other) for other in names)


def names_and_place(text: str) -> tuple[str, str | None]:
    """A byline's text without the city that ends it after a bar or a slash, and that city; the text
    as it is when what follows its last bar is an editor's line or names people ("A | B and C"). (An
    agencies' credit at its end is neither: "A | Inputs from PTI" is A.)"""
    text = without_date_tail(without_inputs_credit(text))
    match = _PLACE_AFTER.search(text)
    if match is None:
        return text, None
    place = match.group(1).strip(CITY_PUNCTUATION)
    if not place or _EDITED_BY(place) or _BY.match(place) or _NAME_SEPARATORS.search(place) or is_news_agency(place):
        return text, None
    if "/" in place and any(_NO_PLACE(part) or is_news_agency(part) for part in place.split("/")):
        return text, None  # a link, a figure ("24/7"), a poll's credit ("Reuters/Ipsos"): no two cities
    if reporter_after_bar(place):
        return text, None  # a reporter ("PTI | Singh", "A | Sohini Das"): a name, as "PTI Singh" is
    return text[: match.start()].rstrip(CITY_PUNCTUATION), place


# A byline written as one text, an agency's name then its city with nothing between ("AP Miami", the
# 2026 render SITE.md quotes; "Press Trust of India New Delhi"): the longest agency's name first.
_AGENCY_PATTERN = "|".join(hindi_spelled(a) for a in sorted(NEWS_AGENCIES | HINDI_AGENCIES, key=len, reverse=True))
_AGENCY_WORDS_FIRST = re.compile(r"^\s*(" + _AGENCY_PATTERN + r")\s+(\S.*?)\s*$", re.I).match
# The agencies known by their initials, which they write in capitals (dpa in small letters).
_AGENCY_INITIALS = frozenset({"pti", "ani", "ians", "ap", "afp", "dpa"})


def _agency_first(text: str) -> re.Match[str] | None:
    """An agency's name, then words (see _AGENCY_WORDS_FIRST), unless they are a person's name that
    starts as an agency's: an acronym in title case ("Ani Sharma": agencies write theirs in capitals,
    or "dpa" in small letters), or two capitals then one surname, initials ("AP Singh": A. P. Singh)."""
    match = _AGENCY_WORDS_FIRST(text)
    if match is None:
        return None
    agency, rest = match.group(1), match.group(2)
    if agency.casefold() in _AGENCY_INITIALS and agency[0].isupper() and not agency.isupper():
        return None
    if len(agency) == 2 and " " not in rest and not is_dateline_city(rest) and is_surname_ended(rest):
        return None
    if hindi_key(agency) in _AGENCIES_ALSO_GIVEN_NAMES and " " not in rest and is_surname_ended(rest):
        return None  # a woman's name ("भाषा सिंह"), not PTI's Hindi service and a reporter
    return match


# The agencies' names that are also given names, before one surname a person's: "भाषा" (Bhasha).
_AGENCIES_ALSO_GIVEN_NAMES = frozenset({hindi_key("भाषा")})


# A place's name: one to four words, each capitalised ("New Delhi", "Kozhikode", "Sao Paulo"). (A
# script with no capitals, Devanagari's, gives no such sign: only the story's data names a city there.)
_PLACE_WORDS = re.compile(r"[^\W\d_a-z][\w'\u2019-]*(?:\s+[^\W\d_a-z][\w'\u2019-]*){0,3}").fullmatch
# The words an agency's byline goes on with that name no place: its desk, service or medium ("AP
# Photo", "Reuters Breakingviews", "Bloomberg Opinion", "ANI Video", "Reuters Staff"), the language of
# its feed ("IANS Hindi"), a day's or month's name or a time zone, and the page's own words beside the
# byline ("Listen", "Premium", "Updated"). A city holds none of them.
_NOT_PLACE_WORDS = frozenset(
    {"photo", "photos", "file", "pic", "pics", "picture", "pictures", "image", "images", "graphic", "graphics",
     "video", "videos", "audio", "podcast", "tv", "television", "radio", "staff", "staffer", "staffers", "reporter",
     "reporters", "correspondent", "correspondents", "bureau", "desk", "team", "editor", "editors", "editorial",
     "columnist", "columnists", "contributor", "contributors", "writer", "writers", "breakingviews", "opinion",
     "view", "views", "comment", "analysis", "explains", "explainer", "exclusive", "special", "report", "news",
     "newswire", "wire", "wires", "feed", "service", "services", "businessweek", "intelligence", "economics",
     "research", "data", "fact", "check", "live", "interactive", "web", "digital", "online", "premium", "listen",
     "updated", "published", "posted", "read", "inputs", "input", "via", "courtesy", "credit", "agency",
     "agencies", "hindi", "english", "urdu", "marathi", "gujarati", "bengali", "bangla", "punjabi", "telugu",
     "kannada", "malayalam", "odia", "assamese", "spanish", "french", "german", "chinese", "arabic",
     "may", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
     "march", "april", "june", "july", "august", "september", "october", "november", "december", "jan",
     "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ist", "gmt", "utc", "am",
     "pm", "hrs"}
)
# The collective credit the site writes for agency copy ("Agencies | Mumbai"), no agency's own name:
# with no bar, only a city the rules list follows it as its dateline ("Agencies Mumbai").
_AGENCIES_FIRST = re.compile(r"^\s*(agencies)\s+(\S.*?)\s*$", re.I).match


def _no_place(words: str) -> bool:
    """Whether the words after an agency's name are no place: no capitalised words, or one that
    names an agency, a desk or medium, a date or the page's own words."""
    return (
        _NO_PLACE(words) is not None
        or not _PLACE_WORDS(words)
        or not all(word[0].isupper() for word in words.split())
        or any(word.casefold().strip("'\u2019-") in _NOT_PLACE_WORDS for word in words.split())
    )


def name_then_place(text: str, known_place: str | None = None) -> tuple[str, str] | None:
    """The name and the city of a byline written as one text with no bar between them: an agency's
    name then a place ("AP Miami"), unless the story's own data names another city (then what follows
    the agency is a name: "PTI Singh" filed from Ajmer), or any name then the city the story's data
    names ("Shine Jacob Ajmer" filed from Ajmer). None where the text is no such pair."""
    text = " ".join(without_date_tail(text).split())
    if known_place and len(known_place) < len(text) and text.casefold().endswith(" " + known_place.casefold()):
        name = text[: -len(known_place)].rstrip(CITY_PUNCTUATION)
        if name:
            return name, text[len(text) - len(known_place) :]
    match = _agency_first(text)
    if match is None:
        credit = _AGENCIES_FIRST(text)
        if credit is None or not is_dateline_city(credit.group(2)) or (known_place and known_place.casefold() != credit.group(2).casefold()):
            return None
        return credit.group(1), credit.group(2)
    agency, place = match.group(1), match.group(2)
    if (
        is_news_agency(place)
        or _NAME_SEPARATORS.search(" " + place + " ")
        or _no_place(place)
        # A reporter's name, not a city: "PTI Singh" (a city the list does not hold is read as one).
        or (known_place and known_place.casefold() != place.casefold() and not is_dateline_city(place))
        or (not is_dateline_city(place) and is_surname_ended(place))
    ):
        return None
    return agency, place


# The labels and sections of the site's paid content (SITE.md: none yet seen on a real page; the names
# Indian news sites give them): a brand's story written for it, a wire's press release.
SPONSORED_LABELS = frozenset(
    {"brand connect", "bs brand connect", "sponsored", "sponsored content", "sponsored feature", "sponsored post",
     "partner content", "promoted content", "advertorial", "press release", "press releases", "brand desk"}
)
# The article JSON's `sourceTitle` of a press release: the wires that carry them (not the news
# agencies: "ANI", "PTI" are news, "ANI PR" a release).
PR_WIRES = SPONSORED_LABELS | frozenset(
    {"ani pr", "ani press release", "pr newswire", "prnewswire", "business wire", "businesswire", "globenewswire",
     "globe newswire", "newsvoir", "pnn", "accesswire", "ein presswire"}
)


def is_sponsored_label(text: str) -> bool:
    """Whether a label, section or credit names the site's paid content ("Brand Connect")."""
    return " ".join(text.split()).strip(" .:-|").casefold() in SPONSORED_LABELS


def is_pr_wire(text: str) -> bool:
    """Whether the article JSON's ``sourceTitle`` names a press-release wire ("ANI PR", "PR Newswire")."""
    return " ".join(text.split()).strip(" .:-|").casefold() in PR_WIRES


# The commonest surnames of the reporters whose names the site's bylines carry: the words after an agency's
# name that end in one are a reporter's name ("PTI Singh", "Reuters Aditi Shah"), not the dateline's
# city, where a word no list holds is a city ("Reuters Kozhikode"). None is a city's name.
SURNAMES = frozenset(
    {"singh", "kumar", "sharma", "verma", "gupta", "agarwal", "aggarwal", "agrawal", "patel", "shah", "mehta",
     "jain", "reddy", "rao", "nair", "iyer", "iyengar", "menon", "pillai", "das", "roy", "ghosh", "bose", "sen",
     "banerjee", "mukherjee", "chatterjee", "bhattacharya", "dutta", "datta", "khan", "ahmed", "ahmad", "ali",
     "mishra", "tiwari", "pandey", "yadav", "joshi", "chaudhary", "choudhary", "kapoor", "malhotra", "bhatia",
     "saxena", "srivastava", "sinha", "jha", "thakur", "chauhan", "desai", "kulkarni", "patil", "naidu",
     "krishnan", "subramanian", "raman", "murthy", "prasad", "sethi", "arora", "khanna", "chopra", "bajaj",
     "goyal", "goel", "bansal", "mittal", "garg", "trivedi", "dubey", "shukla", "tripathi", "bhat", "hegde",
     "shetty", "kamath", "acharya", "mohan", "nath", "paul", "thomas", "jacob", "george", "mathew", "varghese",
     "kurian", "dsouza", "fernandes", "rodrigues", "sarkar", "mondal", "biswas", "chakraborty", "kaur",
     "gill", "sandhu", "dhillon", "grewal", "sidhu", "smith", "jones", "brown", "johnson", "williams", "lee",
     "wang", "li", "zhang", "chen", "liu", "kim", "park", "nguyen", "tanaka", "suzuki", "sato"}
)


# The same surnames as the Hindi edition writes them (its bylines' spellings, and Hindi papers'), as
# hindi_key spells them: "पीटीआई | सिंह" is the agency and its reporter, not a city "सिंह".
HINDI_SURNAMES = frozenset(
    hindi_key(name)
    for name in ("सिंह", "कुमार", "शर्मा", "वर्मा", "गुप्ता", "अग्रवाल", "अगरवाल", "पटेल", "शाह", "मेहता", "जैन", "रेड्डी", "राव",
                 "नायर", "अय्यर", "मेनन", "पिल्लै", "दास", "रॉय", "राय", "घोष", "बोस", "सेन", "बनर्जी", "मुखर्जी", "चटर्जी", "भट्टाचार्य",
                 "दत्ता", "दत्त", "खान", "अहमद", "अली", "मिश्रा", "मिश्र", "तिवारी", "पांडेय", "पाण्डेय", "पांडे", "यादव", "जोशी",
                 "चौधरी", "कपूर", "मल्होत्रा", "भाटिया", "सक्सेना", "श्रीवास्तव", "सिन्हा", "झा", "ठाकुर", "चौहान", "देसाई", "कुलकर्णी",
                 "पाटिल", "नायडू", "प्रसाद", "अरोड़ा", "खन्ना", "चोपड़ा", "बजाज", "गोयल", "बंसल", "मित्तल", "गर्ग",
                 "त्रिवेदी", "दुबे", "शुक्ला", "त्रिपाठी", "भट्ट", "कौर", "सरकार", "बिस्वास", "चक्रवर्ती")
)


def is_surname_ended(words: str) -> bool:
    """Whether ``words`` end in one of the commonest reporters' surnames (SURNAMES, HINDI_SURNAMES)."""
    parts = words.split()
    if not parts:
        return False
    last = parts[-1].strip(".,'\u2019").casefold()
    return last in SURNAMES or (not last.isascii() and hindi_key(last) in HINDI_SURNAMES)


# An agency's dateline as its wire writes it, the agency in brackets beside the city: "New Delhi
# (PTI)", "(PTI) New Delhi" (PTI's copy opens so: "New Delhi (PTI) Singh said …").
_BRACKETED_AGENCY = re.compile(
    rf"^\s*(?:(?P<before>[^()]*?)\s*\(\s*(?P<agency>{_AGENCY_PATTERN})\s*\)|\(\s*(?P<first>{_AGENCY_PATTERN})\s*\)\s*(?P<after>[^()]*?))\s*$",
    re.I,
).match


_DEVANAGARI = re.compile("[\u0900-\u097f]").search


def hindi_name_and_city(name: str) -> tuple[str, str] | None:
    """A Devanagari byline's name and the listed city it runs into with no mark between them, either
    way round: a reporter or agency then the city ("अनिल शर्मा नई दिल्ली"), or the city then the agency
    ("नई दिल्ली पीटीआई", as the agency's wire writes its dateline); None where no listed city ends or
    starts it. (Devanagari has no capitals to tell a place by: only a city the list holds is one.)"""
    words = name.split()
    # Devanagari only: a Latin name with an accent and a surname that is a listed city ("Zoë Paris",
    # "José Washington") is one person, as "Zoe Paris" is, and capitals tell a Latin byline's city apart.
    if _DEVANAGARI(name) is None or len(words) < 2 or is_dateline_city(name):
        return None
    # (The longest city first: "नई दिल्ली", not "दिल्ली" with "नई" left to a name.)
    for size in range(min(3, len(words) - 1), 0, -1):
        rest, place = " ".join(words[:-size]), " ".join(words[-size:])
        if is_dateline_city(place) and not is_dateline_city(rest):
            return rest, place
        place, rest = " ".join(words[:size]), " ".join(words[size:])
        if is_dateline_city(place) and is_news_agency(rest):
            return rest, place
    return None


def agency_names(names: list[str], city: str | None, known_place: str | None, authors: Set[str] = frozenset()) -> tuple[list[str], str | None]:
    """A byline's names and city where an agency's city or reporter ran into its name: "New Delhi
    (PTI)" and "(PTI) New Delhi" are the agency and its city; a listed city, or the story's own, beside
    an agency ("New Delhi, PTI") is no author; "PTI Singh" is the agency and a reporter where the
    story's data names its city apart or its words end in a reporter's surname (else its city, as a
    place no list holds is read: "Reuters Kozhikode"). A name the structured data gives an author
    (``authors``, in small letters: "Bloomberg Quint") stays whole."""
    place = city or known_place
    if not any(is_news_agency(name) or _agency_first(name) or _BRACKETED_AGENCY(name) for name in names) and (
        not any(not name.isascii() and (is_dateline_city(name) or hindi_name_and_city(name)) for name in names)
    ) and not any(is_place_beside(name, names, place) for name in names):
        return names, city  # nearly every byline: no agency's name in it, nor a city beside its names
    out: list[str] = []
    # The cities written beside the names that make the dateline (none where another part of the byline
    # gave it first), each once: "A, New Delhi and B, Mumbai" is a story filed from two.
    beside: list[str] = []
    for name in names:
        if name.casefold() in authors:
            out.append(name)
            continue
        bracketed = _BRACKETED_AGENCY(name)
        agency_first = _agency_first(name) if bracketed is None and not is_news_agency(name) else None
        if bracketed is not None:
            out.append(bracketed.group("agency") or bracketed.group("first"))
            where = (bracketed.group("before") or bracketed.group("after") or "").strip(CITY_PUNCTUATION)
            # (Where the story's data names another city, the words are neither.)
            if not where:
                pass
            elif is_dateline_city(where) or (place and place.casefold() == where.casefold()):
                city = city or where
            elif is_surname_ended(where) or place:
                out.append(where)  # a reporter ("Singh (PTI)"), or anything but the story's city
            elif not _no_place(where):
                city = city or where
            elif not any(char.isdigit() for char in where):
                # No place: a reporter whose name has initials or no capitals ("T.E. Narasimhan (PTI)",
                # "अभिषेक कुमार (पीटीआई)"), kept (a time or a figure beside the agency is no name).
                out.append(where)
        # (Devanagari has no capitals to tell a place by: there a listed city alone is one, "पीटीआई नई दिल्ली".)
        elif agency_first is not None and not is_news_agency(rest := agency_first.group(2)) and (
            not _no_place(rest) or (not rest.isascii() and (is_dateline_city(rest) or is_surname_ended(rest)))
        ):
            out.append(agency_first.group(1))
            if is_dateline_city(rest) or (place and place.casefold() == rest.casefold()):
                city = city or rest
            elif place or is_surname_ended(rest):
                out.append(rest)  # a reporter of the agency's: the story's city is another
            else:
                city = city or rest
        elif is_place_beside(name, names, place):
            # "New Delhi, PTI", "Shine Jacob, Mumbai": the dateline, no author; a second reporter's own city is
            # the story's second, written as the site writes two ("New Delhi/Mumbai").
            if city is None:
                beside, city = [name], name
            elif beside and name.casefold() not in {part.strip().casefold() for b in beside for part in b.split("/")}:
                beside.append(name)
                city = "/".join(beside)
        elif name.casefold() not in authors and (split := hindi_name_and_city(name)) is not None:
            out.append(split[0])
            city = city or split[1]
        else:
            out.append(name)
    return list(dict.fromkeys(out)), city


# The label before an editor the byline names ("Edited by", "| Compiled By:"), anywhere in its text.
_EDITOR_LABEL = re.compile(r"\b(?:edited|compiled|curated)\s+by\b", re.I).search


def author_links(byline: _Element, links: list[_Element]) -> list[_Element]:
    """The links of a byline that name its authors: those before an editor's label, which may
    link the editor too ("A and B | Edited by <a>C</a>")."""
    if not links:
        return links
    text = text_content(byline)
    if not _EDITOR_LABEL(text):  # nearly every byline
        return links
    authors, at = [], 0
    for link in links:
        name = text_content(link)
        found = text.find(name, at)
        if found != -1:
            if _EDITOR_LABEL(text, at, found):
                break
            at = found + len(name)
        authors.append(link)
    return authors


def _may_be_joined(text: str) -> bool:
    """Whether a text may hold more than one name, or a name and words around it: one of
    byline_names's separators, or "by" ("By A", "Edited by B"). (Plain tests: a regex of these
    costs more than the name's whole reading.)"""
    if any(mark in text for mark in ",;&|/"):
        return True
    lowered = text.lower()
    return "and" in lowered or "by" in lowered or "with" in lowered or "input" in lowered or "agenc" in lowered or (not text.isascii() and any(word in text for word in ("और", "एवं", "तथा", "इनपुट")))
# A job title after a structured-data author's name ("Rajesh Kumar, Senior Editor"): no author.
_JOB_TITLE = re.compile(r"\b(?:editor|correspondent|reporter|writer|columnist|contributor|staff|bureau|chief|analyst)\b", re.I)


def author_names(text: str, *, person: bool = False) -> list[str]:
    """The names in one author field of the structured data (a JSON-LD author, the author meta), which
    a CMS may fill with the byline: "By A and B", "A & B", "A, B | Edited by C" give A and B. Unlike a
    byline's, what follows a bar is no author (an editor, a city: "A K Bhattacharya | New Delhi"), nor
    is a job title after a comma; the name of one ``person`` written "Kumar, Rajesh" (a word either
    side of the comma) is that person's."""
    if not _may_be_joined(text):  # one name, as nearly every one is
        name = text.strip()
        return [name] if name and name.lower() not in _NOT_NAMES else []
    credited = without_inputs_credit(text)
    head = credited.split("|", 1)[0]
    if _SPACED_SLASH(head):  # (the city after a spaced slash, as after a bar: "Reuters / New Delhi")
        rest, place = names_and_place(head)
        head = rest if place is not None and place_after_a_name(rest, place) else head
    names = []
    for part in byline_names(head.replace(",", "\x00")):
        pieces = [piece.strip() for piece in part.split("\x00")]
        # (An agency's name is no given name: "Mumbai, PTI" is its city and the agency.)
        if person and len(pieces) == 2 and all(len(piece.split()) == 1 and not is_news_agency(piece) for piece in pieces):
            names.append(", ".join(pieces))
            continue
        for index, piece in enumerate(pieces):
            if _EDITED_BY(piece):
                return names
            name = _BY.sub("", piece)
            # (A title alone is a name: "BS Reporter" is the site's own byline.)
            if name and name.lower() not in _NOT_NAMES and not (index and _JOB_TITLE.search(name)):
                names.append(name)
    # After the bar a reporter, not a city ("PTI | Singh", "A | Sohini Das"), as the byline reads it.
    tail = credited.split("|", 2)[1].strip(CITY_PUNCTUATION) if "|" in credited else ""
    if names and tail and reporter_after_bar(tail) and not _NAME_SEPARATORS.search(tail) and not _EDITED_BY(tail):
        names.append(tail)
    return names


# A related card's read time after its headline ("… attacks: Police 4 min read"): no word of it.
# Its blanks and digits are tried from the start of their run only: from each of them, a headline of
# 20,000 digits took 6 s, one of 100,000 minutes.
_CARD_READ_TIME = re.compile(rf"(?:(?<!\s)\s+)?(?<!\d)\d+\s*{MIN_READ}$", re.I)


def without_read_time(text: str | None) -> str | None:
    """A related card's text without the read time it ends in."""
    return (_CARD_READ_TIME.sub("", text) or None) if text and MIN_READ in text else text


# The site's name after a title ("<headline> | Business Standard", "… - Business Standard News"; the
# Hindi edition's "… | Business Standard Hindi", "… - बिजनेस स्टैंडर्ड", its ज with the nukta or not, and
# "हिंदी" or "हिन्दी" after it as "Hindi" after the English name): the
# CMS's SEO title (the article JSON's pageTitle) and og:title may carry it; the headline the page shows never does.
_SITE_NAME_AFTER = re.compile(
    r"\s+[|\-\u2013\u2014:\u00b7\u00bb]+\s*(?:business\s+standard(?:\s+(?:news|hindi))?|बि(?:ज\u093c?|\u095b)नेस\s+स्टैंडर्ड(?:\s+(?:हिंदी|हिन्दी))?)$", re.I
)
_HINDI_NAME_ENDS = ("स्टैंडर्ड", "हिंदी", "हिन्दी")


def without_site_name(title: str | None) -> str | None:
    """A headline source's text without the site's name after it."""
    if title and ("standard" in title[-30:].casefold() or title.endswith(_HINDI_NAME_ENDS)):
        return _SITE_NAME_AFTER.sub("", title) or title
    return title


def markup_text_of(value: Any) -> str | None:
    """:func:`text_of` of a JSON string that may hold markup (a caption as "<p>…</p>"): its text."""
    return text_of(value)


def element_text(element: _Element | None) -> str | None:
    """The visible text of an element, cleaned (``el ::text`` joined with spaces)."""
    if element is None:
        return None
    if not len(element):  # no children (a link, a label): its own text is all there is
        text = clean_text(element.text)
    else:
        text = clean_text(joined_text(strings(_TEXTS, glued(element))))
    if text and "<" in text and escaped_markup(text):
        # Markup the CMS escaped into the text ("&lt;em&gt;no&lt;/em&gt;", "&lt;br /&gt;"): its text,
        # as the body's (text.block_paragraphs) and an attribute's.
        return element_text(fragment(text))
    return text



def inline_text(element: _Element) -> str | None:
    """The text of an element whose children are drawn side by side, cleaned: its text nodes joined as
    they are, a space only where the markup has one (a figure a ticker draws a span per digit,
    "<span>7</span><span>3</span>" read "73", where :func:`element_text` reads "7 3" as it reads words)."""
    return clean_text("".join(strings(_TEXTS, element)))

# Where two text nodes meet, an element stood between them: a block or a span of its own, whose words
# a space keeps apart ("AP" "Miami"), or inline markup inside a sentence, which adds no space before
# closing punctuation or after an opening bracket ("<em>Exclusive</em>: …", "(<i>updated</i>)").
_NO_SPACE_BEFORE = frozenset(".,;:!?%)]}'’”…")
_NO_SPACE_AFTER = frozenset("([{‘“")


# Inline elements inside a word, never between two: "5<sup>th</sup>", "H<sub>2</sub>O", a line-break
# chance "extra<wbr>ordinary". (Only their text nodes would be joined with a space: "5 th".) And
# comments, which a reader never sees: React's server rendering writes "<!-- -->" between two texts
# it puts side by side ("Rs<!-- -->500", "Q<!-- -->3"), which read "Rs 500", "Q 3".
_GLUE_TAGS = ("sup", "sub", "wbr", etree.Comment, etree.ProcessingInstruction)


def glued(element: _Element) -> _Element:
    """``element``, or where it holds a <sup>, <sub>, <wbr> or a comment, a copy of it without those
    (their text, a comment's none, joined to the text around them), for :func:`joined_text` of its
    text nodes."""
    # What the page never draws is no text of the field, as of the body (a headline's screen-reader
    # span, a hidden duplicate of a byline: text.without_unseen).
    element = without_unseen(element)
    # (An <img> only where it is an emoji drawn as a picture, "Markets cheer 🎉": its alt is a character
    # of the line, as in the body, text.emoji_alt; any other picture is none.)
    for found in element.iter(*_GLUE_TAGS, "img"):
        if found.tag != "img" or emoji_alt(found) is not None:
            break
    else:
        return element
    copy = deepcopy(element)
    copy.tail = None
    # Each one's text and tail set into the text before it (not etree.strip_tags, which leaves the
    # text nodes apart for an XPath to find them one by one).
    for glue in list(copy.iter(*_GLUE_TAGS, "img")):
        parent = glue.getparent()
        # (A <sup> of digits in superscript characters, "10⁶", as the body has it: text.superscript;
        # also a footnote's mark in a link, "1,200<sup><a href=#n1>1</a></sup>": "1,200¹", not "1,200 1".)
        raised = superscript(glue) if glue.tag == "sup" else emoji_alt(glue) if glue.tag == "img" else None
        if parent is None or (len(glue) and raised is None) or (glue.tag == "img" and raised is None):
            continue
        joined = (raised or glue.text or "" if isinstance(glue.tag, str) else "") + (glue.tail or "")
        # (Nothing to join, an empty <sup></sup> between two elements, is set nowhere: an empty
        # string set as a tail is an empty text node, which the text's reader cannot take.)
        if joined:
            before = glue.getprevious()
            if before is not None:
                before.tail = (before.tail or "") + joined
            else:
                parent.text = (parent.text or "") + joined
        parent.remove(glue)
    return copy


def joined_text(texts: list[str]) -> str:
    """Text nodes joined as a reader reads them: apart, except next to punctuation and inside a word."""
    if len(texts) < 2:
        return texts[0] if texts else ""
    parts = [texts[0]]
    for text in texts[1:]:
        if not text:
            continue
        if parts[-1] and text[0] not in _NO_SPACE_BEFORE and parts[-1][-1] not in _NO_SPACE_AFTER and not _inside_word(parts[-1], text):
            parts.append(" ")
        parts.append(text)
    return "".join(parts)


# A drop cap: the first letter of a line set apart in an element of its own, larger ("<span
# class=dropcap>S</span>ensex", "<b>“W</b>e will …"), an opening quotation mark with it at most.
_DROP_CAP_MAX = 2


def _inside_word(before: str, after: str) -> bool:
    """Whether the text node ``after`` goes on the word the node ``before`` ends (no space between them
    in the markup): after a drop cap, its word's lower-case rest ("S" "ensex"), or a vowel sign or other
    mark, which starts no word ("ब" "ाजार")."""
    first, last = after[0], before[-1]
    if not last.isalpha():
        return False
    if unicodedata.category(first) in ("Mn", "Mc"):
        return True
    return first.islower() and len(before) <= _DROP_CAP_MAX and last.isupper() and (len(before) == 1 or before[0] in _NO_SPACE_AFTER or before[0] in "\"'")


def _untagged(url: str) -> str:
    """``url`` without its tracking parameters and AMP switch (:func:`~crawler.extraction.urls.without_tracking`)."""
    return without_tracking(url) if has_tracking(url.lower()) else url


# A picture that is no story's: the CMS's stand-in for a story without one (the Hindi edition's
# `nopreview.png`, `default-image.jpg`, `no-image`, `placeholder`), or the paper's logo offered as the
# page's image by an SEO template (`logo.png`, `BSLogo.png`, `bs-logo-amp.png`; a story's picture of
# a logo, `tata-new-logo.jpg`, is named after its story).
_NO_STORY_PICTURE = re.compile(
    r"(?:^|[-_.])(?:no[-_]?preview|no[-_]?image|default[-_]?(?:image|img|thumb|thumbnail|pic)s?|placeholder)(?:[-_.]|$)"
    r"|^(?:bs|business[-_]?standard|site)?[-_]?logo(?:[-_]?(?:amp|white|black|dark|light|new|small|big|\d+(?:x\d+)?))*\.",
    re.IGNORECASE,
)


def story_picture(url: str | None) -> str | None:
    """``url``, unless it names no story's picture: a placeholder, the paper's logo, or no file at all
    (the site's root, as the Hindi edition's og:image)."""
    if not url:
        return None
    name = picture_file(url)[1].rstrip("/").rpartition("/")[2]
    return url if name and not _NO_STORY_PICTURE.search(name) else None


def _pixels(value: Any) -> float:
    """An ImageObject's ``width`` as a number (``1200``, ``"1200"``, ``"1200px"``); 0 when it states none."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        # (A width of thousands of digits is no width: float() of it would overflow.)
        return float(value) if 0 < value < 1_000_000 else 0
    digits = re.match(r"\s*(\d{1,6})", value) if isinstance(value, str) else None
    return float(digits[1]) if digits else 0


# Where a lazily loaded picture keeps its file until a script moves it into ``src`` (which holds a
# placeholder meanwhile): mod_pagespeed's lazyload filter, which the pre-2023 site ran, and the
# usual lazy-loading scripts.
LAZY_SOURCES = ("pagespeed_lazy_src", "data-src", "data-lazy-src", "data-original")


def picture_source(image: _Element) -> str | None:
    """The file an ``<img>`` shows once loaded: its lazy source, else its ``src`` unless that is inline
    data (a placeholder pixel), else the widest of its ``srcset``'s sizes (a CDN optimiser's lazy
    loading may leave the file in a ``data-srcset`` alone)."""
    for attribute in LAZY_SOURCES:
        lazy = image.get(attribute)
        if lazy and lazy.strip():
            return lazy
    src = image.get("src")
    if src is not None and src.lstrip()[:5].lower() != "data:":
        return src
    sizes = _srcset_sizes(image)
    return max(sizes, key=lambda size: size[1])[0] if sizes else None


# Where a picture lists its sizes: the lazy form first, as for ``src``.
_SRCSET_ATTRIBUTES = ("data-srcset", "srcset")


def _srcset_sizes(image: _Element) -> list[tuple[str, float]]:
    """The files of an ``<img>``'s ``srcset`` (and its ``data-srcset``, and the ``<source>``s of the
    ``<picture>`` it is in) with their widths (``640w``; 0 when a candidate gives none), inline data left out."""
    lists = [image.get(attribute) or "" for attribute in _SRCSET_ATTRIBUTES]
    holder = drawn_picture(image)
    if holder is not image:
        lists += [source.get(attribute) or "" for source in holder.iter("source") for attribute in _SRCSET_ATTRIBUTES]
    sizes = []
    for listed in lists:
        for candidate in listed.split(","):
            parts = candidate.split()
            if not parts or parts[0][:5].lower() == "data:":
                continue
            width = parts[1][:-1] if len(parts) > 1 and parts[1][-1:].lower() == "w" else ""
            sizes.append((parts[0], float(width) if width.isdigit() else 0.0))
    return sizes


def drawn_picture(image: _Element) -> _Element:
    """The element that draws an ``<img>`` among its neighbours: the ``<picture>`` it is in (a CDN
    optimiser wraps it in one with its sources), else itself."""
    # (libxml2 does not know <source> as an empty element: the <img> after one is read into it.)
    for holder in image.iterancestors():
        if holder.tag == "picture":
            return holder
        if holder.tag != "source":
            break
    return image


def element_after_picture(image: _Element) -> _Element | None:
    """The element after a picture as drawn (its caption line, where it has one): a ``<noscript>`` after
    it (the picture again, for readers without scripts, as lazy loading writes it) is not one."""
    for sibling in drawn_picture(image).itersiblings():
        if isinstance(sibling.tag, str) and sibling.tag != "noscript":
            return sibling
    return None


def picture_file(src: str) -> tuple[str, str]:
    """The host and path of a picture's file: ``/_next/image?url=<file>&w=…`` is the file, a query
    (``?im=FitAndFill=(826,465)``) only resizes it, and the scheme does not change it."""
    try:
        parts = urlsplit(src.strip())
        if parts.path.endswith("/_next/image"):
            inner = parse_qs(parts.query).get("url")
            if inner:
                parts = urlsplit(inner[0])
    except ValueError:
        # No URL ("http://[x": an unclosed IPv6 bracket): only the same text names the same picture.
        return "", src.strip()
    return parts.netloc.lower(), parts.path


def picture_showing(images: list[_Element], url: str) -> _Element | None:
    """The picture of ``images`` that shows ``url``: by its source as written, else by the file
    (:func:`picture_file`'s path) of its source or of a ``srcset`` candidate, so that a resized,
    proxied or relative form of the same picture is found."""
    sources = [(image, picture_source(image) or "") for image in images]
    found = next((image for image, src in sources if src == url), None)
    if found is not None:
        return found
    wanted = picture_file(url)[1]
    for image, src in sources:
        if picture_file(src)[1] == wanted or any(picture_file(file)[1] == wanted for file, _ in _srcset_sizes(image)):
            return image
    return None


Selector = Union[etree.XPath, CSSSelector]


def select(selector: Selector, node: _Element, **variables: Any) -> list[_Element]:
    """The elements a precompiled CSSSelector or element-selecting XPath finds from ``node``."""
    return cast("list[_Element]", selector(node, **variables))


def first(selector: Selector, node: _Element | None) -> _Element | None:
    """The first element ``selector`` finds from ``node``, or None."""
    if node is None:
        return None
    found = select(selector, node)
    return found[0] if found else None


def strings(xpath: etree.XPath, node: _Element, **variables: Any) -> list[str]:
    """The text nodes a text-selecting XPath finds from ``node``."""
    return cast("list[str]", xpath(node, **variables))


def article_container(headline: _Element, story: _Element) -> _Element:
    """The lowest element holding both the headline and the story: the scope of a layout's DOM rules."""
    # A set of the elements themselves: lxml keeps one proxy per node while it is referenced.
    above = {story, *story.iterancestors()}
    for element in (headline, *headline.iterancestors()):
        if element in above:
            return element
    return story.getroottree().getroot()


# Besides its heading and its cards' headlines, a card of a related list may show a label and a read time.
CARD_EXTRA = 20


def listed_after(heading: _Element, links: list[_Element], story: _Element) -> list[_Element]:
    """The first links after a heading inside the ``story``'s container that, with it, fill a block of
    their own below it: a related list drawn in the container (the block's text theirs, a card's label
    and read time at most). An "Also Read" line among the story's lines lists none: its own links are
    the inline promo's (:func:`_in_promo`), and the links of the story's lines after it are the story's."""
    listed = len(text_content(heading))
    holder = heading
    kept = 0
    for count, link in enumerate(links, 1):
        holder = article_container(holder, link)
        if holder is story:
            break
        listed += len(text_content(link)) + CARD_EXTRA
        if len(text_content(holder)) - _card_dates(holder) <= listed:
            kept = count
    return links[:kept]


def _card_dates(holder: _Element) -> int:
    """The characters of ``holder``'s texts that are a card's date line ("Published On: Jul 08 2024 | 4:30 PM
    IST", 38 of them): beside CARD_EXTRA's label and read time, a list whose cards show their stories'
    dates was no list (alsoRead empty)."""
    return sum(len(text) for text in cast("list[str]", list(holder.itertext())) if text.lstrip().startswith(DATE_LABELS))


# How far back from a link's line its label's line may stand (the links of one promo, a line each).
_PROMO_LINES_BACK = 6
_LISTS = frozenset({"ul", "ol"})


def _in_promo(anchor: _Element, root: _Element, runs: set[_Element], lines: dict[_Element, str]) -> bool:
    """Whether a link inside ``root`` is one of an inline promo's (:meth:`ArticlePage.inline_related_anchors`):
    in one of its ``runs`` (text.inline_promo_runs, which the body leaves out), or on a promo's line.
    ``lines`` keeps each line's cleaned text for the next link's look (a promo's links, a line each,
    look back over one another)."""
    line = anchor
    if anchor in runs:
        return True
    for above in anchor.iterancestors():
        if line.tag in BLOCK_TAGS:
            break
        if above in runs:
            return True
        if above is root:
            break
        line = above
    if line.tag not in BLOCK_TAGS:
        return False
    text = _line_text(line, lines)
    if is_promo(text):
        return True
    # A label's line alone, then a line of each promoted story's link (text.without_promoted_links):
    # a line of the story with a link in it is none.
    if text != clean_text(text_content(anchor)):
        return False
    before = line.getprevious()
    for _ in range(_PROMO_LINES_BACK):
        if before is None and line.tag == "li" and (listing := line.getparent()) is not None and listing.tag in _LISTS:
            # (The promoted stories as a list's items: its first item's line before is the list's.)
            line = listing
            before = listing.getprevious()
        if before is None or not isinstance(before.tag, str):
            return False
        words = _line_text(before, lines)
        # (Or the related list's heading, "More From This Section", set as a line of the story.)
        if is_promo_label(words) or (len(words) <= 60 and " ".join(words.casefold().split()).rstrip(HEADING_TRAIL) in RELATED_HEADINGS):
            return True
        if words and words not in [clean_text(text_content(a)) for a in before.iter("a") if a.get("href")]:
            return False
        before = before.getprevious()
    return False


def _line_text(line: _Element, lines: dict[_Element, str]) -> str:
    text = lines.get(line)
    if text is None:
        text = lines[line] = clean_text(text_content(line)) or ""
    return text


def text_content(element: _Element) -> str:
    """The concatenated text nodes below ``element`` (without its tail)."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def holder_of(text: etree._ElementUnicodeResult) -> _Element | None:
    """The element a text node is in; None for text of a script or style."""
    holder = text.getparent()
    if holder is not None and text.is_tail:
        holder = holder.getparent()
    if holder is None or holder.tag in _NOT_TEXT:
        return None
    return holder


# The characters outside ASCII whose case folding holds an ASCII letter ("\u017f" -> "s", "\ufb01" -> "fi" ...).
FOLDING_TO_ASCII = "\u00df\u0130\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"


def may_hold_heading(text: str) -> bool:
    """Whether every word of a related-stories heading is in ``text``, case-blind: the text of the
    scope holds the heading's text node, so without them there is no heading to look for.

    Case-folding a whole page that is not ASCII costs more than the look for the heading itself.
    Without the characters of :data:`FOLDING_TO_ASCII`, a word of ASCII letters folds only from ASCII
    characters in a row, which the text's ASCII part keeps in a row: that part, lower-cased, is
    searched instead.
    """
    if text.isascii():
        folded = text.lower()
    elif any(character in text for character in FOLDING_TO_ASCII):
        folded = text.casefold()
    else:
        folded = text.encode("ascii", "ignore").decode("ascii").lower()
    return any(all(word in folded for word in heading.split()) for heading in RELATED_HEADINGS)


_UNSET = object()


def timed(value: Any) -> Any:
    """A date that gives its time of day (Unix time, or text with a clock), else None: a day alone
    ("2024-07-10") reads as midnight, and agrees with any time of that day rather than beating it."""
    return None if isinstance(value, str) and ":" not in value and not value.strip().isdigit() else value


# The end of a text cut short ("…", "...") and what a site writes after a title ("<title> | Business
# Standard", "<title> - BS"): a text followed by that is no cut of the longer one but a title of its own.
_CUT_MARK = " .\u2026"
# Any run of marks between spaces: sites write " · ", " » ", " :: " as well as " | " and " - ".
_TITLE_SUFFIX = re.compile(r"\s*[^\w\s]+\s")


def cut_short(text: str, whole: str) -> bool:
    """Whether ``text`` is ``whole`` cut short: its first part (20 characters at least), ending in an
    ellipsis or in the middle of ``whole``'s words, not before a suffix such as a site's name."""
    cut = text.rstrip(_CUT_MARK)
    if len(cut) < 20 or len(whole) <= len(cut) or not whole.startswith(cut):
        return False
    # What ``whole`` has after the text (after its dots too, when they are the headline's own: "Wait
    # for it... | BS") must be more of it: a suffix after them made the site's name part of a headline.
    end = len(text) if whole.startswith(text) else len(cut)
    return len(whole) > end and not _TITLE_SUFFIX.match(whole, end)


def titled(title: str, text: str) -> bool:
    """Whether ``title`` is ``text`` (20 characters at least) with a suffix after it, such as a site's name."""
    return len(text) >= 20 and len(title) > len(text) and title.startswith(text) and _TITLE_SUFFIX.match(title, len(text)) is not None


def _is_empty(value: Any) -> bool:
    """None, or an empty text, list or dict (``== ""``, ``== []``, ``== {}``: 0 and False are values)."""
    # (A present value, as most are, is known by its truth alone: no empty list and dict are made to
    # compare it with.)
    return value is None or (not value and isinstance(value, (str, list, dict)))


# Typographic quotes and their typewriter forms: one CMS field has the one, another the other.
_QUOTES = str.maketrans("\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033", "\'\'\'\'\'\"\"\"\"\"")


def _comparable(value: Any) -> Any:
    """What two sources must agree on: text folded (case, spaces, quotes), dates to the minute,
    names as a set."""
    if isinstance(value, str):
        folded = " ".join(value.casefold().split())
        if not folded.isascii():
            folded = folded.translate(_QUOTES)
        # ISO dates: sources differ in precision (the page shows minutes, JSON-LD seconds).
        return folded[:16] if len(folded) == 25 and folded[10:11] == "t" else folded
    if isinstance(value, list):
        return frozenset(_comparable(getattr(v, "name", v)) for v in value)
    if isinstance(value, Image):
        return picture_file(value.url)
    return value


BodySources = tuple[tuple[str, Callable[[], list[str]]], ...]


@dataclass
class Provenance:
    """How an item was read: the source of each field, the fields whose sources disagreed, flags."""

    sources: dict[str, str] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    # "truncated-dom": the DOM body was shorter than JSON-LD's, which was taken instead;
    # "body-cut": the body stops short (the document ends inside it, or nothing longer was there).
    flags: set[str] = field(default_factory=set)


class ArticlePage:
    """Base of the page objects: one subclass per layout version, picked by :meth:`matches`."""

    layout: ClassVar[str] = "base"  # overridden by a class attribute; the item's field reads it

    def __init__(self, page: Page, future_skew: timedelta = FUTURE_SKEW) -> None:
        self.page = page
        self.future_skew = future_skew
        self.provenance = Provenance()
        self._dates: dict[str, str | None] = {}
        # Each date's sources as dated() was given them (see other_date): their values and the name of
        # the method reading the shown one, not readers, which would hold the page in a reference cycle.
        self._date_sources: dict[str, tuple[tuple[tuple[str, Any], ...], str]] = {}
        # What "ahead" is ahead of: the fetch (a stored page read again a year on was given the typo'd
        # year once that year had come, where the crawl of the day gave the page's date), else now.
        read_at = page.read_at or datetime.now(timezone.utc)
        self.read_at = read_at if read_at.tzinfo is not None else read_at.replace(tzinfo=timezone.utc)

    @classmethod
    def matches(cls, page: Page) -> bool:
        """Whether this page is in this layout."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise :class:`NotAnArticle` for pages that are not articles, whatever their layout: videos,
        podcasts and web stories under article-like URLs, and AMP stories wherever they are served.
        Layouts that know more kinds extend it (calling this first)."""
        kind = non_article_kind(self.page.url) or non_article_kind(self._canonical or "")
        if kind:
            raise NotAnArticle(kind, f"a {kind} page, not an article")
        # A web story is an AMP document whose body is an <amp-story> (articles embed one through
        # <amp-story-player>, which is not it); it carries a NewsArticle JSON-LD like an article.
        if self.page.is_amp and self.page.mentions("<amp-story") and next(self.page.root.iter("amp-story"), None) is not None:
            raise NotAnArticle(WEBSTORY, "an AMP web story, not an article")
        label = self.sponsored_label()
        if label:
            raise NotAnArticle(SPONSORED, f"a paid story or press release ({label}), not the paper's news")

    def sponsored_label(self) -> str | None:
        """What marks the page as a brand's paid story or a press release: its JSON-LD section
        ("Brand Connect", "Press Releases"); None for the paper's own stories."""
        section = self.ld.get("articleSection")
        for name in section if isinstance(section, list) else [section]:
            if isinstance(name, str) and is_sponsored_label(name):
                return name.strip()
        return None

    # --- the item ----------------------------------------------------------------------

    def to_item(self) -> Article:
        """Every field read by its method of the same name, into an :class:`Article`."""
        self.check()
        values: dict[str, Any] = {}
        for name in FIELDS:
            reader = getattr(self, name)
            values[name] = reader() if callable(reader) else reader
        if not values["articleId"]:
            raise NotAnArticle("no-article-id", f"no article id in {values['canonicalUrl'] or self.page.url}")
        if not values["headline"]:
            raise NotAnArticle("no-headline", "the page has no headline")
        values["authors"] = _one_each(values["authors"])
        values["breadcrumbs"] = _one_each(values["breadcrumbs"], by_page=True)
        values["topics"] = _one_each(values["topics"])
        published, modified = values["datePublished"], values["dateModified"]
        values["dateModified"] = _modified_after(published, modified)
        if values["dateModified"] is None and modified is not None:
            # The first source's update lies before the publication (a CMS's last save of the draft, a
            # date typo'd back): another source's that does not, as the page's "Last Updated" line.
            later = self.other_date("dateModified", lambda value: _modified_after(published, value) is not None and not ahead(value, self.read_at, self.future_skew))
            values["dateModified"] = _modified_after(published, later)
        return Article(**values)

    def pick(self, name: str, *candidates: tuple[str, Callable[[], T | None]], fallbacks: tuple[tuple[str, Callable[[], T | None]], ...] = ()) -> T | None:
        """The first present value of ``candidates`` (source, reader), in order, else of ``fallbacks``.

        Every candidate is read, so that two present ones that disagree are noticed; fallbacks are
        read only when no candidate answered (they are known to say something else, such as a
        meta description standing in for a standfirst).
        """
        chosen: T | None = None
        chosen_key: Any = _UNSET  # _comparable(chosen), made when a second source answers
        whole_of_a_cut = False
        for source, read in candidates:
            value = read()
            if _is_empty(value):
                continue
            if chosen is None:
                chosen = value
                self.provenance.sources[name] = source
            elif isinstance(value, str) and value == chosen:
                # The same text word for word, as most sources give it: nothing to fold and compare.
                continue
            # A text is compared with every source, also once a disagreement is known: a field read
            # again (the headline, by the breadcrumbs before it) must get the whole text again, and a
            # third source may hold the whole where the second disagreed otherwise.
            elif name not in self.provenance.disagreements or isinstance(chosen, str):
                if chosen_key is _UNSET:
                    chosen_key = _comparable(chosen)
                if _comparable(value) != chosen_key:
                    if name not in self.provenance.disagreements:
                        self.provenance.disagreements.append(name)
                    if isinstance(chosen, str) and isinstance(value, str) and cut_short(chosen, value):
                        # The first source cut the text (a JSON-LD headline held to 110 characters, a
                        # description to 200 bytes): the whole of it is what the page shows.
                        chosen, chosen_key, whole_of_a_cut = value, _comparable(value), True
                        self.provenance.sources[name] = source
                    elif whole_of_a_cut and isinstance(chosen, str) and isinstance(value, str) and titled(chosen, value):
                        # The text taken for the cut's whole was a title: the whole with the site's
                        # name after it (og:title "<headline> | Business Standard").
                        chosen, chosen_key = value, _comparable(value)
                        self.provenance.sources[name] = source
        if chosen is None:
            for source, read in fallbacks:
                value = read()
                if not _is_empty(value):
                    self.provenance.sources[name] = source
                    return value
        return chosen

    # --- scope and links ---------------------------------------------------------------

    @cached_property
    def scope(self) -> _Element:
        """The element the DOM rules search in: the article's container, or the whole page."""
        return self.page.root

    @cached_property
    def base_url(self) -> str:
        """What relative links resolve against: the fetched URL, or for a saved page its canonical URL."""
        if self.page.url.startswith(("http://", "https://")):
            return self.page.url
        return strip_amp(absolute_url(self.page.canonical, SITE_ROOT) or SITE_ROOT)

    def date(self, value: str | int | float | None) -> str | None:
        """:func:`normalize_date`, once per value and page: a page states a date in several places."""
        if not isinstance(value, str):
            return normalize_date(value)
        if value not in self._dates:
            self._dates[value] = normalize_date(value)
        return self._dates[value]

    def link(self, href: str | None) -> str | None:
        """An absolute URL for a link on the page; None for one that is no URL."""
        if href and not href.isascii():
            # A link pasted with a zero-width space or a BOM before or after it: one before its "/"
            # would make it relative to the article's folder ("…/markets/\u200b/author/…").
            href = href.strip(_INVISIBLE_AROUND_LINKS)
        try:
            # (Read as discovery reads a feed's or listing's links: wrapped over lines, without its scheme.)
            url = absolute_url(as_link(href) if href else href, self.base_url)
            return item_link(without_space_before_id(url) if url else url)
        except ValueError:
            # "http://[x" (an unclosed IPv6 bracket, a CMS placeholder) names nothing: one such
            # link in a byline or a related list must not cost the whole article.
            return None

    @cached_property
    def ld(self) -> dict[str, Any]:
        """The JSON-LD NewsArticle (or kin); empty when there is none. The only one, when it names
        another story (a related story's teaser), is that story's: its headline, dates, authors and
        picture are not this page's, whatever else the page has."""
        article = self.page.ld_article
        return {} if article and self.page.names_other_stories(article) else article

    # --- fields ------------------------------------------------------------------------

    def url(self) -> str:
        # The address fetched: a fragment is never sent ("…_1.html#comments" given to `scrapy parse`).
        # Its host as the site writes it: a redirect's Location is followed as spelt there.
        url = site_host_form(self.page.url)
        return url[: url.index("#")] if "#" in url else url

    @cached_property
    def _canonical(self) -> str | None:
        # The first that names a page of this site: a canonical link on another site (a template's
        # default host, a copy's origin) is not this page's address, nor is its id this story's.
        # (Each address once: most pages write the same one in all three places. The host as the site
        # writes it: "WWW.Business-Standard.COM" or a closing dot would make a second address of the story.
        # Without the tags a share or feed template puts on it, `?utm_source=…`, `?amp`: the story's
        # address is the one `url` and discovery write, or one story would have two.)
        values = dict.fromkeys((self.page.canonical, text_of(dig(self.ld, "mainEntityOfPage", "@id")), text_of(self.ld.get("url"))))
        named = list(dict.fromkeys(
            site_host_form(_untagged(strip_amp(url))) for value in values if (url := self.link(value)) and same_site(url, self.page.url)
        ))
        fetched = page_article_id(None, self.page.url)
        if fetched is None or not named:
            return named[0] if named else None
        # A story's page: an address of no story (the home page a template fills in) is not its own,
        # and where one of its addresses names the story fetched, one naming another story (a link the
        # CMS copied from another story) is not either.
        stories = [(url, story) for url in named if (story := page_article_id(None, url)) is not None]
        if len({story for _, story in stories}) <= 1:
            return stories[0][0] if stories else None
        # Addresses naming two stories: counted as any field whose sources disagree, or the page's
        # mistake would pass unseen. Of them, the story the page's own data name goes first: a story
        # merged into another, served at its old address, has the other's canonical link and article
        # JSON, while a template may fill JSON-LD's address in from the address asked for.
        if "canonicalUrl" not in self.provenance.disagreements:
            self.provenance.disagreements.append("canonicalUrl")
        data_story = self.link(self.data_story_url())
        wanted = [story for story in (page_article_id(None, data_story) if data_story else None, fetched) if story]
        return next((url for story in wanted for url, named_story in stories if named_story == story), stories[0][0])

    def data_story_url(self) -> str | None:
        """The address of the story the layout's own data (not JSON-LD) say the page holds, where they say."""
        return None

    def canonicalUrl(self) -> str | None:
        """The page's canonical URL, never the AMP one."""
        return self._canonical

    def articleId(self) -> str | None:
        """The 12-digit id, from the canonical URL, then the fetched URL; ``hi-<N>`` on the Hindi
        edition's hosts, whatever the layout (its stories are numbered on their own)."""
        return page_article_id(self._canonical, self.page.url)

    def section(self) -> str | None:
        trail = self._trail
        return self.pick("section", (JSON_LD, self.ld_section), (DOM, lambda: trail[-1].name if len(trail) > 1 else None))

    def ld_section(self) -> str | None:
        """JSON-LD ``articleSection``: a string, or the first of a list that has text (the CMS may
        write an empty one first)."""
        return first_text_of(self.ld.get("articleSection"))

    def ld_breadcrumbs(self) -> list[Link]:
        """The trail of the JSON-LD BreadcrumbList."""
        trail = self.page.ld_first({"BreadcrumbList"})
        elements = trail.get("itemListElement") if trail else None
        if not isinstance(elements, list):
            return []
        steps = []
        for element in sorted((e for e in elements if isinstance(e, dict)), key=lambda e: _as_int(e.get("position"))):
            item = element.get("item")
            name = text_of(element.get("name")) or text_of(dig(item, "name"))
            url = text_of(item) if isinstance(item, str) else text_of(dig(item, "@id")) or text_of(dig(item, "url"))
            url = self.link(url)
            # The trail may end with the article itself: the pre-2023 one named "News", others by its
            # headline, with its AMP or a tagged URL, or without one (Google's guidelines let the
            # page's own step go without it). It is no step of the trail (nor the section).
            if name and not (url and self.is_this_page(url)):
                steps.append(Link(name=name, url=url))
        if steps and steps[-1].url is None and self.is_headline(steps[-1].name):
            del steps[-1]
        return steps

    def links_no_author(self, anchor: _Element) -> bool:
        """Whether a byline's link names no author: a page of this site that is not an author's (the
        story's section, a topic), which a byline may link beside its names. (A profile on another
        site may be an author's.)"""
        url = self.link(anchor.get("href"))
        return url is not None and same_site(url, self.page.url) and "/author" not in urlsplit(url).path.lower()

    def is_this_page(self, url: str) -> bool:
        """Whether a link names this page: its canonical URL, or another form of its story's (its id)."""
        if url == self._canonical:
            return True
        own = self._own_id
        # (The id's digits are in any URL naming the story: a substring test spares the others' parse.)
        return own is not None and own.removeprefix("hi-") in url and page_article_id(None, url) == own

    @cached_property
    def _own_id(self) -> str | None:
        return self.articleId()

    def is_headline(self, name: str) -> bool:
        """Whether a name is the headline, or the headline cut short ("…"), whatever its case and spacing."""
        headline = self.headline()
        if not headline:
            return False
        name, whole = (" ".join(text.casefold().split()) for text in (name, headline))
        cut = name.rstrip(".\u2026 ")
        return name == whole or (cut != name and len(cut) > 10 and whole.startswith(cut))

    def dom_breadcrumbs(self) -> list[Link]:
        """The trail as the page shows it; none in the structured-data-only default."""
        return []

    @cached_property
    def _trail(self) -> list[Link]:
        return self.pick("breadcrumbs", (JSON_LD, self.ld_breadcrumbs), fallbacks=((DOM, self.dom_breadcrumbs),)) or []

    def breadcrumbs(self) -> list[Link]:
        return self._trail

    def ld_headline(self) -> str | None:
        """JSON-LD ``headline``, else ``name`` (which schema.org gives every thing)."""
        # The CMS's headline field may hold inline markup, in JSON-LD as in the article JSON.
        return self.without_site_name(first_text_of(self.ld.get("headline"), markup_text_of) or first_text_of(self.ld.get("name"), markup_text_of))

    def meta_title(self) -> str | None:
        """``og:title``, without the site's name after it."""
        return self.without_site_name(self.page.meta("og:title"))

    def without_site_name(self, title: str | None) -> str | None:
        """:func:`without_site_name`, unless the headline the page shows ends in the site's name too: a
        story about the paper itself ("A letter to our readers | Business Standard")."""
        stripped = without_site_name(title)
        if stripped != title and title and (shown := self.shown_headline()) and shown.casefold() == title.casefold():
            return title
        return stripped

    def shown_headline(self) -> str | None:
        """The headline as the page draws it (its h1), where the layout knows it."""
        return None

    def headline(self) -> str | None:
        return self.pick("headline", (JSON_LD, self.ld_headline), (META, self.meta_title))

    def description(self) -> str | None:
        return self.pick(
            "description", (JSON_LD, lambda: markup_text_of(self.ld.get("description"))), fallbacks=((META, lambda: self.page.meta("og:description", "description")),)
        )

    def ld_authors(self) -> list[Link]:
        """Authors from JSON-LD ``author`` (a string, an object, or a list of either)."""
        raw = self.ld.get("author")
        # A person the CMS lists twice (as a mapped author and as a byline) is one author.
        authors: dict[str, Link] = {}
        # A CMS without a byline for the story names the publisher itself as its author (an
        # Organization "Business Standard"): that is no byline, and must not hide the page's.
        publisher = first_text_of(dig(self.page.ld_resolved(self.ld.get("publisher")), "name"))
        publisher_key = publisher.casefold() if publisher else None
        for entry in raw if isinstance(raw, list) else [raw]:
            entry = self.page.ld_resolved(entry)
            if isinstance(entry, str):
                names, url = author_names(text_of(entry) or ""), None
            elif isinstance(entry, dict):
                name = entry.get("name")
                names = [n for n in (text_of(v) for v in (name if isinstance(name, list) else [name])) if n]
                url = text_of(entry.get("url"))
                types = ld_types(entry)
                if publisher_key and "Organization" in types:
                    names = [n for n in names if n.casefold() != publisher_key]
                if "Person" in types:
                    # The CMS copies a byline into one Person ("A and B", "By A", "A | Edited by C"): its
                    # names. (An organisation's name, or a thing of no stated type, may hold "&" or
                    # "and": "Ernst and Young" stays whole.)
                    names = [part for n in names for part in author_names(n, person=True)]
                    if len(names) > 1:
                        url = None  # (whose page it is, is not known)
            else:
                continue
            for name in without_agency_city(names, self.known_place()):
                known = authors.get(name.casefold())
                if known is None or known.url is None:
                    authors[name.casefold()] = Link(name=known.name if known else name, url=self.link(url))
        return list(authors.values())

    def structured_author_keys(self) -> set[str]:
        """The authors structured data names, in lower case: a name a byline shows after a bar is a
        person's where they name it, not the dateline's city."""
        return {a.name.casefold() for a in self.ld_authors()}

    # The city in an unstyled span of its own that ends a byline with no bar before it ("<span>AP</span>
    # <span>Miami</span>": SITE.md's span form without its style): told from a second author's name by
    # its words, as after a bar (after an agency's name, or a place the site dates stories from).
    BYLINE_LAST_SPAN = XPath("(descendant::span[not(@class)][not(descendant::span)][not(descendant::a)])[last()]")

    def spaced_city(self, byline: _Element) -> _Element | None:
        """The byline's last bare span where it holds the dateline's city, not a name."""
        shown = element_text(byline) or ""
        if "|" in shown or " / " in shown:  # (read as "A | City" is, by its bar)
            return None
        last = first(self.BYLINE_LAST_SPAN, byline)
        place = element_text(last)
        if not place or len(place) >= len(shown) or not shown.endswith(place):
            return None
        names = byline_names(shown[: -len(place)].rstrip(CITY_PUNCTUATION))
        known = self.known_place()
        # (A place not listed is a city where the story's own data names it: "Shine Jacob" "Ajmer".)
        if not names or not (place_after_a_name(names[0], place) or (known and known.casefold() == place.casefold())):
            return None
        if is_news_agency(names[0]) and not is_dateline_city(place) and is_surname_ended(place) and not (known and known.casefold() == place.casefold()):
            return None  # a reporter's name after the agency's ("PTI" "Singh"), as in one text
        return None if place.casefold() in self.structured_author_keys() else last

    def known_place(self) -> str | None:
        """The dateline city the page's data names apart from its byline (the article JSON's
        ``placeName``), which tells a byline's city from a name; None where it names none."""
        return None

    def bare_place(self, byline: _Element, other_links: set[str]) -> tuple[str, str] | None:
        """The name and city of a byline that draws no city of its own and no bar, written as one
        text ("AP Miami", "<span>AP</span> Miami"): see name_then_place. A link to no author's page
        is no city ("PTI <a>India News</a>"), nor a name the structured data gives as an author's."""
        shown = without_date_tail(element_text(byline) or "")
        if not shown or "|" in shown or " / " in shown:
            return None
        split = name_then_place(shown, self.known_place())
        if split is None or split[1] in other_links:
            return None
        # An author the structured data names whose name goes on past the name into the "city" ("Bloomberg
        # Quint"), or is that city, is one name: the byline names that author, no place.
        name, keys = split[0].casefold() + " ", self.structured_author_keys()
        if split[1].casefold() in keys or any(key.startswith(name) for key in keys):
            return None
        return split

    def meta_authors(self) -> list[Link]:
        """Authors of ``<meta name="author">``, written as a byline ("By A and B", "A, B")."""
        return [Link(name=n) for n in dict.fromkeys(author_names(self.page.meta("author") or ""))]

    def authors(self) -> list[Link]:
        return self.pick("authors", (JSON_LD, self.ld_authors), fallbacks=((META, self.meta_authors),)) or []

    def dateline(self) -> str | None:
        return None

    def ld_date(self, key: str) -> str | float | None:
        """JSON-LD's date ``key`` (see :func:`date_value`)."""
        return date_value(self.ld.get(key))

    def datePublished(self) -> str | None:
        return self.dated(
            "datePublished",
            (JSON_LD, self.ld_date("datePublished")),
            (META, self.page.meta("article:published_time", "datePublished")),
            shown=self.datePublishedRaw,
            shown_is_candidate=True,
        )

    def dated(self, name: str, *written: tuple[str, Any], shown: Callable[[], str | None], shown_is_candidate: bool = False) -> str | None:
        """The first of the ``written`` dates (source, value) that gives its time of day, and the one
        the page ``shown`` (among them, or after them: ``shown_is_candidate``), else a day alone
        (midnight). A day alone gives way to a time of that day, but a source that names another day
        still disagrees."""
        date = self.date
        from_page: tuple[str, Callable[[], str | None]] = (DOM, lambda: date(shown()))
        # (timed(), written out: this runs for two dates of every page)
        days = [(source, partial(date, value)) for source, value in written if isinstance(value, str) and ":" not in value and not value.strip().isdigit()]
        if not days:  # most pages: every source that gives a date gives its time
            candidates = [(source, partial(date, value)) for source, value in written]
            self._date_sources[name] = (written, getattr(shown, "__name__", ""))
            if shown_is_candidate:
                picked = self.pick(name, *candidates, from_page)
            else:
                picked = self.pick(name, *candidates, fallbacks=(from_page,))
            return self.not_ahead(name, self.agreed(name, picked))
        with_time = [(source, partial(date, timed(value))) for source, value in written]
        self._date_sources[name] = (written, getattr(shown, "__name__", ""))
        if shown_is_candidate:
            picked = self.pick(name, *with_time, from_page, fallbacks=tuple(days))
        else:
            picked = self.pick(name, *with_time, fallbacks=(from_page, *days))
        if picked is not None and name not in self.provenance.disagreements:
            for _, day in days:
                found = day()
                if found is not None and found[:10] != picked[:10]:
                    self.provenance.disagreements.append(name)
                    break
        return self.not_ahead(name, self.agreed(name, picked))

    def agreed(self, name: str, picked: str | None) -> str | None:
        """``picked``, unless more of the field's sources (the line the page shows among them) agree on
        another date (:data:`AGREEMENT`): the first source's typo (a year, a day and month swapped) read
        first stood for the date the page shows and the others give. A tie goes to the date the page
        shows, then to the one of the article id's day; else ``picked`` stands. Another zone's writing of
        the same instant is the same date (every source is read into India's time)."""
        if picked is None:
            return picked
        votes = self.date_votes(name)
        if len(votes) < 2 or all(value == picked for _, value, _ in votes):
            return picked
        shown = next(((value, day) for source, value, day in votes if source == DOM), None)
        identifier = self.articleId()
        id_day = date_of_article_id(identifier) if identifier and identifier[:1] == "1" else None

        def weight(value: str, day: bool) -> tuple[int, bool, bool]:
            support = sum(_agree(value, day, other, other_day) for _, other, other_day in votes)
            moment = datetime.fromisoformat(value)
            after_id = (moment.date() - id_day).days if id_day is not None else -1
            # (An update is never before the story was made; a publication is on the id's day or the next.)
            of_id = after_id >= 0 if name == "dateModified" else 0 <= after_id <= 1
            return support, shown is not None and _agree(value, day, *shown), of_id

        chosen = next(((source, value, day) for source, value, day in votes if value == picked), None)
        if chosen is None:
            return picked
        best = chosen
        best_weight = weight(picked, chosen[2])
        for vote in votes:
            if not _agree(vote[1], vote[2], picked, chosen[2]) and (found := weight(vote[1], vote[2])) > best_weight:
                best, best_weight = vote, found
        if best is chosen:
            return picked
        # The first of the sources that agree with it that gives its time of day, as dated() weighs them.
        source, value, _ = next((v for v in votes if not v[2] and _agree(v[1], v[2], best[1], best[2])), best)
        self.provenance.sources[name] = source
        if name not in self.provenance.disagreements:
            self.provenance.disagreements.append(name)
        return value

    def date_votes(self, name: str) -> list[tuple[str, str, bool]]:
        """Every present source of ``name``'s date: (source, the date read, whether it is a day alone), in
        the order :meth:`dated` weighs them, the line the page shows among them."""
        written, shown = self._date_sources.get(name, ((), ""))
        reading = getattr(self, shown, None) if shown else None
        votes = []
        # Two sources of the data that write the date in the very same text are one field of the CMS the
        # page's template wrote twice (JSON-LD's datePublished and the article:published_time meta tag):
        # one vote, or its typo outvoted the line the page shows (README: Bad input).
        copies: set[str] = set()
        for source, value in [*written, (DOM, reading() if callable(reading) else None)]:
            if source != DOM and isinstance(value, str):
                if (copy := value.strip()) in copies:
                    continue
                copies.add(copy)
            found = self.date(value)
            if found is not None:
                votes.append((source, found, timed(value) is None))
        return votes

    def not_ahead(self, name: str, picked: str | None) -> str | None:
        """``picked``, unless it lies ahead of the fetch (:func:`ahead`) where another source of the date does
        not: a story is not published, nor updated, after the page that says so was read. Taken, the
        typo'd year of one source stood for the date the page shows, and the update, earlier, was dropped.
        Where every source lies ahead, ``picked`` is what the page gives (the pipeline says so)."""
        if picked is None or not ahead(picked, self.read_at, self.future_skew):
            return picked
        other = self.other_date(name, lambda value: not ahead(value, self.read_at, self.future_skew))
        if other is None:
            return picked
        if name not in self.provenance.disagreements:  # (a fallback's date, which pick() does not weigh)
            self.provenance.disagreements.append(name)
        return other

    def other_date(self, name: str, fits: Callable[[str], bool]) -> str | None:
        """The first date of ``name``'s sources, in the order :meth:`dated` weighs them, that ``fits``,
        its source noted as the field's; None when no source's does."""
        written, shown = self._date_sources.get(name, ((), ""))
        days = [(source, value) for source, value in written if timed(value) is None]
        reading = getattr(self, shown, None) if shown else None
        page = [(DOM, reading() if callable(reading) else None)]
        for source, value in [*((source, timed(value)) for source, value in written), *page, *days]:
            found = self.date(value)
            if found is not None and fits(found):
                self.provenance.sources[name] = source
                return found
        return None

    @cached_property
    def text_nodes(self) -> list[etree._ElementUnicodeResult]:
        """Every text node of the scope, in document order (with ``getparent()`` and ``is_tail``)."""
        return cast("list[etree._ElementUnicodeResult]", _ALL_TEXTS(self.scope))

    @cached_property
    def label_texts(self) -> list[etree._ElementUnicodeResult]:
        """The scope's text nodes holding one of :data:`LABELS`, outside scripts, in document order."""
        # Each label looked for once in the nodes' texts joined (a label holds no NUL, so none is
        # found across two), its finds placed in their nodes by offset: ten searches, not ten a node
        # (which cost 4,000 instructions a node, a third more than this on a Next.js page).
        texts = self.text_nodes
        joined = "\x00".join(texts)
        present = [label for label in LABELS if label in joined]
        if not present:
            return []
        finds: list[int] = []
        for label in present:
            at = joined.find(label)
            while at != -1:
                finds.append(at)
                at = joined.find(label, at + 1)
        # A find's node is the number of separators before it (libxml2's text holds no NUL), counted
        # in C from the find before: no offsets of every node (a Python step per node: 30 µs of the
        # 200 kB page's 358 nodes).
        holding: list[int] = []
        index = previous = 0
        for at in sorted(finds):
            index += joined.count("\x00", previous, at)
            previous = at
            if not holding or holding[-1] != index:
                holding.append(index)
        return [text for index in holding if holder_of(text := texts[index]) is not None]

    def texts_holding(self, label: str) -> list[etree._ElementUnicodeResult]:
        """The text nodes holding ``label``."""
        return [text for text in self.label_texts if label in text]

    def shown_date(self, labels: tuple[str, ...], *, last: bool) -> str | None:
        """The date the page shows after the first (or ``last``) text holding ``labels[0]``, else after
        the first text holding another label of ``labels`` where what follows it reads as a date, outside
        the story's own words and the related list."""
        for label in labels:
            own = label == labels[0]
            found = [text for text in self.label_texts if label in text]
            if not own:
                # The other wordings are also a quoted press release's ("Published On: 12 Jan 2019") and a
                # related card's: the page's own line, by its headline, is the first outside both.
                found = [text for text in found if not self.quoted_or_related(text)]
            for index, text in enumerate(reversed(found) if last and own else found):
                shown = self.date_after(text, label, last=last, any_text=own and index == 0)
                if shown is not None:
                    return shown
        return None

    def quoted_or_related(self, text: etree._ElementUnicodeResult) -> bool:
        """Whether ``text`` is of the story's paragraphs after its first, or of the related list."""
        holder = holder_of(text)
        if holder is None:
            return True
        words = squeezed_text(element_text(holder) or "")
        # (Not the first: a page of no known layout may give its date line by the headline as its body's first.)
        if words and any(words in squeezed_text(paragraph) for paragraph in self._body[0][1:]):
            return True
        related = self._related_list
        return related is not None and any(element is related for element in holder.iterancestors())

    @cached_property
    def _related_list(self) -> _Element | None:
        """The element holding the related list's cards: its links' nearest common ancestor, a lone link's parent."""
        anchors = self.related_anchors()
        if not anchors:
            return None
        common = [*anchors[0].iterancestors()]
        for anchor in anchors[1:]:
            around = [*anchor.iterancestors()]
            common = [element for element in common if any(element is other for other in around)]
        return common[0] if common else None

    def date_after(self, text: etree._ElementUnicodeResult, label: str, *, last: bool, any_text: bool) -> str | None:
        """The date after ``label`` in the element of ``text`` (any text there after it: ``any_text``),
        or in an element around it that reads as a date: a label drawn apart from its date
        ("<span>First Published:</span> <span>Feb 28 2024 | 3:42 PM IST</span>")."""
        holder = holder_of(text)
        for level in range(3):
            if holder is None:
                return None
            shown = date_after_label(element_text(holder), label, DATE_LABELS, last=last)
            if shown is not None and ((any_text and level == 0) or self.date(shown) is not None):
                return shown
            holder = holder.getparent()
        return None

    def datePublishedRaw(self) -> str | None:
        """First Published as the page shows it."""
        return self._first_published_shown

    # Read once: the date's own field and the date's sources both ask for it.
    @cached_property
    def _first_published_shown(self) -> str | None:
        return self.shown_date(PUBLISHED_LABELS, last=True)

    def dateModified(self) -> str | None:
        return self.dated(
            "dateModified",
            (JSON_LD, self.ld_date("dateModified")),
            (META, self.page.meta("article:modified_time", "dateModified", "last-modified")),
            shown=self.dateModifiedRaw,
            shown_is_candidate=True,
        )

    def dateModifiedRaw(self) -> str | None:
        """Last Updated as the page shows it."""
        return self._last_updated_shown

    @cached_property
    def _last_updated_shown(self) -> str | None:
        return self.shown_date(UPDATED_LABELS, last=False)

    def readTimeMinutes(self) -> int | None:
        """Minutes from "N min read"."""
        texts = self.texts_holding(MIN_READ)
        return read_time_minutes(" ".join(texts)) if texts else None

    def ld_image(self) -> Image | None:
        """The hero image of JSON-LD: of its images that name a story's picture (the CMS may write an
        empty one first, a placeholder, the paper's logo, or an ImageObject whose ``url`` is a list of
        its sizes), the widest its ImageObjects say, else the first; else its ``thumbnailUrl``."""
        images = self.ld.get("image")
        found: list[tuple[Image, float]] = []
        for image in images if isinstance(images, list) else [images]:
            image = self.page.ld_resolved(image)
            url = first_text_of(image) if isinstance(image, str) else first_text_of(dig(image, "url")) or first_text_of(dig(image, "contentUrl"))
            # (What is no picture's address, a template's `undefined` or a `javascript:` link, is none.)
            picture = self.image_at(url)
            if picture is not None:
                found.append((Image(url=picture.url, alt=None, caption=markup_text_of(dig(image, "caption"))), _pixels(dig(image, "width"))))
        if found:
            # (Yoast and Rank Math list the picture in several crops, a square thumbnail among them:
            # the widest is the hero; max() keeps the first of equals, and of sizes none states.)
            return max(found, key=lambda each: each[1])[0]
        return self.image_at(first_text_of(self.ld.get("thumbnailUrl")))

    @cached_property
    def _logos(self) -> frozenset[str]:
        """The files of the paper's logo as the JSON-LD publisher names it (no story's picture)."""
        logo = self.page.ld_resolved(dig(self.page.ld_resolved(self.ld.get("publisher")), "logo"))
        url = first_text_of(logo) if isinstance(logo, str) else first_text_of(dig(logo, "url")) or first_text_of(dig(logo, "contentUrl"))
        url = self.link(url)
        return frozenset({picture_file(url)[1]}) if url else frozenset()

    def image_at(self, url: str | None) -> Image | None:
        """An image of the page by its URL (made absolute), or None; None too for what is no story's
        picture (:func:`story_picture`, the publisher's logo)."""
        url = story_picture(self.link(url))
        return Image(url=url) if url and picture_file(url)[1] not in self._logos else None

    # Where the head names the page's picture, in the order sharing cards read them: OpenGraph (each
    # og:image in turn, its https and explicit forms), X's card, a microdata ``<meta itemprop>`` of
    # the page's own (outside any other item), then the old ``<link rel="image_src">``.
    META_IMAGES = ("og:image", "og:image:secure_url", "og:image:url", "twitter:image", "twitter:image:src")

    def meta_image(self) -> Image | None:
        """The hero image the head names: a source of its own, so that the item says which one answered."""
        named = [url for name in self.META_IMAGES for url in self.page.meta_values(name)]
        return next(
            (image for url in (*named, self.page.meta("image"), *self.page.link_hrefs("image_src")) if (image := self.image_at(url)) is not None), None
        )

    def mainImage(self) -> Image | None:
        return self.pick("mainImage", (JSON_LD, self.ld_image), fallbacks=((META, self.meta_image),))

    # --- body -----------------------------------------------------------------------------------

    def ld_body(self) -> list[str]:
        """Paragraphs of the JSON-LD ``articleBody``, without the lines of code it may hold (see
        :func:`~crawler.extraction.text.is_code`), nor an "Also Read" label alone on its line and the
        promoted stories' headlines after it (those the page links: the tags are stripped), as the
        page's own body is read."""
        paragraphs = [p for p in block_text_paragraphs(self.ld.get("articleBody")) if not is_code(p)]
        return without_promoted_links(paragraphs, self.link_texts)

    def link_texts(self) -> set[str]:
        """The text of every link of the page."""
        return {text for a in self.page.root.iter("a") if a.get("href") and (text := clean_text(text_content(a)))}

    def ld_live_updates(self) -> list[str]:
        """A live blog's updates as JSON-LD ``liveBlogUpdate`` lists them: each one's headline, then its
        text (an update a graph names by ``@id`` is its node's). The blog's object may be another than
        the article's, a NewsArticle of the same page beside it."""
        blog = self.page.ld_live_blog
        paragraphs: list[str] = []
        for update in live_updates_of(blog) if blog is not None else ():
            update = self.page.ld_resolved(update)
            text = block_text_paragraphs(dig(update, "articleBody"))
            if headline := text_of(dig(update, "headline")):
                paragraphs.append(headline)
                # An update's text may open with its headline (a one-line update is both): once.
                if text and text[0] == headline:
                    del text[0]
            paragraphs.extend(text)
        return paragraphs

    def body_sources(self) -> BodySources:
        """Where the body's paragraphs come from, best first; the layouts put their own in front."""
        return ((JSON_LD, self.ld_body),)

    @cached_property
    def _body(self) -> tuple[list[str], str | None]:
        """Body paragraphs (promos out) and the syndication disclaimer found among them.

        Never shorter than the JSON-LD ``articleBody``: a DOM cut short (premium pages, a region
        that shows less) loses to it, and that is counted.
        """
        source, paragraphs = None, []
        for name, read in self.body_sources():
            paragraphs = read()
            if paragraphs:
                source = name
                break
        # An "Also Read" label alone on its line, the promoted stories' links on the lines after it,
        # in every layout (the CMS's story markup has them out already: a second look finds no label).
        body, disclaimer = split_body(without_promoted_links(paragraphs, self.link_texts))
        raw = self.ld.get("articleBody")
        # The quick count first: only a longer JSON-LD body (promos and all) is worth splitting.
        if source != JSON_LD and isinstance(raw, str) and len(raw.split()) > _words(body):
            structured, ld_disclaimer = split_body(self.ld_body())
            # (A page cut short in transit may show anything, even its scripts' text: its DOM loses.)
            if _words(structured) > _words(body) and (not body or not self.page.complete or self.page_lacks(structured, body)):
                if body:
                    self.provenance.flags.add("truncated-dom")
                body, source, disclaimer = structured, JSON_LD, disclaimer or ld_disclaimer
        if source is not None and body:
            self.provenance.sources["articleBody"] = source
            if source == DOM and not self.page.complete:
                self.provenance.flags.add("body-cut")
        return body, disclaimer

    def page_lacks(self, structured: list[str], body: list[str]) -> bool:
        """Whether JSON-LD body paragraphs that ``body`` has not are text the page shows nowhere.

        The site's ``articleBody`` is the story with its tags stripped, so it also holds what the
        body walk leaves out on purpose (embedded posts, inline captions): that text is on the page.
        The rest of a story the DOM cut short (a premium page) is not. Compared without white space
        or case: stripping tags joins and splits words differently.
        """
        kept = set(body)
        shown = self.shown_text
        # The paragraphs come in the page's order: each is looked for from where the one before
        # was found (then from the start), so a long page is read about once, not once per paragraph.
        at = 0
        for paragraph in structured:
            if paragraph in kept:
                continue
            squeezed = squeezed_text(paragraph)
            found = shown.find(squeezed, at)
            if found == -1:
                found = shown.find(squeezed, 0, at + len(squeezed))
                if found == -1:
                    return True
            at = found + len(squeezed)
        return False

    @cached_property
    def shown_text(self) -> str:
        """All the text the page shows a reader, as :func:`shown_text_of` gives it."""
        return shown_text_of(self.page.root)

    def articleBody(self) -> str | None:
        return "\n".join(self._body[0]) or None

    # --- after the body -------------------------------------------------------------------------

    @cached_property
    def related_scope(self) -> _Element:
        """Where the related-stories list is looked for."""
        return self.page.root

    def story_container(self) -> _Element | None:
        """The element holding the story's own paragraphs, where the layout knows it."""
        return None

    def related_anchors(self) -> list[_Element]:
        """Links following a heading that reads "Also Read" or "More From This Section": the first
        such heading outside the story, else the first inside it (an inline promo of the CMS, headed
        as the list is, precedes the list after the story): inside it, only a list's (:func:`listed_after`)."""
        if self.related_scope is self.scope:
            # The scope's text nodes are at hand (the labels' look read them) and few: a look over
            # its whole text for the heading's words costs more than going through them.
            texts = self.text_nodes
        elif may_hold_heading(text_content(self.related_scope)):
            texts = cast("list[etree._ElementUnicodeResult]", _ALL_TEXTS(self.related_scope))
        else:
            return []
        story = self.story_container()
        in_story: list[_Element] = []
        for text in texts:
            # A heading's first letter folds to "a" or "m": only "a", "A", "m" and "M" do so (and
            # "\u1e9a", to "a\u02be", which no heading starts with); the others need no folding.
            if not (9 <= len(text) <= 60 and text.lstrip()[:1] in "aAmM"):
                continue
            words = " ".join(text.casefold().split())
            exact = words in RELATED_HEADINGS
            if not exact and words.rstrip(HEADING_TRAIL) not in RELATED_HEADINGS:
                continue
            heading = holder_of(text)
            # "Also Read:" as a heading element's text; in a line of the story it is an inline promo.
            if heading is not None and (exact or heading.tag in _HEADING_TAGS):
                links = self.links_after(heading)
                if links:
                    if story is None or not any(a is story for a in heading.iterancestors()):
                        return links
                    in_story = in_story or listed_after(heading, links, story)
        return in_story

    def links_after(self, heading: _Element) -> list[_Element]:
        """The links after a related list's heading; after the wrapper of the heading instead, when
        the heading is alone in a header row of its own (with a "View more" link at most) and no
        story's link follows the heading itself."""
        element = heading
        room = -1  # the header row's most text, measured when a row is looked at
        while True:
            # (Nothing follows the last child: the XPath call, the costly part, is skipped.)
            links = select(_LINKS_AFTER, element) if element.getnext() is not None else []
            if any(self.is_related_story(page_article_id(None, url) if (url := self.link(a.get("href"))) else None) for a in links):
                return links
            parent = element.getparent()
            if parent is None or parent is self.related_scope:
                return links
            if room < 0:
                room = len(text_content(heading)) + _HEADER_ROW_EXTRA
            if len(text_content(parent)) > room:
                return links
            element = parent

    def related_links(self, anchors: list[_Element]) -> list[RelatedArticle]:
        """``RelatedArticle`` for each anchor with text, de-duplicated by :func:`_story_key` (a tracking
        query made one story two entries), this page left out (a section's latest stories may hold it)."""
        return list(self.add_related_links(anchors, {}).values())

    def add_related_links(self, anchors: list[_Element], found: dict[str, RelatedArticle]) -> dict[str, RelatedArticle]:
        """``found`` (:meth:`related_links` of the anchors before) with the stories of ``anchors`` after
        them: the list's links are read once when more are put after them."""
        here = {_story_key(url) for url in (self.page.url, self._canonical) if url}
        # The site's server knows a story by its id alone (SITE.md): a card's AMP link, another slug
        # or a fragment names the same story, this page's own too.
        if own_id := self._own_id:
            here.add(own_id)
        for anchor in anchors:
            headline = self.related_headline(anchor)
            if headline:
                # (A promo's link that holds its label, "<a>Also Read: …</a>": the story's headline.)
                headline = without_promo_label(headline)
            url = self.link(anchor.get("href"))
            if headline and url:
                story_id = page_article_id(None, url)
                if story_id is not None:
                    url = article_fetch_url(url)
                key = story_id or _story_key(url)
                if key not in found and key not in here and self.is_related_story(story_id):
                    found[key] = RelatedArticle(headline=headline, url=url)
        return found

    def is_related_story(self, story_id: str | None) -> bool:
        """Whether a link of the related list, with this story id (None: no article's URL), is a story
        of it; any link is, where the layout does not know the list's links better."""
        return True

    def related_headline(self, anchor: _Element) -> str | None:
        """The headline a related story's link shows."""
        return element_text(anchor)

    def alsoRead(self) -> list[RelatedArticle]:
        return self.pick("alsoRead", (DOM, lambda: self.related_links([*self.related_anchors(), *self.inline_related_anchors()]))) or []

    def story_roots(self) -> list[_Element]:
        """The elements holding the story's lines, where its inline promos sit (:meth:`inline_related_anchors`)."""
        story = self.story_container()
        return [story if story is not None else self.scope]

    def inline_related_anchors(self) -> list[_Element]:
        """The stories' links of the inline promos in the story ("Also Read: <a>…</a>", "ALSO READ | …",
        "यह भी पढ़ें: …", or a label's line alone with the links on the lines after it), after those of the
        related list: the body leaves them out as no story (text.is_promo), and a reader sees them as the
        article's related links. Only links to a story of the site."""
        found: list[_Element] = []
        base = self.base_url
        lines: dict[_Element, str] = {}
        for root in self.story_roots():
            runs = set(inline_promo_runs(root))
            for anchor in root.iter("a"):
                href = anchor.get("href")
                # (Most of a story's links, its topics, authors and sections, are no story's: known from the href.)
                if href and may_name_story(href, base) and (url := self.link(href)) and page_article_id(None, url) is not None and _in_promo(anchor, root, runs, lines):
                    found.append(anchor)
        return found

    def ld_topics(self) -> list[str]:
        return names_of(self.ld.get("keywords"))

    def topics(self) -> list[str]:
        return self.pick("topics", (JSON_LD, self.ld_topics)) or []

    def disclaimer(self) -> str | None:
        """The syndication note, among the body's paragraphs or wherever the page puts it."""
        found = self._body[1]
        if found:
            return found
        for text in self.texts_holding(SYNDICATION):
            # The note's line, not the text node holding its first words: markup inside it ("the
            # <b>Business Standard</b> staff") or brackets outside its <i> are part of it.
            holder = holder_of(text)
            line = holder
            if holder is not None and holder.tag not in BLOCK_TAGS:
                line = next((e for e in holder.iterancestors() if e.tag in BLOCK_TAGS), None)
            for candidate in block_paragraphs(line) if line is not None else ():
                # (A line of more than the note is some block around it: the note's own text is taken then.)
                if len(candidate) <= _DISCLAIMER_MAX and DISCLAIMER.match(candidate):
                    return candidate
            cleaned = clean_text(text)
            if cleaned and DISCLAIMER.match(cleaned):
                return cleaned
        return None

    def isSyndicated(self) -> bool:
        return self.disclaimer() is not None

    def ld_says_locked(self) -> bool:
        """JSON-LD ``isAccessibleForFree`` is false (wrong on some free pages: never alone)."""
        free = self.ld.get("isAccessibleForFree")
        return free is False or (isinstance(free, str) and free.strip().lower() == "false")

    def isPremium(self) -> bool:
        """JSON-LD says locked, and the page's body is cut: its DOM held less than JSON-LD's
        ``articleBody`` ("truncated-dom"). The flag alone is false on some free pages."""
        if not self.ld_says_locked():
            return False
        self.articleBody()  # the body is read once: the flag is set by then
        return "truncated-dom" in self.provenance.flags

    def isLiveBlog(self) -> bool:
        # (The article's JSON-LD, or a LiveBlogPosting of this page beside its NewsArticle.)
        return self.page.ld_live_blog is not None

    def inLanguage(self) -> str:
        """``en``, or ``hi`` for the Hindi site."""
        # (A host is named in any case: "Hindi.Business-Standard.com" is the Hindi site too.)
        if on_hindi_edition(self._canonical or self.page.url):
            return "hi"
        declared = text_of(self.ld.get("inLanguage")) or self.page.lang
        # The site writes its two languages, "en" and "hi", as tags ("en-IN", "EN_us"); what is no
        # tag of either ("x-default", a template's "{{locale}}") says nothing.
        primary = _LANGUAGE_TAG(declared) if declared else None
        return primary.group(1).lower() if primary else "en"

    def market(self) -> list[MarketQuote]:
        """The ticker; names with null numbers unless a renderer filled them in."""
        return [MarketQuote(name=name) for name in MARKET_INDICES]

    def dateDownloaded(self) -> str | None:
        return None  # the spider stamps it

    def version(self) -> int | None:
        return None  # the incremental pipeline numbers it


# What may follow a related list's heading: punctuation, or an arrow to the section's page.
HEADING_TRAIL = " :-|\u2013\u2014>\u00bb\u203a\u2192"

# A related list's header row holds its heading and a "View more" link at most: this much more text.
_HEADER_ROW_EXTRA = 40

# The note runs to some 200 characters; a block of more holds other text besides.
_DISCLAIMER_MAX = 400


# Paths that name a script, not a story: the query says which story ("storypage.php?autono=N").
_SCRIPT_PATHS = (".php", ".asp", ".aspx", ".jsp", ".cgi")


def _story_key(url: str) -> str:
    """Which story an absolute URL names: the URL without its fragment, and without its query
    (tracking, such as ``?utm_source=``) when its path names the story by itself. The Hindi
    edition's ``storypage.php?autono=N`` and a site root's ``/?p=N`` keep it: there it is the story."""
    url = url.split("#", 1)[0]
    query = url.find("?")
    if query == -1:
        return url
    path = url[:query]
    if path.endswith(_SCRIPT_PATHS) or path.find("/", path.find("//") + 2) in (-1, len(path) - 1):
        return url
    return path


def squeezed_text(text: str) -> str:
    """Text without white space, case folded: for finding one text inside another."""
    return "".join(text.casefold().split())


def shown_text_of(root: _Element) -> str:
    """The text a reader sees in ``root`` (no script or style), cleaned and squeezed as :func:`squeezed_text`."""
    return squeezed_text(clean_text(" ".join(strings(_TEXTS, root))) or "")


def _words(paragraphs: list[str]) -> int:
    """Words of body paragraphs. Every paragraph is :func:`clean_text`'s output (words joined by
    one space, nothing empty), so its words are its spaces and one: counted without splitting."""
    return sum(p.count(" ") for p in paragraphs) + len(paragraphs)


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # (OverflowError: a position of 1e309, read as infinity)
        return 0
