"""``manifest.json``: what a day holds and how to check it; written last."""

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
        "files": {
            name: {
                "sha256": sha256(day_dir / name),
                "bytes": (day_dir / name).stat().st_size,
                "rows": count,
            }
            for name, count in sorted(rows.items())
        },
    }
