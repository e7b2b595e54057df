"""Declare settings once (type, default, allowed values, help) and validate mappings against them.

A settings section is a frozen dataclass whose fields are made with :func:`setting`. The same
declaration drives validation, the commented ``gensample.toml`` that ``init`` writes, and the
README's settings table.
"""

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from gensample.errors import BadInputError


def setting(
    default: Any,
    help: str,
    *,
    choices: tuple | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    check: typing.Callable[[Any, str], Any] | None = None,
    allowed: str = "",
    operational: bool = False,
) -> Any:
    """Declare one setting: its default, a one-line help and what values are allowed.

    ``check(value, where)`` replaces the built-in type check for structured settings; it returns
    the converted value or raises :class:`BadInputError`, and ``allowed`` describes it in words.
    ``operational`` settings change how a run goes, never what it writes (e.g. worker count).
    """
    metadata = {
        "help": help,
        "choices": choices,
        "minimum": minimum,
        "maximum": maximum,
        "check": check,
        "allowed": allowed,
        "operational": operational,
    }
    return dataclasses.field(default=default, metadata=metadata)


def section(cls: type, help: str) -> Any:
    """Declare a nested section (a ``[table]`` in TOML) whose default is ``cls()``."""
    return dataclasses.field(default_factory=cls, metadata={"help": help, "section": True})


def optional_section(help: str, *, operational: bool = False) -> Any:
    """Declare a nested section that is absent (``None``) unless the settings name it."""
    metadata = {"help": help, "section": True, "operational": operational}
    return dataclasses.field(default=None, metadata=metadata)


def section_type(field: dataclasses.Field) -> type | None:
    """The dataclass a section field holds, or None for a plain setting."""
    if not field.metadata.get("section"):
        return None
    hint = field.type
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint


def describe(field: dataclasses.Field) -> str:
    """What values a setting allows, in words, for errors and documentation."""
    meta = field.metadata
    if meta.get("allowed"):
        return meta["allowed"]
    if meta.get("choices"):
        listed = ", ".join(repr(choice) for choice in meta["choices"])
        return (
            f"a list of any of {listed}"
            if typing.get_origin(field.type) is tuple
            else f"one of {listed}"
        )
    kind = _kind_name(field.type)
    low, high = meta.get("minimum"), meta.get("maximum")
    if low is not None and high is not None:
        return f"{kind} from {low:g} to {high:g}"
    if low is not None:
        return f"{kind} >= {low:g}"
    return kind


def _kind_name(hint: Any) -> str:
    names = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}
    if hint in names:
        return names[hint]
    if typing.get_origin(hint) is tuple:
        return "a list of strings"
    optional = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return _kind_name(optional[0]) + " (optional)" if optional else str(hint)


def check_value(field: dataclasses.Field, value: Any, where: str) -> Any:
    """Return ``value`` converted to the field's type, or raise naming ``where`` and the rule."""
    if field.metadata.get("check"):
        return field.metadata["check"](value, where)
    converted = _convert(field.type, value)
    meta = field.metadata
    ok = converted is not _INVALID
    if ok and meta.get("choices") is not None:
        items = converted if isinstance(converted, tuple) else (converted,)
        ok = all(item in meta["choices"] for item in items)
    if ok and isinstance(converted, (int, float)) and not isinstance(converted, bool):
        ok = (meta.get("minimum") is None or converted >= meta["minimum"]) and (
            meta.get("maximum") is None or converted <= meta["maximum"]
        )
    if not ok:
        shown = repr(value)
        raise BadInputError(f"{where} = {shown} is not allowed: expected {describe(field)}")
    return converted


_INVALID = object()


def _convert(hint: Any, value: Any) -> Any:
    optional = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and optional:
        return None if value is None else _convert(optional[0], value)
    if hint is bool:
        return value if isinstance(value, bool) else _INVALID
    if hint is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _INVALID
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok and math.isfinite(value) else _INVALID
    if hint is str:
        return value if isinstance(value, str) else _INVALID
    if typing.get_origin(hint) is tuple:
        ok = isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)
        return tuple(value) if ok else _INVALID
    return value


def build(cls: type, values: Mapping[str, Any]) -> Any:
    """Build section ``cls`` from a nested mapping whose leaves are already checked."""
    kwargs = {}
    for field in dataclasses.fields(cls):
        if field.name in values:
            nested = section_type(field)
            value = values[field.name]
            kwargs[field.name] = value if nested is None else build(nested, value)
    return cls(**kwargs)


def check_layer(cls: type, layer: Mapping[str, Any], source: str, prefix: str = "") -> dict:
    """Check one layer of settings (a file, the environment, the CLI) against section ``cls``.

    Returns the layer with values converted to their types; raises naming ``source``, the key,
    the value and what is allowed.
    """
    if not isinstance(layer, Mapping):
        raise BadInputError(f"{source}: {prefix.rstrip('.')} must be a table of settings")
    fields = {field.name: field for field in dataclasses.fields(cls)}
    checked = {}
    for key, value in layer.items():
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            raise BadInputError(f"{source}: unknown setting {prefix}{key!s}; allowed: {allowed}")
        nested = section_type(fields[key])
        if nested is not None:
            checked[key] = check_layer(nested, value, source, f"{prefix}{key}.")
        else:
            checked[key] = check_value(fields[key], value, f"{source}: {prefix}{key}")
    return checked
