"""doingwith: a Telegram bot for co-production workshops."""
