"""``make bench``: gensample's speed against the write limit and a naive Faker baseline,
measured in the same run on the machine it runs on.

Each measurement is a real command (``gensample run``, CSV, 15% duplicates, truth and manifest)
in a fresh run directory, while a sampler adds up the resident memory of the whole process tree
(Dask's worker processes included). Three parts:

1. the customer master alone (``datasets = ["customers"]``) for each size, in customers per
   second against the naive row-at-a-time Faker baseline of the same schema (run on a smaller
   size: it is slow), in rounds (``--repeat``; half the baseline, each size, the other half,
   back to back) with medians and the ratio of each round: the timings of a shared virtual
   machine wander by a quarter from one minute to the next;
2. the full pipeline (every dataset, duplicates, truth) for each size, locally and on a Dask
   ``LocalCluster``, with one worker and with one per core: rows per second and peak memory;
   against the write limit (pyarrow's CSV writer writing the same bytes from tables already in
   memory, in one process: see ``write_limit``), measured right after each of the ``--pairs``
   local runs on every core, each followed by a Dask run on every core (Dask / local is taken
   within those pairs too), and the naive baseline's rows per second;
3. for the largest size, rows of each file and the seconds spent generating each dataset.

Prints Markdown tables, then the issue's goals with what was measured.
"""

import argparse
import os
import platform
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil
from measure import Measured, compile_package, day_dir, run_gensample, time_naive
from write_limit import WriteLimit, measure_write_limit

from gensample import launch

CORES = os.cpu_count() or 1
ENGINES = {
    "local, 1 worker": ["--workers", "1"],
    f"local, {CORES} workers": ["--workers", str(CORES)],
    "Dask, 1 worker": ["--engine", "dask", "--scheduler", "local:1"],
    f"Dask, {CORES} workers": ["--engine", "dask", "--scheduler", f"local:{CORES}"],
}
"""The engines measured: ``gensample run`` flags by label (Dask: a LocalCluster per run)."""
LOCAL_ALL, DASK_ALL = list(ENGINES)[1], list(ENGINES)[3]
ONCE = [label for label in ENGINES if label not in (LOCAL_ALL, DASK_ALL)]
"""The engines run once per size (on one worker); those on every core run in pairs."""


def huge_pages_for_runs() -> str:
    """Whether the ``gensample`` runs measured here start with glibc's huge pages tunable."""
    tunables = os.environ.get(launch.TUNABLES, "")
    if launch.TUNABLE in tunables:
        return f"as {launch.TUNABLES} says ({tunables})"
    found = launch.with_huge_pages(os.environ, launch.glibc_version(), launch.huge_pages_mode())
    return "yes" if found else "no (not Linux with glibc 2.35+ and huge pages on request)"


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="customers of each measured run (add 10000000 for the 10M goal: ~20 min, 50 GB)",
    )
    parser.add_argument("--naive-size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the customer master")
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="runs on every core at each size, each followed by the write limit of its day",
    )
    arguments = parser.parse_args()
    compile_package()
    print(
        f"machine: {platform.machine()}, {CORES} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
        f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}, "
        f"huge pages for the runs' heap (gensample.launch): {huge_pages_for_runs()}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        rounds = [measure_round(Path(scratch), arguments) for _ in range(arguments.repeat)]
        print_customer_master(rounds, arguments)
        pipeline = {
            size: measure_pipeline(Path(scratch), size, arguments.pairs) for size in arguments.sizes
        }
    naive = statistics.median(r.naive_rows_per_second for r in rounds)
    print_pipeline(pipeline, naive)
    largest = pipeline[max(arguments.sizes)]
    print_files(max(arguments.sizes), largest.runs[LOCAL_ALL])
    print_goals(pipeline)
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


@dataclass
class Round:
    """One round: the naive baseline's customers and rows per second, then each size."""

    naive_rate: float
    naive_rows_per_second: float
    runs: dict[int, Measured]


def measure_round(scratch: Path, arguments: argparse.Namespace) -> Round:
    """Half the baseline, each size, then the other half, back to back: the baseline's rate
    spans the minute of the sizes' runs, so a drift of the machine's speed cancels out."""
    half = arguments.naive_size // 2
    first = naive_in(scratch, half)
    runs = {
        size: fresh_run(scratch, size, ["--workers", "0"], ["customers"])
        for size in arguments.sizes
    }
    second = naive_in(scratch, half)
    seconds, rows = first[0] + second[0], first[1] + second[1]
    return Round(2 * half / seconds, rows / seconds, runs)


def naive_in(scratch: Path, customers: int) -> tuple[float, int]:
    """The naive baseline in a fresh folder of ``scratch``."""
    with tempfile.TemporaryDirectory(dir=scratch) as directory:
        return time_naive(Path(directory), customers)


def fresh_run(
    scratch: Path, customers: int, engine: list[str], datasets: list[str] | None
) -> Measured:
    """One measured run in a fresh run directory of ``scratch``, removed afterwards."""
    with tempfile.TemporaryDirectory(dir=scratch) as run_dir:
        return run_gensample(Path(run_dir), customers, engine, datasets)


@dataclass
class Pipeline:
    """The full pipeline at one size: a run per engine; the local runs on every core, each
    paired with the write limit of its day measured right after it and with the Dask run on
    every core right after that (the machine's speed drifts from one minute to the next: a
    ratio is taken within a pair)."""

    once: dict[str, Measured]
    """The run of each engine on one worker."""
    pairs: list[tuple[Measured, WriteLimit]]
    dask_pairs: list[tuple[Measured, Measured]]
    """Each Dask run on every core and the local run on every core before it."""

    @property
    def runs(self) -> dict[str, Measured]:
        """A run per engine, in the table's order: on every core, the median pair's."""
        every = {**self.once, LOCAL_ALL: self.median_pair[0], DASK_ALL: self.median_dask_pair[0]}
        return {label: every[label] for label in ENGINES}

    @property
    def median_pair(self) -> tuple[Measured, WriteLimit]:
        """The pair of the median ratio (of the upper middle one, for an even number)."""
        return sorted(self.pairs, key=lambda pair: ratio(*pair))[len(self.pairs) // 2]

    @property
    def median_dask_pair(self) -> tuple[Measured, Measured]:
        """The Dask run and local run of the median Dask / local ratio (as ``median_pair``)."""
        by_ratio = sorted(self.dask_pairs, key=lambda pair: pair[0].seconds / pair[1].seconds)
        return by_ratio[len(self.dask_pairs) // 2]


def ratio(run: Measured, limit: WriteLimit) -> float:
    """Seconds of the run / seconds of the write limit."""
    return run.seconds / limit.seconds


def measure_pipeline(scratch: Path, customers: int, pairs: int) -> Pipeline:
    """Every engine on every dataset for ``customers``; the local one on every core ``pairs``
    times, each followed by the write limit of its day and by a Dask run on every core. The
    local row is its median pair's, the Dask row its median Dask / local pair's."""
    once = {label: fresh_run(scratch, customers, ENGINES[label], None) for label in ONCE}
    paired, dask_paired = [], []
    for _ in range(pairs):
        with tempfile.TemporaryDirectory(dir=scratch) as run_dir:
            local = run_gensample(Path(run_dir), customers, ENGINES[LOCAL_ALL], None)
            paired.append((local, measure_write_limit(day_dir(Path(run_dir)), Path(run_dir))))
        dask_paired.append((fresh_run(scratch, customers, ENGINES[DASK_ALL], None), local))
    return Pipeline(once, paired, dask_paired)


def print_customer_master(rounds: list[Round], arguments: argparse.Namespace) -> None:
    """The customer master's table: medians over the rounds, and the spread of the ratio."""
    naive_rates = [r.naive_rate for r in rounds]
    print(
        f"naive Faker baseline: {statistics.median(naive_rates):,.0f} customers/s "
        f"({arguments.naive_size:,} customers; median of {len(rounds)} rounds, "
        f"{min(naive_rates):,.0f} to {max(naive_rates):,.0f})"
    )
    print("\n## The customer master alone\n")
    print("| customers | seconds | customers/s | x naive | x naive, each round | peak MB (PSS) |")
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


def print_pipeline(pipeline: dict[int, Pipeline], naive_rows_per_second: float) -> None:
    """The full pipeline's table, and the write limit of each size."""
    print("\n## The full pipeline: every dataset, duplicates and truth, CSV\n")
    print(
        "| customers | engine | rows | seconds | rows/s | x write limit | x naive | peak MB (PSS) "
        "| peak MB (RSS sum) |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, measured in pipeline.items():
        limit = measured.median_pair[1]
        for label, run in measured.runs.items():
            rate = run.total_rows / run.seconds
            print(
                f"| {size:,} | {label} | {run.total_rows:,} | {run.seconds:.2f} | {rate:,.0f} "
                f"| {ratio(run, limit):.2f} | {rate / naive_rows_per_second:,.0f} "
                f"| {run.peak_bytes / 2**20:,.0f} | {run.resident_peak_bytes / 2**20:,.0f} |"
            )
        rows = next(iter(measured.runs.values())).total_rows
        same = "same bytes" if not limit.different else f"DIFFERENT: {limit.different}"
        print(
            f"| {size:,} | write limit: pyarrow CSV writer, from memory, 1 process | {rows:,} "
            f"| {limit.seconds:.2f} | {rows / limit.seconds:,.0f} | 1.00 | | ({same}, "
            f"{limit.bytes_written / 2**20:,.0f} MB) | |"
        )
    print(
        f"\n`x write limit`: seconds of the run / seconds of the pure write of the same bytes "
        f"(the write limit of the {LOCAL_ALL} run of the median ratio, measured right after "
        f"it); `x naive`: rows/s / the naive baseline's {naive_rows_per_second:,.0f} rows/s "
        "(customer and truth rows); `peak MB (PSS)`: the process tree's peak memory, each page "
        "counted once however many of its processes share it (proportional set sizes added up); "
        "`(RSS sum)`: its resident sizes added up, a page shared by the run and the workers it "
        "forked counted once per process."
    )
    for size, measured in pipeline.items():
        pairs = ", ".join(
            f"{run.seconds:.2f} s / {limit.seconds:.2f} s = {ratio(run, limit):.2f}x"
            for run, limit in measured.pairs
        )
        print(f"\n{size:,} customers, {LOCAL_ALL}, each run / the write limit after it: {pairs}")
        dask = ", ".join(
            f"{run.seconds:.2f} s / {local.seconds:.2f} s = {run.seconds / local.seconds:.2f}x"
            for run, local in measured.dask_pairs
        )
        print(f"\n{size:,} customers, {DASK_ALL}, each run / the local run before it: {dask}")


def print_files(customers: int, run: Measured) -> None:
    """Rows of each file of the largest local run, and each dataset's generation speed."""
    print(f"\n## Each file, {customers:,} customers, {LOCAL_ALL}\n")
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


def print_goals(pipeline: dict[int, Pipeline]) -> None:
    """The goals of issue 18 against what was measured (at the sizes that were run)."""
    print("\n## Goals\n")
    if 1_000_000 in pipeline:
        run, limit = pipeline[1_000_000].median_pair
        rate, against_limit = run.total_rows / run.seconds, ratio(run, limit)
        print(
            f"- 1M customers, {LOCAL_ALL} (the pair of the median ratio): {rate:,.0f} rows/s "
            f"(goal >= 2,500,000), {against_limit:.2f}x the write limit (goal <= 1.5): "
            f"{met(rate >= 2.5e6 and against_limit <= 1.5)}"
        )
    if 10_000_000 in pipeline:
        run = pipeline[10_000_000].runs[LOCAL_ALL]
        print(
            f"- 10M customers, {LOCAL_ALL}: {run.seconds:.0f} s (goal < 120), peak "
            f"{run.peak_bytes / 2**20:,.0f} MB (PSS; goal < 1024; RSS sum "
            f"{run.resident_peak_bytes / 2**20:,.0f} MB): "
            f"{met(run.seconds < 120 and run.peak_bytes < 2**30)}"
        )
    for size, measured in pipeline.items():
        run, local = measured.median_dask_pair
        dask = run.seconds / local.seconds
        print(
            f"- {size:,} customers: Dask / local on {CORES} cores {dask:.2f}x (the median of "
            f"{len(measured.dask_pairs)} pairs; goal <= 1.5): {met(dask <= 1.5)}"
        )


def met(condition: bool) -> str:
    return "met" if condition else "NOT met"


if __name__ == "__main__":
    main()
