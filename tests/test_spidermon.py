"""Spidermon: our suite passes exactly when the exit status is 0; its email action reaches a local SMTP server (started here, stopped by PID)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.mail import smtp_server, spidermon_email_settings, wait_for_messages

pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
pytest.importorskip("aiosmtpd", reason="aiosmtpd is missing: bash tests/services/smtp/install.sh")


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The SMTP server of tests/services/smtp/ on a free port; the messages it got land in the folder."""
    inbox = tmp_path_factory.mktemp("inbox")
    with smtp_server(inbox) as port:
        yield port, inbox


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=21) as running:
        yield running


def settings(site: LoopbackSite, port: int) -> dict[str, str]:
    return spidermon_email_settings(site.base_url, port)


@pytest.mark.long
def test_an_ok_run_passes_and_sends_nothing(site: LoopbackSite, smtp: tuple[int, Path], tmp_path: Path) -> None:
    port, inbox = smtp
    result = crawl("latest", tmp_path, settings=settings(site, port))
    assert result.status == EXIT_OK, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats["spidermon/validation/items"] == len(result.items) > 0, "every written item validated"
    assert "spidermon/validation/items/errors" not in stats
    assert "[Spidermon] Run verdict/Exit status is ok... OK" in result.log, result.log[-3000:]
    assert "[Spidermon] Item validation/Every written item matches the JSON Schema... OK" in result.log
    assert wait_for_messages(inbox, 1) == []


def test_a_failed_run_fails_the_suite_and_emails(site: LoopbackSite, smtp: tuple[int, Path], tmp_path: Path) -> None:
    port, inbox = smtp
    site.block_all = True
    try:
        result = crawl("latest", tmp_path, settings=settings(site, port))
    finally:
        site.block_all = False
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert "[Spidermon] Run verdict/Exit status is ok... FAIL" in result.log, result.log[-3000:]
    [message] = wait_for_messages(inbox, 1)
    assert message["Subject"] == "Business Standard crawler: latest failed"
    assert message["To"] == "ops@example.invalid"
    body = message.get_body(("html", "plain"))
    assert body is not None
    assert "exit status 4" in body.get_content() and "block pages" in body.get_content()
