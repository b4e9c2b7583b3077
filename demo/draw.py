"""Random but plausible: unit names, ids, hand-entered figures, and who plays which part."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from assess.demo.writer import Number

_PLACE_CHARS = "泉阳宁林北南泰桥源华关河中隆兴安盛西平湖丰和城溪新康山东清长永青云金龙凤石江"


class Names:
    """Unique, plausible Chinese unit names: two place characters and a suffix."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, suffixes: Sequence[str]) -> str:
        for _ in range(40):
            name = "".join(self.rng.choices(_PLACE_CHARS, k=2)) + self.rng.choice(suffixes)
            if name not in self.used:
                break
        else:
            name = f"{name}{len(self.used)}"
        self.used.add(name)
        return name


def numbered(titles: Sequence[str], n: int) -> str:
    """The n-th title of a list, numbered once the list runs out."""
    title = titles[n % len(titles)]
    return title if n < len(titles) else f"{title}({n // len(titles) + 1})"


def ids(prefix: str, count: int) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


def _amount(cents: int) -> Number:
    return cents // 100 if cents % 100 == 0 else Decimal(cents) / 100


def between(rng: random.Random, low: int, high: int) -> Number:
    """A hand-entered figure in [low, high]: mostly whole or one-decimal numbers."""
    style = rng.random()
    step = 100 if style < 0.45 else 10 if style < 0.8 else 1
    first, last = -(-low * 100 // step), high * 100 // step
    return _amount(rng.randint(first, last) * step)


def assign_roles(
    rng: random.Random, unit_ids: Sequence[str], counts: dict[str, int]
) -> dict[str, list[str]]:
    """Deal distinct units to the named roles; the rest are `plain`."""
    pool = list(unit_ids)
    rng.shuffle(pool)
    roles = {role: [pool.pop() for _ in range(count)] for role, count in counts.items()}
    roles["plain"] = pool
    return roles


def one(roles: dict[str, list[str]], role: str) -> str:
    return roles[role][0]
