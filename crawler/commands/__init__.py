"""Project commands: ``crawl`` with argument checks up front and an exit status cron can trust."""

from crawler.stdio import note_closed_streams

# Scrapy imports this package before any command module, and those import modules that open files.
note_closed_streams()
