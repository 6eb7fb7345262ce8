"""BS_GC_FREEZE: start-up's objects are frozen out of the collector's reach while the engine runs, and
given back when it stops; switched off, the extension is not loaded."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.gcfreeze import GcFreezeExtension


def test_it_is_one_of_the_projects_extensions_and_on_by_default() -> None:
    assert "crawler.gcfreeze.GcFreezeExtension" in project_settings.EXTENSIONS
    assert project_settings.BS_GC_FREEZE is True


def test_start_up_is_frozen_while_the_engine_runs_and_given_back_when_it_stops() -> None:
    gc.unfreeze()  # (whatever this worker's earlier tests left frozen: none should, but this test is about the count)
    extension = GcFreezeExtension.from_crawler(get_crawler(settings_dict={"BS_GC_FREEZE": True}))
    try:
        extension.engine_started()
        assert gc.get_freeze_count() > 0
    finally:
        extension.engine_stopped()
    assert gc.get_freeze_count() == 0
    extension.engine_stopped()  # a second stop changes nothing
    assert gc.get_freeze_count() == 0


def test_a_freeze_it_did_not_make_is_left_to_whoever_made_it() -> None:
    extension = GcFreezeExtension.from_crawler(get_crawler(settings_dict={"BS_GC_FREEZE": True}))
    gc.freeze()
    try:
        extension.engine_started()
        assert not extension.frozen
        extension.engine_stopped()
        # Still frozen (the count itself may drop: a frozen object is still freed by its reference count).
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_with_the_collector_off_nothing_is_frozen() -> None:
    extension = GcFreezeExtension.from_crawler(get_crawler(settings_dict={"BS_GC_FREEZE": True}))
    gc.unfreeze()
    gc.disable()
    try:
        extension.engine_started()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
        extension.engine_stopped()


@pytest.mark.parametrize("value", [False, "False", "0"])
def test_switched_off_it_is_not_configured(value: object) -> None:
    with pytest.raises(NotConfigured):
        GcFreezeExtension.from_crawler(get_crawler(settings_dict={"BS_GC_FREEZE": value}))
