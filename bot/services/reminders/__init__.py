"""Reminders and meetings: what is due when, for whom, and sent exactly once."""
