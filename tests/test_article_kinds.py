"""Every schema.org kind of Article a publisher may give a story is read as one by the last-resort
layout; kinds that are no story (a forum post, a social media posting, a web page) are not."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from crawler.extraction import NotAnArticle, extract
from tests.conftest import PAGES

FIXTURE = PAGES / "generic" / "jsonld-unknown-layout"
URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"


def _as(kind: str) -> str:
    page = (FIXTURE / "page.html").read_text(encoding="utf-8")
    assert page.count('"@type": "NewsArticle"') == 1
    return page.replace('"@type": "NewsArticle"', f'"@type": "{kind}"')


@pytest.mark.parametrize(
    "kind", ["Report", "TechArticle", "ScholarlyArticle", "MedicalScholarlyArticle", "SatiricalArticle", "AdvertiserContentArticle"]
)
def test_another_kind_of_article_gives_the_same_item(kind: str) -> None:
    expected = asdict(extract(_as("NewsArticle"), URL).article)
    got = extract(_as(kind), URL)
    assert got.article.layout == "generic"
    assert {k: v for k, v in asdict(got.article).items() if k != "dateDownloaded"} == {k: v for k, v in expected.items() if k != "dateDownloaded"}


@pytest.mark.parametrize("kind", ["DiscussionForumPosting", "WebPage", "Product"])
def test_what_is_no_story_stays_unread(kind: str) -> None:
    with pytest.raises(NotAnArticle):
        extract(_as(kind), URL)
