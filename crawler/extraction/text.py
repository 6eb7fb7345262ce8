"""Turning an HTML subtree into clean paragraphs, and the words a reader sees that rules anchor on.

The labels below are the one place each phrase is written: layouts, the body filter and the tests
import them.
"""

from __future__ import annotations

import re
import threading
from copy import deepcopy
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, cast

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from .normalize import clean_text, date_after_label, parse_date

# Labels the page shows a reader; they survived every redesign so far, unlike class names.
FIRST_PUBLISHED = "First Published"
LAST_UPDATED = "Last Updated"
# The same dates under the other labels pages of the site's family print ("Published On", "Updated
# On", the Hindi edition's "प्रकाशित" and "अपडेट"/"अपडेटेड"): read after the two above, and only where
# what follows them is a date, as words of a story may hold them too.
PUBLISHED_LABELS = (FIRST_PUBLISHED, "Published On", "Published on", "प्रकाशित")
UPDATED_LABELS = (LAST_UPDATED, "Updated On", "Updated on", "अपडेट")
DATE_LABELS = PUBLISHED_LABELS + UPDATED_LABELS
MIN_READ = "min read"
# The end of the syndication note, in each of its wordings ("… auto-generated from a syndicated feed.").
SYNDICATION = "syndicated feed"
# Headings of the related-stories list after the body: "Also Read" until 2025, then this.
RELATED_HEADINGS = ("also read", "more from this section")
PREMIUM_LABEL = "premium"
# A live story's badge on its card in a related list ("LIVE").
LIVE_LABEL = "live"
HINDI_KEYWORD_LABEL = "Keyword:"

# (With the blocks of older markup a CMS migrated from another still holds: center, a details box.)
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody tfoot thead tr ul "
    "caption center details summary fieldset legend hgroup menu dir".split()
)
# A table's row is a line as a reader copies it, its cells apart: "Tata Motors | 1,200", not a
# paragraph per cell, which loses which figure belongs to which name.
TABLE_CELLS = frozenset({"td", "th"})
CELL_SEPARATOR = " | "
# The marks a browser draws around <q> (English), and around one inside another, at any depth.
QUOTE_MARKS = ("\u201c", "\u201d")
INNER_QUOTE_MARKS = ("\u2018", "\u2019")
# Never text a reader takes for the article: code, controls (a poll's choices), frames, media
# elements (whose text is the fallback a browser without them shows: "Your browser does not support
# the video tag."), and AMP's embeds and ads, whose placeholders hold the embedded post's text; AMP's
# galleries (captions of pictures, as inline captions elsewhere), its lists filled in by script (a
# placeholder, a fallback and a "See more" control until then), a web story's player (the story's
# link), dialogs and menus.
# (Struck-out text, <del>, <s>, <strike>, is what a correction took back: the browser draws it crossed
# out beside the words that replace it, which are the story's, "rose 15 per cent", not "rose 12 15".)
SKIPPED_TAGS = frozenset(
    "script style noscript iframe button select textarea datalist svg template object embed video audio canvas del s strike "
    "amp-ad amp-embed amp-sticky-ad amp-analytics amp-pixel amp-iframe amp-img amp-anim amp-video amp-audio "
    "amp-youtube amp-vimeo amp-twitter amp-instagram amp-facebook amp-facebook-page amp-facebook-comments "
    "amp-tiktok amp-reddit amp-pinterest amp-social-share "
    "amp-carousel amp-base-carousel amp-stream-gallery amp-inline-gallery amp-image-slider amp-list "
    "amp-story-player amp-lightbox amp-sidebar amp-web-push-widget amp-consent amp-user-notification".split()
)
# Posts embedded from other sites are quotations of them, not the story: each platform's embed code
# gives its outer element (a <blockquote> mostly; a <div> once the platform's script has rendered a
# tweet, or for Facebook's and Tumblr's wrappers; an <a> for a Twitter timeline or button) one of
# these classes. Matched as whole class tokens: a quotation styled "pullquote" or "tweet-like" stays.
EMBED_CLASSES = frozenset(
    {"twitter-tweet", "twitter-video", "twitter-timeline", "twitter-moment", "twitter-grid", "twitter-follow-button",
     "twitter-share-button", "twitter-mention-button", "twitter-hashtag-button", "instagram-media", "tiktok-embed",
     "text-post-media", "reddit-embed-bq", "reddit-card", "imgur-embed-pub", "fb-xfbml-parse-ignore", "fb-post",
     "fb-video", "fb-page", "fb-comments", "bluesky-embed", "mastodon-embed", "koo-media", "linkedin-post", "tumblr-post"}
)
# The tags of those outer elements. Only these have their class read: the body walk passes every
# element of every body, and most are bare text <div>s and <p>s.
EMBED_TAGS = frozenset({"blockquote", "div", "a", "section", "figure"})
# What a <figure> shows when its <figcaption> is an image's caption (the hero's is a field of its own),
# or a video's: an embedded player's too (a frame, AMP's players).
_PICTURES = ("img", "picture", "video", "amp-img", "amp-video", "amp-anim", "iframe", "amp-iframe", "amp-youtube", "amp-vimeo")


def is_embedded_post(element: _Element) -> bool:
    """Whether an element (of :data:`EMBED_TAGS`) is a post embedded from another site (a tweet, an
    Instagram post, a Twitter timeline …)."""
    return _embed_classes(element.get("class"))


def _embed_classes(classes: str | None) -> bool:
    # Every embed class has a hyphen: the class of most elements (none, or a CSS module's hashed name
    # and its plain twin, which have none) is passed over without being split.
    return classes is not None and "-" in classes and not EMBED_CLASSES.isdisjoint(classes.split())


assert all("-" in name for name in EMBED_CLASSES)


# Text a page never draws, though it is in the markup: an element with the ``hidden`` attribute or an
# inline style of ``display: none`` or ``visibility: hidden`` (a CMS's leftover: a hidden duplicate of
# a line, an SEO keyword run, an email dialog), and a screen reader's text, which these classes (the
# common frameworks' and CMSs') keep off the screen ("Price <span class=sr-only>Indian rupees</span>
# ₹500"). A reader's browser shows none of it. (Class names such as "hidden" or "d-none" are left to
# the stylesheet, which is not read: Tailwind's "hidden md:block" shows on a desktop.)
SCREEN_READER_CLASSES = frozenset(
    {"sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "screen-reader-only", "element-invisible", "a11y-hidden", "hidden-visually"}
)
# (A declaration in a comment is none, "display:none /* display:block */"; one marked ``!important``
# beats a later one that is not, "display:none !important; display:block", as in a browser. And one a
# browser drops as invalid hides nothing: the old hacks for Internet Explorer alone, "display:none\9",
# "display:none\0/", "display:none !ie", "*display:none", whose line every other browser draws: a
# declaration is its property's name alone, then keywords, then "!important" or nothing.)
_STYLE_DECLARATION = re.compile(r"\s*(display|visibility)\s*:\s*([a-z-]+(?:\s+[a-z-]+)*)\s*(!\s*important)?\s*", re.I)
_STYLE_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
# Hidden text a reader is shown on asking, which is the story's: the premium story's rest in the
# site's ``.paywall-content`` (hidden until the reader subscribes, README: the page holds it whole;
# not any class naming a paywall, "paywall-prompt" being the offer), a part AMP shows on a tap (its
# ``[hidden]`` binding), ``hidden="until-found"`` (shown by a search of the page).
_STORY_BEHIND_PAYWALL = etree.XPath("descendant-or-self::*[contains(@class, 'paywall-content')]")
# And a block hidden by ``visibility`` holding an element styled visible again, which is drawn (its
# ``visibility: visible``, not any style naming the word: "overflow: visible" undoes no hiding); under
# ``display: none`` (or the ``hidden`` attribute) nothing is, whatever its descendants' style.
_VISIBLE_AGAIN = etree.XPath("descendant::*[contains(translate(@style, 'VISBLE', 'visble'), 'visible')]")


def is_unseen(element: _Element) -> bool:
    """Whether the page never draws an element that is in its markup (see :data:`SCREEN_READER_CLASSES`)."""
    return _unseen(element) is True


def _unseen(element: _Element) -> bool | None:
    """True for an element the page never draws, None for one hidden by ``visibility`` that holds an
    element styled visible again (only that one is drawn: :func:`drawn_within`), else False."""
    hidden = element.get("hidden")
    style = element.get("style")
    classes = element.get("class")
    if hidden is None and style is None and classes is None:
        return False
    if classes is not None and ("-" in classes or "visuallyhidden" in classes):
        if not SCREEN_READER_CLASSES.isdisjoint(classes.split()):
            return True
    if hidden is not None and hidden.strip().lower() == "until-found":
        hidden = None
    if hidden is None and not (style and _may_hide(style)):
        return False
    display, visibility = _declared(style) if style else ("", "")
    # (The hidden attribute is display: none, also under a style's display: AMP's runtime and the common
    # CSS resets make it "!important", which an inline declaration does not override.)
    by_display = display == "none" or hidden is not None
    if not by_display and visibility not in ("hidden", "collapse"):
        return False
    if any(str(name).startswith(("[", "data-amp-bind-")) for name in element.keys()) or _STORY_BEHIND_PAYWALL(element):
        return False
    return True if by_display or not any(_declared(again.get("style") or "")[1] == "visible" for again in cast("list[_Element]", _VISIBLE_AGAIN(element))) else None


def drawn_within(element: _Element) -> list[_Element]:
    """The elements a browser draws inside one hidden by ``visibility`` (:func:`_unseen` None): the
    outermost styled ``visibility: visible`` again, not under a ``display: none``. The rest of its text,
    its own and that of its other descendants (the tails of those drawn too), is hidden as it is."""
    drawn: list[_Element] = []
    stack = list(reversed(element))
    while stack:
        inner = stack.pop()
        if not isinstance(inner.tag, str) or _unseen(inner) is True:
            continue
        style = inner.get("style")
        if style and _declared(style)[1] == "visible":
            drawn.append(inner)
        else:
            stack.extend(reversed(inner))
    return drawn


def without_unseen(element: _Element) -> _Element:
    """``element``, or where something in it is never drawn (:func:`is_unseen`, the hidden text around
    what :func:`drawn_within` finds), a copy of it without that text, for a field read from the page
    (a headline's screen-reader span, "<h1>Sensex falls<span class=sr-only> (opens in new window)</span></h1>")."""
    for inner in element.iterdescendants(etree.Element):
        # (Most elements carry none of the attributes _unseen reads: no call for them. Every field read
        # from the page asks this of each element it reads.)
        if (inner.get("class") is not None or inner.get("style") is not None or inner.get("hidden") is not None) and _unseen(inner) is not False:
            break
    else:
        return element
    copy = deepcopy(element)
    copy.tail = None
    stack = list(copy)
    while stack:
        inner = stack.pop()
        if not isinstance(inner.tag, str):
            continue
        state = _unseen(inner)
        if state is True:
            _remove_keeping_tail(inner)
        elif state is None:
            stack.extend(_keep_drawn(inner))
        else:
            stack.extend(inner)
    return copy


def _remove_keeping_tail(element: _Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if tail := element.tail:
        before = element.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _keep_drawn(element: _Element) -> list[_Element]:
    """Leaves in ``element`` (hidden by visibility) only the elements drawn in it, without the text around them; returns those."""
    drawn = drawn_within(element)
    kept = set(drawn)
    between: set[_Element] = set()  # the elements from it down to those drawn
    for inner in drawn:
        for above in inner.iterancestors():
            if above is element:
                break
            between.add(above)
    element.text = None
    stack = list(element)
    while stack:
        inner = stack.pop()
        inner.tail = None  # (text of the hidden element it sits in)
        if inner in kept:
            continue
        if inner in between:
            inner.text = None
            stack.extend(inner)
        elif (parent := inner.getparent()) is not None:
            parent.remove(inner)
    return drawn


def _may_hide(style: str) -> bool:
    lowered = style.lower()
    return "none" in lowered or "hidden" in lowered or "collapse" in lowered


def _declared(style: str) -> tuple[str, str]:
    """An inline style's ``display`` and ``visibility`` ("" where it sets none): the last of each, or the
    last marked ``!important`` (see :data:`_STYLE_DECLARATION`)."""
    if "/*" in style:
        style = _STYLE_COMMENT.sub(" ", style)
    values = {"display": "", "visibility": ""}
    important: set[str] = set()
    for declaration in style.split(";"):
        if (found := _STYLE_DECLARATION.fullmatch(declaration)) is None:
            continue
        name, value, marked = found[1].lower(), found[2].lower(), found[3]
        # (Several keywords are a display drawn, "inline flex"; with "none" among them, or for
        # visibility, which takes one, they are invalid.)
        if " " in value and (name == "visibility" or "none" in value.split()):
            continue
        if name in important and not marked:
            continue
        values[name] = value
        if marked:
            important.add(name)
    return values["display"], values["visibility"]


# A <sup> of digits is drawn raised, which its plain digits are not: "10<sup>6</sup>" read as "106", a
# figure no reader saw, and a footnote's mark ran into the figure before it ("1,200<sup>1</sup>",
# "1,2001"). Such a one is written in Unicode's superscript characters, "10⁶", "m²", "1,200¹", as a
# browser draws it; an ordinal's letters stay on the line ("5<sup>th</sup>": "5th").
_SUPERSCRIPTS = str.maketrans("0123456789+-\u2212=()", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b\u207b\u207c\u207d\u207e")
_RAISABLE = re.compile(r"[0-9+\-\u2212=()]*[0-9][0-9+\-\u2212=()]*").fullmatch


def superscript(element: _Element) -> str | None:
    """The text of a ``<sup>`` of digits in superscript characters (see :data:`_SUPERSCRIPTS`); None for
    any other (an ordinal's, a word's), which is read as it is."""
    text = "".join(str(part) for part in element.itertext()).strip() if len(element) else (element.text or "").strip()
    return text.translate(_SUPERSCRIPTS) if text and _RAISABLE(text) is not None else None


# An emoji a CMS's editor drew as a picture (Twemoji's and WordPress's <img class="emoji" alt="🎉">,
# saved with the story) is a character of its sentence, which its ``alt`` holds: without it "Great
# news 🎉 for all" read "Great news for all". Only an ``alt`` of emoji alone (pictographs, with their
# joiners, variation selectors, skin tones and keycaps): a picture's description is no text of the line.
_EMOJI_MAX = 16


def emoji_alt(image: _Element) -> str | None:
    """The emoji an ``<img>`` draws in a line of text (its ``alt``), or None for any other picture."""
    alt = image.get("alt")
    if not alt or len(alt := alt.strip()) > _EMOJI_MAX or alt.isascii():
        return None
    kinds = [unicodedata.category(character) for character in alt]
    # (A keycap, "1️⃣", is a digit, a selector and the enclosing keycap: no pictograph, an emoji still.)
    if ("So" not in kinds and "Me" not in kinds) or not all(kind in ("So", "Sk", "Me", "Mn", "Cf") or character in "#*0123456789" for kind, character in zip(kinds, alt)):
        return None
    return alt


def is_image_caption(element: _Element) -> bool:
    """Whether a ``<figcaption>`` captions a picture (not a quotation's attribution or a table's title)."""
    figure = element.getparent()
    return figure is not None and figure.tag == "figure" and next(figure.iter(*_PICTURES), None) is not None


# Site promos interleaved with the paragraphs; matched on the whole paragraph, after the decoration
# a promo may have in front ("📢 ", "(", "► "): symbols and brackets, not quotes (a quotation
# that starts with the words is the story's).
_DECORATION = r"[^\w\s'\"\u2018\u201c]*\s*"
# After "Also Read": a colon, a bar, a dash of any length, or an arrow.
_PROMO_SEPARATOR = r"[:|\-\u2013\u2014>\u00bb\u2192]"
# The labels of a promo of other stories; the Hindi edition's "यह भी पढ़ें" ("this too, read"; also
# ये, इसे, इन्हें) and "और पढ़ें" ("read more"), "पढ़ें" written with the nukta apart or precomposed.
_HINDI_READ = "\u092a(?:\u0922\u093c|\u095d)(?:\u0947\u0902|\u0947|\u093f\u090f|\u093f\u092f\u0947)"
# The networks a "Follow us on …" promo names.
_NETWORKS = "google news|whatsapp|telegram|twitter|x|facebook|instagram|linkedin|youtube|threads|koo|sharechat"
_PROMO_LABELS = f"(?:also read|read more|read also|(?:यह|ये|इसे|इन्हें) भी {_HINDI_READ}|और {_HINDI_READ})"
# The label of a disclaimer line ("Disclaimer:", "DISCLAIMER —"; the Hindi edition's "डिस्क्लेमर:",
# "अस्वीकरण:").
_DISCLAIMER_LABEL = r"(?:disclaimer|डिस्क्लेमर|अस्वीकरण)\s*[:\-\u2013\u2014]"
# The site's name in Hindi ("बिज़नेस स्टैंडर्ड", ज़ with its nukta apart or precomposed, or without it).
_HINDI_SITE = "\u092c\u093f(?:\u091c\u093c?|\u095b)\u0928\u0947\u0938 \u0938\u094d\u091f\u0948\u0902\u0921\u0930\u094d\u0921"
# The Hindi edition's channel promo: a WhatsApp or Telegram channel and, ending the line, an imperative
# to click, follow or join ("… व्हाट्सऐप चैनल को फॉलो करने के लिए यहां क्लिक करें"); a story's sentence
# about a channel tells, not bids ("क्लिक करना होगा"), or goes on after the bid it reports ("… से
# जुड़ें कहकर पैसे ठगे"). The plain and the polite imperative ("करें", "कीजिए"); "जुड़ें" with its nukta
# apart or precomposed.
_HINDI_CHANNELS = "(?:व्हाट्सऐप|व्हाट्सएप|वॉट्सऐप|वॉट्सएप|टेलीग्राम|whatsapp|telegram)"
_HINDI_BIDS = "(?:(?:क्लिक|फॉलो) (?:करें|कीजिए)|जु(?:\u0921\u093c|\u095c)(?:ें|िए))"
_HINDI_PROMO_MAX = 200
_CHANNEL = "चैनल"
# "Personal" of "the views are personal".
_HINDI_PERSONAL = "(?:निजी|व्यक्तिगत)"
# The longest such line (the site's run to 270 characters).
_DISCLAIMER_MAX = 500
PROMO_PATTERNS = (
    re.compile(rf"^{_DECORATION}click here to (?:follow|connect|join)\b.*(?:whatsapp|telegram|channel)", re.I),
    # (Each network the site posts to: a line of the story that starts with the words is a quotation,
    # inside quotation marks.)
    re.compile(rf"^{_DECORATION}follow (?:us|business standard) on (?:{_NETWORKS})(?![\w-])", re.I),
    # (The apostrophe straight or typeset, as a CMS's editor may turn it.)
    re.compile(rf"^{_DECORATION}don['\u2019]t miss the most important news and views of the day", re.I),
    # "Also Read: …" (or "|", a dash, an arrow), or the words alone
    re.compile(rf"^{_DECORATION}{_PROMO_LABELS}\s*(?:{_PROMO_SEPARATOR}|$)", re.I),
    re.compile(rf"^{_DECORATION}(?:advertisement|listen to this article)\W*$", re.I),
    re.compile(rf"^{_DECORATION}subscribe to business standard", re.I),
    # The paywall overlay of premium pages.
    re.compile(r"^already subscribed\?", re.I),
    # The site's line after a column or an analyst's tips: the views are the writer's, not Business
    # Standard's. (A disclaimer naming no site, an author's disclosure of holdings, is the story's.)
    # Its label, not the word alone (a story about disclaimers), and a sentence at most after the
    # site's name: a paragraph that runs on into the story's own words is the story's. (Lookaheads,
    # and no more than a disclaimer's length, so that a long line costs no backtracking.)
    re.compile(
        rf"^(?=.{{0,{_DISCLAIMER_MAX}}}$)\W*{_DISCLAIMER_LABEL}(?=.*(?:\b(?:views?|opinions?)\b|विचार))(?=.*(?:\bbusiness[ -]?standard\b|{_HINDI_SITE})[^.!?\u0964]*[.!?\u0964]?\W*$)",
        re.I,
    ),
    # "(Views are personal)" on a line of its own, labelled or not; the writer's bio line that ends in
    # it stays.
    re.compile(
        rf"^\W*(?:{_DISCLAIMER_LABEL}\W*)?(?:the )?views (?:expressed )?(?:here )?are (?:personal|(?:the )?(?:author|writer)['\u2019]s own)\W*$", re.I
    ),
    # The same in Hindi: "(लेखक के विचार निजी हैं)", "ये लेखक के निजी विचार हैं", "लेख में व्यक्त विचार निजी हैं";
    # "व्यक्तिगत" as "निजी".
    re.compile(
        rf"^\W*(?:{_DISCLAIMER_LABEL}\W*)?(?:(?:ये|यह|लेख में व्यक्त)\s+)?(?:लेखक के\s+)?(?:{_HINDI_PERSONAL} विचार|विचार(?:\s+लेखक के)?\s+{_HINDI_PERSONAL})\s+हैं\W*$", re.I
    ),
    _HINDI_CHANNEL_PROMO := re.compile(rf"^(?=.{{0,{_HINDI_PROMO_MAX}}}$).*{_HINDI_CHANNELS}\s+{_CHANNEL}.*{_HINDI_BIDS}\W*$", re.I),
)

# A promo's label alone on its line ("Also Read:", "READ MORE"): the stories it promotes are the lines
# after it, each a link's text. (Every label is short: longer lines need no test. The longest,
# "इन्हें भी पढ़िये" with the nukta apart, is 16 characters: with a decoration, a space and a separator,
# "► इन्हें भी पढ़िये :", 20.)
_PROMO_LABEL = re.compile(rf"{_DECORATION}{_PROMO_LABELS}\s*{_PROMO_SEPARATOR}?", re.I).fullmatch
PROMO_LABEL_MAX = 20


# An inline promo run inside a story paragraph (a bold, italic or link run holding a link): the label
# and a separator after it ("Read more: …", "ALSO READ | …"), which a sentence's "read more about the
# scheme" or "also read the order" lacks; in bold, "Also Read" however it goes on (a bold label), or
# any label with its separator (the Hindi edition's "यह भी पढ़ें:" too).
_PROMO_RUN = re.compile(rf"{_DECORATION}{_PROMO_LABELS}\s*{_PROMO_SEPARATOR}", re.I).match
_BOLD_PROMO_RUN = re.compile(rf"{_DECORATION}(?:also read\b|{_PROMO_LABELS}\s*{_PROMO_SEPARATOR})", re.I).match


def is_promo_run(text: str, *, bold: bool) -> bool:
    """Whether the text of an inline run holding a link (``bold``: a bold one) is a promo's."""
    return (_BOLD_PROMO_RUN if bold else _PROMO_RUN)(text) is not None


def _set_as_a_label(run: _Element, text: str) -> bool:
    """Whether a bold run that opens with "Also Read" and no separator is a promo's label: written as a
    label is (capitalised) and holding, besides its links, that label alone ("<b>ALSO READ <a>…</a></b>").
    A sentence's bold "also read" keeps its words: "must <b>also read</b> <a>the order</a>", "<b>Also read
    the <a>order</a> carefully</b>"."""
    if _PROMO_RUN(text) is not None:
        return True  # a label and its separator, which no sentence writes
    label = _LABEL_WORDS(text)
    if label is None or not label.group()[0].isupper():
        return False
    outside = text
    for link in run.iter("a"):
        words = clean_text(_run_text(link))
        if words:
            outside = outside.replace(words, " ", 1)
    return _PROMO_LABEL(" ".join(outside.split()).rstrip(" .,;)]")) is not None


_LABEL_WORDS = re.compile(r"also read", re.I).search


def without_promo_label(text: str) -> str:
    """A promoted story's headline without the promo's label its link holds ("Also Read: <headline>")."""
    found = _PROMO_RUN(text)
    return (text[found.end() :].strip() or text) if found else text


def is_promo_label(paragraph: str) -> bool:
    """Whether a paragraph is a promo's label alone, the promoted links on the lines after it."""
    return len(paragraph) <= PROMO_LABEL_MAX and _PROMO_LABEL(paragraph) is not None


# Inline runs (bold, italic, a link, a styled span) that hold or are a link: the candidates of an
# inline promo, judged by their text (is_promo_run). The one rule of every layout's body walk
# (block_paragraphs) and of the promoted stories in ``alsoRead``.
PROMO_RUN_TAGS = ("strong", "b", "em", "i", "a", "span")
_BOLD_TAGS = frozenset({"strong", "b"})
# A label's verb in a run's first characters ("read", the Hindi "पढ़" with its nukta apart or
# precomposed): most runs, a story's links, are ruled out by it alone.
_READ_HINTS = ("read", "\u092a\u0922", "\u092a\u095d")
_HINT_SPAN = 40


def _run_text(element: _Element) -> str:
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def inline_promo_runs(root: _Element) -> list[_Element]:
    """The inline promo runs in ``root``: a run holding its label and link ("<b>Also Read: <a>…</a></b>",
    "<i>Read more: <a>…</a></i>", "<a>Also Read: …</a>", "<strong>यह भी पढ़ें: <a>…</a></strong>"), or
    a run of the label alone and the link right after it ("<b>Also read | </b><a>…</a>"), both."""
    runs: list[_Element] = []
    read, hindi, hindi_nukta = _READ_HINTS
    for run in root.iter(*PROMO_RUN_TAGS):
        lead = run.text
        if not lead or lead.isspace():
            lead = _run_text(run)  # the label is in a child ("<b><a>Also Read</a>: …</b>")
        lead = lead[:_HINT_SPAN].lower()
        # (Written out, not any() over the hints: this test is made of every run of every story, twice.)
        if read not in lead and hindi not in lead and hindi_nukta not in lead:
            continue
        text = clean_text(_run_text(run)) or ""
        bold = run.tag in _BOLD_TAGS
        if any(a.get("href") is not None for a in run.iter("a")):
            if is_promo_run(text, bold=bold) and (not bold or _set_as_a_label(run, text)):
                runs.append(run)
        elif is_promo_label(text) and is_promo_run(text, bold=bold) and (not bold or _set_as_a_label(run, text)) and (link := _link_after(run)) is not None:
            runs += (run, link)
    return runs


def _link_after(run: _Element) -> _Element | None:
    """The link right after an inline run (blanks at most between them), or None."""
    after = run.getnext()
    if (run.tail and run.tail.strip()) or after is None or after.tag != "a" or after.get("href") is None:
        return None
    return after


# The number an ordered list's item is read with (see _list_markers): the promoted stories may be
# such a list's items.
_ITEM_NUMBER = re.compile(r"(?:-?\d{1,10}|[a-z]{1,4}|[A-Z]{1,4}|[ivxlcdm]+|[IVXLCDM]+)\. ").match


def _unnumbered(paragraph: str) -> str:
    number = _ITEM_NUMBER(paragraph)
    return paragraph[number.end() :] if number else paragraph


def without_promoted_links(paragraphs: list[str], link_texts: Callable[[], set[str]]) -> list[str]:
    """``paragraphs`` without each promo label alone on its line and the lines after it that are
    the text of a link (``link_texts``, read only when a label is there): the promoted stories."""
    if not any(is_promo_label(p) for p in paragraphs):
        return paragraphs
    links = link_texts()
    kept: list[str] = []
    after_label = False
    for paragraph in paragraphs:
        if is_promo_label(paragraph):
            after_label = True
        elif not (after_label and (paragraph in links or _unnumbered(paragraph) in links)):
            after_label = False
            kept.append(paragraph)
    return kept


# The patterns as one expression (all are anchored and case-blind): one search per paragraph.
# All but the Hindi channel promo in one expression; that one's ".*" backtracks through every
# paragraph of every page, so it is tried only on a line that names a channel in Hindi.
_ANY_PROMO = re.compile("|".join(f"(?:{p.pattern})" for p in PROMO_PATTERNS if p is not _HINDI_CHANNEL_PROMO), re.I)
assert all(p.flags == _ANY_PROMO.flags for p in PROMO_PATTERNS)


def is_promo(paragraph: str) -> bool:
    """Whether a body paragraph is one of :data:`PROMO_PATTERNS`' promos (also as a numbered list's
    item: "2. Click here to follow our WhatsApp channel")."""
    number = _ITEM_NUMBER(paragraph)
    return any(
        _ANY_PROMO.match(line) is not None or (_CHANNEL in line and _HINDI_CHANNEL_PROMO.match(line) is not None)
        for line in ((paragraph,) if number is None else (paragraph, paragraph[number.end() :]))
    )

# "(Only the headline and picture of this report may have been reworked by the
# Business Standard staff; the rest of the content is auto-generated from a
# syndicated feed.)" — worded slightly differently over the years: "Only the headline of this report
# …", and before that "(This story has not been edited by Business Standard staff and is
# auto-generated from a syndicated feed.)".
_NOTE_START = r"(?:only the headline (?:and (?:the )?picture )?of this report|this (?:story|report) has not been edited by)"
DISCLAIMER = re.compile(rf"^\(?\s*{_NOTE_START}", re.I)


# A pull quote: a line of the story set again in large type beside it (a <blockquote> or <aside>, as
# WordPress's "wp-block-pullquote" and most CMSs write it), its speaker in a <cite> or <footer>. A
# reader copying the story copies the line once: the body had it twice. Told by its words, not a class:
# a quotation whose words, at least a phrase's, stand elsewhere in the story (letters and digits alone
# compared, the marks a pull quote drops or adds, "“We are pleased”", aside).
PULL_QUOTE_TAGS = ("blockquote", "aside")
_PULL_QUOTE_MIN = 20
_NOT_WORDS = re.compile(r"\W+")
_ATTRIBUTION_TAGS = frozenset({"cite", "footer"})
# Or its last line, a dash and the speaker ("— Shaktikanta Das, RBI Governor"), as a CMS without those
# tags writes it: the quoted line stood twice in the body, its attribution's words being in no line.
_ATTRIBUTION_LINE = re.compile(r"[\u2014\u2013\u2015~-]\s*\w.{0,60}").fullmatch
# And where the pull quote leaves words out ("We will not cut rates … and we will watch prices") or an
# editor puts their own in brackets ("[The RBI] will not cut rates"), its pieces between stand in the
# story in their order: the line stood twice, its trimmed copy after it.
_ELISION = re.compile(r"\u2026|\.\.\.|\[[^\]]*\]")


def _squeezed(text: str) -> str:
    return _NOT_WORDS.sub("", text.casefold())


def _quote_candidates(root: _Element) -> list[tuple[_Element, list[str]]]:
    """The :data:`PULL_QUOTE_TAGS` elements of ``root`` that may be pull quotes (not an embedded post, not
    inside another, long enough to tell), each with its words squeezed, without its attribution, in
    the pieces its elisions leave."""
    found: list[tuple[_Element, list[str]]] = []
    for quote in root.iter(*PULL_QUOTE_TAGS):
        if is_embedded_post(quote) or any(quote is q or any(a is q for a in quote.iterancestors()) for q, _ in found):
            continue
        lines = _paragraphs(_without(quote, _ATTRIBUTION_TAGS), None)
        if len(lines) > 1 and _ATTRIBUTION_LINE(lines[-1]):
            lines.pop()
        pieces = [piece for piece in (_squeezed(part) for part in _ELISION.split("\n".join(lines))) if piece]
        if sum(len(piece) for piece in pieces) >= _PULL_QUOTE_MIN:
            found.append((quote, pieces))
    return found


def _stands_in(pieces: list[str], story: str) -> bool:
    """Whether ``pieces`` stand in ``story`` one after another."""
    at = 0
    for piece in pieces:
        if (found := story.find(piece, at)) == -1:
            return False
        at = found + len(piece)
    return True


def _skipping(elements: list[_Element], skip: Callable[[_Element], bool] | None) -> Callable[[_Element], bool]:
    # A set of the elements themselves (lxml keeps one proxy per node while it is referenced, and an
    # element equals only itself): the walk asks this of every element of the story.
    held = set(elements)
    if skip is None:
        return held.__contains__

    def skipped(element: _Element) -> bool:
        return element in held or skip(element)

    return skipped


def pull_quotes(root: _Element, skip: Callable[[_Element], bool] | None = None) -> list[_Element]:
    """The pull quotes in ``root``: each candidate whose words stand in the story as the body reads it
    without the candidates (``skip``'s subtrees, hidden and script text left out: a headline, a share
    bar or a JSON-LD block quoting the line is no line of the story, and a quote repeated by another
    quote alone is kept)."""
    candidates = _quote_candidates(root)
    if not candidates:
        return []
    lines = _paragraphs(root, _skipping([q for q, _ in candidates], skip))
    # (Nor is a line the body then drops: an "Also Read: …" promo, a promoted story's link, the page's
    # date line; a quotation whose other words stood only there was dropped, and was nowhere in the body.)
    story = _squeezed("".join(split_body(without_promoted_links(lines, lambda: _link_texts(root)))[0]))
    return [quote for quote, pieces in candidates if _stands_in(pieces, story)]


def _link_texts(root: _Element) -> set[str]:
    return {text for a in root.iter("a") if a.get("href") and (text := clean_text("".join(str(t) for t in a.itertext())))}


def _without(element: _Element, tags: frozenset[str]) -> _Element:
    """A copy of ``element`` without the ``tags`` elements in it (a pull quote is a line or two)."""
    copy = deepcopy(element)
    copy.tail = None
    for inner in [e for e in copy.iterdescendants() if isinstance(e.tag, str) and e.tag in tags]:
        if (parent := inner.getparent()) is not None:
            parent.remove(inner)  # (its tail, the quote's words after it, goes with it: rare)
    return copy


def block_paragraphs(root: _Element, skip: Callable[[_Element], bool] | None = None) -> list[str]:
    """Text of ``root`` split into paragraphs at block elements and <br>, skipping ``skip`` subtrees,
    :func:`inline_promo_runs` and :func:`pull_quotes`."""
    # (An inline promo run goes in every layout, as a promo's whole line does in split_body: its
    # tail, the story's words after it, stays.)
    runs = inline_promo_runs(root)
    if runs:
        skip = _skipping(runs, skip)
    quotes = pull_quotes(root, skip) if next(root.iter(*PULL_QUOTE_TAGS), None) is not None else []
    return _paragraphs(root, _skipping(quotes, skip) if quotes else skip)


def _paragraphs(root: _Element, skip: Callable[[_Element], bool] | None) -> list[str]:
    paragraphs: list[str] = []
    buffer: list[str] = []  # the non-empty strings of the paragraph being read
    text = root.text
    if text:
        buffer.append(text)
    for child in root:
        _walk(child, skip, buffer, paragraphs)
    if buffer:
        _flush(buffer, paragraphs)
    return paragraphs


# The walk's two steps are module functions, not closures in block_paragraphs: a closure that calls
# itself is a reference cycle, which kept ``skip`` (and with it the page's whole tree) alive until
# the cyclic garbage collector came by.


def _flush(buffer: list[str], paragraphs: list[str]) -> None:  # called only with something in the buffer
    # (The type first, in line: a paragraph that starts with no list's number, as nearly all do,
    # costs no call.)
    if type(buffer[0]) is _ListMarker and _only_marker(buffer):
        # An item with no text a reader sees (its embed left out): no line of its number alone.
        buffer.clear()
        return
    # A cell's separator with nothing after it in the line (the next cell starts a paragraph or
    # a line break, the row's last cells are empty) separates nothing; a line of them alone is none.
    last = buffer[-1]
    if last is CELL_SEPARATOR or last.isspace():
        end = len(buffer) - 1
        while end and (buffer[end - 1] is CELL_SEPARATOR or buffer[end - 1].isspace()):
            end -= 1
        del buffer[end:]
        if not buffer:
            return
    text = clean_text(buffer[0] if len(buffer) == 1 else "".join(buffer))
    buffer.clear()
    if text:
        if "<" in text and escaped_markup(text):
            # Markup the CMS escaped once more ("&lt;b&gt;no&lt;/b&gt;", "&lt;br /&gt;", a pasted piece
            # of HTML): its text, in its paragraphs, as an attribute's (attribute_text), never its tags.
            found = fragment(text)
            paragraphs.extend(block_paragraphs(found) if found is not None else ())
        else:
            paragraphs.append(text)


def _flush_lines(buffer: list[str], paragraphs: list[str]) -> None:
    # Preformatted text keeps its line breaks on the page: each line is one a reader sees (a
    # statement's or a table's rows typed as text), not one run-on paragraph.
    text = "".join(buffer)
    buffer.clear()
    paragraphs.extend(line for line in (clean_text(line) for line in text.splitlines()) if line)


class _ListMarker(str):
    """The number a browser draws before an item of an ordered list ("1. "): the item's text follows
    it on its line, also when the item's text sits in a paragraph of its own (``<li><p>…</p></li>``)."""


def _only_marker(buffer: list[str]) -> bool:
    """Whether the paragraph being read holds nothing but an item's number (and blanks)."""
    return type(buffer[0]) is _ListMarker and all(part.isspace() for part in buffer[1:])


# An ordered list's items as a browser numbers them: from its ``start`` (down from the count of its
# items when ``reversed``), an item's ``value`` numbering it and those after it; letters or roman
# numerals by ``type`` ("a", "A", "i", "I"), decimal where those cannot count (0 and below, past
# 3,999 in roman). A list styled with no marker shows none (``list-style: none`` in its style).
_INTEGER = re.compile(r"\s*([-+]?\d{1,9})").match
_NO_MARKER = re.compile(r"list-style(?:-type)?\s*:\s*none\b", re.I).search
# An item whose text starts with its own number typed by hand ("1. ", "(b) ", "iii) ": in any of the
# styles, as its place in the list gives it), in a list whose stylesheet hides the browser's: numbered
# once, not "1. 1. …". (An initial, "R. Dinesh said", is no number of the second item.)
_TYPED_NUMBER = re.compile(r"\s*(?:\((\w{1,12})\)|(\w{1,12})[.)])(?:\s|$)").match
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _integer(value: str | None) -> int | None:
    found = _INTEGER(value) if value else None
    return int(found.group(1)) if found else None


def _ordinal(number: int, kind: str | None) -> str:
    if kind in ("a", "A") and number > 0:
        letters = ""
        while number:
            number, remainder = divmod(number - 1, 26)
            letters = chr(ord("a") + remainder) + letters
        return letters.upper() if kind == "A" else letters
    if kind in ("i", "I") and 0 < number < 4000:
        roman = ""
        for value, numeral in _ROMAN:
            count, number = divmod(number, value)
            roman += numeral * count
        return roman.upper() if kind == "I" else roman
    return str(number)


def _list_markers(ordered: _Element) -> dict[_Element, _ListMarker]:
    """The marker of each item of an ``<ol>`` a browser numbers (its own ``<li>`` children)."""
    if _NO_MARKER(ordered.get("style") or ""):
        return {}
    items = [child for child in ordered if isinstance(child.tag, str) and child.tag.lower() == "li"]
    backwards = ordered.get("reversed") is not None
    number = _integer(ordered.get("start"))
    if number is None:
        number = len(items) if backwards else 1
    kind = ordered.get("type")
    markers: dict[_Element, _ListMarker] = {}
    if _numbered_by_hand(items):
        return markers
    for item in items:
        value = _integer(item.get("value"))
        if value is not None:
            number = value
        if not _NO_MARKER(item.get("style") or "") and not _typed(_leading_text(item), number):
            markers[item] = _ListMarker(_ordinal(number, item.get("type") or kind) + ". ")
        number += -1 if backwards else 1
    return markers


def _typed(text: str, number: int) -> bool:
    """Whether an item's text starts with its number, ``number``, typed in any list style."""
    found = _TYPED_NUMBER(text)
    if found is None:
        return False
    typed = found.group(1) or found.group(2)
    return typed in (str(number), _ordinal(number, "a"), _ordinal(number, "A"), _ordinal(number, "i"), _ordinal(number, "I"))


# The numbers, up to 100, a letter or a roman numeral typed in brackets stands for ("(iii)", "c)").
_TYPED_VALUES = {kind: {_ordinal(number, kind): number for number in range(1, 101)} for kind in ("a", "A", "i", "I")}


def _numbered_by_hand(items: list[_Element]) -> bool:
    """Whether every item of a list that shows text starts with a number typed by hand, the numbers
    running on by one ("3. ", "4. ", where an ad or an embed split a list and its second ``<ol>`` starts
    at 1 again; "10. ", "9. ", a countdown): the list is numbered by its text, the stylesheet hiding
    the browser's numbers, and a 1 drawn before "3. " is a number no reader saw. A letter or a roman
    numeral counts in brackets only, and on two items at least: "B. Ravi", "C. Rao" are initials."""
    typed: list[tuple[str, bool]] = []
    for item in items:
        text = _leading_text(item)
        if not text.strip():
            continue  # (an item left empty, its embed removed: no line, no number)
        found = _TYPED_NUMBER(text)
        if found is None:
            return False
        typed.append((found.group(1) or found.group(2), found.group(1) is not None or found.group(0).rstrip().endswith(")")))
    if not typed:
        return False
    if all(token.isdecimal() for token, _ in typed):  # (int() reads Devanagari digits too: "३. ")
        return _runs_on([int(token) for token, _ in typed])
    return len(typed) > 1 and all(bracketed for _, bracketed in typed) and any(
        _runs_on([_TYPED_VALUES[kind].get(token) for token, _ in typed]) for kind in _TYPED_VALUES
    )


def _runs_on(values: list[int | None]) -> bool:
    """Whether ``values`` are numbers each one more, or each one less, than the one before."""
    numbers = [value for value in values if value is not None]
    if len(numbers) < len(values):
        return False
    step = numbers[1] - numbers[0] if len(numbers) > 1 else 1
    return step in (1, -1) and all(after - before == step for before, after in zip(numbers, numbers[1:]))


def _leading_text(element: _Element) -> str:
    """The first words of an element's text (enough to see a number typed before them); a script's or
    a style's is none (an item left empty but for its embed's script shows nothing)."""
    for text in cast("list[Any]", element.xpath("descendant::text()")):
        parent = text.getparent()
        if text.strip() and not (text.is_text and parent is not None and isinstance(parent.tag, str) and parent.tag.lower() in SKIPPED_TAGS):
            return str(text)
    return ""


def _walk(element: _Element, skip: Callable[[_Element], bool] | None, buffer: list[str], paragraphs: list[str]) -> None:
    # A loop over a stack, not a call a level: a story whose CMS leaves each paragraph's <div> open
    # nests as deep as it has paragraphs (libxml2 keeps 2,048 levels), past Python's recursion limit.
    # The stack holds the elements to enter, and for each element entered a tuple to leave it by.
    stack: list[_Element | tuple[_Element, str, bool, tuple[str, str] | None]] = [element]
    pop, push, extend = stack.pop, stack.append, stack.extend
    # The numbers of the items of the ordered lists entered (made when a list is entered: an item's
    # number depends on the items before it).
    markers: dict[_Element, _ListMarker] | None = None
    # The table cell being read whose lines are one cell of its row's line (see _data_cell).
    cell: _Element | None = None
    # The elements drawn inside one hidden by visibility (drawn_within), whose tails are its hidden text.
    untailed: set[_Element] | None = None
    while stack:
        item = pop()
        if isinstance(item, tuple):
            # The end of an element entered: a quotation's closing mark, a block's end, then its tail.
            element, tag, is_block, marks = item
            if marks is not None:
                buffer.append(marks[1])
            if element is cell:
                cell = None
            elif is_block and buffer and cell is not None:
                buffer.append(" ")
            elif is_block and buffer:
                if tag == "pre":
                    _flush_lines(buffer, paragraphs)
                else:
                    _flush(buffer, paragraphs)
            tail = element.tail
            if tail and (untailed is None or element not in untailed):
                buffer.append(tail)
            continue
        element = item
        # Each of lxml's .tag, .text and .tail makes a new string: read once each.
        tag = element.tag
        if isinstance(tag, str):
            tag = tag.lower()
            # Left out besides: embedded posts, pictures' captions and what the page never draws.
            if tag == "sup" and (raised := superscript(element)) is not None and not is_unseen(element):
                buffer.append(raised)
            elif tag == "img" and (drawn := emoji_alt(element)) is not None and not is_unseen(element):
                buffer.append(drawn)
            elif (
                tag not in SKIPPED_TAGS
                and (skip is None or not skip(element))
                and not (tag in EMBED_TAGS and _embed_classes(element.get("class")))
                and not (tag == "figcaption" and is_image_caption(element))
                and (unseen := _unseen(element)) is not True
            ):
                is_block = tag in BLOCK_TAGS
                if buffer and (is_block or tag == "br") and not (type(buffer[0]) is _ListMarker and _only_marker(buffer)):
                    if cell is None:
                        _flush(buffer, paragraphs)
                    else:
                        buffer.append(" ")
                if tag == "li" and markers and (marker := markers.pop(element, None)) is not None:
                    buffer.append(marker)
                elif tag == "ol" and len(element):
                    markers = markers or {}
                    markers.update(_list_markers(element))
                elif tag in TABLE_CELLS:
                    if (buffer and not "".join(buffer).isspace()) or _after_empty_cell(element):
                        buffer.append(CELL_SEPARATOR)
                    if cell is None and len(element) and _data_cell(element):
                        cell = element
                if unseen is None:
                    # Hidden by visibility but for the elements in it styled visible again: those alone
                    # are read, each without the hidden text after it; the block still ends a paragraph.
                    shown = drawn_within(element)
                    untailed = untailed or set()
                    untailed.update(shown)
                    push((element, tag, is_block, None))
                    extend(reversed(shown))
                    continue
                text = element.text
                marks = None
                if tag == "q":
                    # A browser draws the quotation marks of an inline quotation itself: the markup has none.
                    marks = INNER_QUOTE_MARKS if next(element.iterancestors("q"), None) is not None else QUOTE_MARKS
                    buffer.append(marks[0])
                if text:
                    buffer.append(text)
                holder = element
                if tag in TABLE_CELLS and len(element) == 1 and _one_paragraph(element[0], text, skip):
                    # A cell whose text sits in a paragraph of its own (<td><p>Tata Motors</p></td>, as
                    # a table pasted into the CMS from a word processor is written): the cell's text,
                    # its row still one line.
                    holder = element[0]
                    if holder.text:
                        buffer.append(holder.text)
                if len(holder):
                    push((element, tag, is_block, marks))
                    extend(reversed(holder))  # the first child on top
                    continue
                # (An element without children, as most are, is left at once: no trip through the stack.)
                if marks is not None:
                    buffer.append(marks[1])
                if element is cell:  # (a cell whose one paragraph was read as its text)
                    cell = None
                elif is_block and buffer and cell is not None:
                    buffer.append(" ")
                elif is_block and buffer:
                    if tag == "pre":
                        _flush_lines(buffer, paragraphs)
                    else:
                        _flush(buffer, paragraphs)
        # (a comment or processing instruction, or a skipped element: only its tail is read)
        tail = element.tail
        if tail and (untailed is None or element not in untailed):
            buffer.append(tail)


# A cell of a table of figures holds a name or a figure, in a few lines at most ("Tata Motors<br>(NSE)",
# "<p>Revenue</p><p>(Rs crore)</p>"): its lines are one cell of its row's line, so that the row's
# figures stay beside its name, as a reader sees them. A cell holding more, a sentence ("Story one."),
# or a table is a layout table's (the Hindi edition's story sits in one): its paragraphs stay paragraphs.
_DATA_CELL_MAX = 200
_SENTENCE_ENDS = frozenset(".!?\u0964")


def _data_cell(cell: _Element) -> bool:
    """Whether a table cell with children is a cell of figures or names, not a layout table's. (Read
    up to a data cell's length at most: a layout table's cells nest as deep as the page.)"""
    length = 0
    for count, inner in enumerate(cell.iter()):
        tag = inner.tag
        if count > _DATA_CELL_MAX or (count and isinstance(tag, str) and tag.lower() == "table"):
            return False
        for text in (inner.text if isinstance(tag, str) and tag.lower() not in SKIPPED_TAGS else None, inner.tail if count else None):
            if text and (text := text.strip()):
                length += len(text)
                if length > _DATA_CELL_MAX or text[-1] in _SENTENCE_ENDS:
                    return False
    return True


def _after_empty_cell(cell: _Element) -> bool:
    """Whether a cell of names or figures comes after an empty cell of its row (a results table's
    blank corner, above the rows' names): its line keeps that cell, "| Q3FY24 | Q3FY23" over
    "Revenue | 1,10,577 | 88,489", each figure under its column's heading."""
    before = cell.getprevious()
    return (
        before is not None and isinstance(before.tag, str) and before.tag.lower() in TABLE_CELLS
        and _blank_cell(before) and _data_cell(cell)
    )


# The most elements an empty cell is looked into for text (a pasted table's "<td><p>&nbsp;</p></td>").
_BLANK_CELL_MAX = 8


def _blank_cell(cell: _Element) -> bool:
    """Whether a table cell shows no text (nothing, blanks, an empty paragraph of its own)."""
    for count, inner in enumerate(cell.iter()):
        if count > _BLANK_CELL_MAX:
            return False
        if isinstance(inner.tag, str) and inner.text and clean_text(inner.text):
            return False
        if count and inner.tail and clean_text(inner.tail):
            return False
    return True


# What holds a table cell's text as a paragraph of its own.
_CELL_PARAGRAPHS = frozenset({"p", "div"})


def _one_paragraph(only: _Element, cell_text: str | None, skip: Callable[[_Element], bool] | None) -> bool:
    """Whether a cell's only child is a paragraph holding all its text (none before or after it), and
    no block of its own (a layout table's cell holding a story's paragraphs is no such cell)."""
    tag = only.tag
    return (
        isinstance(tag, str) and tag.lower() in _CELL_PARAGRAPHS
        and not (cell_text and cell_text.strip()) and not (only.tail and only.tail.strip())
        and (skip is None or not skip(only))
        and not any(isinstance(inner.tag, str) and inner.tag.lower() in BLOCK_TAGS for inner in only.iterdescendants())
    )


# Markup where plain text was expected: some CMSs put the HTML of the story in ``articleBody``.
# (Also inline tags a headline or a name may hold, "<s>", "<sup>", "<font>": HTML's, never a reader's words.)
_TAG_NAMES = (
    r"(?:p|br|div|span|a|b|i|s|u|em|strong|small|sub|sup|mark|ins|del|font|code|q|cite|abbr|time|label|blockquote|h[1-6]|ul|ol|li"
    r"|table|tbody|thead|tr|td|th|caption|dl|dt|dd|pre|hr|section|article|header|footer|nav|aside|main|figure|figcaption|picture|source|img|iframe|video|audio"
    r"|noscript|script|style|form|input|button|html|head|body|title|meta|link|amp-img|amp-ad)"
)
MARKUP = re.compile(rf"</?{_TAG_NAMES}\b[^<>]*>", re.I).search
# A tag as HTML writes it, not as a reader's "a<b holds when b>a" would: its name alone ("<br />",
# "<p>"; not a letter a reader puts in angle brackets, a rating's "<A>", a set's "<s>") or with an
# attribute's value in quotes ('<img src="…">'). (Up to the first "=" only: one scan after each "<".)
_WRITTEN_TAG = re.compile(rf"<(?![abiqsu]\s*/?>){_TAG_NAMES}(?:\s*/?>|\s[^<>=]*=\s*[\"'][^<>]*>)", re.I).search


def escaped_markup(text: str) -> bool:
    """Whether text read from the page holds markup the CMS escaped into it once more: a closing tag,
    or a tag written as HTML writes it (a void one, ``<br />``, has no closing tag, nor has a pasted
    piece cut before its end)."""
    return "<" in text and ((("</" in text) and MARKUP(text) is not None) or _WRITTEN_TAG(text) is not None)


def holds_markup(text: str) -> bool:
    """Whether text where plain text was expected (a JSON string) holds HTML: a tag :data:`MARKUP`
    knows, or a comment or CDATA section a CMS left in it ("<!-- ad slot -->"), which no reader sees."""
    return "<" in text and (MARKUP(text) is not None or "<!--" in text or "<![CDATA[" in text)


def attribute_text(value: str | None) -> str | None:
    """An attribute's text (an ``alt``, a ``data-`` date, a meta tag's content); None when it holds the
    page's markup: a quote left open (``alt='Sensex's rise'``) runs the attribute on over the tags after
    it, none of it text. (Markup the CMS escaped into it, ``&lt;p&gt;``, is its text.)"""
    if value is not None and "<" in value and MARKUP(value):
        return None
    text = clean_text(value)
    if text and "<" in text and MARKUP(text):
        found = fragment(text)
        return clean_text("".join(str(part) for part in found.itertext())) if found is not None else None
    return text


def fragment(markup: str) -> _Element | None:
    """Parse an HTML fragment (such as ``htmlContent``) under one <div>."""
    if not markup or not markup.strip():
        return None
    try:
        # The text is parsed as UTF-8 bytes (lxml would encode it so anyway), and the encoding
        # fails on a lone surrogate, for less than a search of the text for one.
        encoded = markup.encode("utf-8")
    except UnicodeEncodeError:
        # Half a pair, from a JSON "\ud83d" escape: libxml2 stops at it, losing the rest of the story.
        markup = _LONE_SURROGATE.sub("", markup)
        encoded = markup.encode("utf-8")
    parser = _fragment_parser()
    if not _FULL_DOCUMENT(markup):
        # lxml.html.fragments_fromstring's wrapping and parse, keeping the <body> it parses into
        # as the <div>: moving its children into a new element would copy the tree's bookkeeping.
        try:
            document = etree.fromstring(b"<html><body>" + encoded + b"</body></html>", _utf8_fragment_parser())
        except (ParserError, ValueError):
            return None
        bodies = [child for child in document if child.tag == "body"] if document is not None and document.tag == "html" else []
        if len(bodies) == 1:
            root = bodies[0]
            root.tag = "div"
            root.attrib.clear()
            if root.text is not None and not root.text.strip():
                root.text = None
            return root
    try:
        # lxml.html.fragment_fromstring(markup, create_parent="div"), with plain elements: its own
        # element classes are looked up in Python for every element the walk touches.
        elements = lxml_html.fragments_fromstring(markup, no_leading_text=False, parser=parser)
    except (ParserError, ValueError):
        return None
    except (AssertionError, IndexError):
        # A whole document without a <body> ("<html></html>"): lxml.html asserts there is one (and,
        # with assertions off, takes the first of none).
        return None
    root = parser.makeelement("div")
    if elements and isinstance(elements[0], str):
        root.text = elements.pop(0)
    root.extend(elements)
    return root


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# What lxml.html takes for a whole document rather than a fragment.
_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE).match


class _Parsers(threading.local):
    """lxml parsers are not thread-safe; one per thread."""

    fragment: etree.HTMLParser | None = None
    utf8_fragment: etree.HTMLParser | None = None


_parsers = _Parsers()


def _fragment_parser() -> etree.HTMLParser:
    # As the page's parser (crawler/extraction/page.py), with its huge_tree: without it libxml2 stops
    # 256 elements deep, and a story whose CMS leaves each paragraph's <div> open lost every paragraph
    # after its 254th, without a word.
    if _parsers.fragment is None:
        _parsers.fragment = etree.HTMLParser(collect_ids=False, huge_tree=True)
    return _parsers.fragment


def _utf8_fragment_parser() -> etree.HTMLParser:
    # The same for UTF-8 bytes (bytes without a declared encoding would be read as Latin-1).
    if _parsers.utf8_fragment is None:
        _parsers.utf8_fragment = etree.HTMLParser(collect_ids=False, encoding="utf-8", huge_tree=True)
    return _parsers.utf8_fragment


# The note's end ("… from a syndicated feed.)"): a note without it was cut by a line break, its rest
# on the next line.
_DISCLAIMER_END = re.compile(rf"{SYNDICATION}\W*$", re.I).search
# The note run into the story's last line ("… officials said. (Only the headline …)").
_DISCLAIMER_INSIDE = re.compile(rf"\s\(?\s*{_NOTE_START}", re.I).search


# A note cut by line breaks (a CMS's fixed-width lines: "… reworked by the<br>Business Standard
# staff; …<br>auto-generated from a syndicated feed.)"): its rest is the short lines up to its end.
_NOTE_LINES = 4
_NOTE_LINE_LENGTH = 160


def _note_end(lines: list[str], start: int) -> int:
    """Where the note whose first line ends before ``start`` ends: after the line at or after
    ``start`` that ends it, a few short lines on; ``start`` (its first line alone) when none does."""
    for at in range(start, min(start + _NOTE_LINES, len(lines))):
        if len(lines[at]) > _NOTE_LINE_LENGTH:
            break
        if _DISCLAIMER_END(lines[at]):
            return at + 1
    return start


# The page's own date line ("First Published: Feb 28 2024 | 3:42 PM IST", "Last Updated : … | First
# Published : …") where a CMS leaves it inside the story's markup: the page's furniture, which a reader
# copying the story leaves out. Only the site's two labels, a line of them and their dates alone (the
# other wordings, "Published On: 12 Jan 2019", are a quoted press release's too; a sentence, "First
# published in 1925, …", holds no date after its label).
_SITE_DATE_LABELS = (FIRST_PUBLISHED, LAST_UPDATED)
_DATE_LINE_MAX = 120
_LEADING_MARKS = re.compile(r"^\W*")


def is_date_line(paragraph: str) -> bool:
    """Whether a body paragraph is the page's date line (see :data:`_SITE_DATE_LABELS`) and nothing else."""
    if len(paragraph) > _DATE_LINE_MAX or not any(label in paragraph for label in _SITE_DATE_LABELS):
        return False
    rest = _LEADING_MARKS.sub("", paragraph, count=1)
    while rest:
        label = next((label for label in _SITE_DATE_LABELS if rest.startswith(label)), None)
        if label is None:
            return False
        shown = date_after_label(rest, label, _SITE_DATE_LABELS)
        if shown is None or parse_date(shown) is None:
            return False
        after = rest[len(label) :]
        nexts = [at for other in _SITE_DATE_LABELS if (at := after.find(other)) != -1]
        rest = after[min(nexts) :] if nexts else ""
    return True


def split_body(paragraphs: Iterable[str]) -> tuple[list[str], str | None]:
    """Drop promos from body paragraphs and take the syndication disclaimer out of them."""
    lines = paragraphs if isinstance(paragraphs, list) else list(paragraphs)
    body: list[str] = []
    disclaimer: str | None = None
    at = 0
    while at < len(lines):
        paragraph = lines[at]
        at += 1
        if DISCLAIMER.match(paragraph):
            end = at
            if not _DISCLAIMER_END(paragraph):
                end = _note_end(lines, at)
            # (A second copy of the note, the page's beside the story's, goes too: once is enough.)
            if disclaimer is None:
                disclaimer = " ".join(lines[at - 1 : end])
            at = end
        elif not is_promo(paragraph) and not is_date_line(paragraph):
            body.append(paragraph)
    if disclaimer is None and body and SYNDICATION in body[-1] and (inside := _DISCLAIMER_INSIDE(body[-1])):
        disclaimer = body[-1][inside.start() + 1 :]
        body[-1] = body[-1][: inside.start()]
    return body, disclaimer


# A line of a script's code or a style's rules: the site's JSON-LD articleBody is the story with its
# tags stripped, so the code of a script (an ad slot's, a tracker's) and the rules of a <style> in
# the story stay in it as lines of text. Prose has no braces or "=": only lines with one are tested.
_CODE = re.compile(
    r"\bfunction\s*\([^()]*\)\s*\{"  # function () {
    r"|\}\s*\)\s*(?:\(\s*\)\s*)?;"  # }); })();
    r"|^\s*[^\s{}][^{}]*\{\s*[\w-]+\s*:[^{}]*\}"  # selector { property: value }
    r"|^\s*@media\b"
    r"|\b(?:window|document)\.\w+\s*(?:=[^=]|\()"  # window.dataLayer = …, document.createElement(
    r"|\b(?:var|let|const)\s+[\w$]+\s*=[^=]"
    r"|\bgoogletag\.",
)


def is_code(paragraph: str) -> bool:
    """Whether a line of text is a script's code or a style's rules, not the story's prose."""
    return ("{" in paragraph or "}" in paragraph or "=" in paragraph) and _CODE.search(paragraph) is not None


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text (JSON-LD ``articleBody``): one a line, at every line break a reader
    sees (a bare carriage return from an old CMS, the Unicode line and paragraph separators, Word's
    manual line break "\\v"), as the markup's lines are split (blank lines give none)."""
    return [p for p in (clean_text(line) for line in text.splitlines()) if p]
