"""The Hindi test pages against the stories they were rendered from (not against the rules' own output).

The pages imitate two real 2020 story pages; each check below is something those pages showed the
first rules getting wrong or could get wrong: JSON-LD's description cut mid-word, og:image being the
bare site root, the breadcrumb cells without links, the page header's own English date, the empty
spacer blocks between paragraphs, the keyword row's empty link.
"""

from __future__ import annotations

import pytest

from crawler.extraction import Article, extract
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, HINDI_BUDGET, HINDI_COMPANIES, HINDI_CREDITED, HINDI_MARKETS, HINDI_SITE, HindiStory

STORIES = {"budget-166607": HINDI_BUDGET, "markets-166712": HINDI_MARKETS, "companies-172480": HINDI_COMPANIES, "credited-168031": HINDI_CREDITED}
HINDI_CASES = [c for c in CASES if c.layout == "hindi-2020"]


def _words(text: str) -> str:
    return " ".join(text.split())


def _read(name: str) -> Article:
    case = next(c for c in HINDI_CASES if c.name == name)
    return extract(page_bytes(case, PAGES / case.folder), case.url).article


def test_every_hindi_case_has_its_story() -> None:
    assert {c.name for c in HINDI_CASES} == set(STORIES)


@pytest.mark.parametrize("name", sorted(STORIES))
def test_a_hindi_page_reads_as_its_story(name: str) -> None:
    story: HindiStory = STORIES[name]
    article = _read(name)
    assert article.layout == "hindi-2020" and article.inLanguage == "hi"
    assert article.articleId == f"hi-{story.autono}"
    # The canonical link as the site writes it (double slash), not rewritten.
    assert article.canonicalUrl == f"{HINDI_SITE}//storypage.php?autono={story.autono}"
    assert article.headline == story.headline  # the <h1>, without JSON-LD's "बिजनेस स्टैंडर्ड " prefix
    assert [a.name for a in article.authors] == [story.author] and article.dateline == story.city
    # The byline's date, not the page header's "Friday, February 14, 2020 08:51 PM".
    assert article.datePublishedRaw == f"{story.published:%B} {story.published.day}, {story.published.year}"
    assert article.datePublished == story.published.isoformat()
    assert article.section == story.section_en
    assert [(step.name, step.url) for step in article.breadcrumbs] == [
        ("होम", None),
        (story.section_hi, HINDI_SITE + story.section_path),
        ("खबर", None),
    ]
    # Every paragraph once, in order; the spacers between them give none.
    assert article.articleBody == "\n".join(_words(p) for p in story.paragraphs)
    # The meta description whole (the story, or its first paragraph), not JSON-LD's 200-byte cut.
    whole = " ".join(story.paragraphs) if story.body == "div" else story.paragraphs[0]
    assert article.description == _words(whole)
    assert article.topics == story.keywords  # the empty last keyword link gives nothing
    if story.image_path:
        assert article.mainImage is not None and article.mainImage.url == HINDI_SITE + story.image_path
    else:
        assert article.mainImage is None, "og:image is the bare site root, JSON-LD's image a placeholder"
