"""Watching runs: the end-of-run verdict (exit status and summary line), run history, reports."""
