"""``scrapy check`` contracts that run offline: the sample response is a saved page of the project, never the site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from crawler import stats as stat

# The project's root: its saved test pages are named relative to it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SavedPageContract(Contract):
    """``@page PATH``: the sample request reads ``PATH`` (relative to the project; a folder means its
    ``page.html``) from disk, so a check never sends a request to the site, whatever ``BS_BASE_URL`` is.

    It replaces Scrapy's ``@url``, which would fetch the real page.
    """

    name = "page"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        if len(self.args) != 1 or not self.args[0]:
            raise ContractFail("@page takes one path, relative to the project")
        path = PROJECT_ROOT / self.args[0]
        if path.is_dir():
            path = path / "page.html"
        if not path.is_file():
            raise ContractFail(f"@page: no saved page {path}")
        args["url"] = path.as_uri()
        # Saved pages are read like `scrapy crawl article -a url=file://…`: past the off-site filter.
        args["meta"] = {**(args.get("meta") or {}), "allow_offsite": True}
        return args


class SourceReadContract(Contract):
    """``@source_read``: the callback counted the sample as a feed, sitemap or listing it could read
    (``bs/discovery/sources_read``), and as no failed source."""

    name = "source_read"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def post_process(self, output: list[Any]) -> None:
        crawler = getattr(self.spider, "crawler", None)
        values = crawler.stats.get_stats() if crawler is not None and crawler.stats is not None else {}
        failed = {k: v for k, v in values.items() if k.startswith(stat.DISCOVERY_SOURCE_FAILED_PREFIX)}
        if failed or not values.get(stat.DISCOVERY_SOURCES_READ):
            named = "; ".join(values.get(stat.DISCOVERY_FAILED_SOURCES) or []) or "nothing read"
            raise ContractFail(f"the source was not read: {named}")
