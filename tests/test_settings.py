"""The project's settings as a user gets them: the fast paths are the defaults."""

from __future__ import annotations

from scrapy.exporters import JsonLinesItemExporter
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler import settings as project_settings
from crawler.incremental.exporters import ArticleJsonLinesItemExporter


def _settings() -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    return settings


def test_every_json_lines_format_name_uses_the_fast_exporter() -> None:
    settings = _settings()
    exporters = settings.getwithbase("FEED_EXPORTERS")
    json_lines = [name for name, path in settings.getdict("FEED_EXPORTERS_BASE").items() if load_object(path) is JsonLinesItemExporter]
    assert {"jsonl", "jsonlines"} <= set(json_lines)
    for name in json_lines:
        assert load_object(exporters[name]) is ArticleJsonLinesItemExporter, name


def test_items_are_processed_one_at_a_time() -> None:
    # A response yields at most one article; more concurrency only makes garbage.
    assert _settings().getint("CONCURRENT_ITEMS") == 1


def test_a_storage_of_the_users_adds_to_the_durable_local_storages_not_replaces_them() -> None:
    # "-s FEED_STORAGES={...}" for another scheme replaced the whole dict: local files fell back to
    # Scrapy's buffered storage, which recovery cannot trust, without a word.
    settings = _settings()
    settings.set("FEED_STORAGES", {"remote": "tests.remote_storage.FolderFeedStorage"}, priority="cmdline")
    storages = settings.getwithbase("FEED_STORAGES")
    assert storages["remote"] == "tests.remote_storage.FolderFeedStorage"
    assert storages[""] == storages["file"] == "crawler.incremental.feedstorage.DurableFileFeedStorage"
    assert storages["stdout"] == "crawler.incremental.feedstorage.DurableStdoutFeedStorage"
    assert "s3" in storages  # Scrapy's own remote storages stay
