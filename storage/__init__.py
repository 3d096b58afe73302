"""Persistence: SQLAlchemy models, repositories, engine and migrations.

Knows nothing of Telegram or of the domain services.
"""
