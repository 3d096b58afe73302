"""What a feature module contributes: commands (menus, /help) and handler registration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.services.organisation import OrgFile
from handlers.context import BotApp
from storage.models import Role

ALL_ROLES = frozenset(Role)
# Who has a command: fixed roles, or roles the organisation file chooses (e.g. ``hours.roles``).
Roles = frozenset[Role] | Callable[[OrgFile], Iterable[Role]]


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # catalog id, marked with N_, ≤ 256 chars once translated
    roles: Roles = ALL_ROLES
    in_menu: bool = True
    # Also for members of the steering group (Steuerungsgruppe), whatever their role.
    steering_group: bool = False
    # For a command that reads differently by role, e.g. the digest of one or all regions:
    # (role, member of the steering group) → catalog id; ``description`` otherwise.
    describe: Callable[[Role, bool], str] | None = None

    def allows(self, role: Role, org: OrgFile) -> bool:
        return role in (set(self.roles(org)) if callable(self.roles) else self.roles)

    def description_for(self, role: Role, *, steering_group: bool) -> str:
        """The catalog id of the description that this role (and group) sees."""
        return self.describe(role, steering_group) if self.describe else self.description


@dataclass(frozen=True)
class Feature:
    name: str
    register: Callable[[BotApp], None]
    commands: tuple[Command, ...] = field(default_factory=tuple)

    def commands_for(
        self, role: Role | None, org: OrgFile, *, steering_group: bool = False
    ) -> list[Command]:
        return [c for c in self.commands if role is not None
                and (c.allows(role, org) or (steering_group and c.steering_group))]
