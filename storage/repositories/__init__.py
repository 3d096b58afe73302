"""Repositories: intention-revealing queries over the models."""
