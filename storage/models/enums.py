"""Enumerations stored as strings."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"  # ASD
    NETWORKER = "networker"
    PROVIDER = "provider"  # staff of a freier Träger in a team seat
    LEAD = "lead"  # Fachbereichsleitung of a region
    ADMIN = "admin"

    @property
    def is_team_role(self) -> bool:
        """Team roles belong to one or more Sozialraumteams."""
        return self in (Role.CASEWORKER, Role.NETWORKER, Role.PROVIDER)
