"""Probes of round 27's deployment review: Spidermon's failure email as a mail client reads it, and `scrapy report -o -`."""

from __future__ import annotations

import email.message
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.verdict import EXIT_BLOCKED
from tests.conftest import ROOT
from tests.e2e import crawl, scrapy
from tests.loopback.site import LoopbackSite
from tests.mail import recipients, smtp_server, spidermon_email_settings, wait_for_messages


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    pytest.importorskip("spidermon", reason="the [monitoring] extra is not installed")
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is missing: bash tests/services/smtp/install.sh")
    inbox = tmp_path_factory.mktemp("inbox")
    with smtp_server(inbox) as port:
        yield port, inbox


def failure_email(port: int, inbox: Path, workdir: Path, **extra: str) -> tuple[email.message.EmailMessage, list[str], bytes]:
    """The email of a blocked run, the recipients the server got it for, and its bytes."""
    before = len(list(inbox.glob("*.eml")))
    with LoopbackSite(articles=10, seed=27) as site:
        site.block_all = True
        result = crawl("latest", workdir, settings=spidermon_email_settings(site.base_url, port, **extra))
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert "Mail sent OK" in result.log, result.log[-3000:]
    found = wait_for_messages(inbox, before + 1)
    assert len(found) == before + 1
    return found[-1], recipients(inbox, before + 1), (inbox / f"{before + 1}.eml").read_bytes()


def test_spidermon_email_is_the_message_a_mail_client_shows_in_any_script(smtp: tuple[int, Path], tmp_path: Path) -> None:
    """Spidermon handed Scrapy's MailSender its whole message as the text of a plain one: a mail client
    showed the MIME source, with a subject or text in Devanagari (or any non-ASCII) as base64."""
    port, inbox = smtp
    message, sent_to, raw = failure_email(
        port, inbox, tmp_path,
        SPIDERMON_EMAIL_SUBJECT="बिज़नेस स्टैंडर्ड क्रॉलर: {{ data.spider.name }} विफल — “blocked”",
        SPIDERMON_BODY_TEXT="क्रॉल विफल: {{ data.spider.name }} – € ✗",
        SPIDERMON_EMAIL_CC="desk@example.invalid",
        SPIDERMON_EMAIL_BCC="audit@example.invalid",
        SPIDERMON_EMAIL_REPLY_TO="oncall@example.invalid",
    )
    assert message.get_content_type() == "multipart/alternative", raw[:600]
    assert message["Subject"] == "बिज़नेस स्टैंडर्ड क्रॉलर: latest विफल — “blocked”"
    plain = message.get_body(("plain",))
    assert plain is not None and plain.get_content().strip() == "क्रॉल विफल: latest – € ✗"
    html = message.get_body(("html",))
    assert html is not None and "exit status 4" in html.get_content()
    assert message["Cc"] == "desk@example.invalid" and message["Reply-To"] == "oncall@example.invalid"
    # Bcc: sent to, and named to no one (it was printed in the text everyone read, and never sent).
    assert sorted(sent_to) == ["audit@example.invalid", "desk@example.invalid", "ops@example.invalid"]
    assert b"audit@example.invalid" not in raw


def test_spidermon_default_email_is_no_mime_source(smtp: tuple[int, Path], tmp_path: Path) -> None:
    """Spidermon's own HTML report alone (no text body set), as most teams send it."""
    port, inbox = smtp
    message, sent_to, raw = failure_email(port, inbox, tmp_path)
    assert message.get_content_type() == "multipart/alternative", raw[:600]
    assert sent_to == ["ops@example.invalid"]
    for part in message.walk():
        if not part.is_multipart():
            assert "MIME-Version" not in part.get_content() and "Content-Type:" not in part.get_content()
    html = message.get_body(("html",))
    assert html is not None and "block pages" in html.get_content()


def test_spidermon_runs_and_emails_when_a_run_is_forced_to_stop(smtp: tuple[int, Path], tmp_path: Path) -> None:
    """A second SIGTERM (systemd's stop, scrapyd's cancel twice) stopped the reactor without Spidermon's
    engine_stopped: exit 1, and no monitor ran, so its failure email never came."""
    port, inbox = smtp
    before = len(list(inbox.glob("*.eml")))
    log = tmp_path / "run.log"
    with LoopbackSite(articles=30, seed=27, slow_seconds=25) as site:
        for record in site.corpus.records:
            site.set_fault(record.article_id, "slow")  # every article page hangs: the graceful stop waits for it
        settings = spidermon_email_settings(site.base_url, port, LOG_FILE=str(log), AUTOTHROTTLE_ENABLED="False")
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", *(f"-s{k}={v}" for k, v in settings.items())]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while site.article_requests() == 0:
                assert run.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:] if log.exists() else "no log"
                time.sleep(0.1)
            run.send_signal(signal.SIGTERM)
            while "shutting down gracefully" not in log.read_text():  # the first one taken: the second forces
                assert time.monotonic() < deadline
                time.sleep(0.05)
            run.send_signal(signal.SIGTERM)
            assert run.wait(timeout=60) == 1
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
    text = log.read_text()
    assert "[Spidermon] Run verdict/Exit status is ok... FAIL" in text, text[-3000:]
    assert "exit status 1: the run was forced to stop (Ctrl-C or SIGTERM a second time) before its end" in text
    assert text.count("[Spidermon] Run verdict/Exit status is ok") == 1, "the suite ran once"
    assert "SendSmtpEmail... OK" in text and "TypeError" not in text, text[-3000:]
    found = wait_for_messages(inbox, before + 1)
    assert len(found) == before + 1, text[-3000:]
    html = found[-1].get_body(("html",))
    assert html is not None and "forced to stop" in html.get_content()


def report(workdir: Path, *args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """``scrapy report ARGS`` in ``workdir``, its output as bytes (an HTML page on stdout is no text to decode)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "report", *args], cwd=workdir, env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=120
    )


def test_report_to_standard_output(tmp_path: Path) -> None:
    """`-o -` wrote a file named `-` in the working directory, and said so (`0 runs written to -`)."""
    pytest.importorskip("matplotlib", reason="the report needs the [report] extra")
    result = report(tmp_path, "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"<!DOCTYPE html>") and result.stdout.rstrip().endswith(b"</html>")
    assert result.stderr.decode().strip() == "0 runs written to the standard output"
    assert not (tmp_path / "-").exists()
    # `--output=-` alike; a file named `-` is still `-o ./-`.
    assert report(tmp_path, "--output=-").stdout.startswith(b"<!DOCTYPE html>")
    assert scrapy(tmp_path, "report", "-o", "./-").returncode == 0 and (tmp_path / "-").read_text().startswith("<!DOCTYPE html>")


def test_report_to_standard_output_that_fails_or_leaves(tmp_path: Path) -> None:
    """A full disk is the report not written (exit 1, one line); a reader that stops early is no error."""
    pytest.importorskip("matplotlib", reason="the report needs the [report] extra")
    with open("/dev/full", "wb") as full:
        result = report(tmp_path, "-o", "-", stdout=full)
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == ["error: cannot write the standard output: No space left on device; the report was not written"]
    # A reader gone before a byte is written (`| head -c0`): every write is a broken pipe, whatever the page's size.
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait(timeout=30)
    assert reader.stdin is not None
    result = report(tmp_path, "-o", "-", stdout=reader.stdin)
    reader.stdin.close()
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
