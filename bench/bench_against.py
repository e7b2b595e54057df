"""The speed of this checkout against an earlier commit, measured in the same minutes.

Usage: .venv/bin/python bench/bench_against.py REV [--customers N] [--rounds R] [--workers W]

Checks ``REV`` out into a temporary git worktree, builds its compiled parts there, and times
real ``gensample run`` commands of both versions (this checkout as it is, uncommitted changes
included) in alternating rounds: the customer master alone (``datasets = ["customers"]``) and
every dataset, each in a fresh run directory with the built-in defaults. Prints the median wall
seconds of each and the ratio this checkout / ``REV``: a shared virtual machine's speed wanders
by a quarter from one minute to the next, so only a ratio measured side by side says whether a
change made it slower.
It prints CPU seconds too (user and system, of the run and its workers): steadier than wall
seconds when other processes load the machine, but blind to work moved off the critical path.
Issue 15 asks that the population's variety costs at most 15 % at 1M customers.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHAT = {"customer master": '["customers"]', "every dataset": None}


def timed_run(
    checkout: Path, datasets: str | None, customers: int, workers: int
) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``checkout``'s gensample."""
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-m", "gensample"]
    with tempfile.TemporaryDirectory(prefix="gensample-against-") as run_dir:
        subprocess.run(
            [*command, "init", run_dir],
            env=environment,
            cwd=checkout,
            check=True,
            capture_output=True,
        )
        if datasets:  # the built-in defaults but for the datasets
            Path(run_dir, "gensample.toml").write_text(f"datasets = {datasets}\n", encoding="utf-8")
        started, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(
            [
                *command,
                "run",
                "--dir",
                run_dir,
                "--customers",
                str(customers),
                "--workers",
                str(workers),
            ],
            env=environment,
            cwd=checkout,  # python -m puts the working directory before PYTHONPATH
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started, _children_cpu() - cpu


def _children_cpu() -> float:
    """User and system seconds of this process's finished children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare with")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gensample-base-") as base:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", base, options.rev],
            check=True,
            capture_output=True,
        )
        try:
            build_compiled(Path(base))
            compare(Path(base), options)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", base])


def build_compiled(checkout: Path) -> None:
    """Build the compiled parts of ``checkout`` (a ``setup.py`` that has them) in place, as
    this checkout's editable install has its own: without them a version does the same work
    through Arrow and NumPy, several times slower, and the ratio would say nothing."""
    if not (checkout / "setup.py").exists():
        return
    built = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    if built.returncode:
        print(f"warning: {checkout.name} runs without its compiled parts: {built.stderr[-500:]}")


def compare(base: Path, options: argparse.Namespace) -> None:
    """Alternate the two checkouts round by round; print medians and ratios."""
    sides = {options.rev: base, "this checkout": ROOT}
    seconds = {(side, what): [] for side in sides for what in WHAT}
    for _ in range(options.rounds):
        for side, checkout in sides.items():
            for what, datasets in WHAT.items():
                timed = timed_run(checkout, datasets, options.customers, options.workers)
                seconds[side, what].append(timed)
    print(f"{options.customers:,} customers, {options.workers} workers, {options.rounds} rounds")
    print("| run | version | wall s (median) | CPU s (median) | each round: wall/CPU |")
    print("| --- | --- | ---: | ---: | --- |")
    for (side, what), timings in seconds.items():
        rounds = ", ".join(f"{wall:.2f}/{cpu:.2f}" for wall, cpu in timings)
        wall, cpu = (statistics.median(each) for each in zip(*timings, strict=True))
        print(f"| {what} | {side} | {wall:.2f} | {cpu:.2f} | {rounds} |")
    for what in WHAT:
        for index, kind in enumerate(("wall", "CPU")):
            old, new = (statistics.median(t[index] for t in seconds[side, what]) for side in sides)
            print(f"{what}: this checkout / {options.rev} = {new / old:.2f} ({kind})")


if __name__ == "__main__":
    main()
