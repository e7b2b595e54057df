"""Golden output: a few configurations give exactly the files they gave when recorded.

The checksums in ``tests/golden/checksums.json`` were recorded by the generator before the
package was reorganised into stages; moving code must not change a byte. A change that is meant
to change the output (new reference data, new corruptions) records them again, in the same
commit, with ``python tests/test_golden.py --record``, and says so in its message.
"""

import datetime as dt
import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHECKSUMS = HERE / "golden" / "checksums.json"
SAMPLE_TRACER = HERE.parent / "gensample" / "cli" / "folders" / "sample-tracer.csv"
FIRST = dt.date(2026, 11, 2)

CONFIGURATIONS = {
    "every-dataset-csv": ("seed = 5\ncustomers = 3000\n", 1),
    "parquet": ('seed = 6\ncustomers = 2000\nformat = "parquet"\n', 1),
    "daily-extras": (
        "seed = 7\ncustomers = 1500\ntracer = true\narchival = true\narchival_share = 0.05\n"
        "drift_share = 0.02\nclosure_share = 0.01\ndupe_rate_variance = 3\n",
        3,
    ),
}
"""Name -> (gensample.toml, days run one after the other from FIRST)."""


def run_configuration(run_dir: Path, toml: str, days: int) -> dict[str, str]:
    """Run ``days`` days in a fresh ``run_dir``; the sha256 of every file of every day."""
    from gensample.cli import main

    run_dir.mkdir(parents=True)
    (run_dir / "gensample.toml").write_text(f"workers = 1\n{toml}")
    (run_dir / "tracer").mkdir()
    shutil.copy(SAMPLE_TRACER, run_dir / "tracer" / "tracer.csv")
    for offset in range(days):
        date = (FIRST + dt.timedelta(days=offset)).isoformat()
        assert main(["run", "--dir", str(run_dir), "--date", date]) == 0
    out = run_dir / "out"
    return {
        str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != "manifest.json"  # it names the version
    }


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_the_output_is_byte_for_byte_the_recorded_one(tmp_path, name):
    expected = json.loads(CHECKSUMS.read_text())[name]
    assert run_configuration(tmp_path / name, *CONFIGURATIONS[name]) == expected


def record(folder: Path) -> None:
    """Write the checksums of every configuration to CHECKSUMS."""
    document = {
        name: run_configuration(folder / name, *configuration)
        for name, configuration in CONFIGURATIONS.items()
    }
    CHECKSUMS.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        record(Path(folder))
