"""What a scheme computes for one unit, before ranking and grading."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Figures:
    unit: str
    components: dict[str, Decimal]
    score: Decimal
    extra: Decimal
    final: Decimal
    # Tie-break keys after `final`, in the scheme's order (SPEC: "Ranking sort keys").
    tie_breaks: tuple[Decimal, ...]
    vetoed: bool
    capped: bool = False
    rank: int = 0
    category_rank: int = 0
    grade: str = ""

    @property
    def sort_key(self) -> tuple:
        """Vetoed units rank below all others and tie among themselves (SPEC §2.4)."""
        if self.vetoed:
            return (0,)
        return (1, self.final, *self.tie_breaks)
