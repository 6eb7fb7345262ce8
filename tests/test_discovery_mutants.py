"""Discovery parsing at its edges: each limit and rule of the feed, sitemap and listing readers pinned by an exact value."""

from __future__ import annotations

import gzip

import pytest

from crawler.extraction.discovery import TOO_LARGE, BrokenDocument, unpack


def test_a_gzip_body_of_exactly_the_limit_is_unpacked_one_byte_more_is_refused() -> None:
    content = b"x" * 4096
    assert unpack(gzip.compress(content), max_size=4096) == content
    with pytest.raises(BrokenDocument) as refused:
        unpack(gzip.compress(content + b"x"), max_size=4096)
    assert refused.value.reason == TOO_LARGE
