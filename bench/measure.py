"""Measuring one real ``gensample run`` (wall seconds, peak memory of its process tree, rows
and stage seconds) and the naive Faker baseline, for ``bench_run.py``."""

import compileall
import itertools
import json
import os
import re
import subprocess
import sys
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


PSS_EVERY = 10
"""Samples of resident sizes per sample of proportional set sizes (every second): the kernel
walks a process's pages to add up its PSS, under the lock its page faults need: sampled ten
times a second it slowed a 1M run by a tenth (16.5 s against 14.9 s unsampled), once a second
by 2% (14.5 against 14.2-14.3 s)."""


def peak_tree_memory(process: psutil.Process, done: threading.Event, peak: list) -> None:
    """Sample the memory of ``process`` and its children until ``done``: the peaks of their
    proportional set sizes added up (``peak[0]``, once a second: a page several of them share,
    as the workers forked from the run share its imports and tables, counts once in all, so
    this is the memory the tree takes from the machine) and of their resident sizes added up
    (``peak[1]``, ten times a second: it counts such a page once in every process mapping it)."""
    for sample in itertools.count():
        if done.is_set():
            return
        try:
            tree = [process, *process.children(recursive=True)]
            peak[1] = max(peak[1], sum(member.memory_info().rss for member in tree))
            if sample % PSS_EVERY == 0:
                peak[0] = max(peak[0], sum(member.memory_full_info().pss for member in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)


@dataclass
class Measured:
    """One ``gensample run``: wall seconds, peak tree memory, rows per file, stage seconds."""

    seconds: float
    peak_bytes: int
    """The tree's peak memory, shared pages counted once (proportional set sizes)."""
    resident_peak_bytes: int
    """The tree's peak of resident sizes added up (shared pages once per process)."""
    rows: dict[str, int]
    stages: dict[str, float]

    @property
    def total_rows(self) -> int:
        """Rows of every file of the day."""
        return sum(self.rows.values())


def run_gensample(
    run_dir: Path, customers: int, engine: list[str], datasets: list[str] | None
) -> Measured:
    """Time one ``gensample run`` of ``customers`` with ``datasets`` (None: all) into the
    fresh ``run_dir``, with the engine flags ``engine`` (e.g. ``--workers 1``)."""
    chosen = f"datasets = {json.dumps(datasets)}\n" if datasets else "# every dataset\n"
    (run_dir / "gensample.toml").write_text(chosen)
    command = [
        *GENSAMPLE,
        *("run", "--dir", str(run_dir), "--date", DATE, "--customers", str(customers)),
        *("--dupe-rate", "15", "--format", "csv", "--timings", *engine),
    ]
    done, peak = threading.Event(), [0, 0]
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
    manifest = json.loads(day_dir(run_dir).joinpath("manifest.json").read_text())
    rows = {name: entry["rows"] for name, entry in manifest["files"].items()}
    return Measured(seconds, peak[0], peak[1], rows, parse_timings(timings))


def day_dir(run_dir: Path) -> Path:
    """The day a measured run writes."""
    return run_dir / "out" / DATE


def parse_timings(text: str) -> dict[str, float]:
    """Stage -> seconds from the ``--timings`` report (lines like ``population   0.412 s``)."""
    stages = {}
    for line in text.splitlines():
        match = re.fullmatch(r"(\S.*?)\s+([0-9.]+) s", line.strip())
        if match:
            stages[match[1]] = float(match[2])
    return stages


def time_naive(directory: Path, customers: int) -> tuple[float, int]:
    """Seconds of the naive Faker baseline for ``customers`` in ``directory``, and the rows
    it wrote (customer rows and as many truth rows)."""
    os.sync()  # as before each gensample run
    started = time.perf_counter()
    rows = naive_faker.generate(directory, customers, 15.0)
    return time.perf_counter() - started, 2 * rows
