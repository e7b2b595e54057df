"""``make bench``: gensample's speed against a naive Faker baseline, measured in the same run.

Two parts, each a real command (``gensample run``, CSV, 15% duplicates, truth) in a fresh run
directory, while a sampler adds up the resident memory of the whole process tree:

1. the customer master alone (``datasets = ["customers"]``) for each size, in customers per
   second against the naive row-at-a-time Faker baseline of the same schema (run on a smaller
   size: it is slow); the ratio is the speed-up. It runs in rounds (``--repeat``; half the
   baseline, each size, the other half, back to back) and shows medians and the ratio of each
   round: the timings of a shared virtual machine wander by a quarter from one minute to the
   next;
2. every dataset enabled, for the largest size: rows of each file, the seconds spent generating
   each dataset (added up over the workers, from ``--timings``) and its rows per second, and
   the rows per second of the whole run.

Prints Markdown tables.
"""

import argparse
import compileall
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import naive_faker

GENSAMPLE = [sys.executable, "-m", "gensample"]
PACKAGE = Path(__file__).resolve().parent.parent / "gensample"
DATE = "2026-11-23"


def compile_package() -> None:
    """Compile gensample's modules to bytecode, as installing a package does.

    Run from an editable checkout with ``PYTHONDONTWRITEBYTECODE`` set (as on CI machines),
    every start would compile every module again: about 0.13 s of each measured run.
    """
    compileall.compile_dir(PACKAGE, quiet=1)


def peak_tree_memory(process: psutil.Process, done: threading.Event, peak: list) -> None:
    """Sample the resident memory of ``process`` and its children until ``done``."""
    while not done.is_set():
        try:
            tree = [process, *process.children(recursive=True)]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)


@dataclass
class Measured:
    """One ``gensample run``: wall seconds, peak tree memory, rows per file, stage seconds."""

    seconds: float
    peak_bytes: int
    rows: dict[str, int]
    stages: dict[str, float]


def time_gensample(customers: int, workers: int, datasets: list[str] | None) -> Measured:
    """Time one ``gensample run`` of ``customers`` with ``datasets`` (None: all)."""
    with tempfile.TemporaryDirectory() as run_dir:
        chosen = f"datasets = {json.dumps(datasets)}\n" if datasets else "# every dataset\n"
        Path(run_dir, "gensample.toml").write_text(chosen)
        command = [
            *GENSAMPLE,
            "run",
            "--dir",
            run_dir,
            "--date",
            DATE,
            "--customers",
            str(customers),
            "--dupe-rate",
            "15",
            "--format",
            "csv",
            "--workers",
            str(workers),
            "--timings",
        ]
        done, peak = threading.Event(), [0]
        os.sync()  # the previous run's files go to disk now, not during this run
        started = time.perf_counter()
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        sampler = threading.Thread(
            target=peak_tree_memory, args=(psutil.Process(process.pid), done, peak)
        )
        sampler.start()
        _, timings = process.communicate()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        if process.returncode:
            raise SystemExit(f"gensample run failed ({process.returncode}):\n{timings}")
        manifest = json.loads(Path(run_dir, "out", DATE, "manifest.json").read_text())
    rows = {name: entry["rows"] for name, entry in manifest["files"].items()}
    return Measured(seconds, peak[0], rows, parse_timings(timings))


def parse_timings(text: str) -> dict[str, float]:
    """Stage -> seconds from the ``--timings`` report (lines like ``population   0.412 s``)."""
    stages = {}
    for line in text.splitlines():
        match = re.fullmatch(r"(\S.*?)\s+([0-9.]+) s", line.strip())
        if match:
            stages[match[1]] = float(match[2])
    return stages


def time_naive(customers: int) -> float:
    """Seconds of the naive Faker baseline for ``customers``."""
    with tempfile.TemporaryDirectory() as directory:
        os.sync()  # as before each gensample run
        started = time.perf_counter()
        naive_faker.generate(Path(directory), customers, 15.0)
        return time.perf_counter() - started


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--naive-size", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0, help="gensample workers (0: per CPU)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds of baseline and sizes (medians are shown)"
    )
    arguments = parser.parse_args()
    compile_package()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
    rounds = [measure_round(arguments) for _ in range(arguments.repeat)]
    print_customer_master(rounds, arguments)
    print_all_datasets(max(arguments.sizes), arguments.workers)


@dataclass
class Round:
    """One round: the naive baseline's customers per second, then a run of each size."""

    naive_rate: float
    runs: dict[int, Measured]


def measure_round(arguments: argparse.Namespace) -> Round:
    """Half the baseline, each size, then the other half, back to back: the baseline's rate
    spans the minute of the sizes' runs, so a drift of the machine's speed cancels out."""
    half = arguments.naive_size // 2
    before = time_naive(half)
    runs = {
        size: time_gensample(size, arguments.workers, ["customers"]) for size in arguments.sizes
    }
    return Round(2 * half / (before + time_naive(half)), runs)


def print_customer_master(rounds: list[Round], arguments: argparse.Namespace) -> None:
    """The customer master's table: medians over the rounds, and the spread of the ratio."""
    naive_rates = [r.naive_rate for r in rounds]
    print(
        f"naive Faker baseline: {statistics.median(naive_rates):,.0f} customers/s "
        f"({arguments.naive_size:,} customers; median of {len(rounds)} rounds, "
        f"{min(naive_rates):,.0f} to {max(naive_rates):,.0f})"
    )
    print("\n## The customer master alone\n")
    print(
        "| customers | seconds | customers/s | x naive | x naive, each round | peak memory (MB) |"
    )
    print("| ---: | ---: | ---: | ---: | --- | ---: |")
    for size in arguments.sizes:
        seconds = statistics.median(r.runs[size].seconds for r in rounds)
        rate = size / seconds
        ratios = ", ".join(f"{size / r.runs[size].seconds / r.naive_rate:,.0f}" for r in rounds)
        peak = max(r.runs[size].peak_bytes for r in rounds)
        print(
            f"| {size:,} | {seconds:.2f} | {rate:,.0f} "
            f"| {rate / statistics.median(naive_rates):,.0f} | {ratios} "
            f"| {peak / 2**20:,.0f} |",
            flush=True,
        )


def print_all_datasets(customers: int, workers: int) -> None:
    """Run every dataset for ``customers`` and print rows and speed per file."""
    run = time_gensample(customers, workers, None)
    total = sum(run.rows.values())
    print(f"\n## Every dataset, {customers:,} customers\n")
    print(
        f"{total:,} rows in {run.seconds:.2f} s: {total / run.seconds:,.0f} rows/s, "
        f"peak memory {run.peak_bytes / 2**20:,.0f} MB\n"
    )
    print("| file | rows | generation s (all workers) | generated rows/s |")
    print("| --- | ---: | ---: | ---: |")
    generated = set()
    for name, rows in run.rows.items():
        dataset = Path(name).name.split(".")[0]  # its stage in --timings, for data files
        seconds = run.stages.get(dataset) if name.startswith("data/") else None
        if seconds:
            generated.add(dataset)
            print(f"| {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} |")
        else:
            print(f"| {name} | {rows:,} | | |")
    others = {k: v for k, v in run.stages.items() if k not in generated}
    print(
        "\nOther stages (s, all workers): " + ", ".join(f"{k} {v:.2f}" for k, v in others.items())
    )


if __name__ == "__main__":
    main()
