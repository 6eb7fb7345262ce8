"""The story's main image from every source a page names it in, on every layout: one reader, placeholders and logos none."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from crawler.extraction import extract
from tests.conftest import PAGES, load_json, shared_file

# One page of each layout: the project's pages written from ../shared (tests/pages/specs.py), and the
# real pre-2023 page read from ../shared/real (never copied here).
LAYOUTS = {
    "nextjs-2023": "nextjs-2023/seed-syndicated",
    "pre-2023": "pre2023/real-2019-01-18",
    "amp": "amp/seed-syndicated",
    "generic": "generic/jsonld-unknown-layout",
    "generic-opengraph": "generic/opengraph-article",
    "hindi-2020": "hindi-2020/budget-166607",
}
PICTURE = "https://bsmedia.business-standard.com/_media/bs/img/article/2024-02/28/full/1709115000-4521.jpg"

# Every place the page names its picture: the head's metas and image_src link, JSON-LD's image and
# thumbnail (keys renamed: the JSON stays JSON, also where it is not strictly so), the article JSON's
# featured image, the pre-2023 hero's class.
_HEAD_IMAGES = re.compile(
    r"""<meta\s[^>]*?(?:property|name|itemprop)=["'](?:og:image(?::secure_url|:url)?|twitter:image(?::src)?|image)["'][^>]*>"""
    r"""|<link\s[^>]*?rel=["']image_src["'][^>]*>""",
    re.IGNORECASE,
)
_LD_IMAGE_KEYS = re.compile(r'"(image|thumbnailUrl|featuredImageObj)"(\s*:)')
_ARTICLE_TYPE = re.compile(r'("@type"\s*:\s*"NewsArticle"\s*,)')


def _page(folder: str) -> tuple[str, str]:
    url = str(load_json(PAGES / folder / "meta.json")["url"])
    if folder == LAYOUTS["pre-2023"]:
        return shared_file("real/article-2019-01-18-119011800410.html").read_text(encoding="utf-8"), url
    return (PAGES / folder / "page.html").read_text(encoding="utf-8"), url


def _bare(layout: str) -> tuple[str, str]:
    """The layout's page naming no picture anywhere."""
    html, url = _page(LAYOUTS[layout])
    html = _LD_IMAGE_KEYS.sub(r'"\1Gone"\2', _HEAD_IMAGES.sub("", html)).replace('class="imgCont"', 'class="imgGone"')
    return html, url


def _with(html: str, head: str = "", ld: Any = None) -> str:
    """The page with ``head`` in its head and ``ld`` as its JSON-LD article's image."""
    html = html.replace("</head>", head + "</head>", 1) if head else html
    if ld is not None:
        html, made = _ARTICLE_TYPE.subn(lambda m: m[1] + ' "image": ' + json.dumps(ld) + ",", html, count=1)
        assert made, "the page states a NewsArticle"
    return html


def _image(html: str, url: str) -> tuple[str | None, str | None]:
    """The item's mainImage URL and the source it was counted from."""
    extraction = extract(html.encode("utf-8"), url)
    image = extraction.article.mainImage
    return (image.url if image else None), extraction.provenance.sources.get("mainImage")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_bare_pages_name_no_picture(layout: str) -> None:
    # (The probes below add one source to these: a page still naming its own would prove nothing.)
    assert _image(*_bare(layout)) == (None, None)


HEAD_SOURCES = {
    "og:image:secure_url": f'<meta property="og:image:secure_url" content="{PICTURE}">',
    "og:image:url": f'<meta property="og:image:url" content="{PICTURE}">',
    "twitter:image": f'<meta name="twitter:image" content="{PICTURE}">',
    "twitter:image:src as a property": f'<meta property="twitter:image:src" content="{PICTURE}">',
    "itemprop=image outside any item": f'<meta itemprop="image" content="{PICTURE}"/>',
    "link rel=image_src": f'<link rel="image_src" href="{PICTURE}"/>',
    "og:image protocol-relative": f'<meta property="og:image" content="{PICTURE.removeprefix("https:")}">',
    "twitter:image protocol-relative": f'<meta name="twitter:image" content="{PICTURE.removeprefix("https:")}">',
}


@pytest.mark.parametrize("source", HEAD_SOURCES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_head_source_names_the_picture_on_every_layout(layout: str, source: str) -> None:
    # Before: og:image alone was read; a page naming its picture in X's card, og:image's https form,
    # a head <meta itemprop="image"> or image_src (the real pre-2023 page has all of them) had none.
    html, url = _bare(layout)
    assert _image(_with(html, HEAD_SOURCES[source]), url) == (PICTURE, "meta")


@pytest.mark.parametrize("layout", ["nextjs-2023", "pre-2023", "amp", "generic"])
def test_a_relative_image_src_is_made_absolute(layout: str) -> None:
    html, url = _bare(layout)
    host = "https://hindi.business-standard.com" if layout == "hindi-2020" else "https://www.business-standard.com"
    assert _image(_with(html, '<link rel="image_src" href="/_media/bs/img/story.jpg">'), url) == (f"{host}/_media/bs/img/story.jpg", "meta")


PLACEHOLDERS = [
    "https://bsmedia.business-standard.com/include/_mod/site/html5/images/default-image.jpg",
    "https://www.business-standard.com/assets/web-assets/images/BSLogo.png",
    "https://bsmedia.business-standard.com/include/_mod/site/html5/images/bs-logo-amp.png",
    "https://www.business-standard.com/images/logo.png",
    "https://hindi.business-standard.com/images/nopreview.png",
    "https://bsmedia.business-standard.com/images/no-image.jpg",
    "https://www.business-standard.com/",
]


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_placeholder_or_the_papers_logo_is_no_image(layout: str, placeholder: str) -> None:
    # Before: the logo or the CMS's stand-in was written as the story's picture (the Hindi pages' own
    # placeholder only was known, and only on the Hindi edition).
    html, url = _bare(layout)
    assert _image(_with(html, f'<meta property="og:image" content="{placeholder}">'), url) == (None, None)
    # ... and the story's picture another source names is the one read.
    named = _with(html, f'<meta property="og:image" content="{placeholder}"><meta property="og:image" content="{PICTURE}">')
    assert _image(named, url) == (PICTURE, "meta")
    if _ARTICLE_TYPE.search(html):  # (a page of OpenGraph alone has no JSON-LD to name it)
        assert _image(_with(html, ld=placeholder), url) == (None, None)
        assert _image(_with(html, f'<meta name="twitter:image" content="{PICTURE}">', ld=placeholder), url) == (PICTURE, "meta")


@pytest.mark.parametrize("layout", ["nextjs-2023", "pre-2023", "amp", "generic"])
def test_the_json_ld_publishers_logo_offered_as_the_image_is_none(layout: str) -> None:
    logo = "https://www.business-standard.com/assets/web-assets/images/bs-2024.png"
    html, url = _bare(layout)
    html = re.sub(r'"publisher"(\s*:)', r'"publisherGone"\1', html)  # (the page's own, named by no logo)
    html = _ARTICLE_TYPE.sub(lambda m: m[1] + ' "publisher": {"@type": "Organization", "name": "Business Standard", "logo": {"@type": "ImageObject", "url": "' + logo + '"}},', html, count=1)
    assert _image(_with(html, ld=logo), url) == (None, None)
    assert _image(_with(html, f'<meta property="og:image" content="{PICTURE}">', ld=logo), url) == (PICTURE, "meta")


@pytest.mark.parametrize("layout", ["nextjs-2023", "pre-2023", "amp", "generic", "hindi-2020"])
def test_json_ld_image_objects_in_several_crops_give_the_widest(layout: str) -> None:
    # Before: the first listed, a 1x1 thumbnail.
    crops = [
        {"@type": "ImageObject", "url": PICTURE + "?crop=1x1", "width": 300, "height": 300},
        {"@type": "ImageObject", "url": PICTURE, "width": "1200", "height": "675"},
        {"@type": "ImageObject", "url": PICTURE + "?crop=4x3", "width": 800, "height": 600},
    ]
    html, url = _bare(layout)
    assert _image(_with(html, ld=crops), url) == (PICTURE, "ld")
    # Sizes stated by none: the first, as before; a width that is no number (thousands of digits, a
    # float's infinity) states none.
    assert _image(_with(html, ld=[PICTURE, PICTURE + "?crop=1x1"]), url) == (PICTURE, "ld")
    huge = _with(html, ld=[{"@type": "ImageObject", "url": PICTURE, "width": 1200}, {"@type": "ImageObject", "url": PICTURE + "?crop=1x1", "width": 0}])
    huge = huge.replace('"width": 0}', '"width": ' + "9" * 5000 + "}", 1).replace('"width": 1200}', '"width": 1200}, {"@type": "ImageObject", "url": "' + PICTURE + '?crop=4x3", "width": 1e309}', 1)
    assert _image(huge, url) == (PICTURE, "ld")


@pytest.mark.parametrize("layout", ["nextjs-2023", "pre-2023", "amp", "generic", "hindi-2020"])
def test_json_ld_thumbnail_url_names_the_picture_when_image_does_not(layout: str) -> None:
    # Before: none (og:image, if any, answered; else the item had no picture).
    html, url = _bare(layout)
    html = _ARTICLE_TYPE.sub(lambda m: m[1] + f' "thumbnailUrl": "{PICTURE}",', html, count=1)
    assert _image(html, url) == (PICTURE, "ld")


def test_a_story_picture_of_a_logo_is_still_the_picture() -> None:
    html, url = _bare("generic")
    logo_story = "https://bsmedia.business-standard.com/_media/bs/img/article/2024-02/28/full/tata-motors-new-logo.jpg"
    assert _image(_with(html, f'<meta property="og:image" content="{logo_story}">'), url) == (logo_story, "meta")


def test_the_real_pre2023_page_keeps_its_picture_from_every_source() -> None:
    # The real page names one file in og:image, its https form, X's card, itemprop=image and image_src:
    # each alone gives it, so a template that drops og:image does not cost the picture.
    html, url = _page(LAYOUTS["pre-2023"])
    file = "https://bsmedia.business-standard.com/_media/bs/img/article/2019-01/18/full/1547811933-6131.jpg"
    assert _image(html, url)[0] == file
    bare, _ = _bare("pre-2023")
    for tag in _HEAD_IMAGES.findall(html):
        assert _image(_with(bare, tag), url) == (file, "meta"), tag
