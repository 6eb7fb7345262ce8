"""A local SMTP server for the Spidermon email test: ``python server.py DIR``.

Listens on 127.0.0.1 on a free port, accepts AUTH LOGIN/PLAIN with user ``bs``/``secret`` without TLS
(loopback only), writes each message as DIR/<n>.eml (its envelope's recipients in DIR/<n>.rcpt), and
writes its port to DIR/port once it listens.
Runs until killed (the test stops it by its PID).
"""

from __future__ import annotations

import itertools
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = b"bs", b"secret"


class Store:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        path = self.directory / f"{next(self.numbers)}.eml"
        partial = path.with_suffix(".partial")
        partial.write_bytes(envelope.original_content or envelope.content)
        # Who it went to (RCPT TO, Bcc among them: no header names those), one a line, before the message appears.
        path.with_suffix(".rcpt").write_text("".join(f"{address}\n" for address in envelope.rcpt_tos))
        partial.rename(path)
        return "250 Message accepted for delivery"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER and data.password == PASSWORD
    return AuthResult(success=ok, handled=False)


def main() -> None:
    directory = Path(sys.argv[1])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Store(directory), hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    # Written aside and renamed: a reader polling for the file must never see it created but still empty.
    (directory / "port.part").write_text(str(port))
    (directory / "port.part").replace(directory / "port")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
