"""The process's standard streams made safe to run with from cron: closed, on a full disk, a pipe nobody reads."""

from __future__ import annotations

import io
import os
import select
import sys
from typing import IO, Any, TextIO

STDIN, STDOUT, STDERR = 0, 1, 2


class _PatientBuffer(io.BufferedIOBase):
    """The buffer of a standard stream whose descriptor may be non-blocking (as a CI runner, a Docker log
    driver or a Node.js parent can leave it): a write the pipe cannot take yet waits for its reader, as on
    a blocking pipe, rather than failing with EAGAIN, which the stream and the `-O -` feed took for a reader
    gone (the feed stopped, exit 6; the log went to /dev/null)."""

    def __init__(self, buffer: io.BufferedWriter) -> None:
        super().__init__()
        self.buffer = buffer

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.buffer.fileno()

    def isatty(self) -> bool:
        return self.buffer.isatty()

    @property
    def name(self) -> Any:
        return self.buffer.name

    @property
    def closed(self) -> bool:
        return self.buffer.closed

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        length = len(view)
        while True:
            try:
                self.buffer.write(view)
                return length
            except BlockingIOError as error:
                # (What the buffer took of it, in its buffer or the pipe, is written: the rest, once there is room.)
                view = view[error.characters_written:]
                if not view:
                    return length
                self._wait()

    def flush(self) -> None:
        while True:
            try:
                self.buffer.flush()
                return
            except BlockingIOError:
                self._wait()

    def close(self) -> None:
        self.flush()  # the process's own buffer, never closed

    def _wait(self) -> None:
        poll = select.poll()
        poll.register(self.buffer.fileno(), select.POLLOUT)
        poll.poll()  # writable, or the reader gone: the next write then fails for good (EPIPE)


# The buffer guard_standard_streams put under stdout: the `-O -` feed's when Scrapy's LOG_STDOUT has made
# sys.stdout a logger with none.
_patient_stdout: list[_PatientBuffer] = []


def stdout_buffer() -> IO[bytes] | None:
    """The process's stdout as bytes, patient with a non-blocking pipe once guard_standard_streams ran."""
    if _patient_stdout:
        return _patient_stdout[-1]  # type: ignore[return-value]  # a BufferedIOBase: IO[bytes]
    return sys.__stdout__.buffer if sys.__stdout__ is not None else None  # type: ignore[return-value]  # a BufferedWriter: IO[bytes]


class _SparingStream(io.TextIOWrapper):
    """A standard stream that, once a write to it fails (a full disk, its reader gone), goes to /dev/null.

    Python flushes stdout and stderr as it exits and, when that fails, ends the process with status 120,
    whatever the run's own; what was on its way there is lost either way. ``failure`` keeps the first
    error, for a command whose output is its work to say it was lost."""

    failure: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as error:
            self._to_null(error)
            return len(text)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            self._to_null(error)

    def close(self) -> None:
        # Flushed, never closed: its buffer is the process's, shared with Python's own stream and with
        # the `-O -` feed, and Scrapy's LOG_STDOUT drops this stream (collected, it would close them).
        self.flush()

    def _to_null(self, error: OSError) -> None:
        if self.failure is None:
            self.failure = error
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self.fileno())
            finally:
                os.close(null)
            super().flush()  # what it held, now into /dev/null
        except (OSError, ValueError):
            pass


def _spare(stream: TextIO | None, own: TextIO | None, fd: int) -> TextIO:
    """``stream`` (``sys.stdout`` or ``sys.stderr``, None when ``fd`` was closed) as a sparing one, when it
    is the one Python made for ``fd`` (``own``)."""
    if isinstance(stream, _SparingStream):
        return stream
    if isinstance(stream, io.TextIOWrapper) and stream is own:
        try:
            stream.flush()
        except OSError:
            pass  # (held by the buffer the new stream shares, and flushed or dropped by it)
        buffer = stream.buffer
        if isinstance(buffer, io.BufferedWriter):
            buffer = _PatientBuffer(buffer)
        return _SparingStream(buffer, encoding=stream.encoding, errors=stream.errors,
                              line_buffering=stream.line_buffering, write_through=stream.write_through)
    if stream is not None:
        return stream  # another program's stream (a test's capture): not ours to replace
    buffered = _PatientBuffer(io.open(fd, "wb", closefd=False))  # noqa: SIM115 (the process's own, never closed)
    # (Python's own choice for a stream without a terminal: UTF-8 under cron's C locale, backslashes for the rest.)
    return _SparingStream(buffered, encoding="utf-8", errors="backslashreplace", line_buffering=fd == STDERR)


_found_closed: set[int] = set()


def note_closed_streams() -> None:
    """Remember which standard descriptors are closed now, opening nothing: called as the project's
    commands are imported, before any module can open a file into a closed one's number (SQLite puts
    /dev/null on a closed 0-2 as it starts; Twisted's reactor takes one for its waker), which would hide
    from :func:`guard_standard_streams` that the process was started without it."""
    for fd in (STDIN, STDOUT, STDERR):
        try:
            os.fstat(fd)
        except OSError:
            _found_closed.add(fd)


def guard_standard_streams() -> frozenset[int]:
    """Open /dev/null on each of the standard descriptors that is closed (`>&-`, `2>&-`), and make stdout
    and stderr go to /dev/null once they cannot be written; the descriptors that were closed.

    With stderr closed Python has no ``sys.stderr``, and Scrapy's logging failed as it was set up. A file
    the run opens while one is closed takes its number, and whatever writes to that stream (a library, a
    warning) would write into the seen-store or the output."""
    closed = set()
    for fd in (STDIN, STDOUT, STDERR):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
    # Called again later in the process (Scrapy's making of its commands, then the command's options),
    # it still tells the descriptors the process started without, now on /dev/null.
    _found_closed.update(closed)
    for fd in sorted(closed):
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    if sys.stdin is None and STDIN in closed:
        sys.stdin = io.open(STDIN, "r", closefd=False)  # noqa: SIM115 (the process's own, never closed)
    sys.stdout = _spare(sys.stdout, sys.__stdout__, STDOUT)
    if isinstance(getattr(sys.stdout, "buffer", None), _PatientBuffer):
        _patient_stdout[:] = [sys.stdout.buffer]  # type: ignore[list-item]
    sys.stderr = _spare(sys.stderr, sys.__stderr__, STDERR)
    return frozenset(_found_closed)


def stdout_lost(closed: frozenset[int]) -> str | None:
    """Why what was printed on stdout reached nobody who asked for it: stdout closed when the process
    started (in ``closed``, from :func:`guard_standard_streams`) or a write to it failed (a full disk); None
    when it was written, or its reader took what it wanted and left (``| head -1``)."""
    if STDOUT in closed:
        return "the standard output is closed"
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    failure = getattr(sys.stdout, "failure", None)
    if failure is None or isinstance(failure, BrokenPipeError):
        return None
    return f"cannot write the standard output: {failure.strerror or failure}"
