"""Signals of the project: the durable feed tells the state which lines really reached the disk."""

# Sent with ``path`` (absolute) when a durable feed file is opened.
feed_file_opened = object()
# Sent with ``line`` (the bytes of one JSON line) after it was written to a durable feed file.
feed_line_written = object()
# Sent with ``path`` and ``error`` when writing a feed line failed (disk full, unwritable path).
feed_write_failed = object()
