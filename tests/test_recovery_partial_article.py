"""A run killed between two feeds' writes of one article: the feeds that have it lose it again, so the
next run's copy is the only one (the delivery matrix's two-feed kill found it, now and then)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from crawler.incremental.recovery import recover_pending
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore

KILLED = "latest:killed"


def line(article_id: str, version: int = 1) -> str:
    return json.dumps({"articleId": article_id, "version": version, "headline": f"Story {article_id}"}) + "\n"


def setup(tmp_path: Path, jsonl: str, rows: list[str], *, offset: int = 0) -> tuple[SqliteSeenStore, Path, Path]:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    lines, table = tmp_path / "items.jsonl", tmp_path / "items.csv"
    lines.write_text(jsonl, encoding="utf-8")
    with table.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["articleId", "version", "headline"])
        for article_id in rows:
            writer.writerow([article_id, 1, f"Story {article_id}"])
    store.record_feed(KILLED, FeedRecord(str(lines), "jsonlines", feed="items.jsonl", offset=offset, forgotten_at_end=True))
    store.record_feed(KILLED, FeedRecord(str(table), "csv", feed="items.csv", forgotten_at_end=True))
    return store, lines, table


def pending(store: SqliteSeenStore, *ids: str) -> None:
    for article_id in ids:
        store.add_pending(PendingArticle(article_id, 1, "h", None, None, KILLED))


def test_an_article_one_feed_has_and_the_other_not_leaves_the_one_that_has_it(tmp_path: Path) -> None:
    # Killed after the JSON lines feed took the third article and before the CSV feed did.
    store, lines, _ = setup(tmp_path, line("1") + line("2") + line("3"), ["1", "2"])
    try:
        pending(store, "1", "2", "3")
        confirmed, dropped = recover_pending(store, "latest:next")
        assert (confirmed, dropped) == (2, 1)
        # Forgotten, so the next run emits it again: into the same JSON lines file, continued. Left
        # there, the file would hold it twice.
        assert lines.read_text(encoding="utf-8") == line("1") + line("2")
        assert store.get("3") is None and store.get("2") is not None
    finally:
        store.close()


def test_only_the_killed_runs_own_trailing_lines_are_cut(tmp_path: Path) -> None:
    # An earlier run's line for the same story (an older version) before the killed run's part stays.
    earlier = line("3")
    store, lines, _ = setup(tmp_path, earlier + line("1") + line("3"), ["1"], offset=len(earlier.encode()))
    try:
        pending(store, "1", "3")
        recover_pending(store, "latest:next")
        assert lines.read_text(encoding="utf-8") == earlier + line("1")
    finally:
        store.close()


def test_a_line_of_an_article_that_is_whole_elsewhere_is_not_cut(tmp_path: Path) -> None:
    # Every feed has every article: nothing is cut, all confirmed.
    store, lines, _ = setup(tmp_path, line("1") + line("2"), ["1", "2"])
    try:
        pending(store, "1", "2")
        assert recover_pending(store, "latest:next") == (2, 0)
        assert lines.read_text(encoding="utf-8") == line("1") + line("2")
    finally:
        store.close()


def csv_row(article_id: str, body: str = "") -> str:
    out = io.StringIO()
    csv.writer(out).writerow([article_id, 1, body or f"Story {article_id}"])
    return out.getvalue()


def csv_setup(tmp_path: Path, rows: str, jsonl: str, *, offset: int = 0, header: bool = True) -> tuple[SqliteSeenStore, Path, Path]:
    # The CSV feed first: Scrapy hands an item to the feeds in the order they were given
    # (`-o items.csv -o items.jsonl`), so a kill between them leaves it in the CSV file only.
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    table, lines = tmp_path / "items.csv", tmp_path / "items.jsonl"
    table.write_bytes(((csv_row("articleId", "headline").replace("1", "version", 1) if header else "") + rows).encode())
    lines.write_text(jsonl, encoding="utf-8")
    store.record_feed(KILLED, FeedRecord(str(table), "csv", feed="items.csv", offset=offset, forgotten_at_end=True))
    store.record_feed(KILLED, FeedRecord(str(lines), "jsonlines", feed="items.jsonl", forgotten_at_end=True))
    return store, table, lines


def test_an_article_the_csv_feed_has_and_the_json_lines_feed_not_is_cut_off_the_csv_file(tmp_path: Path) -> None:
    # Its body spans lines, as an article's does: a row ends at a line break outside quotes, and the
    # quotes inside a cell are doubled.
    body = 'Sensex fell.\nThe "broader" market\nheld, "mostly".'
    rows = csv_row("1") + csv_row("2", body) + csv_row("3", body) + csv_row("4")
    store, table, lines = csv_setup(tmp_path, rows, line("1") + line("2"))
    try:
        pending(store, "1", "2", "3", "4")
        assert recover_pending(store, "latest:next") == (2, 2)
        assert table.read_bytes().decode().endswith(csv_row("2", body))
        assert [row["articleId"] for row in csv.DictReader(table.open(newline="", encoding="utf-8"))] == ["1", "2"]
    finally:
        store.close()


def test_a_csv_rows_cut_stops_at_an_article_the_run_wrote_whole_and_at_the_runs_own_part(tmp_path: Path) -> None:
    # "3" is whole in both feeds (confirmed), "4" only in the CSV file: "4" alone is cut; an earlier
    # run's row of "4" before the killed run's part (appended with -o, no header of its own) stays.
    header = csv_row("articleId", "headline").replace("1", "version", 1)
    earlier = header + csv_row("4")
    store, table, _ = csv_setup(tmp_path, csv_row("4") + csv_row("3") + csv_row("4"), line("3"), offset=len(earlier.encode()))
    assert table.read_bytes().decode().startswith(earlier)
    try:
        pending(store, "3", "4")
        assert recover_pending(store, "latest:next") == (1, 1)
        assert table.read_bytes().decode() == earlier + csv_row("3")
    finally:
        store.close()


def test_a_csv_row_cut_by_the_kill_is_cut_off_so_the_next_run_appends_whole_rows(tmp_path: Path) -> None:
    # Cut inside a quoted body: appended after it, the next run's rows would be read as part of that
    # cell (every article after it lost to a CSV reader), or glued onto it.
    body = 'Sensex fell.\nThe "broader" market held.'
    header = csv_row("articleId", "headline").replace("1", "version", 1)
    whole = header + csv_row("1") + csv_row("2", body)
    for torn in (csv_row("3", body)[:20], csv_row("3", body)[:-2], "3,1,Story"):
        store, table, lines = csv_setup(tmp_path, csv_row("1") + csv_row("2", body) + torn, line("1") + line("2"))
        try:
            pending(store, "1", "2", "3")
            assert recover_pending(store, "latest:next") == (2, 1)
            assert table.read_bytes().decode() == whole, torn
            with table.open("a", newline="", encoding="utf-8") as out:  # the next run, with -o
                out.write(csv_row("3", body))
            with table.open(newline="", encoding="utf-8") as read:
                assert [row["articleId"] for row in csv.DictReader(read)] == ["1", "2", "3"]
        finally:
            store.close()
            table.unlink()
            lines.unlink()
            (tmp_path / "seen.sqlite3").unlink()


def test_a_csv_file_of_whole_rows_is_left_as_it_is(tmp_path: Path) -> None:
    body = 'Line one\nline "two"\n'
    store, table, _ = csv_setup(tmp_path, csv_row("1", body) + csv_row("2"), line("1") + line("2"))
    before = table.read_bytes()
    try:
        pending(store, "1", "2")
        assert recover_pending(store, "latest:next") == (2, 0)
        assert table.read_bytes() == before
    finally:
        store.close()


def test_an_article_a_gzip_json_lines_feed_has_and_the_csv_feed_not_is_cut_off_the_gzip_file(tmp_path: Path) -> None:
    # FEEDS {"items.jsonl.gz": {"format": "jsonlines", "postprocessing": [GzipPlugin]}, "items.csv": …}:
    # the gzip file is continued by the next run, which would write the article into it again.
    import gzip

    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    packed, table = tmp_path / "items.jsonl.gz", tmp_path / "items.csv"
    earlier = gzip.compress(line("9").encode(), mtime=0)  # an earlier run's part, before this run's offset
    packed.write_bytes(earlier + gzip.compress((line("1") + line("2") + line("3")).encode(), mtime=0))
    with table.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["articleId", "version", "headline"])
        writer.writerow(["1", 1, "Story 1"])
    store.record_feed(KILLED, FeedRecord(str(packed), "jsonlines", "gzip", feed="items.jsonl.gz", offset=len(earlier), forgotten_at_end=True))
    store.record_feed(KILLED, FeedRecord(str(table), "csv", feed="items.csv", forgotten_at_end=True))
    try:
        pending(store, "1", "2", "3")
        assert recover_pending(store, "latest:next") == (1, 2)
        data = packed.read_bytes()
        assert data.startswith(earlier)
        assert gzip.decompress(data).decode() == line("9") + line("1")
        assert store.get("2") is None and store.get("1") is not None
    finally:
        store.close()


def gzip_csv_setup(tmp_path: Path, part: bytes, jsonl: str, *, earlier: bytes = b"") -> tuple[SqliteSeenStore, Path]:
    # FEEDS {"items.csv.gz": {"format": "csv", "postprocessing": [GzipPlugin]}, "items.jsonl": …}: the
    # gzip CSV feed first, continued by the next run (FEEDS append), under the header at its start.
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    packed, lines = tmp_path / "items.csv.gz", tmp_path / "items.jsonl"
    packed.write_bytes(earlier + part)
    lines.write_text(jsonl, encoding="utf-8")
    store.record_feed(KILLED, FeedRecord(str(packed), "csv", "gzip", feed="items.csv.gz", offset=len(earlier), forgotten_at_end=True))
    store.record_feed(KILLED, FeedRecord(str(lines), "jsonlines", feed="items.jsonl", forgotten_at_end=True))
    return store, packed


def csv_gz_rows(path: Path) -> list[dict[str, str]]:
    import gzip

    with gzip.open(path, "rt", encoding="utf-8", newline="") as read:
        return list(csv.DictReader(read))


def test_a_gzip_csv_row_cut_by_the_kill_is_cut_off_so_the_next_runs_rows_read_whole(tmp_path: Path) -> None:
    # The kill stops the compressor anywhere: the mended member used to keep the cut row, and the next
    # run's first row was glued onto it (or, cut inside a quoted body, swallowed by it).
    import gzip

    body = 'Line one.\nHe said "yes", then\nline three.'
    header = csv_row("articleId", "headline").replace("1", "version", 1)
    for torn in (csv_row("3", body)[:20], csv_row("3", body)[:-2], "3,1,Story"):
        killed = gzip.compress((header + csv_row("1") + csv_row("2", body) + torn).encode(), mtime=0)
        store, packed = gzip_csv_setup(tmp_path, killed[: len(killed) - 8], line("1") + line("2"))  # no gzip trailer
        try:
            pending(store, "1", "2", "3")
            assert recover_pending(store, "latest:next") == (2, 1), torn
            with packed.open("ab") as out:  # the next run appends its member, no header
                out.write(gzip.compress(csv_row("3", body).encode()))
            rows = csv_gz_rows(packed)
            assert [row["articleId"] for row in rows] == ["1", "2", "3"], torn
            assert rows[2]["headline"] == rows[1]["headline"] == body
        finally:
            store.close()
            (tmp_path / "seen.sqlite3").unlink()


def test_an_article_a_gzip_csv_feed_has_and_the_json_lines_feed_not_is_cut_off_the_gzip_file(tmp_path: Path) -> None:
    import gzip

    header = csv_row("articleId", "headline").replace("1", "version", 1)
    earlier = gzip.compress((header + csv_row("9")).encode(), mtime=0)  # an earlier run's part
    body = 'Two\nlines, "quoted"'
    part = gzip.compress((csv_row("1") + csv_row("2", body) + csv_row("3", body)).encode(), mtime=0)
    store, packed = gzip_csv_setup(tmp_path, part, line("1"), earlier=earlier)
    try:
        pending(store, "1", "2", "3")
        assert recover_pending(store, "latest:next") == (1, 2)
        assert packed.read_bytes().startswith(earlier)
        assert [row["articleId"] for row in csv_gz_rows(packed)] == ["9", "1"]
        assert store.get("2") is None and store.get("1") is not None
    finally:
        store.close()
