"""Incremental runs: the seen-store (store, recovery, lock), the pipeline, the per-item delivery to the feeds (feed storage, signals), the duplicate filter."""
