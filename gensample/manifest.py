"""``manifest.json``: what a day holds and how to check it; written last."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gensample
from gensample import fuzzmap
from gensample.plan import Plan
from gensample.settings import Settings, as_dict
from gensample.writers import sha256

MANIFEST_FILE = "manifest.json"


def build(settings: Settings, plan: Plan, rows: dict[str, int], day_dir: Path) -> dict:
    """The manifest of the files under ``day_dir`` (paths relative to it, with their rows)."""
    effective = as_dict(settings)
    effective["fuzz"]["fields"] = fuzzmap.as_data(fuzzmap.effective(settings.fuzz.fields))
    return {
        "gensample_version": gensample.__version__,
        "date": plan.date.isoformat(),
        "seed": settings.seed,
        "settings": effective,
        "dupe_rate_drawn": plan.dupe_rate,
        "counts": {
            "entities": plan.entities,
            "originals": plan.entities,
            "duplicates": plan.duplicates,
        },
        "ids": {
            "entity_start": plan.entity_start,
            "entity_stop": plan.entity_stop,
            "record_start": plan.record_start,
            "record_stop": plan.record_stop,
        },
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
