"""``manifest.json``: what a day holds and how to check it; written last.

A day is one batch, or more when runs append to it; the manifest lists every batch (its ids,
drawn duplicate rate, counts and consumed tracer) and every file with its rows and SHA-256.
Counts are new records (originals, duplicates, tracer, archival), update rows (``updates``) and
records closed (``closures``); batches written before a count existed count 0. ``lookalikes``
counts the people of ``truth/entities.csv`` per look-alike relation (twin, junior, senior,
namesake). A day with datasets of spec files records their tables (``spec_tables``): readers
take their schemas from there, so the day stays readable when the spec files change or go.
"""

import collections
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Protocol

from gensample.corruptions import fuzzmap
from gensample.errors import BadInputError, RunError
from gensample.generate.datasets.contract import CUSTOMERS
from gensample.generate.plan import Plan
from gensample.output import dictionary
from gensample.output.encoding import sha256
from gensample.output.lifetime import helper_threads
from gensample.settings import Settings, as_dict
from gensample.version import __version__

MANIFEST_FILE = "manifest.json"
EXTRA_COUNTS = ("tracer", "archival", "updates", "closures")
COUNTED = ("originals", "duplicates", *EXTRA_COUNTS)


class BatchIds(Protocol):
    """The ids one batch took (``daily.state.Batch`` is one)."""

    entity_start: int
    entity_stop: int
    record_start: int
    record_stop: int
    ids: Mapping[str, tuple[int, int]]


def build(
    settings: Settings,
    batches: list[dict],
    rows: dict[str, int],
    day_dir: Path,
    known: Mapping[str, str] | None = None,
) -> dict:
    """The manifest of the files under ``day_dir`` (paths relative to it, with their rows);
    ``known``: hex SHA-256 of files already hashed, by path."""
    return {**heading(settings, batches), "files": describe_files(day_dir, rows, known)}


def heading(settings: Settings, batches: list[dict]) -> dict:
    """Everything a manifest holds but its files; the spec datasets' tables only when the
    settings have some (a day without them keeps the manifest it always had)."""
    effective = as_dict(settings)
    effective["fuzz"]["fields"] = fuzzmap.as_data(fuzzmap.effective(settings.fuzz.fields))
    recorded = dictionary.spec_tables(settings)
    return {
        **({dictionary.SPEC_TABLES: recorded} if recorded else {}),
        "gensample_version": __version__,
        "date": batches[0]["date"],
        "seed": settings.seed,
        "settings": effective,
        "dupe_rate_drawn": batches[0]["dupe_rate_drawn"],
        "counts": {key: sum(batch.get(key, 0) for batch in batches) for key in COUNTED},
        "lookalikes": _summed(batch.get("lookalikes", {}) for batch in batches),
        "batches": batches,
    }


def planned_ids(plan: Plan) -> dict[str, tuple[int, int]]:
    """The record id range of every dataset the plan generates per block but customers."""
    stops = plan.id_stops()
    return {
        name: (start, stops[name]) for name, start in plan.id_starts.items() if name != CUSTOMERS
    }


def batch_entry(
    plan: Plan,
    batch: BatchIds | None = None,
    counts: Mapping[str, int] | None = None,
    tracer_sha256: str | None = None,
    lookalikes: Mapping[str, int] | None = None,
) -> dict:
    """The manifest's record of a batch: ``plan``, the ids it took (``batch``; by default the
    plan's alone), its counts of extra rows (by default none), the consumed tracer's SHA-256 and
    the people its entities hold per look-alike relation."""
    ids = batch.ids if batch else planned_ids(plan)
    batch = batch or plan
    return {
        "date": plan.date.isoformat(),
        "dupe_rate_drawn": plan.dupe_rate,
        "entity_start": batch.entity_start,
        "entity_stop": batch.entity_stop,
        "record_start": batch.record_start,
        "record_stop": batch.record_stop,
        "ids": {name: list(ids) for name, ids in ids.items()},
        "originals": plan.entities,
        "duplicates": plan.duplicates,
        **(counts or dict.fromkeys(EXTRA_COUNTS, 0)),
        "tracer_sha256": tracer_sha256,
        "lookalikes": dict(lookalikes or {}),
    }


def _summed(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counts added up by key, in key order."""
    total = collections.Counter()
    for each in counts:
        total.update(each)
    return dict(sorted(total.items()))


def describe_files(
    day_dir: Path, rows: dict[str, int], known: Mapping[str, str] | None = None
) -> dict[str, dict]:
    """Checksum, size and rows of each file; its checksum from ``known`` (by path), else
    hashed in threads (hashlib releases the GIL)."""
    names, known = sorted(rows), known or {}
    unknown = [name for name in names if name not in known]
    with helper_threads(os.cpu_count()) as pool:
        hashed = pool.map(sha256, [day_dir / name for name in unknown])
        digests = {**known, **dict(zip(unknown, hashed, strict=True))}
    return {
        name: {
            "sha256": digests[name],
            "bytes": (day_dir / name).stat().st_size,
            "rows": rows[name],
        }
        for name in names
    }


def read(day_dir: Path) -> dict:
    """The manifest of a committed day, or a :class:`RunError` saying why there is none."""
    path = Path(day_dir) / MANIFEST_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path}: no manifest, so {day_dir} is not a finished day") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunError(f"{path}: cannot read the manifest: {error}") from error
    if not isinstance(document, dict):
        raise RunError(f"{path}: the manifest is not a JSON object")
    if not isinstance(document.get("date"), str) or not isinstance(document.get("files"), dict):
        raise RunError(f"{path}: the manifest has no 'date' or no 'files'")
    return document


def verify_file(
    day_dir: Path,
    name: str,
    entry: Mapping,
    digests: Callable[[Path], tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """Check a day's file against its manifest ``entry`` (bytes and SHA-256) before it is used.

    ``digests`` (by default the SHA-256 alone) reads the file once and returns its SHA-256 (hex)
    first, then any other checksum its caller wants from the same read; they are returned.
    A missing file, or one changed after the run, is a :class:`BadInputError` naming it.
    """
    path = Path(day_dir) / name
    if not path.is_file():
        raise BadInputError(f"{path}: listed in {MANIFEST_FILE} but missing")
    size = path.stat().st_size
    found = digests(path) if digests else (sha256(path),)
    if found[0] != entry.get("sha256") or size != entry.get("bytes", size):
        raise BadInputError(
            f"{path}: does not match {MANIFEST_FILE} (sha256 {found[0]}, {size} bytes; the "
            f"manifest says {entry.get('sha256')}, {entry.get('bytes')} bytes): it changed after "
            "the run"
        )
    return found
