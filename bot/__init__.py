"""sozialraum-bot: a Telegram bot for the Sozialraumteams of a youth welfare office."""

__version__ = "0.1.0"
