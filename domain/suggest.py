"""The refusal of an unknown verb, said the same way everywhere (season files, CLI, HTTP):
it names the verb given and, when one is close, the verb probably meant."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

WHERE_VERBS_ARE = "the verbs are listed in SPEC §3 and in the API's GET /openapi.json"
LONGEST_SHOWN = 64  # as long as an id may be: a longer `do` is no typo of a verb


def closest_verb(verb: str, known: Iterable[str]) -> str | None:
    """The known verb nearest to `verb` (difflib's ratio ≥ 0.6), or None."""
    if len(verb) > LONGEST_SHOWN:
        return None
    found = get_close_matches(verb, list(known), n=1)
    return found[0] if found else None


def unknown_verb(verb: object, known: Iterable[str]) -> str:
    """`unknown verb 'submit_scor'; did you mean 'submit_score'?`"""
    if not isinstance(verb, str):
        return f"the verb must be a string, not {type(verb).__name__}"
    shown = verb if len(verb) <= LONGEST_SHOWN else verb[: LONGEST_SHOWN - 1] + "…"
    close = closest_verb(verb, known)
    hint = f"did you mean {close!r}?" if close else WHERE_VERBS_ARE
    return f"unknown verb {shown!r}; {hint}"
