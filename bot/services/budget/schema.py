"""The ``budgets:`` section of the organisation file."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Euros with at most two decimals; up to 10 million per region and year.
Euros = Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)]


class BudgetSpec(BaseModel):
    """The FuA budget of one region and year, optionally split between its teams."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str
    year: int = Field(ge=2000, le=2100)
    amount: Euros
    teams: dict[str, Euros] = Field(default_factory=dict)
    # True for figures that are placeholders, not decided by the office.
    example: bool = False

    @model_validator(mode="after")
    def _split_fits(self) -> BudgetSpec:
        if sum(self.teams.values(), Decimal(0)) > self.amount:
            raise ValueError(
                f"budget {self.region} {self.year}: the team shares exceed the amount"
            )
        return self


def to_cents(euros: Decimal) -> int:
    return int(euros * 100)
