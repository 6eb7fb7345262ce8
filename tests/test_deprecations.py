"""No deprecated Scrapy API used by our code: checked on every module of ``crawler`` and in a whole crawl.

Calls of deprecated functions from our modules are errors in every test (pyproject.toml,
``filterwarnings``); these tests catch what that cannot: Scrapy 2.14+ warns about a component
method that *requires* the ``spider`` argument from Scrapy's own modules, when it builds the
component. Taking ``spider`` as optional (``spider: Spider | None = None``) works on the whole
supported range: Scrapy 2.13 always passes it (by keyword for downloader middlewares,
positionally for pipelines), 2.14+ passes it only when required.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import crawler
from tests.e2e import crawl
from tests.loopback.site import LoopbackSite

# Component methods Scrapy 2.14+ warns about when they require `spider`.
SPIDER_ARG_METHODS = (
    "process_request",
    "process_response",
    "process_exception",
    "process_item",
    "open_spider",
    "close_spider",
    "process_spider_input",
    "process_spider_output",
    "process_spider_output_async",
    "process_spider_exception",
    "process_start",
)


def our_classes() -> list[type]:
    classes = []
    for module_info in pkgutil.walk_packages(crawler.__path__, "crawler."):
        module = importlib.import_module(module_info.name)
        classes += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    return classes


def requires_spider(method: object) -> bool:
    parameter = inspect.signature(method).parameters.get("spider")  # type: ignore[arg-type]
    return parameter is not None and parameter.default is inspect.Parameter.empty


def test_no_component_method_of_ours_requires_the_spider_argument() -> None:
    offenders = [
        f"{cls.__module__}.{cls.__qualname__}.{name}()"
        for cls in our_classes()
        for name in SPIDER_ARG_METHODS
        if name in vars(cls) and requires_spider(getattr(cls, name))
    ]
    assert not offenders, "make `spider` optional (spider: Spider | None = None), or drop it: " + ", ".join(offenders)


def test_a_crawl_logs_no_deprecation_warning_about_our_code(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, legacy=1, seed=3) as site:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    assert result.status == 0, result.log[-3000:]
    names = {cls.__qualname__ for cls in our_classes()}
    warnings = re.findall(r"\[py\.warnings\] WARNING: (.*?(?:Deprecation|deprecated).*)", result.log)
    ours = [w for w in warnings if "/crawler/" in w or any(re.search(rf"\b{re.escape(n)}\.", w) for n in names)]
    assert not ours, "\n".join(ours)

