"""Day-over-day cost: 30 consecutive days in one run directory, with drift and re-injection.

Each day is a real ``gensample run --timings`` (the customer master, CSV, drift and closures,
archival re-injection). A day's cost should depend on the day's volume only, never on how many
days came before: the table prints each day's wall seconds, the seconds of the stage that reads
what earlier days left (``tracer, archive and drift``) and of the bookkeeping after the commit
(which archives the day and updates the current-state table), the day's rows and updates, and
peak memory of the process tree: resident, and its anonymous part (resident memory also counts
the pages of memory-mapped files drift has read, which are the kernel's page cache).

    .venv/bin/python bench/bench_days.py --customers 100000 --days 30
"""

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import GENSAMPLE, compile_package, parse_timings

FIRST = dt.date(2026, 11, 1)
SETTINGS = (
    'datasets = ["customers"]\nworkers = 1\narchival = true\narchival_share = 0.01\n'
    "drift_share = {drift}\nclosure_share = {closure}\narchive_retention_days = {retention}\n"
)


def peak_anonymous_memory(process: psutil.Process, done: threading.Event, peak: list) -> None:
    """Sample the resident memory of ``process`` and its children until ``done``: all of it
    (``peak[0]``), and the anonymous part (``peak[1]``: without the pages of memory-mapped
    files, which the kernel can drop at will)."""
    while not done.is_set():
        try:
            tree = [process, *process.children(recursive=True)]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
            peak[1] = max(peak[1], sum(_anonymous(p.pid) for p in tree))
        except (psutil.Error, OSError):
            pass
        time.sleep(0.05)


def _anonymous(pid: int) -> int:
    """RssAnon of a process, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return 0


def run_day(run_dir: Path, date: dt.date, customers: int) -> dict:
    """One real day: wall seconds, stage seconds, rows of the day's customers, peak memory."""
    command = [*GENSAMPLE, "run", "--dir", str(run_dir), "--date", date.isoformat()]
    command += ["--customers", str(customers), "--timings", "--allow-date"]
    done, peak = threading.Event(), [0, 0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    sampler = threading.Thread(
        target=peak_anonymous_memory, args=(psutil.Process(process.pid), done, peak)
    )
    sampler.start()
    _, timings = process.communicate()
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"gensample run failed ({process.returncode}):\n{timings}")
    manifest = json.loads((run_dir / "out" / date.isoformat() / "manifest.json").read_text())
    rows = manifest["files"]["data/customers.csv"]["rows"]
    counts = manifest["counts"]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "stages": parse_timings(timings),
        "rows": rows,
        "updates": counts.get("updates", 0),
        "peak": peak[0],
        "anonymous": peak[1],
    }


def _children_cpu() -> float:
    """User and system seconds of the finished child processes (and theirs) so far: on a
    shared machine, steadier than wall seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Run the days and print one table row per day."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--drift", type=float, default=0.002)
    parser.add_argument("--closure", type=float, default=0.0005)
    parser.add_argument("--retention", type=int, default=30)
    arguments = parser.parse_args()
    compile_package()
    print(
        f"{arguments.customers:,} customers a day, drift {arguments.drift}, closures "
        f"{arguments.closure}, archive retention {arguments.retention} days\n"
    )
    print(
        "| day | seconds | CPU s | reading earlier days s | bookkeeping s | rows | updates "
        "| peak MB | peak anonymous MB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        run_dir = Path(folder)
        (run_dir / "gensample.toml").write_text(
            SETTINGS.format(
                drift=arguments.drift, closure=arguments.closure, retention=arguments.retention
            )
        )
        for number in range(arguments.days):
            day = run_day(run_dir, FIRST + dt.timedelta(days=number), arguments.customers)
            stages = day["stages"]
            print(
                f"| {number + 1} | {day['seconds']:.2f} | {day['cpu']:.2f} "
                f"| {stages.get('tracer, archive and drift', 0):.2f} "
                f"| {stages.get('bookkeeping', 0):.2f} | {day['rows']:,} | {day['updates']:,} "
                f"| {day['peak'] / 2**20:,.0f} | {day['anonymous'] / 2**20:,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
