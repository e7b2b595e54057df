"""The benchmarks: the write limit writes a day's CSV bytes again, exactly; ``make bench`` and
``make bench-days`` run through at a small size and report what they measured."""

import re
import subprocess
import sys
from pathlib import Path

from conftest import run_day
from write_limit import measure_write_limit

BENCH = Path(__file__).parents[1] / "bench"


def test_the_write_limit_writes_the_same_bytes_as_the_run(run_dir, tmp_path):
    summary = run_day(run_dir, customers=300)  # every dataset, as CSV
    files = sorted(summary.day_dir.rglob("*.csv"))
    limit = measure_write_limit(summary.day_dir, tmp_path)
    assert limit.different == []  # each file's SHA-256 as in the manifest
    assert limit.bytes_written == sum(path.stat().st_size for path in files)
    assert len(files) > 20 and limit.seconds > 0
    assert list(tmp_path.iterdir()) == [run_dir]  # the scratch copies are gone


def bench(script: str, *arguments: str) -> str:
    """What ``bench/script`` prints, run as ``make bench`` runs it; it must succeed."""
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    """The cells of each Markdown table row of ``text`` whose first cell is ``first_cell``."""
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows if row[0].strip() == first_cell]


def test_make_bench_measures_every_engine_on_the_same_day():
    printed = bench(
        "bench_run.py", "--sizes", "2000", "--naive-size", "200", "--repeat", "1", "--pairs", "2"
    )
    rows = table_rows(printed, "2,000")
    engines = {row[1]: row for row in rows if row[1].startswith(("local", "Dask"))}
    assert len(engines) == 4  # 1 worker and all, local and Dask
    [day_rows] = {row[2] for row in engines.values()}  # every engine wrote the same rows
    [limit] = [row for row in rows if row[1].startswith("write limit")]
    assert limit[2] == day_rows and "(same bytes" in limit[7]
    pairs = re.search(r"2,000 customers, local, \d+ workers, each run / the write limit.*", printed)
    assert pairs and len(re.findall(r"= [0-9.]+x", pairs.group())) == 2  # a ratio per pair
    dask = re.search(
        r"2,000 customers, Dask, \d+ workers, each run / the local run before.*", printed
    )
    assert dask and len(re.findall(r"= [0-9.]+x", dask.group())) == 2  # Dask / local per pair
    goals = printed.split("## Goals")[1]
    dask_goal = r"Dask / local on \d+ cores [0-9.]+x \(the median of 2 pairs; goal <= 1.5\): "
    assert re.search(dask_goal + "(met|NOT met)", goals)


def test_make_bench_days_reports_each_day():
    printed = bench("bench_days.py", "--customers", "300", "--days", "3", "--retention", "2")
    days = [table_rows(printed, str(day)) for day in (1, 2, 3)]
    assert all(len(rows) == 1 for rows in days)
    updates = [int(rows[0][6].replace(",", "")) for rows in days]
    assert updates[0] == 0 and updates[2] > 0  # the first day has nothing to update
