"""A deterministic, memory-light corpus of Business Standard look-alike articles, rendered to PageSpecs on demand."""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from .pages import IST, SITE, Author, PageSpec, display

DEFAULT_NOW = datetime(2024, 11, 25, 12, 0, tzinfo=IST)
DEFAULT_DAYS = 100  # back to mid-August: articles in four calendar months
DEFAULT_LEGACY = 10
CURRENT = "current"
PRE2023 = "pre2023"
MEDIA_PREFIX = "/_media/bs/img/article"


@dataclass(frozen=True)
class Section:
    """A section of the site with the words its stories are written from."""

    path: str  # "markets/news"; for pre-2023 sections one component ("economy-policy")
    name: str
    weight: int
    topics: tuple[str, ...]
    subjects: tuple[str, ...]
    actions: tuple[str, ...]
    contexts: tuple[str, ...]

    @property
    def family(self) -> str:
        """First path component: what the section RSS feeds and family listings group by."""
        return self.path.split("/")[0]


# Figures in the phrases ({p} per cent, {n} a count or crore, {k} a small count) are filled per article.
SECTIONS: tuple[Section, ...] = (
    Section(
        "markets/news", "Markets News", 20,
        ("Sensex", "Nifty", "Stock market", "IPO", "Mutual funds", "Sebi", "Foreign investors", "Smallcap"),
        ("Sensex", "Nifty", "Bank Nifty", "Smallcap index", "Midcap index", "Rupee", "Gold", "Nifty IT index", "PSU bank index", "Nifty Realty"),
        ("rises {p}%", "falls {p}%", "ends flat", "hits record high", "snaps {k}-day losing streak", "slips {p}%", "climbs {k}00 points", "drops {k}00 points"),
        ("as US bond yields climb", "on strong Q2 earnings", "ahead of Fed meeting", "amid FPI selling", "as crude oil prices ease", "after RBI policy", "as investors book profits", "on global cues"),
    ),
    Section(
        "companies/news", "Companies News", 18,
        ("Q2 results", "Automobiles", "Telecom", "FMCG", "Infrastructure", "Corporate governance", "Mergers and acquisitions"),
        ("Tata Motors", "Reliance Industries", "Infosys", "Adani Ports", "HDFC Bank", "Maruti Suzuki", "Nestlé India", "Larsen & Toubro", "Bharti Airtel", "Zomato"),
        ("Q2 net profit rises {p}%", "posts {p}% drop in Q2 profit", "to invest Rs {n} crore", "plans {k} new plants", "names new chief executive", "raises Rs {n} crore via bonds", "shares jump {p}%", "bets on exports"),
        ("on festive demand", "to expand capacity", "amid rising input costs", "in push for electric vehicles", "as rural demand recovers", "despite weak margins", "to cut debt", "in FY26"),
    ),
    Section(
        "india-news", "India News", 14,
        ("Supreme Court", "Monsoon", "Indian Railways", "Air pollution", "Education", "Healthcare"),
        ("Supreme Court", "Delhi government", "Indian Railways", "IMD", "Election Commission", "Health ministry", "Mumbai civic body", "CBSE"),
        ("orders probe into {k} cases", "announces Rs {n} crore plan", "issues fresh guidelines", "extends deadline by {k} weeks", "flags {p}% rise in complaints", "launches {k} new services"),
        ("for Delhi-NCR", "ahead of winter", "after public outcry", "across {k} states", "for the festive season", "in rural districts"),
    ),
    Section(
        "world-news", "World News", 8,
        ("US elections", "China", "Russia-Ukraine war", "Middle East", "Oil prices", "Global economy"),
        ("US Fed", "China", "European Union", "Japan", "Opec+", "IMF", "Bank of England", "Saudi Arabia"),
        ("signals {p}% growth target", "cuts rates by {k} basis points", "weighs new tariffs", "warns of slowdown", "extends output cuts", "pledges ${n} million aid"),
        ("as inflation cools", "amid trade tensions", "after election result", "as demand weakens", "in surprise move", "ahead of summit"),
    ),
    Section(
        "economy/news", "Economy News", 10,
        ("Inflation", "GDP", "RBI", "GST", "Exports", "Fiscal deficit"),
        ("Retail inflation", "GDP growth", "GST collections", "Merchandise exports", "Core sector output", "Fiscal deficit", "Forex reserves", "Factory output"),
        ("eases to {p}%", "rises to {p}%", "hits Rs {n} crore", "grows {p}% in October", "slows to {p}%", "touches {k}-month high"),
        ("on lower food prices", "as demand holds up", "beating estimates", "amid global headwinds", "says government data", "in first half of FY25"),
    ),
    Section(
        "finance/news", "Finance News", 8,
        ("Banking", "Insurance", "NBFC", "Digital payments", "UPI", "Credit cards"),
        ("SBI", "ICICI Bank", "LIC", "Bajaj Finance", "Paytm", "NPCI", "Axis Bank", "Kotak Mahindra Bank"),
        ("raises deposit rates by {k} bps", "reports {p}% loan growth", "tightens lending norms", "plans Rs {n} crore issue", "sees {p}% jump in UPI volumes", "cuts fees for small merchants"),
        ("after RBI nudge", "as credit demand slows", "to fund growth", "amid liquidity crunch", "for retail borrowers", "in October"),
    ),
    Section(
        "industry/news", "Industry News", 7,
        ("Automobiles", "Steel", "Real estate", "Aviation", "Renewable energy", "Textiles"),
        ("Passenger vehicle sales", "Steel makers", "Housing sales", "Airlines", "Solar developers", "Textile exporters"),
        ("rise {p}% in October", "fall {p}% year-on-year", "hit record {n} units", "seek duty protection", "add {n} MW", "slow down"),
        ("on festive demand", "amid cheap imports", "in top seven cities", "as fares climb", "under PLI scheme", "despite high rates"),
    ),
    Section(
        "technology/tech-news", "Tech News", 7,
        ("Artificial intelligence", "Smartphones", "Semiconductors", "Start-ups", "Cybersecurity", "Apple"),
        ("Apple", "Google", "OpenAI", "Infosys", "Wipro", "Samsung", "Micron", "Meta"),
        ("expands India operations", "grows {p}% in Q3", "unveils new AI model", "hires {n} engineers", "faces antitrust probe", "opens {k} new offices"),
        ("in Bengaluru", "amid AI boom", "as costs rise", "to tap Indian market", "after data breach", "with local partners"),
    ),
    Section(
        "opinion", "Opinion", 4,
        ("Columns", "Editorial", "Monetary policy", "Trade policy", "Climate change"),
        ("The RBI", "India's trade policy", "The Budget", "Climate finance", "The jobs question", "Urban governance"),
        ("needs a rethink", "must look beyond {k} quarters", "is at a crossroads", "deserves better", "cannot wait"),
        ("in a slowing world", "for growth to last", "after the elections", "as costs mount", ""),
    ),
    Section(
        "politics", "Politics", 6,
        ("BJP", "Congress", "Maharashtra elections", "Parliament", "Jharkhand elections"),
        ("BJP", "Congress", "Mahayuti alliance", "JMM", "Opposition parties", "Election Commission"),
        ("wins {k} seats", "names {k} candidates", "promises Rs {n} monthly aid", "sets up {k}-member panel", "slams government"),
        ("in Maharashtra", "in Jharkhand", "ahead of winter session", "after poll results", "over price rise"),
    ),
)

# Pre-2023 sections and the current section whose words their stories use.
LEGACY_SECTIONS: tuple[Section, ...] = (
    replace(SECTIONS[4], path="economy-policy", name="Economy & Policy"),
    replace(SECTIONS[2], path="current-affairs", name="Current Affairs"),
    replace(SECTIONS[1], path="companies", name="Companies"),
    replace(SECTIONS[0], path="markets", name="Markets"),
    replace(SECTIONS[5], path="finance", name="Finance"),
    replace(SECTIONS[3], path="international", name="International"),
)

STAFF: tuple[Author, ...] = tuple(
    Author(name, "-".join(name.lower().split()), 400 + i)
    for i, name in enumerate(
        (
            "Ananya Rao", "Rohit Mehta", "Priya Nair", "Karan Malhotra", "Sneha Iyer", "Vikram Sethi", "Meera Pillai",
            "Arjun Bhatt", "Nandini Kulkarni", "Rahul Deshpande", "Shreya Banerjee", "Aditya Menon", "Ishita Ghosh",
            "Sameer Qureshi", "Tanvi Joshi", "Harish Reddy",
        )
    )
)
AGENCIES: tuple[Author, ...] = (
    Author("Press Trust of India", "press-trust-of-india", 1),
    Author("Reuters", "reuters", 5),
    Author("ANI", "ani", 6),
    Author("IANS", "ians", 7),
)
DESKS: tuple[Author, ...] = (Author("BS Web Team", "bs-web-team", 9), Author("BS Reporter", "bs-reporter", 10))
COLUMNISTS: tuple[Author, ...] = tuple(
    Author(name, "-".join(name.lower().split()), 900 + i)
    for i, name in enumerate(("Devangshu Datta", "Ajay Shah", "Mihir S Sharma", "Nitin Desai", "Business Standard Editorial Comment"))
)
# Byline kinds stored per record (a small int, to keep records compact).
BY_STAFF, BY_SEVERAL, BY_DESK, BY_COLUMNIST = 0, 1, 2, 3
BY_AGENCY = 10  # + index into AGENCIES

CITIES = ("New Delhi", "Mumbai", "Bengaluru", "Chennai", "Kolkata", "Hyderabad", "Pune", "Ahmedabad", "Washington", "London", "Singapore")
PEOPLE = (
    ("Rajesh Kumar", "a senior official"), ("Anjali Sharma", "chief economist at a domestic brokerage"),
    ("Suresh Patel", "managing director"), ("Lakshmi Narayanan", "an analyst"), ("Farhan Siddiqui", "a fund manager"),
    ("Deepa Krishnan", "a spokesperson"),
)
BROKERS = ("Kotak Institutional Equities", "Motilal Oswal", "Nomura", "Jefferies", "ICICI Securities", "CLSA")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
# Curly quotes, dashes and accents on purpose: the "latin1" fault only shows with non-ASCII text.
SENTENCES = (
    "{subject} said on {weekday} that {topic} would remain a key factor over the next two quarters.",
    "Analysts at {broker} said the numbers were broadly in line with estimates, though margins came under pressure.",
    "“We are watching the situation closely,” said {person}, {title}, in {city}.",
    "The development comes at a time when {topic} has been in focus for investors and policymakers alike.",
    "Data released on {weekday} showed a {p} per cent increase from a year earlier.",
    "Officials said the decision would be reviewed in {month} after consultations with stakeholders.",
    "The target for the current financial year has been set at Rs {n} crore, according to people familiar with the matter.",
    "Industry executives expect demand to pick up in the second half of the year — a view not everyone shares.",
    "{subject}’s performance has drawn comparisons with the previous cycle, when growth slowed for {k} quarters.",
    "{person}, {title}, said the outlook depended on how quickly costs eased.",
    "The move is expected to affect about {n} people, the statement said.",
    "Market participants said the next trigger would be the data due in {month}.",
    "Rating agencies have so far kept their outlook unchanged, citing resilient domestic demand.",
    "Critics argued that the measures did not go far enough, while supporters called them a “pragmatic first step”.",
    "The company’s shares closed {p} per cent higher at Rs {n} on the BSE.",
    "A detailed report on {topic} is expected to be tabled before the end of {month}.",
)
STANDFIRSTS = (
    "The development is being closely watched by investors and policymakers",
    "Analysts expect the trend to continue into the next quarter",
    "Officials said more measures were under consideration",
    "The numbers were better than what most economists had forecast",
    "Experts say the impact will be felt over the next few months",
    "The decision follows weeks of consultations with stakeholders",
)
CAPTIONS = ("Photo: Reuters", "Photo: Bloomberg", "Representative image", "Illustration: Binay Sinha", "Photo: PTI", "Photo: Shutterstock")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slugify(headline: str) -> str:
    """The URL slug the site derives from a headline (``IL&FS gets Rs 1,925 cr`` → ``il-fs-gets-rs-1-925-cr``)."""
    return _SLUG_JUNK.sub("-", headline.lower()).strip("-")


def make_article_id(day: date, sequence: int) -> str:
    """``1`` + YYMMDD + the 5-digit sequence of the day."""
    return f"1{day.year % 100:02d}{day.month:02d}{day.day:02d}{sequence:05d}"


class ArticleRecord:
    """One article as a few small fields; the page content is derived from them on request."""

    # Slots: 20,000 records must stay a few megabytes.
    __slots__ = (
        "article_id", "index", "section", "layout", "published", "modified", "byline", "premium", "image",
        "paragraph_count", "topic_mask", "revision", "corpus", "_headline",
    )

    def __init__(
        self, corpus: Corpus, article_id: str, index: int, section: Section, layout: str, published: datetime,
        modified: datetime, byline: int, premium: bool, image: bool, paragraph_count: int, topic_mask: int,
    ) -> None:
        self.corpus = corpus
        self.article_id = article_id
        self.index = index  # position in corpus.records (publication order)
        self.section = section
        self.layout = layout
        self.published = published
        self.modified = modified
        self.byline = byline
        self.premium = premium
        self.image = image
        self.paragraph_count = paragraph_count
        self.topic_mask = topic_mask
        self.revision = 0  # bumped by Corpus.modify(); each revision adds a paragraph
        self._headline: str | None = None

    def __repr__(self) -> str:
        return f"<ArticleRecord {self.article_id} {self.layout} {self.path}>"

    @property
    def headline(self) -> str:
        if self._headline is None:
            self._headline = _headline_parts(self.corpus.seed, self)[0]
        return self._headline

    @property
    def slug(self) -> str:
        return slugify(self.headline)

    @property
    def path(self) -> str:
        """The canonical path: current layout, or ``/article/<section>/…`` for pre-2023 articles."""
        prefix = "/article" if self.layout == PRE2023 else ""
        return f"{prefix}/{self.section.path}/{self.slug}-{self.article_id}_1.html"

    @property
    def url(self) -> str:
        return self.corpus.base_url + self.path

    @property
    def syndicated(self) -> bool:
        return self.byline >= BY_AGENCY

    @property
    def topics(self) -> list[str]:
        return [t for bit, t in enumerate(self.section.topics) if self.topic_mask >> bit & 1]

    @property
    def read_time(self) -> int:
        # ~50 words a paragraph at 200 words a minute; listing cards show it without building the page.
        return max(1, round(self.paragraph_count * 50 / 200))

    @property
    def spec(self) -> PageSpec:
        return self.corpus.spec(self)


def _rng(seed: int, article_id: str, purpose: str) -> random.Random:
    # String seeds hash with SHA-512: stable across runs and Python versions, unlike hash().
    return random.Random(f"{seed}/{article_id}/{purpose}")


def _pick(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    # random.choice costs several times more, and pages are built on every cache miss.
    return options[int(rng.random() * len(options))]


def _figures(rng: random.Random) -> dict[str, str]:
    draw = rng.random
    return {"p": f"{0.2 + draw() * 9.7:.1f}", "n": f"{int(120 + draw() * 97880):,}", "k": str(2 + int(draw() * 8))}


def _headline_parts(seed: int, record: ArticleRecord) -> tuple[str, str, str]:
    """(headline, subject, topic) of an article, from its own random stream."""
    rng = _rng(seed, record.article_id, "headline")
    section = record.section
    subject = _pick(rng, section.subjects)
    action = _pick(rng, section.actions).format(**_figures(rng))
    context = _pick(rng, section.contexts).format(**_figures(rng))
    headline = f"{subject} {action} {context}".strip()
    topics = record.topics or [section.topics[0]]
    return headline, subject, _pick(rng, topics)


class Corpus:
    """The articles of the loopback site, oldest first; ``spec()`` builds a page's content on demand.

    ``articles`` current-layout articles spread over ``days`` days before ``now``, plus ``legacy``
    pre-2023 articles dated in 2021–2022. The same seed gives the same site.
    """

    def __init__(
        self,
        articles: int = 2000,
        seed: int = 1,
        now: datetime = DEFAULT_NOW,
        days: float = DEFAULT_DAYS,
        legacy: int = DEFAULT_LEGACY,
        base_url: str = SITE,
    ) -> None:
        self.seed = seed
        self.now = now
        self.base_url = base_url
        self.records: list[ArticleRecord] = []
        self.by_id: dict[str, ArticleRecord] = {}
        self._last_sequence: dict[date, int] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._weights = [s.weight for s in SECTIONS]
        # Keyed by (id, revision): a modified article gets a fresh spec, the old one ages out.
        self._spec = lru_cache(maxsize=1024)(lambda article_id, _revision: self._build_spec(self.by_id[article_id]))
        self._generate_legacy(legacy)
        self._legacy_count = len(self.records)
        span = days * 86400
        step = span / max(articles, 1)
        now_ts = now.timestamp()
        # Newest first, at least a tenth of a step apart, so the order is strict.
        stamps = [int(now_ts - step * (i + 0.05 + self._rng.random() * 0.9)) for i in range(articles)]
        self._append(sorted(stamps), SECTIONS, CURRENT)

    # --- generation ---------------------------------------------------------

    def _generate_legacy(self, count: int) -> None:
        rng = random.Random(f"{self.seed}/legacy")
        start = datetime(2021, 1, 4, tzinfo=IST).timestamp()
        end = datetime(2022, 12, 30, tzinfo=IST).timestamp()
        stamps = sorted(int(rng.uniform(start, end)) for _ in range(count))
        self._append(stamps, LEGACY_SECTIONS, PRE2023)

    def _append(self, stamps: list[int], sections: tuple[Section, ...], layout: str) -> list[ArticleRecord]:
        """Records for ascending Unix times, with ids in sequence within each day."""
        rng = self._rng
        moments = [datetime.fromtimestamp(ts, IST) for ts in stamps]
        per_day = Counter(m.date() for m in moments)
        weights = [s.weight for s in sections]
        added = []
        for moment in moments:
            day = moment.date()
            # Gaps between sequence numbers as on the real site, but never past 99999 on a busy day.
            gap = max(1, min(9, 90000 // per_day[day]))
            sequence = self._last_sequence.get(day, rng.randint(1, 60)) + rng.randint(1, gap)
            if sequence > 99999:
                raise ValueError(f"more articles on {day} than a 5-digit daily sequence holds")
            self._last_sequence[day] = sequence
            section = rng.choices(sections, weights)[0]
            byline = self._pick_byline(rng, section)
            premium = byline in (BY_STAFF, BY_SEVERAL, BY_COLUMNIST) and rng.random() < 0.25
            modified = moment
            if rng.random() < 0.3:
                modified = min(moment + timedelta(minutes=rng.randint(5, 240)), max(self.now, moment))
            record = ArticleRecord(
                self, make_article_id(day, sequence), len(self.records), section, layout, moment, modified, byline,
                premium, rng.random() < (0.7 if byline >= BY_AGENCY else 0.85),
                rng.randint(8, 14) if section.family == "opinion" else rng.randint(3, 12),
                self._topic_mask(rng, section),
            )
            self.records.append(record)
            self.by_id[record.article_id] = record
            added.append(record)
        return added

    @staticmethod
    def _pick_byline(rng: random.Random, section: Section) -> int:
        if section.family == "opinion":
            return BY_COLUMNIST
        roll = rng.random()
        if roll < 0.45:
            return BY_STAFF
        if roll < 0.57:
            return BY_SEVERAL
        if roll < 0.65:
            return BY_DESK
        return BY_AGENCY + rng.choices(range(len(AGENCIES)), (50, 20, 15, 15))[0]

    @staticmethod
    def _topic_mask(rng: random.Random, section: Section) -> int:
        chosen = rng.sample(range(len(section.topics)), rng.randint(1, 3))
        return sum(1 << bit for bit in chosen)

    # --- changes --------------------------------------------------------------

    def add(self, count: int, spacing_minutes: float = 7.0) -> list[ArticleRecord]:
        """Publish ``count`` articles after the newest one, a few minutes apart."""
        with self._lock:
            newest = max((r.published for r in self.records if r.layout == CURRENT), default=self.now)
            stamps = []
            moment = newest.timestamp()
            for _ in range(count):
                moment += spacing_minutes * 60 * (0.5 + self._rng.random())
                stamps.append(int(moment))
            return self._append(stamps, SECTIONS, CURRENT)

    def modify(self, article_id: str) -> ArticleRecord:
        """Add a paragraph to an article and move its modified time one hour on."""
        with self._lock:
            record = self.by_id[article_id]
            record.revision += 1
            record.modified = record.modified + timedelta(hours=1)
            return record

    # --- content --------------------------------------------------------------

    def _authors(self, rng: random.Random, record: ArticleRecord) -> list[Author]:
        if record.byline >= BY_AGENCY:
            return [AGENCIES[record.byline - BY_AGENCY]]
        if record.byline == BY_SEVERAL:
            return rng.sample(STAFF, rng.randint(2, 3))
        if record.byline == BY_DESK:
            return [rng.choice(DESKS)]
        if record.byline == BY_COLUMNIST:
            return [rng.choice(COLUMNISTS)]
        return [rng.choice(STAFF)]

    def _also_read(self, rng: random.Random, record: ArticleRecord) -> list[tuple[str, str]]:
        # Older articles of the same layout, mostly recent ones, as the site's related box shows.
        # The pre-2023 records come first, so a slice is enough.
        first = self._legacy_count if record.layout == CURRENT else 0
        pool = self.records[max(first, record.index - 400) : record.index]
        if not pool:
            return []
        picks = rng.sample(pool, min(len(pool), rng.randint(0, 5)))
        return [(r.headline, r.path) for r in picks]

    def _image_url(self, rng: random.Random, record: ArticleRecord) -> str:
        # Served by the loopback itself, so a renderer (Splash) never reaches for the real media host.
        moment = record.published
        return f"{self.base_url}{MEDIA_PREFIX}/{moment:%Y-%m}/{moment:%d}/full/{int(moment.timestamp())}-{rng.randint(1000, 9999)}.jpg"

    def paragraphs(self, record: ArticleRecord) -> list[str]:
        """The body text: generated paragraphs, then one per modification."""
        headline, subject, topic = _headline_parts(self.seed, record)
        rng = _rng(self.seed, record.article_id, "body")
        paragraphs = [f"{headline}, {_pick(rng, CITIES)}-based sources said on {_pick(rng, WEEKDAYS)}."]
        while len(paragraphs) < record.paragraph_count:
            paragraphs.append(" ".join(self._sentence(rng, subject, topic) for _ in range(2)))
        for revision in range(1, record.revision + 1):
            update = record.published + timedelta(hours=revision)
            paragraphs.append(
                f"Update {revision}: {subject} issued a further statement at {display(update)}, "
                f"adding that {topic.lower()} would be reviewed again in {MONTHS[update.month % 12]}."
            )
        return paragraphs

    @staticmethod
    def _sentence(rng: random.Random, subject: str, topic: str) -> str:
        person, title = PEOPLE[int(rng.random() * len(PEOPLE))]
        return _pick(rng, SENTENCES).format(
            subject=subject, topic=topic, person=person, title=title, broker=_pick(rng, BROKERS),
            weekday=_pick(rng, WEEKDAYS), month=_pick(rng, MONTHS), city=_pick(rng, CITIES), **_figures(rng),
        )

    def spec(self, record: ArticleRecord) -> PageSpec:
        """The page content of an article (shared between callers: do not mutate it)."""
        return self._spec(record.article_id, record.revision)

    def _build_spec(self, record: ArticleRecord) -> PageSpec:
        headline, subject, _ = _headline_parts(self.seed, record)
        rng = _rng(self.seed, record.article_id, "page")
        authors = self._authors(rng, record)
        also_read = self._also_read(rng, record)
        has_image = record.image
        image_url = self._image_url(rng, record) if has_image else None
        return PageSpec(
            article_id=record.article_id,
            section_path=record.section.path,
            section_name=record.section.name,
            slug=slugify(headline),
            headline=headline,
            standfirst=rng.choice(STANDFIRSTS),
            published=record.published,
            modified=record.modified,
            paragraphs=self.paragraphs(record),
            authors=authors,
            dateline=None if record.byline == BY_COLUMNIST else rng.choice(CITIES),
            read_time=record.read_time,
            image_url=image_url,
            image_alt=subject if has_image else None,
            image_caption=rng.choice(CAPTIONS) if has_image else None,
            highlight=rng.choice(STANDFIRSTS) if rng.random() < 0.3 else None,
            inline_also_read=also_read[0] if also_read and rng.random() < 0.5 else None,
            also_read=also_read,
            topics=record.topics,
            syndicated=record.syndicated,
            premium=record.premium,
            free_paragraphs=2,
        )
