"""A story's alias (where it led: removed, merged, a page of another kind) keeps the latest date the run's
sources gave it, also a date read after the story's answer came back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.spiders import discovery
from crawler.spiders.discovery import SOURCE_DATE_META
from crawler.spiders.latest import LatestSpider
from tests.test_spiders_unit import make_spider

STORY = "124111000036"
IST = timezone(timedelta(hours=5, minutes=30))


class RecordingExtension:
    def __init__(self) -> None:
        self.aliases: dict[str, tuple[str, str | None]] = {}

    def remember_alias(self, key: str, target: str, source_date: str | None) -> None:
        self.aliases[key] = (target, source_date)


@pytest.mark.parametrize("target", ["", "124111000099", "other:video"])
def test_a_date_a_source_gives_after_the_answer_is_kept(tmp_path: Path, monkeypatch: Any, target: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    extension = RecordingExtension()
    monkeypatch.setattr(discovery, "seen_store_extension", lambda crawler: extension)
    # The undated listing asked for the story; its answer came before the dated feed was read.
    spider.remember_story_alias(extension, STORY, target, {SOURCE_DATE_META: None})
    assert extension.aliases[STORY] == (target, None)
    spider.note_later_date(STORY, datetime(2024, 11, 10, 15, 6, 4, tzinfo=IST))
    assert extension.aliases[STORY] == (target, "2024-11-10T15:06:04+05:30"), "the next run finds that date: not a change"
    # An earlier date than the one kept changes nothing.
    spider.note_later_date(STORY, datetime(2024, 11, 9, tzinfo=IST))
    assert extension.aliases[STORY] == (target, "2024-11-10T15:06:04+05:30")


def test_a_story_with_no_alias_this_run_remembers_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    extension = RecordingExtension()
    monkeypatch.setattr(discovery, "seen_store_extension", lambda crawler: extension)
    spider.note_later_date(STORY, datetime(2024, 11, 10, 15, 6, 4, tzinfo=IST))
    assert extension.aliases == {}
