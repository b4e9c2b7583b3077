"""One action of a batch (SPEC §5): its verb, actor, time and typed fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from assess.domain.attachments import Uploaded, read_attachments
from assess.domain.errors import DomainError
from assess.domain.fields import declared_fields, entry_shape, field_names
from assess.domain.numbers import parse_decimal, parse_in_range
from assess.domain.texts import checked_text

# `at` may lie up to a day after the moment of recording: the writer's time zone.
FUTURE_TOLERANCE = timedelta(days=1)


def parse_at(raw: object) -> str | None:
    """`at`: an ISO date or date-time (without offset: UTC), kept as given; it may not lie
    after now (the moment the action is recorded) beyond the tolerance (SPEC §3)."""
    if raw is None:
        return None
    if isinstance(raw, datetime | date):
        raw = raw.isoformat()
    if not isinstance(raw, str):
        raise DomainError("invalid_value", f"at must be an ISO date or date-time, got {raw!r}")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise DomainError("invalid_value", f"at is not an ISO date or date-time: {raw!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise DomainError("invalid_value", f"at {raw} lies in the future")
    return raw


def day_of(at: str) -> date:
    return datetime.fromisoformat(at).date()


class Act:
    """Typed access to an action's fields; every failure is `invalid_value` naming the field.

    `shape` is the verb's declaration (domain/verbs.py): reading a field it does not
    declare is a programming error, so the declaration and the reading cannot drift.
    A field the verb does not take is refused here (SPEC §3), after the policy's checks:
    `Act` is built once the action is admitted. `entry_of` names the list field whose
    entry (a deduction, a correction) this is.
    """

    def __init__(
        self,
        action: dict[str, Any],
        actor: str,
        role: str,
        unit: str | None,
        shape: type,
        verb: str | None = None,
        entry_of: str | None = None,
    ) -> None:
        self.fields = action
        self.shape = shape
        self.names = field_names(shape)
        self.verb: str = verb or action["do"]
        self._refuse_unknown(entry_of)
        self.actor = actor
        self.role = role
        self.actor_unit = unit
        self.at = parse_at(action.get("at"))
        self.account: str | None = None  # who submitted it (SPEC §4.1), set by the cycle
        self.request: dict[str, str] | None = None  # its idempotency key, set by the cycle
        # the files the account uploaded to the cycle, by digest, set by the cycle
        self.files: Mapping[str, Uploaded] = {}

    def _refuse_unknown(self, entry_of: str | None) -> None:
        for key in self.fields:
            if key not in self.names and (key != "do" or entry_of):
                where = f"an entry of {entry_of} in {self.verb}" if entry_of else self.verb
                raise DomainError("invalid_value", f"{where} does not take the field {key!r}")

    def has(self, name: str) -> bool:
        assert name in self.names, f"{self.shape.__name__} does not declare {name!r}"
        return self.fields.get(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        assert name in self.names, f"{self.shape.__name__} does not declare {name!r}"
        return self.fields.get(name, default)

    def raw(self, name: str) -> Any:
        if not self.has(name):
            raise DomainError("invalid_value", f"{self.verb} needs the field '{name}'")
        return self.fields[name]

    def entry(self, name: str, entry: dict[str, Any]) -> Act:
        """One entry of the list field `name` (a deduction, a correction), read the same way."""
        shape = entry_shape(self.shape, name)
        return Act(entry, self.actor, self.role, None, shape, self.verb, entry_of=name)

    def text(self, name: str, default: str | None = None) -> str:
        if not self.has(name) and default is not None:
            return default
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise DomainError("invalid_value", f"{name} must be a non-empty text, got {value!r}")
        return checked_text(value, name, declared_fields(self.shape)[name].doc.text_kind)

    def attachments(self) -> dict[str, Any]:
        """`{"attachments": [...]}` when the action names evidence files, else nothing:
        an event without files has the content, and so the hash, it always had."""
        if not self.has("attachments"):
            return {}
        kind = declared_fields(entry_shape(self.shape, "attachments"))["name"].doc.text_kind
        return {
            "attachments": read_attachments(
                self.raw("attachments"),
                self.files,
                lambda value, name: checked_text(value, name, kind),
            )
        }

    def choice(self, name: str, allowed: Iterable[str]) -> str:
        value = self.raw(name)
        options = list(allowed)
        if value not in options:
            raise DomainError(
                "invalid_value", f"{name} must be one of {', '.join(options)}, got {value!r}"
            )
        return str(value)

    def decimal(self, name: str) -> Decimal:
        return parse_decimal(self.raw(name), name)

    def score(self, name: str = "value") -> Decimal:
        return bounded_score(self.raw(name), name)

    def listing(self, name: str) -> list[Any]:
        value = self.raw(name)
        if not isinstance(value, list) or not value:
            raise DomainError("invalid_value", f"{name} must be a non-empty list")
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.raw(name)
        if not isinstance(value, dict) or not value:
            raise DomainError("invalid_value", f"{name} must be a non-empty object")
        return value


def bounded_score(raw: object, name: str) -> Decimal:
    return parse_in_range(raw, name, Decimal(0), Decimal(100))
