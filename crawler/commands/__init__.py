"""Project commands: ``crawl`` with argument checks up front and an exit status cron can trust."""
