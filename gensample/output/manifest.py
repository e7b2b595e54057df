"""``manifest.json``: what a day holds and how to check it; written last.

A day is one batch, or more when runs append to it; the manifest lists every batch (its ids,
drawn duplicate rate, counts and consumed tracer) and every file with its rows and SHA-256.
Counts are new records (originals, duplicates, tracer, archival), update rows (``updates``) and
records closed (``closures``); batches written before a count existed count 0.
"""

import json
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gensample.corruptions import fuzzmap
from gensample.errors import BadInputError, RunError
from gensample.output.encoding import sha256
from gensample.settings import Settings, as_dict
from gensample.version import __version__

MANIFEST_FILE = "manifest.json"
EXTRA_COUNTS = ("tracer", "archival", "updates", "closures")
COUNTED = ("originals", "duplicates", *EXTRA_COUNTS)


def build(settings: Settings, batches: list[dict], rows: dict[str, int], day_dir: Path) -> dict:
    """The manifest of the files under ``day_dir`` (paths relative to it, with their rows)."""
    effective = as_dict(settings)
    effective["fuzz"]["fields"] = fuzzmap.as_data(fuzzmap.effective(settings.fuzz.fields))
    return {
        "gensample_version": __version__,
        "date": batches[0]["date"],
        "seed": settings.seed,
        "settings": effective,
        "dupe_rate_drawn": batches[0]["dupe_rate_drawn"],
        "counts": {key: sum(batch.get(key, 0) for batch in batches) for key in COUNTED},
        "batches": batches,
        "files": describe_files(day_dir, rows),
    }


def describe_files(day_dir: Path, rows: dict[str, int]) -> dict[str, dict]:
    """Checksum, size and rows of each file; hashed in threads (hashlib releases the GIL)."""
    names = sorted(rows)
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        digests = pool.map(sha256, [day_dir / name for name in names])
    return {
        name: {"sha256": digest, "bytes": (day_dir / name).stat().st_size, "rows": rows[name]}
        for name, digest in zip(names, digests, strict=True)
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
