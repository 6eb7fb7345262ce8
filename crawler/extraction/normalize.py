"""Normalisers shared by the layout rules and the item pipelines: text, dates, ids, URLs."""

from __future__ import annotations

import html
import html.entities
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_tz
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

_IST_OFFSET = timedelta(hours=5, minutes=30)
IST = timezone(_IST_OFFSET, "IST")
SITE_ROOT = "https://www.business-standard.com"

# The 12-digit id: "1" + YYMMDD of publication + a 5-digit sequence of the day,
# followed by "_<page>.html" (a slash after it in some links, which the site serves alike). Slug and
# section do not matter to the site.
_ARTICLE_ID = re.compile(r"(?<!\d)(1\d{11})_\d+\.html?/?(?:$|[?#])", re.IGNORECASE)


# Characters a reader never sees, dropped: C0/C1 controls (white space aside, which split() folds:
# a vertical tab or form feed parts words as a space does)
# and the format characters that only steer layout (zero-width space, word joiner and the invisible
# operators, bidirectional marks, embeddings, overrides and isolates, BOM, soft hyphen, Mongolian
# vowel separator, interlinear annotation, shorthand and musical format controls, the language
# tag), the default-ignorable code points Unicode leaves unassigned in those blocks (U+2065,
# U+FFF0-U+FFF8: a font shows nothing for them), and lone surrogates (half of a pair, from a JSON
# "\ud83d" escape: no encoder writes one, so an item holding one could be neither written nor
# hashed). Zero-width (non-)joiners shape Devanagari inside words, so they stay there; they, tag
# characters (which make emoji flags; the plane's unassigned code points with them), variation
# selectors (the Mongolian free ones too, which shape Mongolian letters) and the blank "filler"
# letters go only where nothing visible is left (a headline of such characters alone is no
# headline). Between them the two classes hold all of Unicode's Default_Ignorable_Code_Point.
# (A class with more than three ranges beyond U+FFFF is compiled to a slower matcher: 2.5 times
# the time on every text that has a line break or a joiner.)
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f\x80-\x84\x86-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff0-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001]"
)
_JOINERS = "\u200c\u200d"
# Text of these alone shows nothing: joiners, combining grapheme joiner, Khmer inherent vowels, the
# Hangul fillers, Mongolian free variation selectors, the blank braille pattern, variation
# selectors, the Egyptian hieroglyph format controls (which join signs), the whole plane of tag
# characters (and spaces).
_BLANK_ONLY = re.compile(
    "[ \u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u200c\u200d\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U00013430-\U0001343f\U000e0000-\U000e0fff]+"
)


# What a page template prints for a value it did not have: JavaScript's spelling of nothing
# (`"description": undefined`, read leniently as that word, or `"" + undefined` in a string), Python's
# and JSON's, and an object concatenated to a string. Never a value a reader sees as one.
PLACEHOLDERS = frozenset({"undefined", "null", "None", "NaN", "[object Object]"})
_PLACEHOLDER_LENGTH = max(map(len, PLACEHOLDERS))
# A link or image address a template ended with one of them (`base + "/" + undefined`, or an object:
# `base + "/" + image`, as written or as a URL encoder spells its space).
PLACEHOLDER_ENDINGS = tuple("/" + word for word in PLACEHOLDERS) + ("/[object%20Object]",)


# A CMS may write a nukta letter ("ढ़") as one code point or as the letter and its nukta, an accented
# letter whole or with its combining accent: a reader sees no difference, but two sources were taken
# to disagree, a topic was listed twice, and the item's text (searched, hashed) changed with the
# spelling. Text is brought to NFC. unicodedata.normalize returns text its quick check passes as it is
# (~4 ns a character), but at every Devanagari nukta that check says "maybe", and normalising then
# costs ~0.5 µs a character (a 200 kB Hindi story 100 ms). Text holding a nukta is NFC where the
# rest of it passes the check and no nukta has NFC's work to do: none follows a letter it composes
# with (न र ळ) or anything but a consonant (a virama or a stress mark typed before it goes after it),
# and none precedes a mark that goes before it. (Searched for its characters alone, text with a nukta
# kept a misordered nukta, an Ohm sign or a Bengali nukta letter; that search took 12 ms on 200 kB.)
_NUKTA = "\u093c"
_NUKTA_NOT_NFC = re.compile(
    "\u093c(?:(?<![\u0915-\u0927\u0929-\u092f\u0931\u0932\u0934-\u0939\u0978-\u097f]\u093c)"
    "|(?=[\u0334-\u0338\u1cd4\u1ce2-\u1ce8\u20d2\u20d3\u20d8-\u20da\u20e5\u20e6\u20ea\u20eb"
    "\U00010a39\U00016af0-\U00016af4\U00016ff0\U00016ff1\U0001bc9e\U0001d167-\U0001d169]))"
).search


def _nfc(text: str) -> str:
    """The text in NFC (see _NUKTA)."""
    if _NUKTA in text and _NUKTA_NOT_NFC(text) is None and unicodedata.is_normalized("NFC", text.replace(_NUKTA, "")):
        return text
    return unicodedata.normalize("NFC", text)


def clean_text(value: str | None) -> str | None:
    """Unescape entities, drop invisible characters, fold white space (incl. NBSP); None for nothing
    visible."""
    if value is None:
        return None
    text = unescape(value) if "&" in value else value
    # str.split() splits at what \s matches (NBSP included), and strip() is then implied. Every
    # white space character but the space is unprintable, and so is every character dropped below
    # (the joiners too): printable text, curly quotes and Devanagari included, is folded already
    # unless spaces run or end it (most structured data: a name, a date, a URL), and needs neither
    # the expression nor the joiner test. Other text is folded first: text whose only unprintable
    # characters were white space then needs no more. No character dropped below is white space to
    # split(), so dropping it after the fold and folding again gives the words dropping first would.
    if not text.isprintable():
        text = " ".join(text.split())
        if not text.isprintable():
            text = _INVISIBLE.sub("", text)
            if _JOINERS[0] in text or _JOINERS[1] in text:
                text = " ".join(word for word in (word.strip(_JOINERS) for word in text.split()) if word)
            else:
                text = " ".join(text.split())
    elif "  " in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    # Every character of _BLANK_ONLY but the space is U+034F or above: text starting below is visible.
    if not text or (text[0] >= "\u034f" and _BLANK_ONLY.fullmatch(text)):
        return None
    if len(text) <= _PLACEHOLDER_LENGTH and text in PLACEHOLDERS:
        return None
    # One text, one spelling (NFC, as the web writes text), see _NUKTA; not an address (a URL, a
    # path), which names a file by its bytes: a browser sends "ढ़" precomposed as such.
    if not text.isascii() and not _is_address(text):
        text = _nfc(text)
    return text


# A character reference: numeric, or a name (with its semicolon or without: HTML's legacy names).
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_NAMED = html.entities.html5


def _reference(found: re.Match[str]) -> str:
    reference = found.group()
    if reference[1] == "#":
        # Past 7 decimal digits a number is beyond U+10FFFF, which html.unescape makes U+FFFD; past
        # 4300, int() refuses to read it (a ValueError, which lost the article as unreadable).
        if reference[2] in "xX":
            return html.unescape(reference)
        digits = reference[2:].rstrip(";").lstrip("0") or "0"
        return "\ufffd" if len(digits) > 7 else html.unescape(f"&#{digits};")
    name = reference[1:]
    # A legacy name without its semicolon is read only where a browser reads it in an attribute:
    # not before a letter, a digit (the expression took those into the name) or "=". The page's
    # "?id=1&amp;region=in", which the parser gave as "&region=in", is no "®ion=in".
    if name[-1] != ";" and found.string[found.end() : found.end() + 1] == "=":
        return reference
    character = _NAMED.get(name)
    if character is not None:
        return character
    # Save a no-break space run on into the word after it ("Rs&nbsp5", typed without its
    # semicolon): no word or query field starts with "nbsp".
    return "\u00a0" + name[4:] if name[:4] == "nbsp" and name[-1] != ";" else reference


def unescape(text: str) -> str:
    """``html.unescape``, but for HTML's legacy entities written without their semicolon before a
    letter, a digit or "=" (a link's "&region=in", "&copy=2", "Procter&notes"): text, as a browser
    reads an attribute. (Text the parser has read is unescaped once more: a CMS escaped it twice.)"""
    return _REFERENCE.sub(_reference, text)


def _is_address(text: str) -> bool:
    """Whether the text is a URL or a path (not prose that holds one: "… https://… पर पढ़ें")."""
    return text.startswith(("http://", "https://", "/")) or ("/" in text and "." in text and " " not in text)


def split_list(value: str | None, separator: str = ",") -> list[str]:
    """Split a comma-separated field ("a, b,c") into clean, de-duplicated names."""
    if not value:
        return []
    return unique(part for part in (clean_text(p) for p in value.split(separator)) if part)


def unique(values: Iterable[str]) -> list[str]:
    """Keep the first of each value, in order."""
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


# --- dates -----------------------------------------------------------------

# Formats as the site prints them, newest layout first. All are IST wall time.
_DISPLAY_FORMATS = (
    "%b %d %Y | %I:%M %p",  # Feb 28 2024 | 3:42 PM        (current site)
    "%B %d, %Y %H:%M",  # January 18, 2019 17:18        (pre-2023 "Last Updated at")
    "%a, %B %d %Y. %H:%M",  # Fri, January 18 2019. 13:00   (pre-2023 "First Published")
    "%B %d %Y %H:%M",
    "%d %b %Y %I:%M %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
# The same dates written with other separators: read once commas and bars are taken out (with these
# and the display formats above). "Feb 28,
# 2024 | 3:42 PM", "28 Feb 2024 | 3:42 PM", "Feb 28 2024 3:42 PM" (the time is 12-hour wherever an
# AM/PM follows it: %I and %p together, never %H), and the Hindi 2020 pages' "February  14, 2020".
_LOOSE_FORMATS = (
    "%b %d %Y %I:%M %p",
    "%B %d %Y %I:%M %p",
    "%d %B %Y %I:%M %p",
    # The same to the second ("Feb 28, 2024 3:42:07 PM"), as a 24-hour clock's is read.
    "%b %d %Y %I:%M:%S %p",
    "%B %d %Y %I:%M:%S %p",
    "%d %b %Y %I:%M:%S %p",
    "%d %B %Y %I:%M:%S %p",
    "%a %d %b %Y %I:%M %p %z",  # an RFC 822 date with a 12-hour clock: "Wed, 28 Feb 2024 03:42 PM +0530"
    "%a %d %b %Y %I:%M:%S %p %z",
    "%a %d %b %Y %I:%M %p",
    "%b %d %Y %H:%M",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    # The pre-2023 "First Published: Fri, January 18 2019. 13:00" once its comma and the full stop
    # after the year are taken out, with the month written short or the time to the second.
    "%a %B %d %Y %H:%M:%S",
    "%a %b %d %Y %H:%M",
    "%a %b %d %Y %H:%M:%S",
)
# The labels a page, its AMP copy or an agency's line writes before a date ("Updated: ", "Published
# on: ", "Updated - "), and the zone word: a dash is taken only after a label, where it is no date's.
# The Hindi edition's labels too ("अपडेटेड: ", "प्रकाशित: "; a vowel sign is no word character to \b).
_DISPLAY_NOISE = re.compile(
    r"\(IST\)|\b(?:IST\s*:?|(?:First Published|(?:Last )?Updated|Published|Posted)(?: on| at)?\s*[:\-\u2013\u2014]?)\s*"
    r"|(?:(?:पहली बार )?प्रकाशित|(?:अंतिम )?अपडेट(?:ेड)?)(?: तिथि)?\s*[:\-\u2013\u2014]?\s*",
    re.I,
)
# (A full stop between a number and a space ends the year of "Fri, January 18 2019. 13:00".)
_LOOSE_SEPARATORS = re.compile(r"\s*(?:[,|]|(?<=\d)\.(?=\s))\s*|\s+")
# AP style (the site's agency copy) shortens months with a full stop, "Feb. 28, 2024", and writes
# September "Sept" (the site too: "Sept 28 2024"); strptime's %b knows only "Feb" and "Sep".
_AP_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:t\b)?\.", re.I)
_AP_SEPTEMBER = re.compile(r"\b(Sep)t\b", re.I)
# "3:42 p.m.", "3:42pm", "3:42PM": %p reads "pm" after the space its format has.
_SPOKEN_MERIDIEM = re.compile(r"(?<=\d)\s*([ap])\.?m\b\.?", re.I)
# A 12-hour clock's marker after a time: "3:42 PM", "3:42pm", "3:42 p.m.". email.utils reads such a
# date as if the clock were 24-hour (3:42 PM → 03:42), so text with one never goes to it.
_MERIDIEM = re.compile(r"\d\s*[ap]\.?m\b", re.I)


def parse_date(value: str | int | float | None) -> datetime | None:
    """Read any date the site shows (ISO 8601, RFC 822, its display formats, Unix seconds).

    Naive times are IST. Returns None for what cannot be read, never raises.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and _UNIX_TIME(value.strip()) is not None):
        try:
            seconds = float(value)
            if seconds > 1e11:  # milliseconds
                seconds /= 1000
            # The CMS writes 0 for a time it never set (an unedited story's modificationDate): 1970.
            return _in_range_ist(datetime.fromtimestamp(seconds, IST))
        except (ValueError, OverflowError, OSError):
            return None
    text = clean_text(value)
    if not text:
        return None
    if not text.isascii():
        # A date in Hindi goes every way an English one goes ("14 फ़रवरी 2020 21:42:56" is an RFC 822
        # date without its weekday and zone once its month is "February").
        text = _in_english(text)
        if _DEVANAGARI_LETTER(_DISPLAY_NOISE.sub("", text)) is not None:
            # A Hindi word left that no English one stands for ("5:30 शाम", evening; "9:42 रात", night;
            # "9:42 बजे" of either half) may change the hour, and the English parsers would skip it.
            return None
    if "24" in text and (end := _DAY_END(text)) is not None:
        # "24:00" (a 24-hour clock's end of the day, "Feb 28 2024 | 24:00 IST") is the next day's midnight,
        # as ISO 8601 has it; strptime's %H stops at 23, and the line was read as no date.
        parsed = parse_date(text[: end.start()] + "00" + text[end.start() + 2 :])
        return _in_range_ist(parsed + timedelta(days=1)) if parsed is not None else None
    parsed = _site_display_date(text)
    if parsed is not None:
        return _in_range_ist(parsed)
    if _SPELLED_OUT(text) is not None:
        text = _spelled_out(text)
        if not text:
            return None
    try:
        # RFC 3339 (5.6) allows a lower-case "z" (and "t"), which fromisoformat refuses.
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        parsed = _iso_8601(text)
    if parsed is None and _MERIDIEM.search(text) is None:
        parsed = _rfc822_date(text)
    if parsed is None:
        parsed = _display_date(_DISPLAY_NOISE.sub("", text).strip(" .|"))
    if parsed is None:
        return None
    return _in_range_ist(parsed)


# (Not "24:00 PM", "24:01", "24:00:30", "124:00", nor a year's "2024:00".)
_DAY_END = re.compile(r"(?<![\d:.])24(?P<mark>[:.])00(?:(?P=mark)00(?:[.,]0+)?)?(?![\d:.]|\s*[ap]\.?m\b)", re.I).search


# Forms of a time or zone that read surely once written as the formats have them: "12 noon", "12:00 noon"; "0:15 AM"
# (a 24-hour clock's hour with AM: 12:15 AM); "15:42 PM" (a needless PM after an hour past 12); "I.S.T.";
# Java's ZonedDateTime after its offset ("+05:30[Asia/Kolkata]", "Z[UTC]"). Left unread: "12 midnight" (the
# day's first minute or its last?), "15:42 AM", a zone in brackets with no offset before it.
_SPELLED_OUT = re.compile(r"noon|I\.S\.T|\]$|(?<![\d:.])(?:0?0|1[3-9]|2[0-3]):\d\d", re.I).search
_NOON = re.compile(r"(?<![\d:.])12(?:[:.]00)?\s*noon\b", re.I)
_ZERO_HOUR_AM = re.compile(r"(?<![\d:.])0?0(?=:\d\d(?::\d\d)?\s*a\.?m\b)", re.I)
_NEEDLESS_PM = re.compile(r"(?<![\d:.])(1[3-9]|2[0-3])(:\d\d(?::\d\d)?)\s*p\.?m\b\.?", re.I)
_DOTTED_IST = re.compile(r"\bI\.S\.T\.?", re.I)
_BRACKETED_ZONE = re.compile(r"(?<=\d:\d\d)((?::\d\d(?:[.,]\d+)?)?(?:Z|[-+]\d\d:?\d\d))\[[A-Za-z][\w+\-]*(?:/[\w+\-]+)*\]$", re.I)


def _spelled_out(text: str) -> str:
    """``text`` with the forms :data:`_SPELLED_OUT` finds written as the formats read them; "" for a
    zone in brackets after no offset (a wall time of a zone no table here holds)."""
    if text.endswith("]"):
        zoned = _BRACKETED_ZONE.sub(r"\1", text)
        if zoned == text:
            return ""
        text = zoned
    text = _NOON.sub("12:00 PM", text)
    text = _ZERO_HOUR_AM.sub("12", text)
    text = _NEEDLESS_PM.sub(r"\1\2", text)
    return _DOTTED_IST.sub("IST", text)


# ISO 8601 as RFC 3339, W3C Datetime and the CMSs write it, read alike on every Python the crawler
# runs on (the forms fromisoformat refuses: it is tried first). Python 3.10's takes only what
# isoformat() writes: no "+0530" (PHP's DATE_ISO8601), no fraction of 1, 2, 4, 5 or 7-9 digits (.NET
# writes 7), no comma, basic format or week date; no Python takes a leap second ("23:59:60"), the
# day's end ("24:00") or an ordinal date ("2024-059").
_ISO_8601 = re.compile(
    r"(\d{4})(?:-(\d\d)-(\d\d)|(\d\d)(\d\d)|-?W(\d\d)(?:-?([1-7]))?|-(\d{3}))"
    r"(?:[T ](\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?)?"
    r"\s*(?:(Z)|([-+])(\d\d|\d(?=:\d\d))(?::?(\d\d)(?::?(\d\d))?)?)?",
    re.ASCII | re.IGNORECASE,
).fullmatch


def _iso_8601(text: str) -> datetime | None:
    """An ISO 8601 date-time or date (see :data:`_ISO_8601`); None for any other text or an impossible date."""
    found = _ISO_8601(text)
    if found is None:
        return None
    (year, month, day, basic_month, basic_day, week, weekday, ordinal, hour, minute, second, fraction,
     utc, sign, zone_hours, zone_minutes, zone_seconds) = found.groups()
    try:
        if week is not None:
            day_of = date.fromisocalendar(int(year), int(week), int(weekday or 1))
        elif ordinal is not None:
            day_of = date(int(year), 1, 1) + timedelta(days=int(ordinal) - 1)
            if day_of.year != int(year):  # day 0, or day 366 of a year of 365
                return None
        else:
            day_of = date(int(year), int(month or basic_month), int(day or basic_day))
        hours, minutes, seconds = int(hour or 0), int(minute or 0), int(second or 0)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        # A leap second is read as the second before it; 24:00 is the next day's midnight.
        seconds = 59 if seconds == 60 else seconds
        end_of_day = hours == 24 and minutes == seconds == micro == 0
        moment = datetime(day_of.year, day_of.month, day_of.day, 0 if end_of_day else hours, minutes, seconds, micro)
        if end_of_day:
            moment += timedelta(days=1)
        if sign is not None:
            offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes or 0), seconds=int(zone_seconds or 0))
            if offset >= timedelta(hours=24) or int(zone_minutes or 0) > 59 or int(zone_seconds or 0) > 59:
                return None
            return moment.replace(tzinfo=IST if sign == "+" and offset == _IST_OFFSET else timezone(-offset if sign == "-" else offset))
        return moment.replace(tzinfo=timezone.utc) if utc is not None else moment
    except (ValueError, OverflowError):  # no such day, hour or minute; a day past year 9999
        return None


# HTTP's third date form, C's asctime(): "Wed Feb 28 10:12:00 2024" (a day below 10 after two spaces).
_ASCTIME = re.compile(r"[A-Za-z]{3} [A-Za-z]{3} [ \d]?\d \d\d:\d\d:\d\d \d{4}", re.ASCII).fullmatch


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP header's date (``Last-Modified``): every HTTP-date is UTC (RFC 9110 5.6.7), the asctime
    form too, which names no zone (:func:`parse_date` reads a page's such date as IST); any other form as
    :func:`parse_date` reads it. None when unreadable."""
    text = value.strip() if value else ""
    if _ASCTIME(text) is None:
        return parse_date(text)
    try:
        return _in_range_ist(datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=timezone.utc))
    except ValueError:
        return None


# Unix seconds or milliseconds written as text, a fraction of a second after them or not (what
# JavaScript's Date.now() / 1000 gives). isdigit() takes Devanagari digits too, which float() reads.
_UNIX_TIME = re.compile(r"\d+(?:\.\d+)?").fullmatch


# What follows the time of an RFC 822 date (or of the forms email.utils reads alike): "hrs" (Indian
# usage: "15:42 hrs IST"), a zone name, an offset, or a name and an offset ("GMT+0530", as
# JavaScript's Date writes it). email.utils reads the offset only as a signed number of four digits
# ("+05:30" and "+00:00" become no zone, "+05" five minutes), knows no "GMT+0000", and leaves a name
# it does not know, an obsolete military letter and "-0000" zone-less, which would make them IST.
# An offset may go to the second ("+00:00:00"). After the zone only a comment, ctime's year or,
# after a zone read, a word (the offset's name: "+0530 IST") may follow: a zone written with digits
# no rule knows ("EST5EDT", "CET1", "GMT+1.5") or a longer offset is no zone here (it was read as
# none, IST, or as its name alone).
_RFC_ZONE = re.compile(
    r"(?<![\d:.+-])\d\d?[:.]\d\d(?:[:.]\d\d)?\s*(?:[hH][rR][sS]?\b\s*)?([A-Za-z]+(?![A-Za-z]))?\s*(?:([-+])(\d\d?)(?::?(\d\d)(?::(\d\d))?)?)?"
    r"(?:(?=[\s.,;]*(?:$|\(|\d{4}\b))|(?(1)|(?(2)|(?!)))(?=[\s.,;]*[A-Za-z]+\b))",
    re.ASCII,
).search
# RFC 822's zone names (those email.utils knows), in hours east of UTC, and the site's own IST. A
# name not here, a military letter among them (RFC 822 wrote their signs backwards and senders used
# both: RFC 2822 4.3 gives up on them), is a zone whose instant is not known: no date, not a guess.
_ZONE_HOURS = {"UT": 0.0, "UTC": 0.0, "GMT": 0.0, "Z": 0.0, "AST": -4.0, "ADT": -3.0, "EST": -5.0, "EDT": -4.0, "CST": -6.0,
               "CDT": -5.0, "MST": -7.0, "MDT": -6.0, "PST": -8.0, "PDT": -7.0, "IST": 5.5}
# email.utils makes every year below 100 a two-digit one (69-99 → 19xx, else 20xx): "0001", the
# least date of .NET and Java that CMSs write for "never", would be 2001.
_ZERO_LED_YEAR = re.compile(r"(?<![\d:.+-])0\d{3}(?![\d:.])", re.ASCII).search


def _rfc822_date(text: str) -> datetime | None:
    """An RFC 822/2822 date (also without its weekday, or with a two-digit year): email.utils reads the
    day and the wall time, the zone is read here."""
    try:
        fields = parsedate_tz(text)
    except (TypeError, ValueError, IndexError):  # its word splitting has failed on odd text before
        return None
    found = _RFC_ZONE(text)
    if fields is None or found is None:
        return None
    if str(fields[0]) not in text and _ZERO_LED_YEAR(text) is not None:
        return None
    zone = _rfc822_zone(*found.groups())
    if zone is None:
        return None
    year, month, day, hour, minute, second = fields[:6]
    try:
        # A leap second (RFC 2822 3.3 allows second 60) is read as the second before it.
        return datetime(year, month, day, hour, minute, 59 if second == 60 else second, tzinfo=zone)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=64)
def _rfc822_zone(name: str | None, sign: str | None, hours: str | None, minutes: str | None, seconds: str | None) -> tzinfo | None:
    """The zone of :data:`_RFC_ZONE`'s groups (a feed writes the same one on every item), or None when
    its instant is not known."""
    if sign is not None and hours is not None:
        # "-0000" is UTC whose local zone is unknown (RFC 2822 3.3): the instant is known.
        if name is not None and name.upper() not in ("UT", "UTC", "GMT") or int(minutes or 0) > 59 or int(seconds or 0) > 59:
            return None
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0), seconds=int(seconds or 0))
        if offset >= timedelta(hours=24):
            return None
        return IST if sign == "+" and offset == _IST_OFFSET else timezone(-offset if sign == "-" else offset)
    if name is None:
        return IST  # no zone: the site's
    east = _ZONE_HOURS.get(name.upper())
    if east is None:
        return None
    return IST if east == 5.5 else timezone(timedelta(hours=east))


# The Hindi edition's months ("14 फ़रवरी, 2020"), in the spellings Hindi writers use (with and
# without the nukta, precomposed or not; "सितम्बर" beside "सितंबर"), and its digits: what strptime
# reads in English.
HINDI_MONTHS = {
    "जनवरी": "January", "फरवरी": "February", "फ़रवरी": "February", "\u095eरवरी": "February", "मार्च": "March",
    "अप्रैल": "April", "अप्रेल": "April", "मई": "May", "जून": "June", "जुलाई": "July", "अगस्त": "August",
    "सितंबर": "September", "सितम्बर": "September", "अक्टूबर": "October", "अक्तूबर": "October",
    "नवंबर": "November", "नवम्बर": "November", "दिसंबर": "December", "दिसम्बर": "December",
}
# Its weekdays ("शुक्रवार, 14 फरवरी 2020"; Thursday also as बृहस्पतिवार, Sunday as इतवार) and the
# formal words for a 12-hour clock's halves ("9:42 अपराह्न", also spelt with न्ह): what they are in English.
HINDI_WEEKDAYS = {
    "सोमवार": "Monday", "मंगलवार": "Tuesday", "बुधवार": "Wednesday", "गुरुवार": "Thursday", "बृहस्पतिवार": "Thursday",
    "शुक्रवार": "Friday", "शनिवार": "Saturday", "रविवार": "Sunday", "इतवार": "Sunday",
}
HINDI_MERIDIEM = {"पूर्वाह्न": "AM", "पूर्वान्ह": "AM", "अपराह्न": "PM", "अपरान्ह": "PM"}
# The everyday words for the parts of the day ("शाम 5:30", evening; "रात 9:42 बजे", night) and "बजे"
# (o'clock): part of a date as shown, but no half of a 12-hour clock ("रात 1 बजे" is 1 AM, "रात 9 बजे"
# 9 PM), so a time they stand by is read only when its hour is a 24-hour clock's (see _oclock).
HINDI_CLOCK_WORDS = ("सुबह", "दोपहर", "शाम", "रात", "बजे")
_HINDI_WORDS = {**HINDI_MONTHS, **HINDI_WEEKDAYS, **HINDI_MERIDIEM}
_HINDI_WORD = re.compile("|".join(sorted(_HINDI_WORDS, key=len, reverse=True)))
# "21:42 बजे" (o'clock) is the Indian English "21:42 hrs", when its hour is one only a 24-hour clock
# shows (0, 13 to 23). "9:42 बजे" is as often the evening's ("रात 9:42 बजे", a word the date may
# leave out), and "12:30 बजे" noon or midnight: the date is not read, rather than read at a wrong hour.
_HINDI_OCLOCK = re.compile(r"(?<![\d:.])(\d{1,2})([:.]\d\d(?:[:.]\d\d)?)\s*बजे")


def _oclock(found: re.Match[str]) -> str:
    hour = int(found.group(1))
    return f"{found.group(1)}{found.group(2)} hrs" if hour == 0 or 13 <= hour <= 23 else found.group()
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_DEVANAGARI_LETTER = re.compile("[\u0900-\u0963\u0970-\u097f]").search  # (not its digits, which are read, nor its full stops)


def _in_english(text: str) -> str:
    """A date written with Hindi month or weekday names, Devanagari digits or a Hindi AM/PM, as strptime reads it."""
    return _HINDI_WORD.sub(lambda found: _HINDI_WORDS[found.group()], _HINDI_OCLOCK.sub(_oclock, text.translate(_DEVANAGARI_DIGITS)))


def _display_date(stripped: str) -> datetime | None:
    """A display date without its label and "IST": the site's formats, then ISO 8601 (whose zone
    was the word "IST": "2024-02-28T15:42:00 IST"), then the formats with other separators."""
    if not stripped.isascii():  # (the Hindi edition's months and digits)
        stripped = _in_english(stripped)
    zone = _TRAILING_ZONE(stripped)
    if zone is not None:
        # UTC named after the time ("2024-02-28 10:12:00 UTC", as Ruby and many a logger write it,
        # "Feb 28 2024 | 10:12 AM GMT", "… GMT+05:30"): the rest read as it would be without it.
        parsed = _display_date_in_zone(stripped[: zone.start()].rstrip(" ,|"))
        sign, hours, minutes, bare_sign, bare_hours, bare_minutes = zone.groups()
        offset = _utc_offset(sign, hours, minutes) if bare_sign is None else _utc_offset(bare_sign, bare_hours, bare_minutes)
        if parsed is None or offset is None:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=offset)
    return _display_date_in_zone(stripped)


# (Or an offset alone after a time and a space: "Feb 28 2024 | 3:42 PM +0530", "… 15:42 +5:30", "… 3:42 PM
# +05", hours alone as ISO 8601 writes them; after a year, "2024 -2025", it is none.)
_TRAILING_ZONE = re.compile(
    r"(?<=[\d\s(])\(?(?:UTC|GMT|Z)(?:\s*([-+])(\d\d?)(?::?(\d\d))?)?\)?$"
    r"|(?:(?<=\d:\d\d\s)|(?<=[APap][Mm]\s))([-+])(\d\d?(?=:?\d\d$)|\d\d)(?::?(\d\d))?$",
    re.ASCII,
).search


def _utc_offset(sign: str | None, hours: str | None, minutes: str | None) -> tzinfo | None:
    if sign is None or hours is None:
        return timezone.utc
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset >= timedelta(hours=24) or minutes is not None and int(minutes) > 59:
        return None
    return timezone(-offset if sign == "-" else offset)


def _display_date_in_zone(stripped: str) -> datetime | None:
    parsed = _strptime_any(stripped, _DISPLAY_FORMATS)
    if parsed is not None:
        return parsed
    try:
        return datetime.fromisoformat(stripped)
    except ValueError:
        parsed = _iso_8601(stripped)
        if parsed is not None:
            return parsed
    months = _AP_SEPTEMBER.sub(r"\1", _AP_MONTH.sub(r"\1", stripped))
    # "28th February", "28-Feb-2024": the ordinal's letters and the dashes around a month's name go.
    months = _MONTH_DASH.sub(" ", _ORDINAL.sub("", months))
    # "February 28, 2024 at 3:42 pm": the word between the day and the time.
    months = _AT_TIME.sub(" ", months)
    # "3.42 pm", "15.42 hrs" (the paper's style): a time, once AM/PM or "hrs" says so; "hrs" after a
    # time is the 24-hour clock's, which the formats read without it.
    if "." in months:
        months = _DOTTED_TIME.sub(r"\1:\2", months)
    months = _HRS.sub("", months)
    loose = _LOOSE_SEPARATORS.sub(" ", _SPOKEN_MERIDIEM.sub(r" \1m", months)).strip()
    parsed = _strptime_any(loose, (*_DISPLAY_FORMATS, *_LOOSE_FORMATS, *_NUMERIC_FORMATS))
    if parsed is None:
        # A weekday written in full ("Wednesday, February 28, 2024") or before a form written
        # without one: strptime does not check it against the day either way.
        weekday = _WEEKDAY(loose)
        if weekday is not None:
            parsed = _strptime_any(loose[weekday.end() :], (*_DISPLAY_FORMATS, *_LOOSE_FORMATS, *_NUMERIC_FORMATS))
    return parsed


_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.I)
_MONTH_DASH = re.compile(r"(?<=\d)-(?=[A-Za-z]{3})|(?<=[A-Za-z]{3})-(?=\d)")
_AT_TIME = re.compile(r"\s+at\s+(?=\d)", re.I)
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d\d)(?=\s*(?:[ap]\.?m\b|hrs?\b))", re.I)
_HRS = re.compile(r"(?<=\d)\s*hrs?\b\.?", re.I)
_WEEKDAY = re.compile(r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\s+", re.I).match
# All-number dates as Indian pages and feeds write them: the day first ("28-02-2024 15:42:00",
# "28/02/2024", "28.02.2024"), or the year first with slashes ("2024/02/28"). The month-first
# American form is read only where the day-first one cannot be (a "month" above 12).
_NUMERIC_FORMATS = tuple(
    f"{day} {time}".strip()
    for day in (
        *(f"%d{sep}%m{sep}%Y" for sep in "-/."),
        "%Y/%m/%d",
        "%Y.%m.%d",
        "%Y-%m-%d",  # (with a 12-hour clock: the display formats read it with a 24-hour one)
        "%m/%d/%Y",
    )
    for time in ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p", "")
)


def _strptime_any(text: str, formats: tuple[str, ...]) -> datetime | None:
    """The first of ``formats`` that reads ``text``. Only the formats with as many words are tried: a
    space in a format matches a run of white space and no directive used here matches one, and each
    failing strptime() costs 20 µs (the Hindi pages' "February  14, 2020" failed 35 of them)."""
    words = len(text.split())
    for fmt in formats:
        if _format_words(fmt) != words:
            continue
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@lru_cache(maxsize=None)
def _format_words(fmt: str) -> int:
    return len(fmt.split())


def _in_range_ist(parsed: datetime) -> datetime | None:
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=IST)
    if not 1990 <= parsed.year <= 2100:
        return None
    return parsed.astimezone(IST)


# The site's display dates, read without strptime (which, with the RFC 822 try before it, is most of
# a page's date reading): the current site's "Feb 28 2024 | 3:42 PM", and the pre-2023 page's
# "Fri, January 18 2019. 13:00" (First Published) and "January 18, 2019 17:18" (Last Updated at),
# " IST" after each or not. Only what the long way would read to the same instant is taken here,
# the rest goes the long way: these forms are no ISO date; as RFC 822 dates they fail (the fourth
# word "|", the year "2019.", a month "January" of more than three letters), save "May 18, 2019
# 17:18", which that reading gives as the same wall time; and "IST" is what _DISPLAY_NOISE drops.
# ASCII digits only: strptime refuses "२८", int() would not.
_SITE_DISPLAY = re.compile(r"([A-Z][a-z]{2}) (\d\d) (\d{4}) \| (\d\d?):(\d\d) ([AP])M(?: IST)?", re.ASCII).fullmatch
_PRE2023_PUBLISHED = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([A-Z][a-z]+) (\d\d?) (\d{4})\. (\d\d):(\d\d)(?: IST)?", re.ASCII).fullmatch
_PRE2023_UPDATED = re.compile(r"([A-Z][a-z]+) (\d\d?), (\d{4}) (\d\d):(\d\d)(?: IST)?", re.ASCII).fullmatch
_MONTHS = {name: number for number, name in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_FULL_MONTHS = {
    name: number
    for number, name in enumerate("January February March April May June July August September October November December".split(), 1)
}


def _site_display_date(text: str) -> datetime | None:
    found = _SITE_DISPLAY(text)
    if found is not None:
        month_name, day, year, hour, minute, half = found.groups()
        hours = int(hour)
        # strptime's %I reads 1-12 or 01-12.
        if not 1 <= hours <= 12 or hour == "00":
            return None
        return _wall_time(_MONTHS.get(month_name), day, year, hours % 12 + (12 if half == "P" else 0), minute)
    found = _PRE2023_PUBLISHED(text) or _PRE2023_UPDATED(text)
    if found is not None:
        month_name, day, year, hour, minute = found.groups()
        hours = int(hour)
        return _wall_time(_FULL_MONTHS.get(month_name), day, year, hours, minute) if hours <= 23 else None  # %H: 00-23
    return None


def _wall_time(month: int | None, day: str, year: str, hours: int, minute: str) -> datetime | None:
    # strptime's %d reads 1-9 and 01-31, %M 00-59 (two digits here).
    if month is None or day in ("0", "00") or int(minute) > 59:
        return None
    try:
        return datetime(int(year), month, int(day), hours, int(minute))
    except ValueError:  # a day the month has not: strptime fails too, and so does every other format
        return None


def iso_ist(moment: datetime | None) -> str | None:
    """ISO 8601 in IST with the +05:30 offset, to the second."""
    if moment is None:
        return None
    local = moment.astimezone(IST)
    # What isoformat() writes once the microseconds are dropped, without the copy that drops them.
    return "%04d-%02d-%02dT%02d:%02d:%02d+05:30" % (local.year, local.month, local.day, local.hour, local.minute, local.second)


# The form the site's JSON-LD and meta tags already use, and the one we write.
_ISO_IST = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30", re.ASCII).fullmatch


def normalize_date(value: str | int | float | None) -> str | None:
    """Any site date → ISO 8601 with +05:30, or None."""
    if isinstance(value, str) and _ISO_IST(value) is not None:
        # Already in our form: kept as it is once it is known to be a real date in range (the long
        # way would give the same string back); an impossible one (February 30) goes the long way.
        try:
            year = datetime.fromisoformat(value).year
        except ValueError:
            pass
        else:
            if 1990 <= year <= 2100:
                return value
    return iso_ist(parse_date(value))


# What stands between a date's label and the date: " at" ("Last Updated at January 18, 2019"), " on",
# the rest of a Hindi word ("अपडेट" → "अपडेटेड"), "तिथि" (date), a colon or dash.
_AFTER_DATE_LABEL = re.compile(r"[\u0900-\u0963]*(?:\s+(?:at|on)(?=[\s:])|\s+तिथि)?\s*[:\-\u2013\u2014]?\s*", re.I)


def date_after_label(text: str | None, label: str, labels: Iterable[str], *, last: bool = False) -> str | None:
    """The date ``text`` shows after ``label`` (its first occurrence, or its ``last``), without the
    label's own words (" at", ":"), and ending where another of ``labels`` begins: one line may show
    both dates, in either order ("Last Updated : … | First Published : …")."""
    cleaned = clean_text(text)
    at = (cleaned.rfind(label) if last else cleaned.find(label)) if cleaned else -1
    if at == -1 or not cleaned:
        return None
    rest = cleaned[at + len(label) :]
    joiner = _AFTER_DATE_LABEL.match(rest)
    rest = rest[joiner.end() :] if joiner is not None else rest
    ends = [found for other in labels if (found := rest.find(other)) != -1]
    return (rest[: min(ends)] if ends else rest).strip(" |") or None


# --- ids and URLs ----------------------------------------------------------


def article_id(url: str | None) -> str | None:
    """The 12-digit article id in a Business Standard URL, or None."""
    if not url:
        return None
    return _article_id(url)


# A page asks for its own id several times, and related stories repeat from page to page; the
# search costs 5 us a URL (the id is near its end).
@lru_cache(maxsize=4096)
def _article_id(url: str) -> str | None:
    match = _ARTICLE_ID.search(url)
    if not match:
        return None
    candidate = match.group(1)
    return candidate if date_of_article_id(candidate) else None


# The Hindi edition numbers stories on its own (six digits, no date): storypage.php?autono=N, or
# AMP /article-amp/<section>/section_<section>-N_1.html. Prefixed so they never meet the English ids.
# The number is read where each form puts it: autono among the query's fields (in any order), the
# AMP or mobile form's number in the path's file (a slash after it served alike). A query after the
# file (AMP's "?amp_js_v=0.1", a referrer tag) is not the story, nor is a number another field ends
# with ("?utm_campaign=feed-2024&autono=N", "fbclid=…-12345678"), nor a listing's path ("/economy-2020").
_HINDI_QUERY_ID = re.compile(r"(?:^|&)autono=(\d{1,9})(?:&|$)")
_HINDI_PATH_ID = re.compile(r"-(\d{4,9})_\d+\.html?/?$", re.IGNORECASE)
HINDI_HOSTS = ("hindi.business-standard.com", "m.bshindi.com")


def hindi_article_id(url: str | None) -> str | None:
    """``hi-<N>`` for a Hindi-edition story URL, or None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if host not in HINDI_HOSTS:
        return None
    match = _HINDI_QUERY_ID.search(parts.query) or _HINDI_PATH_ID.search(parts.path)
    # One story, one id: "autono=0166607" is story 166607 to the site's PHP, as "166607" is.
    number = int(match.group(1)) if match else 0
    return f"hi-{number}" if number else None


def date_of_article_id(identifier: str) -> date | None:
    """Publication day encoded in an article id (digits 2–7 are YYMMDD)."""
    try:
        return date(2000 + int(identifier[1:3]), int(identifier[3:5]), int(identifier[5:7]))
    except ValueError:
        return None


def absolute_url(href: str | None, base: str = SITE_ROOT) -> str | None:
    """Resolve a link against the page; None for empty, anchors, and what is no web page's address
    (javascript:, mailto:, tel:, data:, an app's scheme: any scheme but http(s))."""
    if not href:
        return None
    if "&" in href and _HREF_ENTITIES.search(href) is not None:
        # An href from JSON or a feed still escaped for HTML ("?a=1&amp;b=2"); only the entities a
        # URL may hold, with their semicolon: "&copy=1" is a query's field, not a "©".
        href = _HREF_ENTITIES.sub(lambda found: html.unescape(found.group()), href)
    href = href.strip()
    if not href or href.startswith("#") or href in PLACEHOLDERS or href.endswith(PLACEHOLDER_ENDINGS):
        return None
    if " " in href:
        # A space inside a link ("/topic/tata motors") is sent, and shown in the address bar, as
        # "%20", as a browser does: a URL holds no space.
        href = href.replace(" ", "%20")
    # (A link starting "https://" or "http://", as most do, names its scheme plainly.)
    scheme = _SCHEME(href) if ":" in href and not href.startswith(_ABSOLUTE_PREFIXES) else None
    if scheme is not None:
        # A browser reads the scheme case-blind, and after taking out tabs and line breaks
        # ("java\nscript:"): the same test here.
        name = _TAB_OR_BREAK.sub("", scheme.group(1)).lower()
        if name not in ("http", "https"):
            return None
    for prefix in _ABSOLUTE_PREFIXES:
        if base.startswith(prefix):
            if href.startswith(prefix) and href[len(prefix) : len(prefix) + 1] not in _NO_HOST:
                # urljoin() of an absolute URL with a host only splits it and puts it together again.
                # Canonical and image URLs are new on every page: no cache spares that for them.
                # (Scheme and host are known by now: what is left of _comes_back_whole's test.)
                if href.isascii() and _SPLIT_MAY_CHANGE(href) is None:
                    return href
                # The rest depends on the base's scheme alone, so one cache entry serves every page
                # that links to it (section pages, related stories).
                return _join(prefix, href)
            # (A tab or line break between two slashes is removed before the link is read: "//".)
            if href.startswith("/") and not href[1:].lstrip("\t\r\n").startswith("/"):
                # A path from the root depends on the base's scheme and host alone: author, topic
                # and section links repeat from page to page.
                end = base.find("/", len(prefix))
                origin = base if end == -1 else base[:end]
                if "?" not in origin and "#" not in origin:
                    return _join(origin, href)
            break
    return _join(base, href)


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-\t\r\n]*):").match
_TAB_OR_BREAK = re.compile(r"[\t\r\n]")
# (A decimal reference of thousands of digits is left as it is: html.unescape's int() refuses over 4,300.)
_HREF_ENTITIES = re.compile(r"&(?:amp|quot|apos|lt|gt|#[0-9]{1,32}|#[xX][0-9a-fA-F]+);")
_ABSOLUTE_PREFIXES = ("https://", "http://")
# What after "scheme://" leaves the host empty, or may: urlsplit() removes tabs and line breaks first.
_NO_HOST = ("", "/", "?", "#", "\t", "\r", "\n")
# What urlsplit() and urlunsplit() act on: "?", "#" and ";" that start an empty part (dropped),
# tabs and line breaks (removed), brackets (an IPv6 host, or a ValueError).
_SPLIT_MAY_CHANGE = re.compile(r"[?#;\[\]\t\r\n]").search


def _comes_back_whole(url: str) -> bool:
    """Whether urlsplit() then urlunsplit() (and so urljoin() with the URL's own scheme) give ``url``
    back as it is, known without running them: an ASCII http(s) URL with a host (a non-ASCII host may
    raise) and none of the characters they act on."""
    for prefix in _ABSOLUTE_PREFIXES:
        if url.startswith(prefix):
            return url[len(prefix) : len(prefix) + 1] not in _NO_HOST and url.isascii() and _SPLIT_MAY_CHANGE(url) is None
    return False


@lru_cache(maxsize=4096)
def _join(base: str, href: str) -> str:
    return urljoin(base, href)


def strip_amp(url: str) -> str:
    """The canonical form of an AMP URL: ``/amp/…`` and ``/article-amp/…`` → ordinary path."""
    if _comes_back_whole(url) and "/amp/" not in url and "/article-amp/" not in url and "//wap." not in url:
        return url  # (most URLs: nothing to strip, and no fragment to drop)
    parts = urlsplit(url)
    path = parts.path
    if path.startswith("/amp/"):
        path = path[len("/amp") :]
    elif path.startswith("/article-amp/"):
        path = "/article/" + path[len("/article-amp/") :]
    host = parts.netloc
    if host.startswith("wap."):
        host = "www." + host[len("wap.") :]
    return urlunsplit((parts.scheme, host, path, parts.query, ""))


# The whole number before "min read": not the end of "2.5" or "1,200", which would read 5 or 200.
# (Up to 9 digits taken: more, past what int() converts, are no read time either.)
# The words after a read time's number ("min read", "minutes read").
READ_TIME_WORDS = r"min(?:ute)?s?\s*read"
_READ_TIME = re.compile(rf"(?<![\d.,])(\d{{1,9}})(?!\d)\s*{READ_TIME_WORDS}", re.I)
# A story is read in minutes: "0 min read" is a template's estimate of nothing, "999 min read" its
# placeholder; past two hours no news story runs, and neither is a read time.
_READ_TIME_RANGE = range(1, 121)


def read_time_minutes(text: str | None) -> int | None:
    """``"2 min read"`` → 2; None for no read time, or one that is none (0, a fraction, 999)."""
    if not text:
        return None
    match = _READ_TIME.search(text)
    minutes = int(match.group(1)) if match else None
    return minutes if minutes in _READ_TIME_RANGE else None


# Every dash a minus sign is written with (U+2212, the en dash, the fullwidth one …), and the plus
# signs beside "+": a fall written "–254.86" is negative. A dash standing alone ("—", "–", "-") holds
# no digit, so it is no number at all, as a ticker writes a missing value.
_SIGNS = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d\u2796", "-") | dict.fromkeys("\uff0b\u2795", "+"))
# One number as tickers write it: a sign (a space may follow it, and a currency in any case, either
# rupee sign, or the Hindi "रु.": "−₹254.86", "-Rs 254.86", "-RS. 254.86", "−₨ 254.86", "-रु 254.86"), digits grouped by commas or by a space of any width (Indian "1,23,456", "73 158" with a thin
# space or NBSP: the last group of three) and a decimal part; a "%" after it marks a per cent. Two
# numbers in one cell ("−254.86 (−0.35%)") stay two. A figure glued to more digits by a separator, or
# to a letter, is none, and no piece of it is read: "7,3158.24", "73.158,24", "254,86", "7.3e4",
# "73.1K", a time "15:30" or a date "04/12" (each read a wrong number before: 7, 73.158, 25486 …).
# (U+066B and U+066C: the Arabic decimal and thousands separators.)
_NUMBER = re.compile(
    r"([+-]?)\s*(?:(?:[\u20a8\u20b9]|(?i:rs)\.?|(?i:inr)|\u0930\u0941\.?)\s*)?"
    r"(?<!\d)(?<!\d[.,:/\u066b\u066c])(?:(?<![^\W\d_])|(?<=(?<![^\W\d_])(?i:rs))|(?<=(?<![^\W\d_])(?i:inr)))"
    r"((?:\d{1,3}(?:,\d{2,3})*,\d{3}|\d{1,3}(?:\s\d{2,3})*\s\d{3}|\d+)(?:\.\d+)?)"
    r"(?![.,:/\u066b\u066c]?\d|[^\W\d_])"
    r"(\s*%)?"
    # A minus written after the figure ("254.86-", "0.35%-"), as some tables write a fall: glued to it and
    # followed by no figure of its own ("254.86-0.35%" is two figures).
    r"(-(?!\s*[+-]?\d))?"
)
# A figure wholly inside parentheses, as accounts write a loss: "(254.86)".
_BRACKETED = re.compile(r"\(\s*$"), re.compile(r"^\s*\)")
_GROUPING = re.compile(r"[,\s]")
# A change and its per cent glued by a slash or a comma, each with its decimal part ("254.86/0.35%",
# "254.86,0.35%"): two figures, not one malformed one (a European "73.158,24%" has no decimal point
# after the comma). A space after the separator parts them.
_CHANGE_AND_PER_CENT = re.compile(r"(?<=\d\.\d)(\d*[,/])(?=[+-]?\d+\.\d+\s*%)")


def _ticker_text(text: str) -> str:
    """``text`` with its minus dashes as "-" and a change glued to its per cent parted from it."""
    return _CHANGE_AND_PER_CENT.sub(r"\1 ", text.translate(_SIGNS))


def _numbers(text: str, per_cent: bool = False) -> list[tuple[float, bool, bool]]:
    """The numbers of ``text`` in order, each with whether a "%" follows it and whether it has a sign.
    ``per_cent``: ``text`` is a per cent's own cell, whose "%" the markup may keep outside it."""
    found: list[tuple[float, bool, bool]] = []
    for match in _NUMBER.finditer(_ticker_text(text)):
        sign = match.group(1)
        if sign and found and match.group(0)[1:2].isspace():
            sign = ""  # "254.86 - 0.35%": a dash spaced apart between two figures separates them
        if not sign and (match.group(4) or (not per_cent and _accounting_negative(match))):
            sign = "-"
        try:
            number = float(sign + _GROUPING.sub("", match.group(2)))
        except ValueError:
            continue
        if not math.isfinite(number):
            continue  # (a run of 400 digits, a ticker's damaged cell: a float of no size, written as no JSON number)
        found.append((number + 0.0, match.group(3) is not None, bool(sign)))  # (+ 0.0: "−0.00" is 0.0, not -0.0)
    return found


def _accounting_negative(match: re.Match[str]) -> bool:
    """Whether an unsigned figure that is no per cent stands alone inside parentheses: "(254.86)", an
    accountant's fall. A per cent in them ("254.86 (0.35%)") is how tickers write any per cent, and
    a change in them after another figure ("73,158.24 (254.86)") is set apart, not negated."""
    if match.group(3) or match.group(4):
        return False
    before, after = match.string[: match.start(0)], match.string[match.end(0) :]
    opened, closed = _BRACKETED
    return bool(opened.search(before) and closed.match(after)) and not any(ch.isdigit() for ch in before)


def parse_number(text: str | None, per_cent: bool = False) -> float | None:
    """``"73,158.24"``, ``"1,23,456.78"``, ``"-0.45%"``, ``"(+1.2%)"`` → float (the first number); None when none.
    ``per_cent``: a per cent's own cell, its parentheses no sign ("(0.35)": as tickers write any per cent)."""
    numbers = _numbers(text, per_cent) if text else []
    return numbers[0][0] if numbers else None


_UPWARDS = re.compile(r"\bUP(?:WARDS)?\b")


@lru_cache(maxsize=256)
def _arrow_trend(char: str) -> int:
    # -1 for any arrow or triangle pointing down, by its Unicode name ("▼", "▽", "⬇", "⇩", "🔻", "⌄" …),
    # 1 for one pointing up, 0 for anything else ("UP DOWN ARROW" points both ways).
    name = unicodedata.name(char, "")
    if "ARROW" not in name and "TRIANGLE" not in name:
        return 0
    down, up = "DOWN" in name, _UPWARDS.search(name) is not None
    return -1 if down and not up else 1 if up and not down else 0


def trend(text: str) -> int:
    """What arrows beside figures mark: -1 a fall ("▼"), 1 a rise ("▲"), 0 none (or both)."""
    marks = {_arrow_trend(char) for char in text if not char.isascii()} - {0}
    return marks.pop() if len(marks) == 1 else 0


def _falls(text: str) -> bool:
    """Whether a down arrow beside the figures marks them as a fall (tickers draw a rise as "▲")."""
    return any(not char.isascii() and _arrow_trend(char) < 0 for char in text)


def unsigned(text: str | None, per_cent: bool = False) -> bool:
    """Whether the first number of ``text`` is written without a sign, and no arrow marks it (``per_cent``:
    as :func:`parse_number`)."""
    match = _NUMBER.search(_ticker_text(text)) if text else None
    return (
        match is not None
        and not match.group(1)
        and not match.group(4)
        and (per_cent or not _accounting_negative(match))
        and not _falls(text or "")
        and trend(text or "") == 0
    )


def parse_changes(text: str | None, falls: bool = False) -> tuple[float | None, float | None]:
    """A ticker's change cell → (change, per cent): ``"−254.86 (−0.35%)"`` → (-254.86, -0.35).

    The change is its first number not marked "%", the per cent the first marked "%" or else the
    number after the change. A down arrow in the cell makes its figures negative; so does one
    elsewhere for the index (``falls``) and, for the per cent, a sign on the change, where a figure
    is written unsigned.
    """
    numbers = _numbers(text) if text else []
    changes = [(number, signed) for number, per_cent, signed in numbers if not per_cent]
    percents = [(number, signed) for number, per_cent, signed in numbers if per_cent]
    if not percents and len(numbers) > 1 and not numbers[0][1]:
        percents = [(numbers[1][0], numbers[1][2])]
    change = changes[0][0] if changes else None
    percent = percents[0][0] if percents else None
    if text and _falls(text):
        change = -change if change is not None and change > 0 else change
        percent = -percent if percent is not None and percent > 0 else percent
        return change, percent
    if falls and change is not None and change > 0 and not changes[0][1]:
        change = -change
    if (falls or (change is not None and change < 0)) and percent is not None and percent > 0 and not percents[0][1]:
        percent = -percent  # "−254.86 (0.35%)": the sign of the change is the per cent's
    return change, percent


def parse_change(text: str | None, per_cent: bool = False) -> float | None:
    """A change (points or per cent): :func:`parse_number`, negative where a down arrow marks it."""
    number = parse_number(text, per_cent)
    if number is not None and number > 0 and text is not None and _falls(text):
        return -number
    return number
