"""The office's rules for logging hours (section ``hours:`` of the organisation file)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

LoggingRole = Literal["caseworker", "networker", "provider", "lead", "admin"]
DEFAULT_ROLES: tuple[LoggingRole, ...] = ("provider", "networker")


class HoursPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[LoggingRole] = Field(default_factory=lambda: list(DEFAULT_ROLES))
    lock_after_days: int = Field(default=14, ge=0, le=366)
    step_minutes: int = Field(default=15, ge=1, le=60)
    max_entry_minutes: int = Field(default=12 * 60, ge=15, le=24 * 60)
    max_day_minutes: int = Field(default=24 * 60, ge=60, le=24 * 60)
    reopen_days: int = Field(default=7, ge=1, le=60)
    note_max_length: int = Field(default=200, ge=20, le=500)

    @model_validator(mode="after")
    def _one_step_fits_into_an_entry(self) -> HoursPolicy:
        # Otherwise no amount at all could be logged, and a hint would have nothing to offer.
        if self.max_entry_minutes < self.step_minutes:
            raise ValueError("hours.max_entry_minutes must be at least hours.step_minutes")
        return self
