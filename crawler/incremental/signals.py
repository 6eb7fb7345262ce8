"""Signals of the incremental feature: the durable feed storages tell the state which files were opened and which writes failed."""

# Sent with ``feed`` (a crawler.incremental.store.FeedRecord) when a local feed file is opened.
feed_file_opened = object()
# Sent with ``path`` and ``error`` when writing or storing a feed failed (disk full, unwritable path,
# output removed mid-run, a remote storage that refused the file).
feed_write_failed = object()
# Sent with ``article_id`` and ``claimed`` ("new", "updated" or None) once an article reached every feed that
# takes it and was marked seen: the run history tallies it at once, so a run killed between two checkpoints
# still has every article it wrote counted, new and updated too.
article_delivered = object()
