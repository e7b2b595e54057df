"""The built-in source systems' parameters: the shipped ``reference/data/systems.toml``, a spec
file, with what a run's spec files declare for them over it (entries with ``builtin = true``;
``generate.spec`` checks them).

Each value a run's spec gives replaces the shipped one; within ``fuzz``, ``corruptions``,
``unrecorded``, ``variations``, ``habits`` and ``counts``, entry by entry. The spec files are
read once per process and read again when one changes.
"""

import functools
from pathlib import Path

from gensample import reference
from gensample.generate.datasets.draws import CappedGeometric
from gensample.generate.spec import builtin, reading
from gensample.settings import Settings

BY_ENTRY = ("fuzz", "corruptions", "unrecorded", "variations", "habits", "counts")
"""Parameters a run's spec replaces entry by entry (any other is replaced whole)."""
_INSTALLED: dict[tuple[str, ...], dict[str, dict]] = {}
"""Parameters given to this process for the spec files it may not see, by their paths."""


def effective(settings: Settings) -> dict[str, dict]:
    """Every built-in system's parameters in the run of ``settings`` (not to be changed)."""
    if settings.spec in _INSTALLED:
        return _INSTALLED[settings.spec]
    return _effective(tuple((path, Path(path).stat().st_mtime_ns) for path in settings.spec))


def install(settings: Settings, parameters: dict[str, dict]) -> None:
    """Take ``parameters`` (what :func:`effective` gave where the spec files are) as those of
    runs with ``settings``' spec files, in a process that may not see them (a Dask worker on
    another machine)."""
    _INSTALLED[settings.spec] = parameters


def parameters(settings: Settings, name: str) -> dict:
    """Built-in system ``name``'s parameters in the run of ``settings`` (not to be changed)."""
    return effective(settings)[name]


def columns(name: str) -> tuple[str, ...]:
    """The person attributes built-in system ``name`` holds (fixed: its code writes them)."""
    return tuple(reference.built_in_systems()[name]["columns"])


def habit(settings: Settings, name: str, which: str) -> float:
    """The share of system ``name``'s habit ``which`` (capitals at the till...)."""
    return parameters(settings, name)["habits"][which]


def counts(settings: Settings, name: str, count: str) -> CappedGeometric:
    """One of system ``name``'s ``counts`` (sessions per user...)."""
    chosen = parameters(settings, name)["counts"][count]
    return CappedGeometric(chosen["least"], chosen["mean"], chosen["most"])


@functools.lru_cache(maxsize=8)
def _effective(files: tuple[tuple[str, int], ...]) -> dict[str, dict]:
    """Every built-in system's parameters with the entries of the spec ``files`` (paths and
    modification times) over the shipped ones."""
    systems = dict(reference.built_in_systems())
    for path, _ in files:
        for name, entry in builtin.entries(reading.parsed(Path(path))).items():
            builtin.check(Path(path).name, name, entry)  # read before the spec's other checks
            systems[name] = _over(systems[name], entry)
    return systems


def _over(shipped: dict, entry: dict) -> dict:
    """``shipped`` parameters with ``entry``'s over them."""
    merged = dict(shipped)
    for key, value in entry.items():
        merged[key] = {**shipped.get(key, {}), **value} if key in BY_ENTRY else value
    return merged
