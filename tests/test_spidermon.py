"""Spidermon: our suite passes exactly when the exit status is 0; its email action reaches a local SMTP server (started here, stopped by PID)."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.conftest import ROOT
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite

pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
pytest.importorskip("aiosmtpd", reason="aiosmtpd is missing: bash tests/services/smtp/install.sh")


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The SMTP server of tests/services/smtp/ on a free port; the messages it got land in the folder."""
    inbox = tmp_path_factory.mktemp("inbox")
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "services" / "smtp" / "server.py"), str(inbox)])
    try:
        deadline = time.monotonic() + 30
        while not (inbox / "port").exists():
            assert server.poll() is None, "the SMTP server died"
            assert time.monotonic() < deadline, "the SMTP server did not start"
            time.sleep(0.1)
        yield int((inbox / "port").read_text()), inbox
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=21) as running:
        yield running


def settings(site: LoopbackSite, port: int) -> dict[str, str]:
    return {
        "BS_BASE_URL": site.base_url,
        "SPIDERMON_ENABLED": "True",
        "BS_SPIDERMON_FAILED_ACTIONS": "spidermon.contrib.actions.email.smtp.SendSmtpEmail",
        "SPIDERMON_SMTP_HOST": "127.0.0.1",
        "SPIDERMON_SMTP_PORT": str(port),
        "SPIDERMON_SMTP_USER": "bs",
        "SPIDERMON_SMTP_PASSWORD": "secret",
        "SPIDERMON_EMAIL_SENDER": "crawler@example.invalid",
        "SPIDERMON_EMAIL_TO": "ops@example.invalid",
        "SPIDERMON_EMAIL_SUBJECT": "Business Standard crawler: {{ data.spider.name }} failed",
    }


def messages(inbox: Path) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(inbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    return found


def wait_for_messages(inbox: Path, count: int) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + 10
    while len(list(inbox.glob("*.eml"))) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return messages(inbox)


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
