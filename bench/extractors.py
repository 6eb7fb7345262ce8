"""The extractors compared, each as ``run(body, url)`` (what is timed) and ``view(result)`` (the compared fields).

Only ``run`` is timed; ``view`` turns the result into :data:`bench.pages.FIELDS` afterwards. A field an
extractor does not produce at all is left out of its view and shows as "—" in the report.
"""

from __future__ import annotations

import html
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import lxml.html

from crawler.extraction import NotAnArticle, extract_article
from crawler.extraction.normalize import IST, parse_date

from .pages import View, view_of_item


@dataclass(frozen=True)
class Extractor:
    """One contender."""

    name: str
    run: Callable[[bytes, str], Any]
    view: Callable[[Any], View] | None  # None: a baseline that extracts nothing


# --- ours ------------------------------------------------------------------------


def _ours(body: bytes, url: str) -> Any:
    try:
        return extract_article(body, url)
    except NotAnArticle:
        return None


def _ours_view(article: Any) -> View:
    return view_of_item(asdict(article)) if article is not None else {}


# --- trafilatura ------------------------------------------------------------------


def _trafilatura() -> Extractor:
    from trafilatura import bare_extraction

    def run(body: bytes, url: str) -> Any:
        return bare_extraction(body, url=url, with_metadata=True)

    def view(document: Any) -> View:
        if document is None:
            return {}
        found = document.as_dict() if hasattr(document, "as_dict") else dict(document)
        authors = [a.strip() for a in (found.get("author") or "").split(";") if a.strip()]
        tags = [t.strip() for tag in found.get("tags") or [] for t in str(tag).split(",") if t.strip()]
        categories = [c for c in found.get("categories") or [] if c]
        # trafilatura has one date; by default (original_date=False) the newest it finds, so it
        # is judged against both of ours.
        return {
            "headline": found.get("title"),
            "description": found.get("description"),
            "authors": authors,
            "datePublished": found.get("date"),
            "dateModified": found.get("date"),
            "articleBody": found.get("text"),
            "mainImage": found.get("image"),
            "topics": tags,
            "section": categories[0] if categories else None,
            "canonicalUrl": found.get("url"),
            "inLanguage": found.get("language"),
        }

    return Extractor("trafilatura", run, view)


# --- newspaper4k -------------------------------------------------------------------


def _newspaper() -> Extractor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": only its NLP features need it
        import newspaper

    def run(body: bytes, url: str) -> Any:
        # fetch_images=False: never reach for the network to size images (parse only).
        article = newspaper.Article(url, fetch_images=False)
        article.download(input_html=body.decode("utf-8", "replace"))
        try:
            article.parse()
        except ImportError:
            # A page in Hindi wants its Hindi tokenizer, which needs indic-nlp-library (and pandas):
            # such a page is read with the default language's instead.
            article = newspaper.Article(url, fetch_images=False, language="en")
            article.download(input_html=body.decode("utf-8", "replace"))
            article.parse()
        return article

    def view(article: Any) -> View:
        tags = sorted(article.tags) if article.tags else list(article.meta_keywords or [])
        published = article.publish_date
        return {
            "headline": article.title or None,
            "description": article.meta_description or None,
            "authors": list(article.authors or []),
            "datePublished": published.isoformat() if isinstance(published, (date, datetime)) else None,
            "articleBody": article.text or None,
            "mainImage": article.top_image or None,
            "topics": [t for t in tags if t],
            "canonicalUrl": article.canonical_link or None,
            "inLanguage": article.meta_lang or None,
        }

    return Extractor("newspaper4k", run, view)


def _bare_lxml(body: bytes, url: str) -> Any:
    return lxml.html.fromstring(body)


def extractors() -> list[Extractor]:
    """Ours, the two libraries, and the bare parse every extractor starts with."""
    return [
        Extractor("ours", _ours, _ours_view),
        _trafilatura(),
        _newspaper(),
        Extractor("bare lxml parse", _bare_lxml, None),
    ]


# --- judging a field -------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
BODY_F1 = 0.95  # a body counts as right from this word-level F1 on


def _text(value: Any) -> str:
    return _SPACE.sub(" ", html.unescape(str(value)).replace("\u00a0", " ")).strip()


def body_f1(found: Any, truth: Any) -> float:
    """Word-level F1 of two texts (bags of words, case folded)."""
    ours = Counter(w.casefold() for w in _WORD.findall(str(found or "")))
    theirs = Counter(w.casefold() for w in _WORD.findall(str(truth or "")))
    if not ours and not theirs:
        return 1.0
    common = sum((ours & theirs).values())
    if not common:
        return 0.0
    precision, recall = common / sum(ours.values()), common / sum(theirs.values())
    return 2 * precision * recall / (precision + recall)


def _same_moment(found: Any, truth: Any) -> bool:
    if found is None or truth is None:
        return found is None and truth is None
    text = str(found).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        # A date without a time (trafilatura) is right when it is the day of ours in IST.
        moment = parse_date(str(truth))
        return moment is not None and moment.astimezone(IST).date().isoformat() == text
    a, b = parse_date(text), parse_date(str(truth))
    return a is not None and b is not None and a == b


def is_right(field: str, found: Any, truth: Any) -> bool:
    """Whether an extractor's value of ``field`` is what the reader sees (see the README for the rules)."""
    empty: tuple[Any, ...] = (None, "", [], False)
    if truth in empty and field not in {"isSyndicated", "isPremium", "isLiveBlog"}:
        return found in empty
    if field in {"datePublished", "dateModified"}:
        return _same_moment(found, truth)
    if field == "articleBody":
        return body_f1(found, truth) >= BODY_F1
    if field in {"authors", "topics"}:
        return sorted(_text(v).casefold() for v in found or []) == sorted(_text(v).casefold() for v in truth)
    if field == "alsoRead":
        return list(found or []) == list(truth)
    if field in {"section", "inLanguage"}:
        return found is not None and _text(found).casefold()[: 2 if field == "inLanguage" else None] == _text(truth).casefold()
    if isinstance(truth, (bool, int)):
        return bool(found == truth)
    return found is not None and _text(found) == _text(truth)
