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
    if field.type in (int, float):
        return number_rule(field.type, meta.get("minimum"), meta.get("maximum"))
    return _kind_name(field.type)


def number_rule(kind: type, minimum: float | None = None, maximum: float | None = None) -> str:
    """What a number setting allows, in words: 'a whole number from 1 to 50', 'a number >= 0'."""
    if kind is int:
        name = "a whole number"
    else:  # TOML has inf and nan: without an upper bound, "a number >= 0" would seem to allow inf
        name = "a number" if maximum is not None else "a finite number"
    if minimum is not None and maximum is not None:
        return f"{name} from {_shown(minimum)} to {_shown(maximum)}"
    if minimum is not None:
        return f"{name} >= {_shown(minimum)}"
    return name


def _shown(bound: float) -> str:
    """A bound as a TOML reader writes it: 36500, 0.01, 100_000_000 (not 1e+08)."""
    return f"{int(bound):_}" if bound == int(bound) and abs(bound) >= 1_000_000 else f"{bound:g}"


def is_number(
    value: Any, kind: type = float, minimum: float | None = None, maximum: float | None = None
) -> bool:
    """Whether ``value`` is a finite number (whole for ``int``; never true or false) in bounds."""
    if isinstance(value, bool) or not isinstance(value, int if kind is int else (int, float)):
        return False
    finite = isinstance(value, int) or math.isfinite(value)  # a huge int cannot become a float
    return (
        finite and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    )


def check_number(
    value: Any,
    where: str,
    kind: type = float,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Any:
    """``value`` as ``kind`` if :func:`is_number`, else raise naming ``where`` and the rule."""
    if not is_number(value, kind, minimum, maximum):
        rule = number_rule(kind, minimum, maximum)
        raise BadInputError(f"{where} = {value!r} is not allowed: expected {rule}")
    return kind(value)


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
    meta = field.metadata
    if field.type in (int, float):  # every number, the same way: finite and within its bounds
        return check_number(value, where, field.type, meta.get("minimum"), meta.get("maximum"))
    converted = _convert(field.type, value)
    ok = converted is not _INVALID
    if ok and meta.get("choices") is not None:
        items = converted if isinstance(converted, tuple) else (converted,)
        ok = all(item in meta["choices"] for item in items)
    if not ok:
        raise BadInputError(f"{where} = {value!r} is not allowed: expected {describe(field)}")
    return converted


_INVALID = object()


def _convert(hint: Any, value: Any) -> Any:
    optional = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and optional:
        return None if value is None else _convert(optional[0], value)
    if hint is bool:
        return value if isinstance(value, bool) else _INVALID
    if hint in (int, float):
        return hint(value) if is_number(value, hint) else _INVALID
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
