"""How the fields of a verb are declared (domain/verbs.py) and read back.

A verb is a frozen dataclass; each field is `Annotated[type, Doc(...)]`: the Python
type (`str`, `int`, `Decimal`, `list[...]`, `dict[...]`, a nested dataclass, a union),
and a `Doc` with a one-line description, an example, the allowed choices and bounds.
A field with a default is optional; a scheme that requires it says so in the text.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import KeysView
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin


@dataclass(frozen=True)
class Doc:
    """What a field means, one example, and the choices and bounds the domain checks.

    `text_kind` is the kind of a text field (domain/texts.py: `id`, `name` or `free`),
    whose limits `Act.text` enforces.
    """

    text: str
    example: Any = None
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    text_kind: str | None = None


@dataclass(frozen=True)
class Declared:
    """One declared field: `kind` is its type without `None` and without the `Doc`."""

    name: str
    kind: Any
    doc: Doc
    required: bool


def without_none(kind: Any) -> Any:
    """`X | None` → `X`; `X | Y | None` → `X | Y`."""
    if get_origin(kind) not in (Union, types.UnionType):
        return kind
    options = tuple(option for option in get_args(kind) if option is not type(None))
    return options[0] if len(options) == 1 else Union[options]  # noqa: UP007


def union_options(kind: Any) -> tuple[Any, ...]:
    if get_origin(kind) in (Union, types.UnionType):
        return get_args(kind)
    return (kind,)


_DECLARED: dict[type, dict[str, Declared]] = {}


def declared_fields(shape: type) -> dict[str, Declared]:
    """The fields of a verb (or of a nested entry such as a deduction), in order."""
    if shape not in _DECLARED:
        _DECLARED[shape] = _read_declaration(shape)
    return _DECLARED[shape]


def _read_declaration(shape: type) -> dict[str, Declared]:
    found = {}
    for entry in dataclasses.fields(shape):
        annotated = entry.type
        assert get_origin(annotated) is Annotated, f"{shape.__name__}.{entry.name} needs a Doc"
        kind, doc = get_args(annotated)[:2]
        assert isinstance(doc, Doc), f"{shape.__name__}.{entry.name} needs a Doc"
        required = (
            entry.default is dataclasses.MISSING and entry.default_factory is dataclasses.MISSING
        )
        found[entry.name] = Declared(entry.name, without_none(kind), doc, required)
    return found


def field_names(shape: type) -> KeysView[str]:
    """The declared names, as a set-like view."""
    return declared_fields(shape).keys()


def entry_shape(shape: type, name: str) -> type:
    """The dataclass that declares each entry of the list field `name`."""
    for option in union_options(declared_fields(shape)[name].kind):
        if get_origin(option) is list:
            (element,) = get_args(option)
            if dataclasses.is_dataclass(element):
                assert isinstance(element, type)
                return element
    raise AssertionError(f"{shape.__name__}.{name} is not declared as a list of entries")
