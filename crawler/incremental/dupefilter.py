"""A duplicate filter that lets discovery's own requests through, so a resumed ``JOBDIR`` run loses none.

With ``JOBDIR``, requests that were downloading when a run was killed are in ``requests.seen`` but in
no queue: Scrapy's filter would refuse them forever. Discovery requests (feeds, sitemaps, listings and
the articles they point at) carry ``bs_rediscover``; they are deduplicated by article id in the spider
and by the seen-store instead, so the resumed run reads its sources again and finds what was lost.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

REDISCOVER = "bs_rediscover"


class RediscoveringDupeFilter(RFPDupeFilter):
    """Scrapy's fingerprint filter, except for requests marked ``bs_rediscover``."""

    def request_seen(self, request: Request) -> bool:
        if request.meta.get(REDISCOVER):
            return False
        return super().request_seen(request)
