"""The project's test SMTP server (tests/services/smtp/) and Spidermon's email settings that send to it."""

from __future__ import annotations

import email
import email.message
import email.policy
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT


@contextmanager
def smtp_server(inbox: Path) -> Iterator[int]:
    """The SMTP server on a free port (AUTH as bs/secret, no STARTTLS), its messages landing in ``inbox``
    as ``*.eml`` files; stopped by its PID."""
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "services" / "smtp" / "server.py"), str(inbox)])
    try:
        deadline = time.monotonic() + 30
        while not (inbox / "port").exists():  # the server renames it into place whole
            assert server.poll() is None, "the SMTP server died"
            assert time.monotonic() < deadline, "the SMTP server did not start"
            time.sleep(0.1)
        yield int((inbox / "port").read_text())
    finally:
        server.terminate()
        server.wait(timeout=30)


def spidermon_email_settings(base_url: str, port: int, **extra: str) -> dict[str, str]:
    """Settings of a crawl of ``base_url`` whose failure Spidermon emails through the server on ``port``."""
    return {
        "BS_BASE_URL": base_url,
        "SPIDERMON_ENABLED": "True",
        "BS_SPIDERMON_FAILED_ACTIONS": "spidermon.contrib.actions.email.smtp.SendSmtpEmail",
        "SPIDERMON_SMTP_HOST": "127.0.0.1",
        "SPIDERMON_SMTP_PORT": str(port),
        "SPIDERMON_SMTP_USER": "bs",
        "SPIDERMON_SMTP_PASSWORD": "secret",
        "SPIDERMON_EMAIL_SENDER": "crawler@example.invalid",
        "SPIDERMON_EMAIL_TO": "ops@example.invalid",
        "SPIDERMON_EMAIL_SUBJECT": "Business Standard crawler: {{ data.spider.name }} failed",
        **extra,
    }


def messages(inbox: Path) -> list[email.message.EmailMessage]:
    """The messages the server got, oldest name first."""
    found = []
    # By number: by name, 10.eml came before 2.eml.
    for path in sorted(inbox.glob("*.eml"), key=lambda path: int(path.stem)):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    return found


def wait_for_messages(inbox: Path, count: int) -> list[email.message.EmailMessage]:
    """The messages once ``count`` have come (or after 10 s, however many came)."""
    deadline = time.monotonic() + 10
    while len(list(inbox.glob("*.eml"))) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return messages(inbox)


def recipients(inbox: Path, number: int) -> list[str]:
    """The envelope's recipients of message ``number`` (1 the first), as the server got them."""
    return (inbox / f"{number}.rcpt").read_text().split()
