"""JSON for dialogue data: plain JSON values, dates, and registered dataclasses.

JSON rather than pickle: rows stay readable for the operator, and an instance running a
newer version of the code reads what an older one wrote (a rolling update). A dataclass a
feature keeps in ``context.user_data`` is registered once, by the feature::

    persisted(Draft)

A value that cannot be stored raises :class:`TypeError` when the update is written, so a
missing registration shows up in the feature's first test, not in production.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any, TypeVar

T = TypeVar("T")
TAG = "__type__"
_TYPES: dict[str, type[Any]] = {}


class UnreadableData(ValueError):
    """Stored data that this version of the code cannot read back."""


def persisted(cls: type[T]) -> type[T]:
    """Allow instances of the dataclass ``cls`` in persisted dialogue data."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    name = f"{cls.__module__}.{cls.__qualname__}"
    if _TYPES.setdefault(name, cls) is not cls:
        raise TypeError(f"{name} is registered twice")
    return cls


def encode(value: Any) -> Any:
    """A JSON-compatible form of ``value``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "value": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "time", "value": value.isoformat()}
    if isinstance(value, tuple):  # tagged, so frozen dataclasses get their tuples back
        return {TAG: "tuple", "value": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if TAG in value or not all(isinstance(key, str) for key in value):
            raise TypeError(f"dialogue data keys must be strings other than {TAG!r}")
        return {key: encode(item) for key, item in value.items()}
    name = f"{type(value).__module__}.{type(value).__qualname__}"
    if name in _TYPES and dataclasses.is_dataclass(value):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: name, "value": fields}
    raise TypeError(f"{name} cannot be kept in dialogue data; register it with persisted()")


def decode(value: Any) -> Any:
    """The value :func:`encode` was given; :class:`UnreadableData` if that is impossible."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if TAG not in value:
        return {key: decode(item) for key, item in value.items()}
    kind, inner = value[TAG], value.get("value")
    try:
        if kind == "datetime":
            return datetime.fromisoformat(str(inner))
        if kind == "date":
            return date.fromisoformat(str(inner))
        if kind == "time":
            return time.fromisoformat(str(inner))
        if kind == "tuple":
            return tuple(decode(item) for item in inner) if isinstance(inner, list) else ()
        fields: dict[str, Any] = inner if isinstance(inner, dict) else {}
        return _TYPES[kind](**{key: decode(item) for key, item in fields.items()})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UnreadableData(f"cannot read stored {kind}: {exc}") from None
