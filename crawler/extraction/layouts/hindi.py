"""The Hindi edition (hindi.business-standard.com) as its 2020 pages show it: a table layout.

Stories are served from ``/storypage.php?autono=N`` (the canonical link has a double slash) and
numbered on their own, so their id is ``hi-N``. The headline sits in an ``<h1>`` in
``td[width=600]`` (JSON-LD and ``<title>`` prefix it with the site's name); the next row says
"author / city" and an English date; the body is ``div``s and ``p[align=justify]`` after the ad
script in its cell; keywords follow "Keyword:" as ``a.ctxtRelated``. JSON-LD has no
``articleBody``, a ``nopreview.png`` placeholder for the image and the meta description cut at 200
bytes (mid-sentence); ``og:image`` is the bare site root. Checked against two real pages (Feb and Sep 2020).
"""

from __future__ import annotations

import re

from .selectors import CSSSelector, XPath
from lxml.etree import _Element

from ..article import Image, Link
from ..lazy import cached_property
from ..normalize import HINDI_CLOCK_WORDS, HINDI_MERIDIEM, HINDI_MONTHS, HINDI_WEEKDAYS, clean_text, unique
from ..page import Page
from ..text import block_paragraphs, without_promoted_links
from ..urls import on_hindi_edition
from .base import DOM, JSON_LD, META, ArticlePage, BodySources, agency_names, element_text, first, is_dateline_city, is_news_agency, names_and_place, place_after_a_name, reporter_after_bar, select, text_of, without_inputs_credit

# The byline row's date: "February  14, 2020" (double space) as the 2020 pages print it, or as the
# template may write it otherwise: the day first, the month in Hindi ("14 फरवरी, 2020"), Devanagari
# digits, a time after it ("February 14, 2020 09:42 PM IST", "9:42 अपराह्न"), a weekday before it
# ("Friday, February 14, 2020", "शुक्रवार, 14 फरवरी, 2020"). None of it is the dateline's city.
_MONTH = "(?:[A-Z][a-z]+\\.?|" + "|".join(sorted(HINDI_MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY = "(?:[A-Z][a-z]+day|" + "|".join(sorted(HINDI_WEEKDAYS, key=len, reverse=True)) + ")"
_MERIDIEM = "(?:[AaPp]\\.?[Mm]\\b\\.?|" + "|".join(sorted(HINDI_MERIDIEM, key=len, reverse=True)) + ")"
# The day's part and "बजे" around the time ("शाम 5:30", "9:42 बजे") are the date's, not the city's.
_CLOCK_WORD = "(?:" + "|".join(HINDI_CLOCK_WORDS) + ")"
_BYLINE_DATE = re.compile(
    rf"(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH}),?\s+\d{{4}}"
    rf"(?:\s*[,|]?\s*(?:{_CLOCK_WORD}\s+)?\d{{1,2}}[:.]\d\d(?::\d\d)?(?:\s*{_MERIDIEM})?(?:\s*{_CLOCK_WORD})?)?(?:\s*IST\b)?"
)
# A label before a date in the row ("अपडेटेड: ", "प्रकाशित तिथि: ", "Updated: "), taken out with it: the
# date's, not the city's.
_DATE_LABEL = (
    r"(?:(?:(?:पहली बार )?प्रकाशित|(?:अंतिम )?अपडेट(?:ेड)?)(?: तिथि)?|(?:First |Last )?(?:Published|Updated)(?: on| at)?)"
    r"\s*[:\-\u2013\u2014]?\s*"
)
_LABELLED_DATE = re.compile(f"(?:{_DATE_LABEL})?(?:{_BYLINE_DATE.pattern})")
# What stands between the city and the date ("नई दिल्ली | February 14, 2020", "नई दिल्ली / …"), or
# between the author and the date in a row without a city ("भाषा | February 14, 2020").
_SEPARATORS = " |,-\u2013\u2014:/"
# The site's name in front of a headline, as JSON-LD writes it ("बिजनेस स्टैंडर्ड <headline>"; the
# <title> with a dash after it), its ज with the nukta or not, precomposed or not; alone, a template's
# empty headline field.
_SITE_NAME_BEFORE = re.compile(r"^बि(?:ज\u093c?|\u095b)नेस\s+स्टैंडर्ड(?:\s*[|:\u2013\u2014-]+)?(?:\s+|$)")
# Joint bylines: "<name> और <name>" ("and"; also एवं, तथा), or names between commas, "&" or bars.
_AUTHOR_SEPARATORS = re.compile(r"\s*[,&|]\s*|\s+(?:और|एवं|तथा)\s+")


def without_site_name_before(headline: str | None) -> str | None:
    """A Hindi headline source's text (JSON-LD's, the ``<title>``) without the site's name in front; None
    for the name alone."""
    if not headline or not headline.startswith("बि"):
        return headline
    return _SITE_NAME_BEFORE.sub("", headline, count=1) or None


class Hindi2020(ArticlePage):
    """hindi.business-standard.com story pages of 2020."""

    layout = "hindi-2020"

    HEADLINE = XPath("//td[@width='600']//h1")

    @classmethod
    def matches(cls, page: Page) -> bool:
        # (Hosts are compared as the URL parser gives them: in lower case, without a port.)
        return (on_hindi_edition(page.url) or on_hindi_edition(page.canonical)) and bool(page.find(cls.HEADLINE))

    @cached_property
    def headline_element(self) -> _Element | None:
        return self.page.find_first(self.HEADLINE)

    @cached_property
    def scope(self) -> _Element:
        """The story's cell: the td[width=600] holding the headline."""
        if self.headline_element is None:
            return self.page.root
        return next((td for td in self.headline_element.iterancestors("td") if td.get("width") == "600"), self.page.root)

    def headline(self) -> str | None:
        # JSON-LD's headline carries the site's name in front: a fallback only.
        return self.pick(
            "headline",
            (DOM, lambda: element_text(self.headline_element)),
            (META, self.meta_title),
            fallbacks=((JSON_LD, lambda: without_site_name_before(text_of(self.ld.get("headline")))),),
        )

    def shown_headline(self) -> str | None:
        return element_text(self.headline_element)

    def description(self) -> str | None:
        # JSON-LD's description is the meta one cut at 200 bytes, mid-sentence: a fallback only.
        return self.pick(
            "description",
            (META, lambda: self.page.meta("og:description", "description")),
            fallbacks=((JSON_LD, lambda: text_of(self.ld.get("description"))),),
        )

    # "होम › <section> › खबर": cells of class bredText, only the section's a link.
    BREADCRUMB = CSSSelector("td.bredText")
    BREADCRUMB_LINK = CSSSelector("a[href]")

    def dom_breadcrumbs(self) -> list[Link]:
        steps = []
        for cell in select(self.BREADCRUMB, self.page.root):
            name = element_text(cell)
            if name:
                link = first(self.BREADCRUMB_LINK, cell)
                steps.append(Link(name=name, url=self.link(link.get("href")) if link is not None else None))
        return steps

    def section(self) -> str | None:
        # JSON-LD names it in English ("Economy"), the trail in Hindi: the trail's linked step is a
        # fallback, not a second opinion (they never agree word for word).
        return self.pick(
            "section",
            (JSON_LD, self.ld_section),
            fallbacks=((DOM, lambda: next((step.name for step in self._trail if step.url), None)),),
        )

    # The row after the headline's: "author / city" and the date.
    BYLINE_ROW = XPath("ancestor::tr[1]/following-sibling::tr[1]")

    @cached_property
    def byline_text(self) -> str:
        row = first(self.BYLINE_ROW, self.headline_element) if self.headline_element is not None else None
        return element_text(row) or ""

    @cached_property
    def _author_city(self) -> tuple[list[str], str | None]:
        """The byline row's names and city: "author / city", or as agency copy writes it ("नई दिल्ली, पीटीआई",
        "भाषा | मुंबई", "नई दिल्ली (भाषा)", "रमेश कुमार, नई दिल्ली"); a listed city is no author."""
        text = _LABELLED_DATE.sub("", self.byline_text)
        author, slash, city = text.partition("/")
        place = clean_text((clean_text(city) or "").strip(_SEPARATORS)) if slash else None
        author = clean_text((clean_text(author) or "").strip(_SEPARATORS)) or ""
        names = [n for n in (clean_text(part) for part in _AUTHOR_SEPARATORS.split(without_inputs_credit(author))) if n]
        if place and (is_news_agency(place) or reporter_after_bar(place)):
            # An agency is no city ("रॉयटर्स / ब्लूमबर्ग", "Sohini Das / PTI"), nor is a reporter after the
            # slash, whose name ends in a listed surname ("भाषा / अभिषेक कुमार"), as after a bar.
            names, place = [*names, place], None
        if not slash and "|" in author:
            rest, barred = names_and_place(author)
            # (After a bar, a place only where it is one the site dates stories from, or follows an agency: "A | B" is two.)
            if barred is not None and place_after_a_name(rest, barred):
                place = barred
                names = [n for n in (clean_text(part) for part in _AUTHOR_SEPARATORS.split(without_inputs_credit(rest))) if n]
        names, place = agency_names(unique(names), place, None)
        if place is None and len(names) > 1 and is_dateline_city(names[-1]):
            place = names.pop()  # a reporter's name, then the city ("रमेश कुमार, नई दिल्ली")
        return names, place

    def dom_authors(self) -> list[Link]:
        return [Link(name=name) for name in self._author_city[0]]

    def ld_authors(self) -> list[Link]:
        # The CMS copies a joint byline into JSON-LD's one Person ("<name> और <name>"): the same
        # authors as the byline's, not another opinion of them.
        found: dict[str, Link] = {}
        for author in super().ld_authors():
            for part in _AUTHOR_SEPARATORS.split(without_inputs_credit(author.name)):
                name = clean_text(part)
                if name:
                    found.setdefault(name, Link(name=name, url=author.url))
        return list(found.values())

    def authors(self) -> list[Link]:
        return self.pick("authors", (DOM, self.dom_authors), (JSON_LD, self.ld_authors)) or []

    def dateline(self) -> str | None:
        return self.pick("dateline", (DOM, lambda: self._author_city[1]))

    def datePublishedRaw(self) -> str | None:
        match = _BYLINE_DATE.search(self.byline_text)
        return clean_text(match.group()) if match else None

    def datePublished(self) -> str | None:
        # The byline's date is the day alone: after JSON-LD's and the meta tag's times.
        return self.dated(
            "datePublished",
            (JSON_LD, self.ld_date("datePublished")),
            (META, self.page.meta("article:published_time")),
            shown=self.datePublishedRaw,
        )

    def dateModifiedRaw(self) -> str | None:
        return None

    def readTimeMinutes(self) -> int | None:
        return None

    def mainImage(self) -> Image | None:
        return self.pick("mainImage", (JSON_LD, self.ld_image), (META, self.meta_image))

    # The story: the text of the headline's cell after the byline's table, its paragraphs parted by
    # blocks and <br>s: div's and p[align=justify] (empty `<div>&nbsp;</div>` and `<p>` spacers between
    # them give no paragraph), the tables, lists and quotations between them (a results table), and
    # text outside them (an older story typed between <br>s, a first line before the editor's divs,
    # an agency's "(भाषा)" after the last one). The ad scripts and styles give no text; the share
    # toolbox and keyword links are out. (Read after the ad script alone, a story with no script
    # before it, or with its ad code in a wrapper, had no body, and text outside blocks was lost.)
    def dom_body(self) -> list[str]:
        headline = self.headline_element
        table = next(headline.iterancestors("table"), None) if headline is not None else None
        # Before the table in the cell: its preceding siblings, and its wrappers' (a p the parser keeps open, a div).
        before: set[_Element] = set()
        for inner in (table, *table.iterancestors()) if table is not None else ():
            if inner is self.scope:
                break
            before.update(inner.itersiblings(preceding=True))

        def not_story(element: _Element) -> bool:
            if element is table or element is headline or element in before:
                return True
            names = element.get("class")
            return names is not None and ("addthis" in names or (element.tag == "a" and "ctxtRelated" in names))

        paragraphs = block_paragraphs(self.scope, not_story)
        # "यह भी पढ़ें" alone on its line, the promoted stories' links on the lines after it.
        return without_promoted_links(paragraphs, lambda: {t for a in self.scope.iter("a") if a.get("href") and (t := element_text(a))})

    def body_sources(self) -> BodySources:
        return ((DOM, self.dom_body), (JSON_LD, self.ld_body))

    KEYWORDS = CSSSelector("a.ctxtRelated")

    def topics(self) -> list[str]:
        return self.pick(
            "topics",
            (DOM, lambda: [k for k in dict.fromkeys(element_text(a) for a in select(self.KEYWORDS, self.page.root)) if k]),
            (JSON_LD, self.ld_topics),
        ) or []

    def story_container(self) -> _Element | None:
        # The story's cell, as the body reads it: an "Also Read" line in it is a promo among its lines.
        scope = self.scope
        return scope if scope is not self.page.root else None

    @cached_property
    def related_scope(self) -> _Element:
        # The 2020 pages show no related list, and their scripts hold every word of the English
        # headings, which sent the search through every text node of the page: the story's cell only.
        return self.scope

    def inLanguage(self) -> str:
        return "hi"
