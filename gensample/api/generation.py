"""``generate``: a day's corpus in memory, from the same pure pieces a run is made of."""

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from gensample import settings as settings_tree
from gensample.api.corpus import Corpus, DayFile
from gensample.daily.state import check_date, is_day
from gensample.errors import BadInputError
from gensample.generate.pipeline import generate_block
from gensample.generate.plan import make_plan
from gensample.output import manifest
from gensample.output.day_files import (
    ENTITIES_FILE,
    block_tables,
    output_files,
    reference_block,
)
from gensample.output.workers import relations
from gensample.settings import Settings
from gensample.settings.schema import check_layer

MAX_CUSTOMERS = 1_000_000
"""Most new customers :func:`generate` makes. Every dataset together holds about 2.7 kB per
customer in Arrow tables (measured: 50,000 customers with the default datasets, 134 MB), so
this bound is about 2.7 GB, and each table turned into pandas adds its own copy."""
DEFAULTS = {"customers": 10_000, "seed": 1}
"""What :func:`generate` starts from when it is given no settings."""
KEYWORD_SOURCE = "gensample.generate({}=...)"


def generate(
    customers: int | None = None,
    seed: int | None = None,
    date: dt.date | str | None = None,
    datasets: Sequence[str] | None = None,
    dupe_rate: float | None = None,
    settings: str | os.PathLike | Mapping[str, Any] | None = None,
) -> Corpus:
    """Generate one day in memory: the tables the first run of a fresh run directory with the
    same settings writes (no tracer drop, no archive), as a :class:`Corpus`.

    ``settings`` is a ``gensample.toml`` file, a run directory holding one (or a legacy
    ``settings.py``), or a mapping of the same keys, checked as ``gensample run`` checks them
    (environment variables are not read). Keywords left at ``None`` take the settings' value,
    or, without settings, 10,000 customers and seed 1; ``date`` defaults to today.

    At most :data:`MAX_CUSTOMERS` customers (about 2.7 kB of memory each): a larger corpus
    goes through ``gensample run``, which writes it block by block in bounded memory.
    """
    keywords = {"customers": customers, "seed": seed, "datasets": datasets, "dupe_rate": dupe_rate}
    loaded = load_settings(settings, keywords)
    _check_size(loaded.customers)
    day = as_date(date)
    plan = make_plan(loaded, day)
    files = output_files(loaded)
    pieces: dict[str, list] = {name: [] for name in files}
    blocks = (generate_block(loaded, day, block) for block in plan.blocks)
    for result in (reference_block(loaded, plan, 1), *blocks):
        if result is not None:  # there is no reference block without reference datasets
            for name, table in block_tables(result, loaded, day).items():
                pieces[name].append(table)
    day_files = {
        name: DayFile(schema, file_format, tuple(pieces[name]))
        for name, (schema, file_format) in files.items()
    }
    people = pa.concat_tables(pieces[ENTITIES_FILE])
    entry = manifest.batch_entry(plan, lookalikes=relations(people))
    return Corpus(day, day_files, manifest.heading(loaded, [entry]), None)


def load_settings(source: Any, keywords: Mapping[str, Any]) -> Settings:
    """The settings of ``source`` (see :func:`generate`), the given ``keywords`` over them."""
    layer, where = _source_layer(source)
    keyword_layers = settings_tree.flag_layers(keywords, KEYWORD_SOURCE.format)
    return settings_tree.merge_layers([layer, *keyword_layers], where)


def _source_layer(source: Any) -> tuple[settings_tree.Layer, str]:
    """The checked layer of a settings ``source``, and what a broken rule of defaults names."""
    if source is None:
        defaults = "gensample.generate defaults"
        return (defaults, check_layer(Settings, DEFAULTS, defaults)), "gensample.generate"
    if isinstance(source, Mapping):
        mapping = "settings mapping"
        return (mapping, check_layer(Settings, source, mapping)), mapping
    if not isinstance(source, (str, os.PathLike)):
        raise BadInputError(
            f"settings = {type(source).__name__} is not allowed: expected a gensample.toml "
            "path, a run directory or a mapping of settings"
        )
    path = Path(source)
    if path.is_file():
        layer = check_layer(Settings, settings_tree.read_toml(path), str(path))
        return (str(path), layer), f"settings of {path}"
    names = (settings_tree.SETTINGS_FILE, settings_tree.LEGACY_FILE)
    if not any((path / name).is_file() for name in names):
        raise BadInputError(f"{path}: no such settings file, nor a directory holding {names}")
    return settings_tree.file_layer(path), f"settings of {path.resolve()}"


def _check_size(customers: int) -> None:
    """Refuse a corpus too large to hold in memory."""
    if customers > MAX_CUSTOMERS:
        raise BadInputError(
            f"customers = {customers:_} is not allowed in memory: expected at most "
            f"{MAX_CUSTOMERS:_} (about 2.7 kB each); generate a larger corpus to files with "
            "`gensample run --dir DIR --customers N` and read it back with gensample.read_day"
        )


def as_date(value: dt.date | str | None) -> dt.date:
    """A day given as a date or ``YYYY-MM-DD`` (default: today), within gensample's years."""
    if value is None:
        return dt.date.today()
    if isinstance(value, str):
        if not is_day(value):
            raise BadInputError(f"date = {value!r} is not allowed: expected YYYY-MM-DD")
        value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise BadInputError(f"date = {value!r} is not allowed: expected a date or YYYY-MM-DD")
    check_date(value)
    return value
