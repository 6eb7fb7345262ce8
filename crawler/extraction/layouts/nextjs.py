"""The current site (Next.js, 2023 onwards): ``__NEXT_DATA__`` and JSON-LD first, then the DOM.

Classes on this site are CSS modules: ``MainStory_stryhdtp__<hash>`` next to a plain ``stryhdtp``.
The hashed suffix changes on every deploy, so selectors name the plain twin or match a part of the
module name (``[class*=dtlauthinfo]``), never the hash.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, cast

from .selectors import CSSSelector, XPath
from lxml.etree import _Element

from ..article import MARKET_INDICES, Image, Link, MarketQuote
from ..errors import NotAnArticle
from ..lazy import cached_property
from ..normalize import article_id, clean_text, parse_change, parse_changes, parse_date, parse_number, read_time_minutes, split_list, trend, unsigned
from ..page import Page, dig, ld_types
from ..text import MIN_READ, PREMIUM_LABEL, fragment, split_body, attribute_text
from .amp import figure_caption
from .story import BYLINE_PART, CARD_HEADING_TAGS, IN_FURNITURE, LABEL_PART, LIVE_BUTTON_PART, PAYWALL_BOX_TESTS, STOPS_SHORT, UPDATE_BLOCK_PART, CmsStory, beside_a_story_link, class_test, headed_by_another_story, in_live_blog_item, related_block_in, without_card_labels
from .base import CITY_PUNCTUATION, DOM, JSON_LD, META, NEXT_DATA, ArticlePage, BodySources, agency_names, is_pr_wire, is_sponsored_label, first_text_of, inline_text, squeezed_text, article_container, author_links, author_names, byline_names, names_and_place, has_place_bar, date_value, element_text, first, glued, joined_text, place_after_a_name, markup_text_of, names_of, picture_showing, select, shown_text_of, story_markup, text_content, text_of, without_read_time

# A slash with blanks either side, which parts two names ("A / B"); one inside a word ("Reuters/Ipsos") does not.
_SPACED_SLASH = re.compile(r"\s+/\s+")
# A ticker and the items in it; the Splash script waits for the same selectors (crawler/splash/).
TICKER_CSS = ".mktticker"
ITEM_IN_TICKER_CSS = ".tickeritem"
TICKER_ITEM_CSS = f"{TICKER_CSS} {ITEM_IN_TICKER_CSS}"
# What is not part of an index's name as a ticker writes it ("Nifty Bank ▲"), nor the spaces between its
# words ("NIFTY50", "Nifty Small Cap"), nor the Devanagari nukta ("निफ़्टी", with "फ़" composed or not,
# beside "निफ्टी"). Indic vowel signs and viramas are no word characters to the regular expression, and
# no noise either.
TICKER_NAME_NOISE = re.compile(r"[^\w&\u0900-\u0dff]+|\u093c")


def ticker_name_key(written: str) -> str:
    """An index's name as written, reduced to its letters and digits in lower case ("NIFTY BANK" → "niftybank")."""
    return TICKER_NAME_NOISE.sub("", unicodedata.normalize("NFD", written)).casefold()


# The names of the five indices, and the other names of the same indices, in English and as the Hindi
# edition writes them; a name of another series ("Nifty Smallcap 250", "Nifty Next 50") is none of them.
# With the number of its shares ("BSE SENSEX 30") or of its series, as the exchange names the smallcap
# and midcap indices ("NIFTY SMALLCAP 100", "NIFTY MIDCAP 100"), an index is the same index: its
# figures were null, the ticker filled.
_TICKER_NAMES_WRITTEN = {
    **{name: name for name in MARKET_INDICES},
    "S&P BSE Sensex": "Sensex",
    "BSE Sensex": "Sensex",
    "Sensex 30": "Sensex",
    "BSE Sensex 30": "Sensex",
    "S&P BSE Sensex 30": "Sensex",
    "Nifty 50": "Nifty",
    "Nifty Smallcap 100": "Nifty Smallcap",
    "Nifty Midcap 100": "Nifty Midcap",
    "Bank Nifty": "Nifty Bank",
    "सेंसेक्स": "Sensex",
    "सेन्सेक्स": "Sensex",
    "सेंसेक्स 30": "Sensex",
    "बीएसई सेंसेक्स": "Sensex",
    "बीएसई सेन्सेक्स": "Sensex",
    "बीएसई सेंसेक्स 30": "Sensex",
    "निफ्टी": "Nifty",
    "निफ्टी 50": "Nifty",
    "निफ्टी स्मॉलकैप": "Nifty Smallcap",
    "निफ्टी स्मालकैप": "Nifty Smallcap",
    "निफ्टी स्मॉलकैप 100": "Nifty Smallcap",
    "निफ्टी मिडकैप": "Nifty Midcap",
    "निफ्टी मिडकैप 100": "Nifty Midcap",
    "निफ्टी बैंक": "Nifty Bank",
    "बैंक निफ्टी": "Nifty Bank",
}
# The Hindi edition may write a name's number in Devanagari digits ("निफ्टी 50" as "निफ्टी ५०").
_DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
TICKER_NAMES = {
    ticker_name_key(spelt): name
    for written, name in _TICKER_NAMES_WRITTEN.items()
    for spelt in (written, written.translate(_DEVANAGARI_DIGITS))
}


def author_records(value: Any) -> list[Any]:
    """The article JSON's ``authorDetails`` records: a list of them, or what the PHP back end writes
    for a list with gaps (an object of them by index) or for one record alone; nothing else."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value] if "author_name" in value else list(value.values())
    return []


class NextJsV1(CmsStory, ArticlePage):
    """business-standard.com since the 2023 redesign."""

    layout = "nextjs-2023"

    @classmethod
    def matches(cls, page: Page) -> bool:
        # __NEXT_DATA__ closes the page: one cut short in transit is known by its headline. The
        # headline's element is looked for before the class in the text (as written there, as ever:
        # not spelt with character references): on a 200 kB page of another layout the text search
        # costs twice the walk, which finds no such <h1> and ends it.
        return page.has_next_data or (bool(page.find(cls.HEADLINE)) and page.mentions(cls.HEADLINE_CLASS))

    @cached_property
    def data(self) -> dict[str, Any]:
        """``props.pageProps.data`` of ``__NEXT_DATA__``: the article JSON."""
        return self.page.next_article

    # --- where the article is -----------------------------------------------------------------

    HEADLINE_CLASS = "stryhdtp"
    HEADLINE = CSSSelector(f"h1.{HEADLINE_CLASS}")
    # Both regions' markup: bare text divs under #parent_top_div (India), p's under .storycontent (Europe).
    # The evidence names the container by its id and class alone: a <section> or <article> is it too.
    # ("/descendant::…[1]", not "(//…)[1]": libxml2 stops at the first match instead of collecting all.)
    BODY_CONTAINER = XPath(f'/descendant::*[@id="parent_top_div" or {class_test("storycontent")}][1]')
    # The same from the headline on: the story follows it (libxml2 stops at the first match).
    BODY_AFTER_HEADLINE = XPath(f'following::*[@id="parent_top_div" or {class_test("storycontent")}][1]')

    @cached_property
    def headline_element(self) -> _Element | None:
        return self.page.find_first(self.HEADLINE)

    @cached_property
    def body_container(self) -> _Element | None:
        found = first(self.BODY_AFTER_HEADLINE, self.headline_element)
        return found if found is not None else self.page.find_first(self.BODY_CONTAINER)

    def story_container(self) -> _Element | None:
        return self.body_container

    @cached_property
    def scope(self) -> _Element:
        """The article: the lowest element holding both the headline and the story."""
        if self.headline_element is not None and self.body_container is not None:
            return article_container(self.headline_element, self.body_container)
        return self.page.root

    @cached_property
    def related_scope(self) -> _Element:
        """The related stories ("Also Read", "More From This Section") follow the story in the article."""
        return self.scope

    @cached_property
    def header(self) -> _Element | None:
        """The block around the headline, where the story's own labels sit."""
        if self.headline_element is None:
            return None
        header = self.headline_element.getparent()
        # Past wrappers that hold the headline alone (a div around the h1), but never up to the
        # article itself: that holds the related stories' cards too.
        while (
            header is not None and len(header) == 1 and not (header.text or "").strip()
            and (above := header.getparent()) is not None and above is not self.scope
        ):
            header = above
        return header

    def check(self) -> None:
        super().check()
        main_types = ld_types(self.ld)
        # (An article's own JSON-LD answers first: the page's other objects are then not looked through.)
        if not main_types and (media := self.page.ld_media()) is not None and not self.is_narration(media[1]):
            raise NotAnArticle(media[0], f"a {media[0]} page (a video, podcast or gallery), not an article")
        if not (self.data.get("htmlContent") or self.body_container is not None or main_types):
            if self.headline_element is not None or text_of(self.data.get("heading1")):
                # A story's page (its headline shown, or in its article JSON) whose story is in none of
                # the places the rules know: a redesign, which must count as one, not as a listing.
                raise NotAnArticle("unknown-layout", "a Next.js story's page whose story is in no known container")
            raise NotAnArticle("listing", "a Next.js page without an article (listing, topic or home page)")
        if not self._body[0] and self.isPremium():
            raise NotAnArticle("paywall-stub", "a premium page whose body is not in the page")
        if self.teaser_only and self.isPremium():
            raise NotAnArticle(
                "paywall-stub", f"a premium page showing its free part alone ({len(self._body[0])} paragraphs): its whole story is in no data of the page"
            )

    @cached_property
    def teaser_only(self) -> bool:
        """Whether the body is a premium story's free part and no more: the page walls the story (a
        paywall box in the article; the story's ``.paywall-content`` empty, or its last line stopping
        short), and no source (``htmlContent``, JSON-LD's ``articleBody``) holds more than it shows.
        Written, those paragraphs would pass for the whole story."""
        if self.scope is self.page.root or not self.paywall_boxes or "truncated-dom" in self.provenance.flags:
            return False
        body = self._body[0]
        shown = split_body(self.dom_body())[0] if body else []
        if not shown or len(squeezed_text(" ".join(body))) > len(squeezed_text(" ".join(shown))):
            return False
        # Story text in the hidden .paywall-content is more than the free part: the page holds it whole.
        if self.story_behind_paywall:
            return False
        container = self.body_container
        emptied = container is not None and bool(select(self.PAYWALL_PART, container))
        # A line stopping short tells of a cut only in what the page shows: a line of htmlContent or
        # JSON-LD without a full stop is the CMS's own (a columnist's bio, "With inputs from PTI").
        return emptied or (self.provenance.sources.get("articleBody") == DOM and STOPS_SHORT.search(body[-1]) is not None)

    def is_narration(self, media: dict[str, Any]) -> bool:
        """Whether a JSON-LD recording is the story read aloud ("Listen to This Article": the article
        JSON's ``contentMp3``), which a story's page may describe, not a podcast's episode."""
        narration = self.link(text_of(self.data.get("contentMp3")))
        return narration is not None and any(self.link(first_text_of(media.get(key))) == narration for key in ("contentUrl", "url"))

    # --- fields --------------------------------------------------------------------------------

    def headline(self) -> str | None:
        return self.pick(
            "headline",
            # The CMS's rich-text fields may hold inline markup ("<em>", "<p>"): their text is the headline.
            # (pageTitle is the SEO title, which may end in the site's name.)
            (NEXT_DATA, lambda: self.without_site_name(markup_text_of(self.data.get("heading1")) or markup_text_of(self.data.get("pageTitle")))),
            (JSON_LD, self.ld_headline),
            (DOM, self.dom_headline),
            fallbacks=((META, self.meta_title),),
        )

    def shown_headline(self) -> str | None:
        return self.dom_headline()

    def dom_headline(self) -> str | None:
        """The page's h1, without a label of the story inside it."""
        h1 = self.headline_element
        if h1 is None or not len(h1):
            return element_text(h1)
        if not any(m is not h1 and any(a is h1 for a in m.iterancestors()) for m in self.header_markers):
            return element_text(h1)
        return self.text_without_labels(h1)

    STANDFIRST = CSSSelector("h2.strydsc")

    def description(self) -> str | None:
        # subHeading is the standfirst; JSON-LD description is often the meta description.
        return self.pick(
            "description",
            (NEXT_DATA, lambda: markup_text_of(self.data.get("subHeading"))),
            fallbacks=(
                (DOM, lambda: element_text(first(self.STANDFIRST, self.scope))),
                (JSON_LD, lambda: markup_text_of(self.ld.get("description"))),
                (NEXT_DATA, lambda: text_of(self.data.get("metaDescription"))),
                (META, lambda: self.page.meta("og:description", "description")),
            ),
        )

    BREADCRUMB_LINKS = CSSSelector(".breadcrum a")

    def dom_breadcrumbs(self) -> list[Link]:
        # (The article's own link at its end is no step: see ld_breadcrumbs.)
        return [
            Link(name=name, url=url)
            for a in select(self.BREADCRUMB_LINKS, self.page.root)
            if (name := element_text(a)) and not ((url := self.link(a.get("href"))) and self.is_this_page(url))
        ]

    def section(self) -> str | None:
        trail = self._trail
        return self.pick(
            "section",
            (NEXT_DATA, lambda: text_of(dig(self.data, "defaultArticleCat", "h1_tag"))),
            (JSON_LD, self.ld_section),
            (DOM, lambda: trail[-1].name if len(trail) > 1 else None),
        )

    # The byline: a span (or div) of the module "dtlauthinfo"; names in links or inner spans, the
    # dateline city in an unclassed inner span with a style, or (older markup) span.dateline.
    BYLINE = CSSSelector(f"[class*={BYLINE_PART}]")
    BYLINE_LINKS = XPath("descendant::a[@href]")
    BYLINE_NAME_SPANS = XPath(f"descendant::span[not({class_test('dateline')})][not(descendant::span)]")
    BYLINE_CITY = XPath(f"(descendant::span[{class_test('dateline')}] | descendant::span[@style][not(@class)])[last()]")

    @cached_property
    def byline(self) -> _Element | None:
        return first(self.BYLINE, self.scope)

    @cached_property
    def byline_links(self) -> dict[str, str]:
        """Author name (lower case) → author page, from the byline's links."""
        found: dict[str, str] = {}
        if self.byline is not None:
            for anchor in self.byline_author_links:
                name, url = element_text(anchor), self.link(anchor.get("href"))
                if name and url:
                    found[name.lower()] = url
        return found

    @cached_property
    def byline_author_links(self) -> list[_Element]:
        """The byline's links that may name its authors: not the story's section or another page of
        the site that is no author's."""
        return [a for a in select(self.BYLINE_LINKS, self.byline) if not self.links_no_author(a)] if self.byline is not None else []

    @cached_property
    def byline_other_links(self) -> set[str]:
        """The texts of the byline's links to pages of the site that are no author's (its section),
        without a bar the link may hold before it ("PTI <a>| India News</a>")."""
        if self.byline is None:
            return set()
        return {t.strip(CITY_PUNCTUATION) for a in select(self.BYLINE_LINKS, self.byline) if self.links_no_author(a) and (t := element_text(a))}

    BYLINE_OWN_TEXT = XPath("text()", smart_strings=False)

    @cached_property
    def byline_parts(self) -> tuple[list[str], str | None]:
        """The byline's names and city as the page shows them: "AP Miami" in spans, "Reuters / New
        Delhi" in one, names in links or bare text."""
        byline = self.byline
        if byline is None:
            return [], None
        city_element = first(self.BYLINE_CITY, byline)
        if city_element is None and (spaced := self.spaced_city(byline)) is not None:
            known = text_of(self.data.get("placeName"))
            city_element = spaced if known is None or known.casefold() == (element_text(spaced) or "").casefold() else None
        city = element_text(city_element)
        texts = [element_text(a) for a in author_links(byline, self.byline_author_links)]
        # An author's page link names one person, whatever its words ("AP Singh", "Reuters Aditi Shah").
        linked = {text.casefold() for text in texts if text}
        if not any(texts):
            texts = [
                element_text(span)
                for span in select(self.BYLINE_NAME_SPANS, byline)
                if span is not city_element and not any(self.links_no_author(a) for a in span.iter("a"))
            ]
        if not any(texts):
            texts = [clean_text(" ".join(cast("list[str]", self.BYLINE_OWN_TEXT(byline))))]
        # A byline that draws no city of its own may end in it after a bar ("Press Trust of India |
        # New Delhi", as the site wrote bylines before 2023): a place, not another author.
        barred_place = names_and_place(element_text(byline) or "")[1] if city is None and "|" in text_content(byline) else None
        if barred_place and (known := text_of(self.data.get("placeName"))) and known.casefold() != barred_place.casefold():
            barred_place = None  # not the story's city: a person's name ("A | B")
        if barred_place and barred_place.casefold() in self.structured_author_keys():
            barred_place = None  # one of the authors the article JSON or JSON-LD names
        if barred_place and barred_place in self.byline_other_links:
            barred_place = None  # the story's section, linked ("PTI | <a>India News</a>")
        if barred_place and len(texts) > 1 and barred_place in texts and not place_after_a_name(texts[0] or "", barred_place):
            barred_place = None  # a name of its own element, as the one before the bar: a second author
        names: list[str] = []
        for text in texts:
            if not text or (len(texts) > 1 and text == barred_place):  # (the city's own element)
                continue
            if " / " in text or (barred_place and "|" in text):  # "Agency / City", "Agency | City"
                rest, place = names_and_place(text)
                # (After a slash, only a place told by its words: "Shine Jacob / Sohini Das" is two.)
                if barred_place or place is None or place_after_a_name(rest, place) or place.casefold() == (self.known_place() or "").casefold():
                    text, city = rest, city or place
            names.extend(byline_names(text))
        city = city or barred_place
        if not city and (bare := self.bare_place(byline, self.byline_other_links)) is not None and not any(
            name.endswith(" " + bare[1].casefold()) for name in linked
        ):
            # One text, or its city outside the names' spans: "AP Miami", "<span>AP</span> Miami".
            names, city = byline_names(bare[0]), bare[1]
        names, city = agency_names(names, city, self.known_place(), self.structured_author_keys() | linked)
        return list(dict.fromkeys(names)), (city.strip(CITY_PUNCTUATION) or None) if city else None

    def known_place(self) -> str | None:
        return text_of(self.data.get("placeName")) or self.drawn_city

    @cached_property
    def drawn_city(self) -> str | None:
        """The city the byline draws in an element of its own (its styled or dateline span): the
        story's dateline written apart from the names, so the article JSON's "Shreya Jai (PTI)" is the
        agency and a reporter, not the agency and a city."""
        city = element_text(first(self.BYLINE_CITY, self.byline)) if self.byline is not None else None
        return (city.strip(CITY_PUNCTUATION) or None) if city else None

    def dom_authors(self) -> list[Link]:
        return [Link(name=n, url=self.byline_links.get(n.lower())) for n in self.byline_parts[0]]

    def json_authors(self) -> list[Link]:
        """Authors of the article JSON: authorDetails, authorName, the mapped authors, then the agency."""
        names = (
            self.record_author_names
            # One string, written as a byline is ("A and B", "A & B", "By A, B", "A | B"); an agency's
            # city or reporter run into its name ("New Delhi (PTI)", "PTI Singh") told apart.
            or self.agency_names(byline_names(self.without_dateline(text_of(self.data.get("authorName")) or "")))
            or self.mapped_author_names
            # (Agencies listed with commas, or parted by a spaced slash as in a byline: "Reuters / Bloomberg"; a
            # bar the dateline left holds the agency's reporter after it: "PTI | Singh".)
            or self.agency_names([
                name
                for part in split_list(_SPACED_SLASH.sub(",", self.without_dateline(text_of(self.data.get("sourceTitle")) or "")))
                for name in (byline_names(part) if "|" in part else [part])
            ])
        )
        return [Link(name=n) for n in dict.fromkeys(names)]

    def agency_names(self, names: list[str]) -> list[str]:
        """``names`` without the city an agency's name ran into (see :func:`agency_names`)."""
        return agency_names(names, None, self.known_place(), self.structured_author_keys())[0]

    @cached_property
    def record_author_names(self) -> list[str]:
        """The names of the article JSON's author records (authorDetails). A record is one person's,
        unless the CMS was given several in one ("A & B", "By A, B"): read as JSON-LD's Person is."""
        records = (text_of(dig(d, "author_name")) for d in author_records(self.data.get("authorDetails")))
        return [part for n in records if n for part in author_names(n, person=True)]

    @cached_property
    def mapped_author_names(self) -> list[str]:
        """The names of the article JSON's mapped authors (articleMappedMultipleAuthors), read as its
        author records are."""
        mapped = self.data.get("articleMappedMultipleAuthors")
        # ({id: name}; a PHP back end writes the names as a list when their keys run from 0.)
        values = mapped.values() if isinstance(mapped, dict) else mapped if isinstance(mapped, list) else ()
        return [part for n in (text_of(v) for v in values) if n for part in author_names(n, person=True)]

    def data_story_url(self) -> str | None:
        return text_of(self.data.get("articleUrl"))

    def structured_author_keys(self) -> set[str]:
        # (The author records and mapped authors; authorName is read against the dateline itself.)
        return super().structured_author_keys() | {name.casefold() for name in (*self.record_author_names, *self.mapped_author_names)}

    def without_dateline(self, byline: str) -> str:
        """A byline written as one string without the story's dateline city after its last bar
        ("Shine Jacob | Chennai"): that is no author, where a name after a bar is one."""
        rest, place = names_and_place(byline)
        if place is None or not has_place_bar(byline):
            return byline
        if place_after_a_name(rest, place):
            return rest  # an agency's city, or a listed one ("Reuters / New Delhi", "PTI | पटना")
        dateline = self.dateline()
        # (The dateline may name one of two cities the byline gives: "| New Delhi/Mumbai".)
        return rest if dateline and dateline.casefold() in (place.casefold(), *(p.strip() for p in place.casefold().split("/"))) else byline

    def authors(self) -> list[Link]:
        from_ld = self.ld_authors()
        authors = self.pick("authors", (NEXT_DATA, self.json_authors), (JSON_LD, lambda: from_ld), fallbacks=((DOM, self.dom_authors),)) or []
        # An author page from whichever source has one (JSON-LD's url, else the byline's link).
        pages = {a.name.lower(): a.url for a in from_ld if a.url}
        if any(a.url is None and a.name.lower() not in pages for a in authors):
            pages = {**self.byline_links, **pages}
        return [a if a.url else Link(name=a.name, url=pages.get(a.name.lower())) for a in authors]

    def dateline(self) -> str | None:
        return self.pick(
            "dateline",
            (NEXT_DATA, lambda: text_of(self.data.get("placeName"))),
            fallbacks=((DOM, lambda: self.byline_parts[1]),),
        )

    def datePublished(self) -> str | None:
        return self.dated(
            "datePublished",
            (JSON_LD, self.ld_date("datePublished")),
            (NEXT_DATA, date_value(self.data.get("publishDate"))),
            (META, self.page.meta("article:published_time")),
            shown=self.datePublishedRaw,
        )

    # (".meta-info" as XPath, the first alone: libxml2 stops there.)
    META_INFO = XPath(f"descendant-or-self::*[{class_test('meta-info')}][1]")

    @cached_property
    def meta_info(self) -> _Element | None:
        # By the byline, in the headline's block; the article around it when the block is smaller.
        found = first(self.META_INFO, self.header)
        return found if found is not None else first(self.META_INFO, self.scope)

    def dateModified(self) -> str | None:
        return self.dated(
            "dateModified",
            (JSON_LD, self.ld_date("dateModified")),
            (NEXT_DATA, date_value(self.data.get("modificationDate"))),
            (META, self.page.meta("article:modified_time", "last-modified")),
            shown=self.dateModifiedRaw,
        )

    def dateModifiedRaw(self) -> str | None:
        # The "Last Updated" line a reader sees; the meta-info's data-expandedtime where the line
        # holds no date. (Where the two differ, the line is the page's word.)
        shown = super().dateModifiedRaw()
        expanded = attribute_text(self.meta_info.get("data-expandedtime")) if self.meta_info is not None else None
        if shown == expanded:  # (as most pages have them: nothing to weigh)
            return shown
        day = self.date(shown) if shown else None
        if day:
            # A line giving the day alone ("Last Updated : Feb 28 2024") gives way to the attribute's
            # time of that day: the day's midnight is no update time.
            timed_day = self.date(expanded) if expanded and ":" in expanded and ":" not in (shown or "") else None
            return expanded if timed_day and timed_day[:10] == day[:10] else shown
        return expanded or shown

    def readTimeMinutes(self) -> int | None:
        found = read_time_minutes(element_text(self.meta_info))
        if found is not None:
            return found
        # The story's read time is by its headline: the related cards after the story show theirs,
        # and a story that shows none of its own has none.
        header = self.header
        if header is None or header is self.scope:
            return super().readTimeMinutes()
        text = text_content(header)
        return read_time_minutes(text) if MIN_READ in text else None

    # The caption is the line under the hero image; its alt text is another thing.
    CAPTION = CSSSelector("[class*=captiontext]")
    HERO_IMAGE = XPath("descendant::img")

    def mainImage(self) -> Image | None:
        featured = self.data.get("featuredImageObj")
        ld_image = self.ld_image()
        # Pictures, not their URLs, are compared: sources name one file in other forms (a resizing
        # query, another scheme, a protocol-relative URL).
        picked = self.pick(
            "mainImage",
            (NEXT_DATA, lambda: self.image_at(text_of(dig(featured, "url")))),
            (JSON_LD, lambda: ld_image),
            fallbacks=((META, self.meta_image),),
        )
        if picked is None:
            return None
        url = picked.url
        header = self.header if self.header is not None else self.scope
        caption = self.pick(
            "mainImage.caption",
            (DOM, lambda: self.dom_caption(header, url)),
            (NEXT_DATA, lambda: markup_text_of(dig(featured, "caption"))),
            fallbacks=((JSON_LD, lambda: ld_image.caption if ld_image else None),),
        )
        # The page's <img> is looked for only when the article JSON has no alt text.
        alt = text_of(dig(featured, "alt_text")) or self.hero_alt(header, url)
        return Image(url=url, alt=alt, caption=caption)

    def dom_caption(self, header: _Element, url: str) -> str | None:
        """The line under the hero image: a caption of the headline's block, else of the hero's own
        block (the picture's block may be drawn outside the headline's), else the ``<figcaption>``
        of the hero's ``<figure>``."""
        found = first(self.CAPTION, header)
        if found is not None:  # (the hero itself is looked for only without one)
            return element_text(found)
        hero = self.hero_image(header, url)
        if header is not self.scope and hero is not None:
            found = self.picture_caption(hero)
        return element_text(found) if found is not None else figure_caption(hero)

    def picture_caption(self, picture: _Element) -> _Element | None:
        """The caption line of ``picture``'s own block (its parent, or the one above: an <img> in a
        <picture>), outside the story: a caption elsewhere before the story is another picture's
        or a card's."""
        body = self.body_container
        parent = picture.getparent()
        for block in (parent, parent.getparent() if parent is not None else None):
            if block is None or block is self.scope or block is body:
                return None
            for caption in select(self.CAPTION, block):
                if self.is_caption_of(caption, picture) and not self.in_a_card(caption):
                    return caption
        return None

    def is_caption_of(self, caption: _Element, picture: _Element) -> bool:
        """Whether ``caption`` is the line under ``picture``: the nearest block around it that holds a
        picture holds this one (a card's or another picture's block holds its own)."""
        for block in caption.iterancestors():
            images = select(self.HERO_IMAGE, block)
            if images:
                return any(image is picture for image in images)
        return False

    def hero_image(self, header: _Element, url: str) -> _Element | None:
        """The ``<img>`` of ``url`` in the headline's block, else in the article before its story (also
        through Next.js's image proxy or resized)."""
        hero = picture_showing(select(self.HERO_IMAGE, header), url)
        if hero is None and header is not self.scope:
            hero = picture_showing(self.before_story(select(self.HERO_IMAGE, self.scope)), url)
        return hero

    def hero_alt(self, header: _Element, url: str) -> str | None:
        """The alt text of the hero image."""
        hero = self.hero_image(header, url)
        return attribute_text(hero.get("alt")) if hero is not None else None

    def before_story(self, found: list[_Element]) -> list[_Element]:
        """Of elements of the article, those before its story (none inside it)."""
        body = self.body_container
        if body is None or not found:
            return found
        wanted = set(found)
        before = []
        for element in self.scope.iter():
            if element is body:
                break
            if element in wanted:
                before.append(element)
        return before

    # --- body ----------------------------------------------------------------------------------

    @cached_property
    def html_content(self) -> tuple[_Element | None, str]:
        """``htmlContent`` parsed, and its markup ("" when there is none)."""
        markup = self.data.get("htmlContent")
        if not isinstance(markup, str):
            return None, ""
        markup = story_markup(markup)
        return fragment(markup), markup

    def story_roots(self) -> list[_Element]:
        # The story as the CMS wrote it (htmlContent) and as the page draws it: either may be missing.
        return [root for root in (self.html_content[0], self.story_container()) if root is not None] or [self.scope]

    def html_content_body(self) -> list[str]:
        # A related list drawn in the story's markup is no story line, as in the page's container.
        root, markup = self.html_content
        return self.paragraphs_of(root, markup, self.related_lists(root))

    @cached_property
    def shown_text(self) -> str:
        # htmlContent is the story as the page shows it, also where the DOM is cut or absent.
        root = self.html_content[0]
        return super().shown_text + (" " + shown_text_of(root) if root is not None else "")

    def dom_body(self) -> list[str]:
        # A live blog's updates follow its introduction as updates (body_sources): where the page
        # puts their blocks inside the story's container, they are not the introduction too (nor,
        # in any story, another blog's widget). A paywall box drawn in the container (in its
        # .paywall-content) is the offer, never the story.
        updates = self.update_blocks if self.isLiveBlog() else self.other_blogs_widgets
        return self.paragraphs_of(self.body_container, self.page.text, [*updates, *self.paywall_boxes, *self.related_in_story])

    @cached_property
    def related_in_story(self) -> list[_Element]:
        """The related stories' list where the page draws it inside the story's container."""
        return self.related_lists(self.body_container)

    def related_lists(self, root: _Element | None) -> list[_Element]:
        return related_block_in(root, self.links_after, lambda a: article_id(self.link(a.get("href"))) is not None)


    def live_updates(self) -> list[str]:
        """Live-blog updates: JSON-LD ``liveBlogUpdate``, then the page's update blocks it lacks (it may
        list only the latest); without it, the page's blocks (written in the CMS as a story is: its ad
        slots, promos and inline captions are no update)."""
        structured = self.ld_live_updates()
        if not self.update_blocks:
            return structured
        parts = self.noise_parts(self.page.text)
        blocks = [self.paragraphs_of(element, "", parts=parts) for element in self.update_blocks]
        if not structured:
            return [p for block in blocks for p in block]
        # A block JSON-LD has is that update: its text (its longest line, not its time) among
        # JSON-LD's lines, or another of its lines (JSON-LD's may be the headline alone) that no
        # block matched by its text holds: a blog repeats a heading through the day.
        known = set(structured)
        by_text = [self.block_text(block) in known for block in blocks]
        claimed = {p for block, matched in zip(blocks, by_text) if matched for p in block}
        return structured + [
            p for block, matched in zip(blocks, by_text) if not matched and not (known.intersection(block) - claimed) for p in block
        ]

    @staticmethod
    def block_text(block: list[str]) -> str | None:
        """The text of an update block's lines: the longest that is no date (its time)."""
        return max((p for p in block if parse_date(p) is None), key=len, default=None)


    @cached_property
    def update_blocks(self) -> list[_Element]:
        """The page's live-update blocks (outermost), not those of a related story's card: in the
        article, else, on a page its own LIVE button or JSON-LD calls a live blog, after its headline
        (the blog's component may be drawn beside the story's, outside the element holding both), outside
        the page's furniture (a rail's or footer's widget of another blog)."""
        found = self.outermost_updates(self.markers)
        if found or self.scope is self.page.root or self.headline_element is None:
            return found
        # (Whether the page calls itself a live blog is known by now: asked first, it spares most
        # pages the look for the blocks' class in the page's whole text.)
        if not (self.page.ld_live_blog is not None or any(LIVE_BUTTON_PART in (m.get("class") or "") for m in self.lead_markers)):
            return []
        if UPDATE_BLOCK_PART not in self.page.text:
            return []
        after = select(self.UPDATES_AFTER, self.headline_element)
        return self.outermost_updates(after)

    UPDATES_AFTER = XPath(f"following::*[contains(@class, '{UPDATE_BLOCK_PART}')][not({IN_FURNITURE})]")
    UPDATES_IN = XPath(f"descendant::*[contains(@class, '{UPDATE_BLOCK_PART}')]")

    def outermost_updates(self, candidates: list[_Element]) -> list[_Element]:
        # (A block inside another goes before the card test, an XPath call per block.)
        return [
            m for m in candidates
            if UPDATE_BLOCK_PART in (m.get("class") or "")
            and not any(UPDATE_BLOCK_PART in (a.get("class") or "") for a in m.iterancestors())
            and not self.in_a_card(m, list_items=False)
        ]

    def body_sources(self) -> BodySources:
        # A live blog's updates follow its introduction, from whichever source has that: those the
        # story shows already as its own paragraphs (a story that holds its updates) once.
        live = self.live_updates() if self.isLiveBlog() else []

        def with_live(intro: list[str]) -> list[str]:
            if not live:
                return intro
            shown = set(intro)
            return intro + [p for p in live if p not in shown]

        return (
            (NEXT_DATA, lambda: with_live(intro) if (intro := self.html_content_body()) else []),
            (DOM, lambda: with_live(intro) if (intro := self.dom_body()) or live else []),
            (JSON_LD, lambda: with_live(intro) if (intro := self.ld_body()) else []),
        )

    # --- after the body ------------------------------------------------------------------------

    TOPIC_LINKS = CSSSelector(".topiclisting a")

    def topics(self) -> list[str]:
        return self.pick(
            "topics",
            (NEXT_DATA, lambda: names_of(self.data.get("articleTags"))),
            (JSON_LD, self.ld_topics),
            fallbacks=((DOM, lambda: [t for a in select(self.TOPIC_LINKS, self.page.root) if (t := element_text(a))]),),
        ) or []

    # Premium: the story's own label near the headline, or a paywall box in the article (the box
    # changed in June 2025); JSON-LD isAccessibleForFree counts only with the DOM cut short.
    # Live blog: the LiveButton by the headline, or the updates' blocks in the article.
    # One walk finds every marker; they are told apart below.
    # Each test with the class name it needs: a page gets the expression of the markers its
    # article's classes name.
    MARKER_TESTS: tuple[tuple[str, str], ...] = (
        (LABEL_PART, f"contains(@class, '{LABEL_PART}')"),
        (LIVE_BUTTON_PART, f"contains(@class, '{LIVE_BUTTON_PART}')"),
        (UPDATE_BLOCK_PART, f"contains(@class, '{UPDATE_BLOCK_PART}')"),
        *PAYWALL_BOX_TESTS,
    )
    MARKER_PARTS = tuple(part for part, _ in MARKER_TESTS)
    CARD_ANCESTORS = XPath("ancestor::li | ancestor::a[@href]")

    def in_a_card(self, marker: _Element, *, list_items: bool = True) -> bool:
        """Whether a marker belongs to another story's card (in a link to an article, or in a list
        item), not to this one (a label that links to the premium offer is this story's). Live
        updates may be list items themselves: ``list_items=False`` leaves those alone."""
        return any(
            (a.tag == "li" and list_items) or (a.tag == "a" and article_id(self.link(a.get("href"))) is not None)
            for a in select(self.CARD_ANCESTORS, marker)
        )

    @staticmethod
    @lru_cache(maxsize=64)
    def markers_xpath(parts: tuple[str, ...]) -> XPath:
        """The markers expression for markup that holds ``parts`` (and none of the other parts)."""
        return XPath(f"descendant::*[@class][{' or '.join(test for part, test in NextJsV1.MARKER_TESTS if part in parts)}]")

    SCOPE_CLASSES = XPath("descendant::*/@class", smart_strings=False)

    @cached_property
    def markers(self) -> list[_Element]:
        # The tests of the markers some class in the article names: most name none or one or two.
        classes = " ".join(cast("list[str]", self.SCOPE_CLASSES(self.scope)))
        parts = tuple(part for part in self.MARKER_PARTS if part in classes)
        return select(self.markers_xpath(parts), self.scope) if parts else []

    @cached_property
    def header_markers(self) -> list[_Element]:
        header = self.header
        if header is None or not self.markers:
            return []
        # Up from each of the few markers, rather than a set of every element of the header.
        return [m for m in self.markers if m is header or any(a is header for a in m.iterancestors())]

    @cached_property
    def lead_markers(self) -> list[_Element]:
        """The markers by the headline: in its block, or elsewhere in the article before the story
        (a label or a LIVE button drawn above the headline's block), never a card's."""
        if self.body_container is None or self.scope is self.page.root:
            return self.header_markers
        header = set(self.header_markers)
        # (Those after the story go first: the card tests cost an XPath call per marker.)
        rest = [m for m in self.before_story([m for m in self.markers if m not in header]) if not self.in_a_card(m) and not self.beside_a_story_link(m)]
        return [*self.header_markers, *rest] if rest else self.header_markers

    def beside_a_story_link(self, marker: _Element) -> bool:
        return beside_a_story_link(marker, self.scope, self.links_another_story)

    def links_another_story(self, href: str | None) -> bool:
        url = self.link(href)
        return url is not None and article_id(url) is not None and not self.is_this_page(url)

    @cached_property
    def paywall_boxes(self) -> list[_Element]:
        """The markers that are a paywall box (neither a label nor a live blog's)."""
        return [
            m for m in self.markers
            if LABEL_PART not in (c := m.get("class") or "") and LIVE_BUTTON_PART not in c and UPDATE_BLOCK_PART not in c
        ]

    IMAGE_ALTS = XPath("descendant::img/@alt", smart_strings=False)  # a label drawn as a picture

    def sponsored_label(self) -> str | None:
        # The article JSON's credit of a press-release wire, or the story's own label by its headline
        # ("Brand Connect", where "Premium" goes), not a related card's.
        source = text_of(self.data.get("sourceTitle"))
        if source and is_pr_wire(source):
            return source
        for marker in self.lead_markers:
            if LABEL_PART in (marker.get("class") or "") and is_sponsored_label(text := element_text(marker) or "") and not self.in_a_card(marker):
                return text
        return super().sponsored_label()

    def isPremium(self) -> bool:
        labelled = any(
            LABEL_PART in (m.get("class") or "")
            and PREMIUM_LABEL in (element_text(m) or " ".join(cast("list[str]", self.IMAGE_ALTS(m)))).lower()
            and not self.in_a_card(m)
            for m in self.lead_markers
        )
        walled = self.scope is not self.page.root and bool(self.paywall_boxes)
        return labelled or walled or (self.ld_says_locked() and ("truncated-dom" in self.provenance.flags or self.dom_cut_short or self.story_behind_paywall))

    PAYWALL_PART = XPath(f"descendant::*[{class_test('paywall-content')}]")

    @cached_property
    def story_behind_paywall(self) -> bool:
        """Whether the story's container holds story text in its ``.paywall-content`` (the part the page
        hides from a reader without a subscription; a free story's is empty or absent), a paywall
        box's offer aside."""
        body = self.body_container
        if body is None or "paywall-content" not in self.page.text:
            return False
        boxes = self.paywall_boxes
        return any(split_body(self.paragraphs_of(part, self.page.text, boxes))[0] for part in select(self.PAYWALL_PART, body))

    @cached_property
    def dom_cut_short(self) -> bool:
        """Whether the page shows less of the story than ``htmlContent`` holds: its first paragraphs,
        the last maybe stopped mid-sentence, as a premium story is drawn for a reader without a
        subscription. (JSON-LD's body may be as whole as htmlContent: it tells nothing then.)"""
        root, markup = self.html_content
        # (A live blog's update blocks are no part of the introduction the page shows, wherever drawn.)
        updates = self.outermost_updates(select(self.UPDATES_IN, root)) if root is not None and UPDATE_BLOCK_PART in markup and self.isLiveBlog() else []
        whole = split_body(self.paragraphs_of(root, markup, [*updates, *self.related_lists(root)]))[0] if self.body_container is not None else []
        shown = split_body(self.dom_body())[0] if whole else []
        if not shown:
            return False
        # (A cut may end in an ellipsis, and the whole story in a full stop.)
        shown_text, whole_text = (squeezed_text(" ".join(paragraphs)).rstrip(".\u2026") for paragraphs in (shown, whole))
        return len(shown_text) < len(whole_text) and whole_text.startswith(shown_text)

    # A premium card's label may sit inside its link ("… subsidy premium"): no word of its headline.
    CARD_HEADLINE_TEXTS = XPath(
        f"descendant::text()[not(parent::style or parent::script)][not(ancestor::*[contains(@class, '{LABEL_PART}')])]", smart_strings=False
    )

    @cached_property
    def labelled_links(self) -> set[_Element]:
        """The links that hold a premium label (up from each of the few labels)."""
        return {a for m in self.markers if LABEL_PART in (m.get("class") or "") for a in m.iterancestors("a")}

    def is_related_story(self, story_id: str | None) -> bool:
        # Every card of the site's related list links a story by its id; a "View more" link to the
        # section's listing after the cards is not one.
        return story_id is not None

    # A card's link may hold its picture, its headline in a heading, a summary and its read time:
    # the heading's text is the headline, and a read time is never part of it.
    # (Its first heading in document order, found by lxml's tag filter: an XPath call costs more than
    # the card's few elements, and every card of the list asks.)
    CARD_HEADING_TAGS = CARD_HEADING_TAGS

    def related_headline(self, anchor: _Element) -> str | None:
        if not len(anchor):
            return super().related_headline(anchor)
        heading = next(anchor.iter(*self.CARD_HEADING_TAGS), None)
        card = heading if heading is not None else anchor
        if anchor in self.labelled_links:
            text = clean_text(joined_text(cast("list[str]", self.CARD_HEADLINE_TEXTS(glued(card)))))
        else:
            text = element_text(card)
        return without_read_time(without_card_labels(card, text))

    def isLiveBlog(self) -> bool:
        return self.live_blog

    @cached_property
    def live_blog(self) -> bool:
        """:meth:`isLiveBlog`, which the body's sources, the DOM's body and the item all ask."""
        return (
            super().isLiveBlog()
            or any(LIVE_BUTTON_PART in (m.get("class") or "") for m in self.lead_markers)
            # (Another blog's widget drawn as an update, its heading linking that blog, makes no story live.)
            or (self.scope is not self.page.root and len(self.update_blocks) > len(self.other_blogs_widgets))
            or (self.page.mentions("LiveBlogPosting") and in_live_blog_item(self.headline_element, self.body_container))
        )

    @cached_property
    def other_blogs_widgets(self) -> list[_Element]:
        """The update blocks whose heading links another story: another live blog's widget."""
        return [b for b in self.update_blocks if headed_by_another_story(b, self.links_another_story)] if self.update_blocks else []

    # The tickers' items (a page may draw one ticker for small screens and one for large, the script
    # filling the one shown: every ticker is read), and in each the cells by their class: TICKER_ITEM_CSS as XPath.
    TICKER_ITEMS = XPath(f"/descendant::div[{class_test('mktticker')}]/descendant::*[{class_test('tickeritem')}]")
    # Its first step alone, and its second from one ticker.
    TICKERS = XPath(f"/descendant::div[{class_test('mktticker')}]")
    ITEMS_IN_TICKER = XPath(f"descendant::*[{class_test('tickeritem')}]")
    TICKER_CELLS = frozenset({"tickername", "tickerval", "tickerchg", "tickerpct"})
    DIGIT = re.compile(r"\d")

    def market(self) -> list[MarketQuote]:
        quotes = {name: MarketQuote(name=name) for name in MARKET_INDICES}
        tickers = select(self.TICKERS, self.page.root) if self.page.mentions("tickeritem") else []
        # The site fills the figures in by JavaScript: a plain fetch has the names and not one digit
        # (SITE.md), so every number is null without reading the cells. The tickers' text holds their
        # items': without a digit there, the items are not looked for (their step walked each
        # ticker's elements with a class test, half the cost of the whole expression).
        if not any(self.DIGIT.search(text_content(ticker)) for ticker in tickers):
            return list(quotes.values())
        # (Tickers inside one another would give an item twice: the whole expression, in document order, once each.)
        items = select(self.ITEMS_IN_TICKER, tickers[0]) if len(tickers) == 1 else select(self.TICKER_ITEMS, self.page.root)
        if not any(self.DIGIT.search(text_content(item)) for item in items):
            return list(quotes.values())
        for item in items:
            cells: dict[str, str | None] = {}
            for element in item.iter():
                classes = element.get("class")
                if classes:
                    for token in classes.split():
                        if token in self.TICKER_CELLS and token not in cells:  # the first of each
                            # As drawn: a figure a span per digit is one figure (its pieces joined
                            # with spaces, the first read: "7 3,158.24" → 7.0, written as good).
                            cells[token] = inline_text(element)
            name = TICKER_NAMES.get(ticker_name_key(cells.get("tickername") or ""))
            if name is None:
                continue
            change_text, percent_text = cells.get("tickerchg"), cells.get("tickerpct")
            # A fall marked once for the index (an arrow beside its value, a sign on its change only)
            # is a fall of both figures: an unsigned, unmarked one is negative too. (The per cent may
            # be written beside the change, in its cell, when it has no cell of its own.)
            marked_fall = trend(text_content(item)) < 0
            change, percent = parse_changes(change_text, falls=marked_fall)
            falls = marked_fall or (change is not None and change < 0)
            # Its cell's parentheses are the per cent's own ("(0.35)", the "%" left outside), not a fall.
            own_percent = parse_change(percent_text, per_cent=True)
            if own_percent is not None:
                percent = -own_percent if falls and own_percent > 0 and unsigned(percent_text, per_cent=True) else own_percent
            quote = MarketQuote(name=name, value=parse_number(cells.get("tickerval")), change=change, changePercent=percent)
            # A marquee lists its items twice to scroll without a gap: a copy without numbers (not
            # filled yet, or dashes) never takes the place of one with them, the first with them wins.
            known = quotes[name]
            if (known.value, known.change, known.changePercent) == (None, None, None):
                quotes[name] = quote
        return list(quotes.values())


class NextJsBlueprint(NextJsV1):
    """Blueprint magazine stories (``/blueprint-defence-magazine/…``): the same page, another story container."""

    layout = "nextjs-blueprint"
    BODY_CONTAINER = XPath("/descendant::*[contains(@class, 'storbpcontent')][1]")
    BODY_AFTER_HEADLINE = XPath("following::*[contains(@class, 'storbpcontent')][1]")

    # The story's container after the headline: Blueprint's or the ordinary one, whichever comes first.
    FIRST_CONTAINER_AFTER_HEADLINE = XPath(
        f'following::*[contains(@class, \'storbpcontent\') or @id="parent_top_div" or {class_test("storycontent")}][1]'
    )

    @classmethod
    def matches(cls, page: Page) -> bool:
        if not (page.has_next_data and page.mentions("storbpcontent")):
            return False
        # Blueprint's container must be the story's: a Blueprint promo in the header or the rail of
        # an ordinary story (its class naming storbpcontent too) makes no Blueprint story.
        headline = page.find_first(NextJsV1.HEADLINE)
        if headline is None:
            return bool(page.find(cls.BODY_CONTAINER)) and not page.find(NextJsV1.BODY_CONTAINER)
        container = first(cls.FIRST_CONTAINER_AFTER_HEADLINE, headline)
        return container is not None and "storbpcontent" in (container.get("class") or "")
