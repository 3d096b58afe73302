"""What a feature module contributes: commands (menus, /help) and handler registration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from telegram.ext import Application

from storage.models import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # catalog id, marked with N_, ≤ 256 chars once translated
    roles: frozenset[Role] = ALL_ROLES
    in_menu: bool = True
    # Also for members of the steering group (Steuerungsgruppe), whatever their role.
    steering_group: bool = False


@dataclass(frozen=True)
class Feature:
    name: str
    register: Callable[[Application], None]  # type: ignore[type-arg]
    commands: tuple[Command, ...] = field(default_factory=tuple)

    def commands_for(self, role: Role | None, *, steering_group: bool = False) -> list[Command]:
        return [c for c in self.commands if role is not None
                and (role in c.roles or (steering_group and c.steering_group))]
