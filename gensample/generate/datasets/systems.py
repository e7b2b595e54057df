"""The built-in source systems' parameters: the shipped ``reference/data/systems.toml``, a spec
file, with what a run's spec files declare for them over it (entries with ``builtin = true``;
``generate.spec`` checks them).

Each value a run's spec gives replaces the shipped one; within ``fuzz``, ``corruptions``,
``unrecorded``, ``variations``, ``habits`` and ``counts``, entry by entry. The spec files are
read once per process and read again when one changes.
"""

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from pathlib import Path

from gensample import reference
from gensample.generate.datasets.draws import CappedGeometric
from gensample.generate.spec import builtin, reading
from gensample.reference import stamps
from gensample.settings import Settings

BY_ENTRY = ("fuzz", "corruptions", "unrecorded", "variations", "habits", "counts")
"""Parameters a run's spec replaces entry by entry (any other is replaced whole)."""
_GIVEN: contextvars.ContextVar[tuple[tuple[str, ...], dict[str, dict]] | None]
_GIVEN = contextvars.ContextVar("gensample_given_system_parameters", default=None)
"""The spec files' paths and the parameters given for them to the task this thread runs."""


def effective(settings: Settings) -> dict[str, dict]:
    """Every built-in system's parameters in the run of ``settings`` (not to be changed)."""
    task = _GIVEN.get()
    if task is not None and task[0] == settings.spec:
        return task[1]
    return _effective(tuple((path, stamps.of_file(Path(path))) for path in settings.spec))


@contextlib.contextmanager
def given(settings: Settings, parameters: dict[str, dict]) -> Iterator[None]:
    """Take ``parameters`` (what :func:`effective` gave where the spec files are) as those of
    runs with ``settings``' spec files, for the calls made in this thread meanwhile: a Dask
    worker may not see the files, and its threads may run blocks of several runs at once (a
    run's blocks and those of a failed one before it, whose files held other parameters)."""
    token = _GIVEN.set((settings.spec, parameters))
    try:
        yield
    finally:
        _GIVEN.reset(token)


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
def _effective(files: tuple[tuple[str, tuple[int, ...]], ...]) -> dict[str, dict]:
    """Every built-in system's parameters with the entries of the spec ``files`` (paths and
    ``stamps.of_file``, so that an edited file is read again) over the shipped ones."""
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
