"""``scrapy crawl section -a sections=markets/news,companies/news -a pages=N``: walk section listings."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.extraction.discovery import Entry

from .base import asked_url, require, requested_url
from .discovery import NO_ARTICLE_LINKS, ROBOTS_FORBIDDEN, DiscoverySpider
from crawler import stats as stat

DEFAULT_PAGES = 5
# request.meta key of an article unread in an earlier run, on a page at which its section's walk stopped
# (holding nothing else new): the page after it ([URL, section, page, by link]), read if the story is.
WALK_ON_META = "bs_walk_on"
MAX_PAGES = 10_000
SECTION_PATH = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*", re.ASCII)
PAGES = re.compile(r"[0-9]+", re.ASCII)
LISTING_PAGE = re.compile(r"/page-[0-9]+$", re.ASCII)
# A section's numbered page by its path: the section, and the page's number.
NUMBERED_PAGE = re.compile(r"(/.+)/page-([0-9]{1,9})", re.ASCII)


def _sections(value: str) -> list[str]:
    # Each once: a section given twice ("markets/news,markets/news/") is one walk.
    return list(dict.fromkeys(s.strip().strip("/") for s in value.split(",") if s.strip().strip("/")))


def _same_host(url: str, other: str) -> bool:
    """Whether ``url`` is on ``other``'s host (and port)."""
    try:
        return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()
    except ValueError:
        return False


class SectionSpider(DiscoverySpider):
    """Up to ``pages`` listing pages per section, stopping at a page whose articles were all seen."""

    name = "section"
    arguments = ("sections", "pages")

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        super().check_arguments(arguments)
        sections = _sections(arguments.get("sections", ""))
        require(bool(sections), "section: give -a sections=markets/news,companies/news")
        for section in sections:
            require(SECTION_PATH.fullmatch(section) is not None, f"section: {section!r} is not a section path like markets/news")
            # The walk goes on at <section>/page-N: from a page, at markets/news/page-3/page-2, which is none.
            page = LISTING_PAGE.search(section)
            require(
                page is None,
                f"section: {section!r} is a page of a section; give the section ({section[: page.start()] if page else ''}) and -a pages=N",
            )
        pages = str(arguments.get("pages", DEFAULT_PAGES)).strip()
        # ASCII digits only: str.isdigit() takes "²", which int() refuses.
        require(
            PAGES.fullmatch(pages) is not None and 1 <= int(pages) <= MAX_PAGES,
            f"section: pages={arguments.get('pages')!r} must be a whole number from 1 to {MAX_PAGES}",
        )

    def __init__(self, *args: Any, sections: str = "", pages: str = str(DEFAULT_PAGES), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = _sections(sections)
        self.max_pages = int(str(pages).strip())
        # Per section, the link sets of the pages walked (hashed): a CMS that clamps the page number
        # serves an earlier page again for every page past the end, each at a new URL.
        self.pages_walked: dict[str, set[int]] = {}
        # Sections whose pager's "next" link led back to a page read already under another address:
        # their walk goes on at <section>/page-N, whatever their pages' "next" links say.
        self.pager_loops: set[str] = set()
        # Sections whose pager's "next" link skipped a page number: walked by number alike.
        self.pager_skips: set[str] = set()
        # Per section, the links (hashed) of the last page walked: the page whose "next" link was followed.
        self.last_walked: dict[str, int] = {}
        # Per article id, the walks that stopped at a page that holds nothing new but that story, unread
        # in an earlier run, asked for in this one: (URL, section, page, by link) of the page after it.
        self.walks_on: dict[str, list[tuple[str, str, int, bool]]] = {}

    async def start(self) -> AsyncIterator[Request]:
        for section in self.sections:
            request = self.root_source(self.site_url(section), callback=self.parse_section, cb_kwargs={"section": section, "page": 1})
            if request is not None:
                yield request

    def run_arguments(self) -> dict[str, str]:
        # The sections are walked each on its own: their order is no other run.
        pages = {"pages": str(self.max_pages)} if self.max_pages != DEFAULT_PAGES else {}
        return {**super().run_arguments(), "sections": ",".join(sorted(self.sections)), **pages}

    def parse_section(
        self, response: Response, section: str, page: int, by_link: bool = False, after_empty: str | None = None
    ) -> Iterator[Request]:
        """``by_link``: the page was asked for by the "next" link of the page before, not as ``<section>/page-N``;
        ``after_empty``: the URL of the page before, which listed no story but linked this one."""
        if self.answered_otherwise(response, may_end=page > 1) or not self.first_read(response):
            return
        listing = self.read_listing(response, may_end=page > 1)
        if listing is None:
            return
        if not listing.article_urls and not listing.cut:
            # A later page with no story whose pager links a page after it: a listing drawn while its
            # data did not come (a back end that timed out), or a template that always shows the link.
            # The page after it tells: stories there make this page a failed source; none, the end.
            if after_empty is not None or page >= self.max_pages:
                self.listing_ended(response.url, "no article links")
                return
            following = self.next_page_request(*self.walk_on(response, listing.next_page, section, page), parent=response)
            if following is not None:
                yield following.replace(cb_kwargs={**following.cb_kwargs, "after_empty": requested_url(response)})
            return
        if after_empty is not None and listing.article_urls:
            self.count_source_failed(after_empty, NO_ARTICLE_LINKS)
            self.logger.error(
                "Discovery source failed <%s>: %s (a listing with no story that links a next page, not the section's end: the page after it lists %d stories)",
                after_empty, NO_ARTICLE_LINKS, len(listing.article_urls),
            )
        walked = self.pages_walked.setdefault(section, set())
        links = hash(frozenset(listing.article_urls))
        if links in walked and not listing.cut:
            if by_link and self.leads_back(response, section, links):
                yield from self.pager_looped(response, section, page)
                return
            self.listing_ended(response.url, "it repeats an earlier page of the section")
            return
        if not listing.cut:
            walked.add(links)
            self.last_walked[section] = links
        # (A page cut short says nothing of the stories after the cut: the walk goes on past it.)
        # A story the site removed, which its listings keep linking for days, is never seen, nor is
        # one merged into another, a video at a story's address, a paywall stub or a press release
        # robots.txt forbids: known so, each holds nothing new, or every walk went a page further
        # than the one holding it.
        all_seen = bool(listing.article_urls) and not self.fresh and not listing.cut and all(
            self.holds_nothing_new(u) for u in listing.article_urls
        )
        # A story unread in an earlier run holds nothing new only while it stays unread: the run that
        # reads it (its story came, robots.txt lets it be, the rules read the layout now) goes on past
        # this page, whose followers hold stories unread alike (a run that met every story as a stub,
        # or of a redesign's layout), or they were never read.
        unread = {Entry(url=u).article_id for u in listing.article_urls if self.unread_before(u)} if all_seen else set()
        walk_on = self.walk_on(response, listing.next_page, section, page) if unread and page < self.max_pages else None
        if walk_on is not None:
            # (In memory, for a story asked for already in this run; in the request, for the worker that reads it.)
            for identifier in unread:
                self.walks_on.setdefault(str(identifier), []).append(walk_on)
        for request in self.discovered((Entry(url=u) for u in listing.article_urls), response.url):
            if walk_on is not None and Entry(url=request.url).article_id in unread:
                request.meta[WALK_ON_META] = list(walk_on)
            yield request
        if all_seen:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP)
            self.logger.info(
                "Stopping at <%s>: every article on it was seen before%s", response.url,
                f" (or unread before: the walk goes on if one of the {len(unread)} is read now)" if walk_on else "",
            )
            return
        if (listing.article_urls or listing.cut) and page < self.max_pages:
            following = self.next_page_request(*self.walk_on(response, listing.next_page, section, page), parent=response)
            if following is not None:
                yield following

    def walk_on(self, response: Response, next_link: str | None, section: str, page: int) -> tuple[str, str, int, bool]:
        """Where the walk goes after ``response``, page ``page`` of ``section``: (URL, section, page
        number, whether by the page's "next" link ``next_link``)."""
        # The site paginates as /<section>/page-N; a "next" link wins when there is one, unless
        # it leads back to a page read already (a pager that loops: page 2's "next" is page 1,
        # or itself), which ended the walk with the pages after it unread; or on another host than
        # the page's (a pager's absolute link to the CMS's own host or a staging copy, off the site
        # or under its domain: cms.business-standard.com), which ended the walk or led it there.
        by_link = next_link is not None and section not in self.pager_loops and section not in self.pager_skips
        if not by_link or next_link is None or self.visited_sources.requested_before(next_link) or not _same_host(next_link, response.url):
            return self.site_url(f"{section}/page-{page + 1}"), section, page + 1, False
        if self.skips_a_page(next_link, section, page):
            return self.site_url(f"{section}/page-{page + 1}"), section, page + 1, False
        return next_link, section, page + 1, True

    def skips_a_page(self, next_link: str, section: str, page: int) -> bool:
        """Whether the "next" link of page ``page`` of ``section`` names a later page of it than the one
        after (``page-4`` on page 2: an off-by-one pager), said once a section, whose "next" links are
        then no longer followed. Followed, the walk never read the page skipped, and its stories were
        never found, in silence."""
        numbered = NUMBERED_PAGE.fullmatch(urlsplit(next_link).path.rstrip("/"))
        first_page = urlsplit(self.site_url(section)).path.rstrip("/").lower()
        if numbered is None or numbered.group(1).lower() != first_page or int(numbered.group(2)) <= page + 1:
            return False
        self.pager_skips.add(section)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_PAGER_SKIP)
        self.logger.warning(
            "The pager of page %d of the section %s skips to <%s>: going on at <%s>, the pager's links no longer followed",
            page, section, next_link, self.site_url(f"{section}/page-{page + 1}"),
        )
        return True

    def next_page_request(self, url: str, section: str, page: int, by_link: bool, parent: Response | None) -> Request | None:
        """The request for page ``page`` of ``section`` at ``url`` (see :meth:`follow_source`); a 404 past the end ends the walk."""
        request = self.follow_source(
            url, parent, deeper=False, callback=self.parse_section,
            cb_kwargs={"section": section, "page": page, **({"by_link": True} if by_link else {})},
        )
        return request.replace(errback=self.next_page_failed) if request is not None else None

    def story_read(self, identifier: str, meta: Mapping[str, Any]) -> Iterator[Request]:
        """A story unread in an earlier run was read: the walks that stopped at a page for holding
        nothing new but it go on."""
        walks = self.walks_on.pop(identifier, [])
        carried = meta.get(WALK_ON_META)
        if isinstance(carried, (list, tuple)) and len(carried) == 4:
            walks.append((str(carried[0]), str(carried[1]), int(carried[2]), bool(carried[3])))
        for url, section, page, by_link in dict.fromkeys(walks):
            if self.visited_sources.requested_before(url):
                continue  # (another of the page's unread stories was read first)
            request = self.next_page_request(url, section, page, by_link, None)
            if request is not None:
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value(stat.DISCOVERY_LISTING_WALK_ON)
                self.logger.info("Going on at <%s>: a story of the page before it, unread in an earlier run, was read now", url)
                yield request

    def leads_back(self, response: Response, section: str, links: int) -> bool:
        """Whether ``response``, asked for by a "next" link and repeating a page of ``section`` walked
        already (its links hashed: ``links``), is one the pager leads back to: a page before the one
        that linked it, or that one under its own address with a query string (``?ref=pager``). The
        page that linked it under a new address is the CMS clamping a page number past the end
        (``page-4?ref=pager`` answering page 3): the section's end, no loop."""
        if self.last_walked.get(section) != links:
            return True
        bare = urlsplit(requested_url(response))._replace(query="", fragment="").geturl()
        return self.visited_sources.requested_before(bare)

    def pager_looped(self, response: Response, section: str, page: int) -> Iterator[Request]:
        """A page the "next" link of the page before led to repeats a page read already: the pager
        leads back (to the page itself or the first one, under a query string: ``?ref=pager``,
        ``?page=1``), which says nothing of the section's end. The walk goes on at
        ``<section>/page-N`` for this step, and the section's "next" links are no longer followed
        (before, the walk ended there, and the stories of every page after it were never found)."""
        fallback = self.site_url(f"{section}/page-{page}")
        if section in self.pager_loops or self.visited_sources.requested_before(fallback):
            self.listing_ended(response.url, "it repeats an earlier page of the section")
            return
        self.pager_loops.add(section)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_PAGER_LOOP)
        self.logger.warning(
            "<%s>, the next page of the section %s by its pager, repeats a page read before: going on at <%s>, the pager's links no longer followed",
            response.url, section, fallback,
        )
        request = self.next_page_request(fallback, section, page, False, response)
        if request is not None:
            yield request

    def next_page_failed(self, failure: Any) -> None:
        """A 404 or 410 for the page after the last one ends the section, as does a page robots.txt
        forbids; anything else is a failed source."""
        response = getattr(failure.value, "response", None)
        if isinstance(response, Response) and response.status in (404, 410):
            self.listing_ended(asked_url(failure.request), f"HTTP {response.status}")
            return
        if failure.check(IgnoreRequest) and ROBOTS_FORBIDDEN in str(failure.value):
            # The site keeps crawlers to its first pages (Disallow: /*/page-): as far as we may read.
            self.listing_ended(asked_url(failure.request), "robots.txt forbids it")
            return
        self.source_failed(failure)
