"""A killed run's JSON, marshal or pickle feed (`-O items.json`) read back by recovery: every whole item
counts, the last one too, however the document is indented, so no article is emitted again beside it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from scrapy.exporters import JsonItemExporter

from crawler.incremental.recovery import ids_in_feed, recover_pending
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore

ITEMS = [
    {"articleId": "124112100027", "version": 1, "headline": "Sensex ends flat", "articleBody": "One.\nTwo."},
    {"articleId": "hi-166607", "version": 2, "headline": "सेंसेक्स में तेज़ी", "articleBody": "पहला अनुच्छेद।"},
    {"articleId": "124112100029", "version": 3, "headline": 'He said "no", then [left]', "articleBody": "x" * 200_000},
]


def killed_runs_json(indent: int | None, items: list[dict[str, object]] = ITEMS) -> bytes:
    """What Scrapy's JSON exporter (the project's "json" format) has written when the run is killed
    right after its last item: the document is never closed."""
    file = io.BytesIO()
    exporter = JsonItemExporter(file, encoding="utf-8", indent=indent, ensure_ascii=False)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    return file.getvalue()


def expected(items: list[dict[str, object]] = ITEMS) -> dict[str, int | None]:
    return {str(item["articleId"]): int(str(item["version"])) for item in items}


@pytest.mark.parametrize("indent", [None, 0, 2, 4], ids=lambda indent: f"indent-{indent}")
def test_every_whole_item_of_a_killed_runs_json_document_is_read_the_last_too(tmp_path: Path, indent: int | None) -> None:
    # The exporter writes ",\n" before an item, not after: the last one has nothing after it, and with
    # FEED_EXPORT_INDENT > 0 each item spans many lines.
    feed = tmp_path / "items.json"
    feed.write_bytes(killed_runs_json(indent))
    assert ids_in_feed(FeedRecord(str(feed), "json")) == expected()


@pytest.mark.parametrize("indent", [None, 0, 2])
def test_an_item_the_kill_cut_is_not_read_whatever_the_cut(tmp_path: Path, indent: int | None) -> None:
    whole = killed_runs_json(indent, ITEMS[:2])
    full = killed_runs_json(indent)
    feed = tmp_path / "items.json"
    # Every cut inside the third item (its first and last bytes, a quote, a bracket in its headline).
    last = full[len(whole):]
    for cut in sorted({1, 2, 5, last.index(b'\\"no') + 1, last.index(b"[left") + 1, len(last) // 2, len(last) - 2, len(last) - 1}):
        feed.write_bytes(full[: len(whole) + cut])
        assert ids_in_feed(FeedRecord(str(feed), "json")) == expected(ITEMS[:2]), cut
    feed.write_bytes(full + b"\n]")  # the run ended: the document is whole
    assert ids_in_feed(FeedRecord(str(feed), "json")) == expected()


def test_the_last_item_a_killed_run_wrote_to_its_json_feed_is_confirmed_not_emitted_again(tmp_path: Path) -> None:
    # The kill fell after the item was written, before the seen-store heard of it: recovery finds it
    # in the file and marks it seen; forgotten, the next run (`-O items.json`, which moves the killed
    # run's file aside) wrote it a second time.
    feed = tmp_path / "items.json"
    feed.write_bytes(killed_runs_json(0))
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        run = "archive:killed"
        store.record_feed(run, FeedRecord(str(feed), "json"))
        last = ITEMS[-1]
        store.add_pending(PendingArticle(str(last["articleId"]), int(str(last["version"])), "hash", "2024-11-21T10:00:00+05:30", None, run))
        assert recover_pending(store, "archive:next") == (1, 0)
        assert store.pending() == []
        assert store.get(str(last["articleId"])) is not None
    finally:
        store.close()


# --- marshal and pickle feeds: read too, or a killed run's last article was emitted again ---------


def objects_feed(fmt: str, items: list[dict[str, object]]) -> bytes:
    """What the project's marshal or pickle exporter wrote (one object after another), never closed."""
    from crawler.incremental.exporters import ArticleMarshalItemExporter, ArticlePickleItemExporter

    file = io.BytesIO()
    exporter = ArticleMarshalItemExporter(file) if fmt == "marshal" else ArticlePickleItemExporter(file)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    return file.getvalue()


@pytest.mark.parametrize("fmt", ["marshal", "pickle"])
def test_a_killed_runs_marshal_or_pickle_feed_is_read_up_to_the_object_the_kill_cut(tmp_path: Path, fmt: str) -> None:
    import gzip

    whole = objects_feed(fmt, ITEMS[:2])
    full = objects_feed(fmt, ITEMS)
    feed = tmp_path / f"items.{fmt}"
    feed.write_bytes(full)
    assert ids_in_feed(FeedRecord(str(feed), fmt)) == expected()
    for cut in (1, 7, (len(full) - len(whole)) // 2, len(full) - len(whole) - 1):
        feed.write_bytes(full[: len(whole) + cut])
        assert ids_in_feed(FeedRecord(str(feed), fmt)) == expected(ITEMS[:2]), cut
    packed = tmp_path / f"items.{fmt}.gz"
    packed.write_bytes(gzip.compress(full)[:-8])  # a gzip member the kill cut before its trailer
    assert ids_in_feed(FeedRecord(str(packed), fmt, "gzip")) == expected()


def test_a_pickle_feed_that_names_a_class_is_not_loaded(tmp_path: Path) -> None:
    # Loading a pickle imports and calls what it names: recovery reads plain values only.
    import pickle

    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("loaded",))

    feed = tmp_path / "items.pickle"
    feed.write_bytes(objects_feed("pickle", ITEMS[:1]) + pickle.dumps(Boom()) + objects_feed("pickle", ITEMS[1:2]))
    assert ids_in_feed(FeedRecord(str(feed), "pickle")) == expected(ITEMS[:1])


@pytest.mark.parametrize("fmt", ["marshal", "pickle"])
def test_the_last_article_a_killed_run_wrote_to_a_marshal_or_pickle_feed_is_confirmed(tmp_path: Path, fmt: str) -> None:
    feed = tmp_path / f"items.{fmt}"
    feed.write_bytes(objects_feed(fmt, ITEMS))
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        run = "archive:killed"
        store.record_feed(run, FeedRecord(str(feed), fmt))
        last = ITEMS[-1]
        store.add_pending(PendingArticle(str(last["articleId"]), int(str(last["version"])), "hash", None, None, run))
        assert recover_pending(store, "archive:next") == (1, 0)
    finally:
        store.close()
