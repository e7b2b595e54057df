"""``make bench``: customers per second of gensample against a naive Faker baseline, same run.

For each size, gensample runs as a real command (``gensample run``, CSV, 15% duplicates, truth)
in a fresh run directory, while a sampler adds up the resident memory of the whole process tree.
The naive row-at-a-time Faker baseline runs on a smaller size (it is slow) and both are reported
in customers per second; the ratio is the speed-up. Prints a Markdown table.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import naive_faker

GENSAMPLE = [sys.executable, "-m", "gensample"]


def peak_tree_memory(process: psutil.Process, done: threading.Event, peak: list) -> None:
    """Sample the resident memory of ``process`` and its children until ``done``."""
    while not done.is_set():
        try:
            tree = [process, *process.children(recursive=True)]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)


def time_gensample(customers: int, workers: int) -> tuple[float, int]:
    """Seconds and peak tree memory (bytes) of one ``gensample run`` of ``customers``."""
    with tempfile.TemporaryDirectory() as run_dir:
        Path(run_dir, "gensample.toml").write_text("# built-in defaults\n")
        command = [
            *GENSAMPLE,
            "run",
            "--dir",
            run_dir,
            "--date",
            "2026-11-23",
            "--customers",
            str(customers),
            "--dupe-rate",
            "15",
            "--format",
            "csv",
            "--workers",
            str(workers),
        ]
        done, peak = threading.Event(), [0]
        started = time.perf_counter()
        process = subprocess.Popen(command)
        sampler = threading.Thread(
            target=peak_tree_memory, args=(psutil.Process(process.pid), done, peak)
        )
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        if code:
            raise SystemExit(f"gensample run failed with exit code {code}")
    return seconds, peak[0]


def time_naive(customers: int) -> float:
    """Seconds of the naive Faker baseline for ``customers``."""
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        naive_faker.generate(Path(directory), customers, 15.0)
        return time.perf_counter() - started


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--naive-size", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0, help="gensample workers (0: per CPU)")
    arguments = parser.parse_args()
    naive_rate = arguments.naive_size / time_naive(arguments.naive_size)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
    print(
        f"naive Faker baseline: {naive_rate:,.0f} customers/s ({arguments.naive_size:,} customers)"
    )
    print("\n| customers | seconds | customers/s | x naive | peak memory (MB) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size in arguments.sizes:
        seconds, peak = time_gensample(size, arguments.workers)
        rate = size / seconds
        print(
            f"| {size:,} | {seconds:.2f} | {rate:,.0f} | {rate / naive_rate:,.0f} "
            f"| {peak / 2**20:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
