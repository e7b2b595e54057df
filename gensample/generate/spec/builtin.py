"""Checks of a spec's entries for built-in systems (``builtin = true``): each names a system of
the shipped ``systems.toml`` and only parameters, fields, columns, corruptions, variations,
habits and counts that system has (``generate.datasets.systems`` applies them)."""

from gensample import reference
from gensample.corruptions import CORRUPTIONS
from gensample.errors import BadInputError
from gensample.generate.spec import schema

FIXED = ("columns",)
"""Shipped parameters an entry may only repeat: the system's code writes them."""
BY_NAME = ("fuzz", "unrecorded", "variations", "habits", "counts")
"""Parameters whose entries must be ones the shipped system has (or, for ``unrecorded``, its
columns)."""


def entries(raw: object) -> dict[str, dict]:
    """The entries with ``builtin = true`` of a parsed spec file (whatever else it holds)."""
    datasets = raw.get("datasets") if isinstance(raw, dict) else None
    if not isinstance(datasets, dict):
        return {}
    return {n: e for n, e in datasets.items() if isinstance(e, dict) and e.get("builtin") is True}


def check(file: str, name: str, entry: object) -> None:
    """Refuse the entry ``name`` of spec ``file`` unless it fits the built-in system it names:
    the file, the path inside it and the reason."""
    schema.validate(entry, file, schema.BUILT_IN, ("datasets", name))
    found = problem(name, entry)
    if found is not None:
        raise BadInputError(f"{file}: {schema.dotted(('datasets', name, *found[0]))}: {found[1]}")


def problem(name: str, entry: dict) -> tuple[tuple, str] | None:
    """The first fault of entry ``name`` (of the right shape) as (path inside it, reason)."""
    shipped = reference.built_in_systems()
    if name not in shipped:
        return ("builtin",), f"no built-in system {name}: expected one of {sorted(shipped)}"
    system = shipped[name]
    for key in entry:
        if key not in system and key != "description":
            return (key,), f"{name} has no parameter {key}: expected one of {sorted(system)}"
        if key in FIXED and entry[key] != system[key]:
            return (key,), f"{name}'s {key} are its code's: expected {system[key]}"
    for key in (key for key in BY_NAME if key in entry):
        allowed = system.get("columns" if key == "unrecorded" else key, {})
        for item in entry[key]:
            if item not in allowed:
                return (key, item), f"{name} has no {item}: expected one of {sorted(allowed)}"
    return _corruption_problem(entry) or _count_problem(entry)


def _corruption_problem(entry: dict) -> tuple[tuple, str] | None:
    """An unknown corruption under ``corruptions`` or a field's ``forbidden``, or None."""
    named = [(("corruptions", c), c) for c in entry.get("corruptions", {})]
    for field, options in entry.get("fuzz", {}).items():
        named += [(("fuzz", field, "forbidden"), c) for c in options.get("forbidden", [])]
    for path, corruption in named:
        if corruption not in CORRUPTIONS:
            return path, f"unknown corruption {corruption!r}: expected one of {sorted(CORRUPTIONS)}"
    return None


def _count_problem(entry: dict) -> tuple[tuple, str] | None:
    """A count whose mean or most is below its least, or None."""
    for count, drawn in entry.get("counts", {}).items():
        if not drawn["least"] <= min(drawn["mean"], drawn["most"]):
            return ("counts", count), "expected least <= mean and least <= most"
    return None
