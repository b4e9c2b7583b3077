"""Competition ranking ("1224"), SPEC §2.0: equal keys share the best rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def competition_ranks(
    entries: Sequence[T], key: Callable[[T], Any], best_first: bool = True
) -> list[int]:
    """The rank of each entry, in the given order. With best_first the largest key
    ranks 1; otherwise the smallest does (ranking counted from the bottom)."""
    order = sorted(range(len(entries)), key=lambda i: key(entries[i]), reverse=best_first)
    ranks = [0] * len(entries)
    previous: Any = None
    for position, index in enumerate(order, start=1):
        current = key(entries[index])
        if position > 1 and current == previous:
            ranks[index] = ranks[order[position - 2]]
        else:
            ranks[index] = position
        previous = current
    return ranks
