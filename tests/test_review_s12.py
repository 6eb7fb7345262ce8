"""Review of round s12: recovery reading odd marshal, pickle and JSON feed files (garbage, cut, deep)
without crashing and without allocating what a garbled length says."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import tracemalloc
from pathlib import Path

import pytest

from crawler.incremental.exporters import ArticleMarshalItemExporter, ArticlePickleItemExporter
from crawler.incremental.recovery import cut_partial_line, ids_in_feed
from crawler.incremental.store import FeedRecord

ITEM = {"articleId": "124112100027", "version": 2, "headline": "Sensex ends flat", "authors": [{"name": "PTI", "url": None}]}


def objects_feed(fmt: str) -> bytes:
    file = io.BytesIO()
    exporter = ArticleMarshalItemExporter(file) if fmt == "marshal" else ArticlePickleItemExporter(file)
    exporter.start_exporting()
    exporter.export_item(ITEM)
    return file.getvalue()


def peak_bytes_reading(feed: FeedRecord) -> tuple[dict[str, int | None], int]:
    tracemalloc.start()
    try:
        found = ids_in_feed(feed)
        return found, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_pickle_with_a_large_memo_index_is_not_a_huge_table(tmp_path: Path) -> None:
    # LONG_BINPUT's 4-byte index is the size of the table _pickle fills: with 0xFFFFFFF0, 9 bytes of a
    # garbled file took 64 GB (the run was killed by the OOM killer); 2**24 here: 256 MB.
    feed = tmp_path / "items.pickle"
    feed.write_bytes(objects_feed("pickle") + b"\x80\x04N" + b"r" + struct.pack("<I", 1 << 24) + b".")
    found, peak = peak_bytes_reading(FeedRecord(str(feed), "pickle"))
    assert found == {"124112100027": 2}
    assert peak < 16 * 1024**2


def test_a_pickle_with_a_garbled_length_does_not_stop_recovery(tmp_path: Path) -> None:
    # _pickle raised OverflowError for a length past sys.maxsize: recovery, and the run, stopped.
    feed = tmp_path / "items.pickle"
    for garbage in (b"\x8e6\x07\x8f\x8a\xdc\x88F\x97\xb0:|\x94\x88\n", b"\x80\x04\x95w\xf9\to2d\x90\x92\xae\xc5B\x9d\x9e\xc1"):
        feed.write_bytes(objects_feed("pickle") + garbage)
        assert ids_in_feed(FeedRecord(str(feed), "pickle")) == {"124112100027": 2}


def test_a_marshal_tuple_of_a_garbled_size_is_not_allocated(tmp_path: Path) -> None:
    # marshal.load builds a tuple of the size the file says before reading any of it: 22 garbage
    # bytes took 15 GB (2**24 here: 128 MB).
    feed = tmp_path / "items.marshal"
    feed.write_bytes(objects_feed("marshal") + b"(" + struct.pack("<i", 1 << 24) + b"N")
    found, peak = peak_bytes_reading(FeedRecord(str(feed), "marshal"))
    assert found == {"124112100027": 2}
    assert peak < 16 * 1024**2


def test_marshal_feeds_read_here_as_marshal_writes_them(tmp_path: Path) -> None:
    import marshal

    values = [
        {"articleId": "a1", "version": 7, "n": -(2**70), "f": 1.5, "t": (1, "x", None), "b": b"\x00", "ok": True, "s": "सेंसेक्स"},
        {"articleId": "a2", "version": "3", "same": ["x" * 300, "x" * 300], "nested": [{"k": [1, 2**31]}]},
    ]
    feed = tmp_path / "items.marshal"
    feed.write_bytes(b"".join(marshal.dumps(value) for value in values) + marshal.dumps(values[0])[:-3])
    assert ids_in_feed(FeedRecord(str(feed), "marshal")) == {"a1": 7, "a2": 3}


def test_a_json_feed_nested_deeper_than_the_stack_does_not_stop_recovery(tmp_path: Path) -> None:
    # The C scanner raises RecursionError (no ValueError) for deep nesting.
    whole = json.dumps(ITEM).encode()
    feed = tmp_path / "items.json"
    feed.write_bytes(b"[" + whole + b",\n" + b'{"a":' * 100_000)
    assert ids_in_feed(FeedRecord(str(feed), "json")) == {"124112100027": 2}
    lines = tmp_path / "items.jsonl"
    lines.write_bytes(whole + b"\n" + b'{"a":' * 100_000 + b"\n" + whole.replace(b"027", b"028") + b"\n")
    assert ids_in_feed(FeedRecord(str(lines), "jsonl")) == {"124112100027": 2, "124112100028": 2}


def test_a_link_a_template_ended_with_an_object_is_no_link() -> None:
    # `base + "/" + image` where image is an object: "[object Object]" ends the address as "undefined" does.
    from crawler.extraction.normalize import absolute_url

    for href in ("https://www.business-standard.com/article/[object Object]", "/images/[object Object]",
                 "https://bsmedia.business-standard.com/_media/[object%20Object]"):
        assert absolute_url(href) is None, href
    assert absolute_url("/images/undefined") is None
    assert absolute_url("/article/markets/sensex-124112100027_1.html") == "https://www.business-standard.com/article/markets/sensex-124112100027_1.html"


def test_a_gzip_csv_row_whose_quote_never_closes_is_not_gathered_in_memory(tmp_path: Path, monkeypatch: object) -> None:
    # A `"` never closed (binary garbage, another CSV dialect) made _csv_rows gather every line after
    # it, up to MAX_FEED_BYTES (4 GB), and join them: a row is bounded as a line is.
    import gzip

    import pytest

    from crawler.incremental import recovery

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(recovery, "MAX_LINE_BYTES", 64 * 1024)
    body = b"articleId,version,headline\r\n124112100027,2,Sensex\r\n124112100028,2,\"Open" + b"\r\n" + b"".join(os.urandom(500).hex().encode() + b"\r\n" for _ in range(4000))
    feed = tmp_path / "items.csv.gz"
    feed.write_bytes(gzip.compress(body)[:-8])  # the kill cut the member before its trailer
    record = FeedRecord(str(feed), "csv", "gzip")
    tracemalloc.start()
    try:
        recovery.mend_cut_gzip(record)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024**2
    assert gzip.decompress(feed.read_bytes()) == b"articleId,version,headline\r\n124112100027,2,Sensex\r\n"


def test_a_json_feed_written_with_utf_8_sig_is_read(tmp_path: Path) -> None:
    # Scrapy's JSON exporter encodes each item on its own: with FEED_EXPORT_ENCODING=utf-8-sig a BOM
    # stands before every item. The line reader took them (json.loads of bytes skips a BOM); the
    # value reader stopped at the first, and the killed run's articles were all emitted again.
    from scrapy.exporters import JsonItemExporter

    file = io.BytesIO()
    exporter = JsonItemExporter(file, encoding="utf-8-sig", indent=0)
    exporter.start_exporting()
    for number in ("27", "28"):
        exporter.export_item({**ITEM, "articleId": "1241121000" + number})
    feed = tmp_path / "items.json"
    feed.write_bytes(file.getvalue())
    assert b"\xef\xbb\xbf{" in file.getvalue()
    assert ids_in_feed(FeedRecord(str(feed), "json")) == {"124112100027": 2, "124112100028": 2}


def read_all(fmt: str, data: bytes) -> list[object]:
    import marshal

    stream, values = io.BytesIO(data), []
    while stream.tell() < len(data):
        values.append(marshal.load(stream) if fmt == "marshal" else pickle.load(stream))
    return values


def exported(fmt: str, values: list[dict[str, object]]) -> bytes:
    """What the project's marshal or pickle exporter writes for ``values``."""
    file = io.BytesIO()
    exporter = ArticleMarshalItemExporter(file) if fmt == "marshal" else ArticlePickleItemExporter(file)
    for value in values:
        exporter.export_item(value)
    return file.getvalue()


@pytest.mark.parametrize("fmt", ["marshal", "pickle"])
def test_a_cut_last_object_is_cut_off_before_the_next_run_appends(tmp_path: Path, fmt: str) -> None:
    # `-o items.marshal` from cron: the next run appends to the killed run's file. Its cut last object
    # stayed, and a reader took the next run's first object as the rest of it (or stopped there): every
    # article after the kill was lost to the reader.
    items = [{**ITEM, "articleId": f"12411210002{n}"} for n in range(4)]

    def feed_of(values: list[dict[str, object]]) -> bytes:
        return exported(fmt, values)

    killed = feed_of(items[:3])
    feed = tmp_path / f"items.{fmt}"
    feed.write_bytes(killed[: len(feed_of(items[:2])) + 9])
    assert cut_partial_line(FeedRecord(str(feed), fmt)) is True
    assert feed.read_bytes() == feed_of(items[:2])
    with feed.open("ab") as file:
        file.write(feed_of(items[2:]))  # the next run emits the cut article again, and the one after
    assert read_all(fmt, feed.read_bytes()) == items
    # A whole file, or one with an object recovery does not read that is not at its cut end, stays.
    assert cut_partial_line(FeedRecord(str(feed), fmt)) is False
    odd = (b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x8c\x03set\x93)R." if fmt == "pickle" else b"y" + b"\x00" * 16)
    feed.write_bytes(feed_of(items[:1]) + odd + feed_of(items[1:2]))
    assert cut_partial_line(FeedRecord(str(feed), fmt)) is False
    assert feed.read_bytes() == feed_of(items[:1]) + odd + feed_of(items[1:2])


@pytest.mark.parametrize("fmt", ["marshal", "pickle"])
def test_a_cut_gzip_part_loses_its_cut_object_before_the_next_run_appends(tmp_path: Path, fmt: str) -> None:
    # mend_cut_gzip copied a marshal or pickle part byte for byte: the cut object stayed in the mended
    # member, and took the next run's first object (appended as a member of its own) as its rest.
    import gzip

    from crawler.incremental.recovery import mend_cut_gzip

    items = [{**ITEM, "articleId": f"12411210002{n}"} for n in range(4)]

    def feed_of(values: list[dict[str, object]]) -> bytes:
        return exported(fmt, values)

    feed = tmp_path / f"items.{fmt}.gz"
    feed.write_bytes(gzip.compress(feed_of(items[:3])[: len(feed_of(items[:2])) + 9])[:-8])
    assert mend_cut_gzip(FeedRecord(str(feed), fmt, "gzip")) is True
    with feed.open("ab") as file:
        file.write(gzip.compress(feed_of(items[2:])))
    assert read_all(fmt, gzip.decompress(feed.read_bytes())) == items
