"""Checks of a spec's entries for built-in systems (``builtin = true``): each names a system of
the shipped ``systems.toml`` and only parameters, fields, columns, corruptions, variations and
habits that system has (``generate.datasets.systems`` applies them)."""

from gensample import reference
from gensample.corruptions import CORRUPTIONS
from gensample.generate.datasets import REGISTRY

BY_NAME = ("fuzz", "unrecorded", "variations", "habits")
"""Parameters whose entries must be ones the shipped system has (or, for ``unrecorded``, its
columns)."""


def problem(name: str, entry: dict) -> tuple[tuple, str] | None:
    """The first fault of entry ``name`` as (path inside it, reason), or None."""
    shipped = reference.built_in_systems()
    if name not in shipped:
        return ("builtin",), f"no built-in system {name}: expected one of {sorted(shipped)}"
    system = shipped[name]
    for key in entry:
        if key not in system and key != "description":
            return (key,), f"{name} has no parameter {key}: expected one of {sorted(system)}"
    for key in (key for key in BY_NAME if key in entry):
        allowed = _allowed(name, key)
        for item in entry.get(key, {}):
            if item not in allowed:
                return (key, item), f"{name} has no {item}: expected one of {sorted(allowed)}"
    return _corruption_problem(entry)


def _allowed(name: str, key: str) -> list[str]:
    """What entry ``name`` may name under ``key``: the shipped system's entries (its captured
    columns for ``unrecorded``)."""
    if key == "unrecorded":
        return list(REGISTRY[name].SYSTEM.columns)
    return list(reference.built_in_systems()[name].get(key, {}))


def _corruption_problem(entry: dict) -> tuple[tuple, str] | None:
    """An unknown corruption under ``corruptions`` or a field's ``forbidden``, or None."""
    named = [(("corruptions", c), c) for c in entry.get("corruptions", {})]
    for field, options in entry.get("fuzz", {}).items():
        named += [(("fuzz", field, "forbidden"), c) for c in options.get("forbidden", [])]
    for path, corruption in named:
        if corruption not in CORRUPTIONS:
            return path, f"unknown corruption {corruption!r}: expected one of {sorted(CORRUPTIONS)}"
    return None
