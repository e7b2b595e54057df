"""The Dask engine: a day generated on a real cluster of worker processes is byte-for-byte the
day a local run writes, a worker killed during the run included; no worker outlives the test."""

import contextlib
import hashlib
import json
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any

import boto3
import psutil
import pytest
from conftest import DAY, gensample_command, read_csv, run_day
from publishing_servers import FakeVault, FaultyS3, moto_s3
from tls_files import self_signed

import gensample.settings
from gensample.cli import main
from gensample.daily import runner, state
from gensample.errors import RunError
from gensample.generate.seeding import BLOCK_SIZE
from gensample.output import dask_cluster, dask_engine, shared_parts
from gensample.output.dask_cluster import local_cluster
from gensample.output.dask_workers import Expected, check_sees, check_workers, versions
from gensample.output.shared_parts import SharedParts

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

PEOPLE = 1000
"""Customers of a test day: its entity ids straddle a block edge, so two blocks run as tasks
(the reference block, stores and products, is written by the test process)."""


@pytest.fixture(scope="module")
def cluster():
    """A cluster of two worker processes; none of them is left running after the tests."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        workers = client.run(os.getpid)
        yield client
        workers.update(client.run(os.getpid))  # restarted ones too
    assert not [pid for pid in workers.values() if psutil.pid_exists(pid)]


def run_dir_for(tmp_path: Path, name: str, toml: str) -> Path:
    """A run directory ``name`` with ``toml`` settings and ids that start ``PEOPLE // 2``
    before a block edge."""
    run_dir = tmp_path / name
    run_dir.mkdir()
    (run_dir / "gensample.toml").write_text(toml)
    state.save(run_dir / "state.json", state.State(BLOCK_SIZE - PEOPLE // 2, 0))
    return run_dir


def checksums(run_dir: Path) -> dict[str, str]:
    """The sha256 of every file of the day, and its manifest without the settings and times."""
    day = run_dir / "out" / DAY.isoformat()
    return {
        str(path.relative_to(day)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(day.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def local_and_dask(tmp_path: Path, toml: str, scheduler: str) -> tuple[dict, dict]:
    """The day's checksums from a local run and from a Dask run (the first differing line of
    each file they write differently is printed: a failing test shows it)."""
    local = run_dir_for(tmp_path, "local", toml)
    run_day(local, customers=PEOPLE)  # one process: no fork beside the client's threads
    on_dask = run_dir_for(tmp_path, "dask", toml)
    summary = run_day(on_dask, customers=PEOPLE, engine="dask", scheduler=scheduler)
    assert "place parts" in summary.stopwatch.seconds  # the blocks did run on Dask
    print_differences(local / "out" / DAY.isoformat(), on_dask / "out" / DAY.isoformat())
    return checksums(local), checksums(on_dask)


def print_differences(day: Path, other: Path) -> None:
    """Print each file of ``day`` (but its manifest) that ``other`` holds differently: its
    first differing line in both, and how many lines differ (line 0: one file is longer)."""
    for path in sorted(p for p in day.rglob("*") if p.is_file() and p.name != "manifest.json"):
        theirs = other / path.relative_to(day)
        mine, their = path.read_bytes(), theirs.read_bytes() if theirs.exists() else b""
        if mine != their:
            lines = list(zip(mine.splitlines(), their.splitlines(), strict=False))  # any lengths
            differing = [n for n, (a, b) in enumerate(lines, 1) if a != b]
            first = differing[0] if differing else 0
            line = lines[first - 1] if first else (mine[-80:], their[-80:])
            print(path.relative_to(day), f"line {first}, {len(differing)} lines differ:", *line)


@pytest.mark.parametrize("toml", ['format = "csv"\n', 'format = "parquet"\n'])
def test_a_day_on_a_dask_cluster_is_the_local_day_byte_for_byte(tmp_path, cluster, toml):
    local, on_dask = local_and_dask(tmp_path, toml, cluster.scheduler.address)
    assert on_dask == local
    assert len(local) > 10
    assert not list((tmp_path / "dask" / "out").rglob("*.part"))


class KillOnce(distributed.WorkerPlugin):
    """Kill the worker process that starts a block's task, once (``marker`` says it was done)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing" and str(key).startswith("gensample-"):
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
            os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_during_a_run_changes_no_byte(tmp_path, cluster):
    marker = tmp_path / "killed"
    cluster.register_plugin(KillOnce(str(marker)), name="kill-once")
    try:
        local, on_dask = local_and_dask(tmp_path, "", cluster.scheduler.address)
    finally:
        cluster.unregister_worker_plugin("kill-once")
    assert marker.exists()  # a worker was killed running a block
    assert on_dask == local


class KillScheduler(distributed.WorkerPlugin):
    """Kill the scheduler (process ``pid``) as a worker starts a block's task."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing" and str(key).startswith("gensample-"):
            os.kill(self.pid, signal.SIGKILL)


DYING_WITH_PARENT = (
    "import os, runpy, sys\n"
    "from gensample.output.lifetime import die_with_parent\n"
    "die_with_parent(os.getppid())\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
)
"""Run the module named by the first argument, with the rest, killed when its parent dies."""


@contextlib.contextmanager
def own_processes(
    *commands: list[str], environ: dict[str, str] | None = None
) -> Iterator[list[psutil.Popen]]:
    """Processes started from ``commands`` (Python modules with their arguments), with
    ``environ`` added to this process's environment, killed at the end or with this process;
    they can import the tests' modules (a worker, their plugins)."""
    environ = {**os.environ, **(environ or {}), "PYTHONPATH": str(Path(__file__).parent)}
    started = []
    try:
        for command in commands:
            command = [sys.executable, "-c", DYING_WITH_PARENT, *command]
            started.append(psutil.Popen(command, env=environ, stderr=subprocess.DEVNULL))
        yield started
    finally:
        for process in started:
            with contextlib.suppress(psutil.NoSuchProcess):  # killed by the test
                process.kill()
            process.wait()


@pytest.mark.parametrize("lost", ["checking the workers", "running a block"])
def test_a_lost_scheduler_fails_the_run_saying_so_and_commits_nothing(tmp_path, monkeypatch, lost):
    with scheduler_and_worker(tmp_path) as (address, scheduler, _):
        if lost == "running a block":
            with distributed.Client(address) as client:
                client.register_plugin(KillScheduler(scheduler.pid), name="kill-scheduler")
        if lost == "checking the workers":
            monkeypatch.setattr(dask_engine, "check_workers", killing(scheduler, check_workers))
        run_dir = run_dir_for(tmp_path, "dask", "")
        monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT", "2s")  # to try to reconnect
        with pytest.raises(RunError) as raised:
            run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
    assert str(raised.value) == (
        f"lost the connection to the Dask scheduler {address} while generating {DAY}: "
        "the scheduler stopped, or its machine or the network failed"
    )
    assert not (run_dir / "out" / DAY.isoformat()).exists()  # the day was not committed
    assert state.load(run_dir / "state.json").next_entity_id == BLOCK_SIZE - PEOPLE // 2


def scheduler_command(scheduler_file: Path, flags: Sequence[str] = ("--port", "0")) -> list[str]:
    """``dask scheduler`` with ``flags`` (by default on a free port), writing its address to
    ``scheduler_file``."""
    return [
        *("distributed.cli.dask_scheduler", *flags, "--no-dashboard"),
        *("--scheduler-file", str(scheduler_file)),
    ]


def scheduler_address(scheduler_file: Path) -> str:
    """The address of the scheduler writing ``scheduler_file``, once it has written it whole."""
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError, KeyError):
            return json.loads(scheduler_file.read_text())["address"]
        assert time.monotonic() < deadline, "the scheduler never wrote its address"
        time.sleep(0.1)


@contextlib.contextmanager
def scheduler_and_worker(
    tmp_path: Path, *worker_flags: str
) -> Iterator[tuple[str, psutil.Popen, psutil.Popen]]:
    """A scheduler and a worker of one thread with ``worker_flags`` (no nanny: once killed, it
    stays dead), started as commands: the scheduler's address and the two processes, once the
    worker has joined."""
    scheduler_file = tmp_path / "scheduler.json"
    with own_processes(scheduler_command(scheduler_file)) as [scheduler]:
        address = scheduler_address(scheduler_file)
        worker = ["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"]
        with own_processes([*worker, "--no-dashboard", *worker_flags]) as [process]:
            with distributed.Client(address) as client:
                client.wait_for_workers(1, timeout=60)
            yield address, scheduler, process


OPERATIONS = Path(__file__).parents[1] / "docs" / "operations.md"
HUGE_PAGES = "glibc.malloc.hugetlb=1"
"""The glibc tunable the documented workers are started with (docs/operations.md)."""


def documented_commands(after: str) -> list[tuple[dict[str, str], list[str]]]:
    """The commands of the first ``sh`` block after the text ``after`` in docs/operations.md,
    each as its environment (the assignments before it) and its words."""
    text = OPERATIONS.read_text().split(after, 1)[1]
    block = text.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    commands = []
    for words in (shlex.split(line, comments=True) for line in block.splitlines()):
        at = next(n for n, word in enumerate(words) if "=" not in word)
        commands.append((dict(word.split("=", 1) for word in words[:at]), words[at:]))
    return commands


def dask_flags(words: list[str], **values: str) -> list[str]:
    """The flags of a ``dask scheduler`` or ``dask worker ADDRESS`` command, with the flags
    named in ``values`` (``nworkers="2"``: ``--nworkers 2``) given other values."""
    flags = words[3:] if words[1] == "worker" else words[2:]
    for name, value in values.items():
        flags[flags.index(f"--{name}") + 1] = value
    return flags


def documented_worker(address: str) -> tuple[dict[str, str], list[str]]:
    """The environment and the arguments of the ``dask worker`` command docs/operations.md
    gives for a cluster that is already running, for ``address`` and two processes."""
    _, (environ, worker), _ = documented_commands("Against an existing cluster")
    flags = dask_flags(worker, nworkers="2")
    return environ, ["distributed.cli.dask_worker", address, *flags, "--no-dashboard"]


def test_a_day_on_a_cluster_started_as_the_docs_say_is_the_local_day(tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    with own_processes(scheduler_command(scheduler_file)):
        address = scheduler_address(scheduler_file)
        environ, worker = documented_worker(address)
        with own_processes(worker, environ=environ) as [command]:
            with distributed.Client(address) as client:
                client.wait_for_workers(2, timeout=60)
                setups = list(client.run(worker_setup).values())
            local, on_dask = local_and_dask(tmp_path, "", address)
            workers = command.children(recursive=True)
    assert len(setups) == 2
    for setup in setups:  # what the documented environment is for
        assert setup["Arrow allocator"] == "system"
        assert setup["freed memory kept"]
        assert not setup["profiled"]
        assert setup["huge pages asked"]
    assert on_dask == local
    assert not psutil.wait_procs(workers, timeout=30)[1]  # no worker outlives its command


@pytest.fixture
def dask_environment(monkeypatch):
    """Set Dask's configuration through environment variables, as a user does (read anew);
    unset again after the test."""

    def setenv(variables: dict[str, Path | str]) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, str(value))
        dask.config.refresh()

    yield setenv
    monkeypatch.undo()
    dask.config.refresh()


TLS_CLIENT = "DASK_DISTRIBUTED__COMM__TLS__"
"""The prefix of the environment variables of the client's TLS files (docs/operations.md)."""


def with_test_files(words: list[str], cert: Path, key: Path) -> list[str]:
    """``words`` with the docs' PEM files replaced by a test's certificate and its key."""
    return [
        str(key) if w.endswith("-key.pem") else str(cert) if w.endswith(".pem") else w
        for w in words
    ]


def test_a_day_on_a_cluster_that_takes_tls_as_the_docs_say_is_the_local_day(
    tmp_path, dask_environment
):
    cert, key = self_signed(tmp_path)
    scheduler, worker, (client, run) = documented_commands("### A cluster that takes TLS")
    scheduler_file = tmp_path / "scheduler.json"
    flags = with_test_files(dask_flags(scheduler[1], port="0"), cert, key)
    with own_processes(scheduler_command(scheduler_file, flags)):
        address = scheduler_address(scheduler_file)
        flags = with_test_files(dask_flags(worker[1], nworkers="1"), cert, key)
        with own_processes(["distributed.cli.dask_worker", address, *flags, "--no-dashboard"]):
            files = with_test_files(list(client.values()), cert, key)
            dask_environment(dict(zip(client, files, strict=True)))
            local, on_dask = local_and_dask(tmp_path, "", address)
    assert run[-4:-1] == ["--engine", "dask", "--scheduler"]  # as local_and_dask runs it
    assert address.startswith("tls://")
    assert on_dask == local


@pytest.mark.parametrize(
    "client, named",
    [
        ({}, "scheduler tls://127.0.0.1:9 takes TLS: set distributed.comm.tls.ca-file ("),
        ({"CA_FILE": "ca.pem"}, "set distributed.comm.tls.client.cert (environment variable"),
        (
            {"CA_FILE": "ca.pem", "CLIENT__CERT": "missing.pem"},
            "distributed.comm.tls.client.cert (environment variable {}CLIENT__CERT) = "
            "'{}/missing.pem': no such readable file; the path of this client's certificate",
        ),
        (
            {"CA_FILE": "ca.pem", "CLIENT__CERT": "ca.pem", "CLIENT__KEY": "missing.pem"},
            "distributed.comm.tls.client.key (environment variable {}CLIENT__KEY) = ",
        ),
    ],
)
def test_tls_files_the_client_lacks_are_bad_input_before_anything_is_written(
    run_dir, caplog, dask_environment, client, named
):
    (run_dir / "gensample.toml").write_text("customers = 10\n")
    (run_dir / "ca.pem").write_text(self_signed(run_dir.parent)[0].read_text())
    dask_environment({TLS_CLIENT + name: run_dir / path for name, path in client.items()})
    on_tls = ["--engine", "dask", "--scheduler", "tls://127.0.0.1:9"]  # nobody listens there
    assert main(["run", "--dir", str(run_dir), *on_tls]) == 2
    assert named.format(TLS_CLIENT, run_dir) in caplog.text
    assert not (run_dir / "out").exists() and not (run_dir / "state.json").exists()


def test_a_run_that_lost_every_worker_fails_instead_of_waiting_for_ever(tmp_path, monkeypatch):
    monkeypatch.setattr(dask_engine, "WORKERS_TIMEOUT", 2)  # for a worker to come back
    monkeypatch.setattr(dask_engine, "WORKERS_CHECK", 0.2)
    with scheduler_and_worker(tmp_path) as (address, _, worker):
        with distributed.Client(address) as client:
            client.register_plugin(KillOnce(str(tmp_path / "killed")), name="kill-once")
        run_dir = run_dir_for(tmp_path, "dask", "")
        with pytest.raises(RunError) as raised:
            run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
        assert worker.wait(timeout=10) == -signal.SIGKILL  # killed running a block
    assert str(raised.value) == (
        f"every Dask worker left the scheduler {address} while generating {DAY}, and none "
        "joined within 2 s (killed, or their machines failed)"
    )
    assert not (run_dir / "out" / DAY.isoformat()).exists()


def test_a_run_on_a_cluster_that_never_gets_a_worker_fails_saying_so(tmp_path, monkeypatch):
    monkeypatch.setattr(dask_engine, "WORKERS_TIMEOUT", 2)
    monkeypatch.setattr(dask_engine, "WORKERS_CHECK", 0.2)
    scheduler_file = tmp_path / "scheduler.json"
    with own_processes(scheduler_command(scheduler_file)):
        address = scheduler_address(scheduler_file)
        run_dir = run_dir_for(tmp_path, "dask", "")
        with pytest.raises(RunError) as raised:
            run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
    assert str(raised.value) == f"no Dask worker joined the scheduler {address} within 2 s"
    assert not list((run_dir / "out").iterdir())  # nothing committed, nor left staged


def test_a_cluster_that_scales_up_from_no_worker_runs_the_local_day(tmp_path):
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as adaptive:
        adaptive.adapt(minimum=0, maximum=2, interval="200ms")  # workers once there are tasks
        local, on_dask = local_and_dask(tmp_path, "", adaptive.scheduler_address)
    assert on_dask == local


def failure_on_a_worker_with(tmp_path: Path, preload: str) -> str:
    """The error of a run whose one worker is preloaded with ``preload`` (a module of tests/);
    the day was not committed."""
    flags = ("--preload", str(Path(__file__).parent / preload))
    with scheduler_and_worker(tmp_path, *flags) as (address, _, _):
        run_dir = run_dir_for(tmp_path, "dask", "")
        with pytest.raises(RunError) as raised:
            run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
    assert not (run_dir / "out" / DAY.isoformat()).exists()
    return str(raised.value)


def test_a_worker_without_gensample_fails_the_run_saying_what_to_install(tmp_path):
    assert re.fullmatch(
        r"Dask worker tcp://\S+ cannot run gensample \(ModuleNotFoundError\(.No module named "
        r"'gensample'.\)\): install gensample \S+ on every worker, as on the machine that "
        r"runs the job",
        failure_on_a_worker_with(tmp_path, "without_gensample.py"),
    )


def test_a_worker_without_gensample_that_joined_after_the_start_fails_the_run_at_once(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(dask_engine, "check_workers", lambda *_: None)  # it joined later
    started = time.monotonic()
    assert re.fullmatch(
        r"Dask worker tcp://\S+, which joined after the run started, cannot run gensample "
        r"\(ModuleNotFoundError\(.No module named 'gensample\S*'.\)\): install gensample \S+ on "
        r"every worker, as on the machine that runs the job",
        failure_on_a_worker_with(tmp_path, "without_gensample.py"),
    )
    assert time.monotonic() - started < 60  # not after its worker left and none came back


def test_a_worker_of_other_versions_is_refused_as_the_run_starts(tmp_path):
    assert re.fullmatch(
        r"Dask worker tcp://\S+ runs gensample 0\.0\.1, numpy \S+, pyarrow \S+, the run process "
        r"gensample (?!0\.0\.1)\S+, numpy \S+, pyarrow \S+: install the same versions on every "
        r"worker",
        failure_on_a_worker_with(tmp_path, "other_gensample_version.py"),
    )


def test_a_worker_of_other_versions_that_joined_after_the_start_fails_its_block(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(dask_engine, "check_workers", lambda *_: None)  # it joined later
    assert re.fullmatch(
        r"Dask worker tcp://\S+ runs gensample 0\.0\.1, numpy \S+, pyarrow \S+, the run process "
        r"gensample (?!0\.0\.1)\S+, numpy \S+, pyarrow \S+: install the same versions on every "
        r"worker \(this one joined after the run started\)",
        failure_on_a_worker_with(tmp_path, "other_gensample_version.py"),
    )


def killing(process: psutil.Popen, function):
    """``function``, called once ``process`` is killed."""

    def killed_first(*arguments):
        process.kill()
        process.wait()
        return function(*arguments)

    return killed_first


def test_local_n_starts_a_cluster_for_the_run_and_stops_it(tmp_path):
    resource_tracker.ensure_running()  # multiprocessing's, which lives as long as this process
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    local, on_dask = local_and_dask(tmp_path, "", "local:2")
    assert on_dask == local
    left = [c for c in psutil.Process().children(recursive=True) if c.pid not in before]
    assert not psutil.wait_procs(left, timeout=30)[1]  # every process started has ended


def disposition(signum: int) -> str:
    """What this process does at signal ``signum``: ``SIG_IGN``, ``SIG_DFL`` or ``handler``."""
    handler = signal.getsignal(signum)
    return handler.name if isinstance(handler, signal.Handlers) else "handler"


def worker_setup(dask_worker) -> dict[str, Any]:
    """In a worker: its signal handlers, Arrow's threads and allocator, whether glibc keeps
    the memory of 40 MB of freed buffers (a block's) for the next block and was started asked
    for huge pages, and whether Dask's profiler samples its stacks."""
    import pyarrow as pa
    from heap import freed_mib_kept

    return {
        "profiled": "profile" in dask_worker.periodic_callbacks,
        "SIGINT": disposition(signal.SIGINT),
        "SIGTERM": disposition(signal.SIGTERM),
        "Arrow threads": pa.cpu_count(),
        "Arrow allocator": pa.default_memory_pool().backend_name,
        "freed memory kept": freed_mib_kept() >= 35,
        "huge pages asked": HUGE_PAGES in os.environ.get("GLIBC_TUNABLES", "").split(":"),
    }


def test_the_workers_of_a_cluster_started_for_a_run_are_set_up_as_local_workers():
    expected = {
        "SIGINT": "SIG_IGN",  # stop signals are the run's: it stops the cluster
        "SIGTERM": "SIG_DFL",
        "Arrow threads": 1,
        "Arrow allocator": "system",  # one heap with numpy, which keeps freed memory
        "freed memory kept": True,
        "profiled": False,  # a batch's cluster: nobody reads the profiles
        # as the process that starts them (the gensample command asks for itself: launch.py)
        "huge pages asked": HUGE_PAGES in os.environ.get("GLIBC_TUNABLES", "").split(":"),
    }
    with local_cluster(distributed, 1) as local, distributed.Client(local) as client:
        [forked] = client.run(worker_setup).values()  # a copy of this process
        client.restart()  # as the nanny starts a crashed worker again: a new process
        [started_anew] = client.run(worker_setup).values()
    assert forked == expected
    assert started_anew == expected


def preloaded(dask_worker) -> bool:
    """On a worker: whether the user's preload below ran there."""
    return getattr(dask_worker, "user_preload_ran", False)


def test_a_cluster_started_for_a_run_keeps_the_users_own_worker_preloads(tmp_path):
    preload = tmp_path / "user_preload.py"
    preload.write_text("def dask_setup(worker):\n    worker.user_preload_ran = True\n")
    with (
        dask.config.set({"distributed.worker.preload": [str(preload)]}),
        local_cluster(distributed, 1) as local,
        distributed.Client(local) as client,
    ):
        assert list(client.run(preloaded).values()) == [True]
        assert list(client.run(disposition, signal.SIGINT).values()) == ["SIG_IGN"]  # ours too


def test_a_cluster_stopped_over_a_running_block_logs_no_cancelled_task(capfd, monkeypatch):
    to_stderr = logging.StreamHandler(sys.__stderr__)  # as a run logs: the workers inherit it
    monkeypatch.setattr(logging.getLogger("distributed"), "handlers", [to_stderr])
    with local_cluster(distributed, 1) as local, distributed.Client(local) as client:
        running = client.submit(time.sleep, 2)
        while not client.processing()[next(iter(client.nthreads()))]:
            time.sleep(0.05)
        capfd.readouterr()
    assert running.status != "finished"
    assert "CancelledError" not in capfd.readouterr().err  # the run stops: its blocks with it


def test_a_worker_that_cannot_see_the_run_directory_is_refused(tmp_path, cluster):
    with pytest.raises(RunError, match=r"cannot see .*missing.*shared filesystem"):
        check_workers(cluster, tmp_path / "missing", {})


def test_a_task_on_a_worker_that_cannot_see_the_run_directory_fails_naming_both(tmp_path, cluster):
    for address in cluster.nthreads():  # as a task of a worker that joined after the check
        task = cluster.submit(check_sees, tmp_path / "missing", workers=[address], pure=False)
        error = task.exception(timeout=60)
        assert isinstance(error, RunError)
        assert str(error).startswith(f"Dask worker {address} cannot see {tmp_path / 'missing'}:")
        assert cluster.submit(check_sees, tmp_path, workers=[address], pure=False).result() is None


def test_a_worker_that_cannot_see_a_file_the_settings_name_is_refused(tmp_path, cluster):
    files = {"retail.stores_file": str(tmp_path / "stores.csv")}
    with pytest.raises(RunError, match=r"cannot see retail.stores_file = .*stores.csv: every"):
        check_workers(cluster, None, files)


def test_a_task_on_a_worker_that_cannot_see_a_file_the_settings_name_fails_naming_both(
    tmp_path, cluster
):
    stores = tmp_path / "stores.csv"
    stores.write_text("store_id,state,weight\n7,TX,1\n")
    run_dir = run_dir_for(tmp_path, "dask", f'[retail]\nstores_file = "{stores}"\n')
    loaded = gensample.settings.load(run_dir, environ={}, flags={})
    stores.unlink()  # as on a worker that joined after the check and does not see it
    expected = Expected(versions(), {})
    for address in cluster.nthreads():
        task = cluster.submit(expected.check, loaded, DAY, workers=[address], pure=False)
        assert str(task.exception(timeout=60)) == (
            f"Dask worker {address} cannot see retail.stores_file = {stores}: every worker must "
            "see the files the settings name at the same path"
        )


def test_a_day_of_the_users_stores_and_products_on_dask_is_the_local_day(tmp_path, cluster):
    (tmp_path / "stores.csv").write_text("store_id,state,weight\n7,TX,1\n9,MN,3\n")
    (tmp_path / "products.csv").write_text("sku,category,price\nW-1,widgets,10.00\n")
    toml = (
        f'[retail]\nstores_file = "{tmp_path / "stores.csv"}"\n'
        f'products_file = "{tmp_path / "products.csv"}"\n'
    )
    local, on_dask = local_and_dask(tmp_path, toml, cluster.scheduler.address)
    assert on_dask == local
    till = read_csv(tmp_path / "dask" / "out" / DAY.isoformat() / "data" / "pos_customers.csv")
    assert set(till["home_store_id"].to_pylist()) == {"7", "9"}  # the user's stores


def make_other_stores() -> None:
    """On a worker: make the run's stores from the next seed, as a worker installed with other
    data would."""
    from gensample.generate.datasets import stores

    stores.of_run = lambda settings: stores.catalog(settings.seed + 1, settings.stores)


def test_a_worker_that_makes_other_reference_tables_fails_the_run(tmp_path):
    run_dir = run_dir_for(tmp_path, "dask", "")
    with (  # a cluster of its own: what its worker caches of other stores goes with it
        distributed.LocalCluster(n_workers=1, processes=True, dashboard_address=":0") as other,
        distributed.Client(other) as client,
    ):
        client.run(make_other_stores)
        with pytest.raises(RunError, match=r"made other reference tables .*\(stores\)"):
            run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=other.scheduler.address)
    assert not (run_dir / "out" / DAY.isoformat()).exists()  # the day was not committed
    assert state.load(run_dir / "state.json").next_entity_id == BLOCK_SIZE - PEOPLE // 2


S3_ENVIRON = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
"""Credentials moto takes, in this process and on the workers."""


def update_environ(values: dict[str, str]) -> None:
    """On a worker: set environment variables (what a real cluster's workers are given)."""
    os.environ.update(values)


@pytest.fixture
def parts_bucket(cluster, monkeypatch) -> Iterator[tuple[FaultyS3, Any]]:
    """An S3 bucket ``parts`` (moto, behind the logging proxy) both this process and the
    cluster's workers can use; the proxy and a client of the bucket."""
    for name, value in S3_ENVIRON.items():
        monkeypatch.setenv(name, value)
    cluster.run(update_environ, S3_ENVIRON)
    with moto_s3() as upstream:
        proxy = FaultyS3(upstream)
        with proxy.serve() as endpoint:
            s3 = boto3.client("s3", endpoint_url=endpoint)
            s3.create_bucket(Bucket="parts")
            yield proxy, s3


def run_with_parts_in_s3(run_dir: Path, cluster, endpoint: str) -> None:
    """Run the test day on ``cluster``, its parts through ``s3://parts/team-a``."""
    (run_dir / "gensample.toml").write_text(
        f'dask_parts = "s3://parts/team-a"\n[publish]\nendpoint_url = "{endpoint}"\n'
    )
    scheduler = cluster.scheduler.address
    run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=scheduler)


def test_parts_through_s3_make_the_local_day_byte_for_byte(tmp_path, cluster, parts_bucket):
    proxy, s3 = parts_bucket
    local = run_dir_for(tmp_path, "local", "")
    run_day(local, customers=PEOPLE)
    on_dask = run_dir_for(tmp_path, "dask", "")
    run_with_parts_in_s3(on_dask, cluster, proxy.url)
    assert checksums(on_dask) == checksums(local)
    assert s3.list_objects_v2(Bucket="parts")["KeyCount"] == 0  # all fetched and deleted
    puts = [path for method, path in proxy.requests if method == "PUT" and path != "/parts"]
    assert len(puts) > 10 and all(path.startswith("/parts/team-a/gensample-") for path in puts)
    assert proxy.requested("DELETE", ".part") == len(puts)


@pytest.mark.parametrize("method, verb", [("PUT", "upload"), ("GET", "download")])
def test_a_part_s3_refuses_fails_the_run_naming_it(tmp_path, cluster, parts_bucket, method, verb):
    proxy, s3 = parts_bucket
    proxy.fail(method, "data--customers.csv.1.part", 403, "AccessDenied")
    run_dir = run_dir_for(tmp_path, "dask", "")
    with pytest.raises(RunError, match=rf"dask_parts: cannot {verb} s3://parts/team-a/gensample-"):
        run_with_parts_in_s3(run_dir, cluster, proxy.url)
    assert not (run_dir / "out" / DAY.isoformat()).exists()
    assert proxy.requested("PUT", ".part") > 0  # parts went up before the failure...
    assert s3.list_objects_v2(Bucket="parts")["KeyCount"] == 0  # ...and none stays


def test_parts_through_s3_use_the_keys_vault_gives(tmp_path, cluster, parts_bucket, monkeypatch):
    proxy, s3 = parts_bucket
    vault = FakeVault()
    keys = {"aws_access_key_id": "AKIAPARTSVAULT", "aws_secret_access_key": "vault-secret"}
    with vault.serve():
        vault.put_secret("secret", "gensample/aws", keys)
        token = vault.add_token()
        run_dir = run_dir_for(tmp_path, "dask", "")
        (run_dir / "gensample.toml").write_text(
            f'dask_parts = "s3://parts/team-a"\n[publish]\nendpoint_url = "{proxy.url}"\n'
            f'[vault]\nurl = "{vault.url}"\n'
        )
        monkeypatch.setenv("VAULT_TOKEN", token)
        proxy.access_keys.clear()  # the bucket was made with the environment's keys
        run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=cluster.scheduler.address)
    assert proxy.access_keys == {"AKIAPARTSVAULT"}  # this process and every worker
    assert s3.list_objects_v2(Bucket="parts")["KeyCount"] == 0


def test_a_workers_upload_starts_no_thread(tmp_path, monkeypatch):
    """A thread that ends while Dask's profiler reads a worker's stacks can deadlock it (CPython
    gh-106883, before 3.11.9): a worker's uploads, large parts too, stay in its thread."""
    for name, value in S3_ENVIRON.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "a.part").write_bytes(b"a" * 100)
    (tmp_path / "b.part").write_bytes(os.urandom(9 << 20))  # in pieces (multipart)
    here, started, start = threading.current_thread(), [], threading.Thread.start

    def recorded(thread: threading.Thread) -> None:
        if threading.current_thread() is here:  # not the S3 server's own threads
            started.append(thread.name)
        start(thread)

    with moto_s3() as endpoint:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="parts")
        parts = SharedParts.at("s3://parts/team-a", "batch", endpoint_url=endpoint)
        with monkeypatch.context() as patched:
            patched.setattr(threading.Thread, "start", recorded)
            parts.upload(tmp_path)
        listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket="parts")
    assert not started
    sizes = {entry["Key"]: entry["Size"] for entry in listed["Contents"]}
    assert sizes == {"team-a/batch/a.part": 100, "team-a/batch/b.part": 9 << 20}


@pytest.mark.parametrize("value", ["parts", "s3://", "s3://Parts/x", "s3://parts/a b"])
def test_dask_parts_that_are_no_s3_url_are_refused(run_dir, caplog, value):
    (run_dir / "gensample.toml").write_text(f"dask_parts = {value!r}\n")
    assert main(["run", "--dir", str(run_dir), "--engine", "dask"]) == 2
    assert f"dask_parts = {value!r} is not allowed: expected '' (the run directory" in caplog.text


def test_without_dask_the_engine_is_bad_input_saying_how_to_install_it(
    run_dir, monkeypatch, caplog
):
    (run_dir / "gensample.toml").write_text("customers = 100\n")
    monkeypatch.setitem(sys.modules, "distributed", None)  # its import fails
    code = main(["run", "--dir", str(run_dir), "--date", DAY.isoformat(), "--engine", "dask"])
    assert code == 2
    assert "pip install 'gensample[dask]'" in caplog.text
    assert not (run_dir / "out" / DAY.isoformat()).exists()


def children(process: psutil.Process) -> list[psutil.Process]:
    """The processes ``process`` started, and theirs (asked again when one ends meanwhile)."""
    while True:
        try:
            return process.children(recursive=True)
        except psutil.NoSuchProcess:
            continue


def test_the_workers_of_a_killed_run_exit_with_it(run_dir):
    (run_dir / "gensample.toml").write_text("customers = 400000\n")
    command = [sys.executable, "-m", "gensample", "run", "--dir", str(run_dir), "--date"]
    command += [DAY.isoformat(), "--engine", "dask", "--scheduler", "local:2"]
    run = psutil.Popen(command, stderr=subprocess.DEVNULL)
    try:
        staging = run_dir / "out" / f".{DAY.isoformat()}.staging"
        while not list(staging.glob(".parts-*")):  # made once the cluster is up
            assert run.poll() is None
            time.sleep(0.05)
        workers = children(run)
    finally:
        run.kill()
        run.wait()
    assert len(workers) >= 2
    assert not psutil.wait_procs(workers, timeout=30)[1]  # every one of them has exited


def test_built_in_systems_changed_by_a_spec_change_the_dask_day_as_the_local_one(tmp_path, cluster):
    spec = tmp_path / "tills.toml"
    spec.write_text("[datasets.pos_customers]\nbuiltin = true\nhabits = {upper_case = 0.0}\n")
    local, on_dask = local_and_dask(tmp_path, f'spec = ["{spec}"]\n', cluster.scheduler.address)
    assert on_dask == local  # the parameters went with the tasks
    plain = run_dir_for(tmp_path, "plain", "")
    run_day(plain, customers=PEOPLE)
    changed = "data/pos_customers.csv"
    assert checksums(plain)[changed] != local[changed]
    assert checksums(plain)["data/customers.csv"] == local["data/customers.csv"]


def hold_parts_of_seed(seed: int, marks: str) -> None:
    """In a worker: a block of a run of ``seed`` marks that it started writing its parts
    (``started-<slot>`` in the folder ``marks``), writes them only once ``go`` is there, then
    marks that it is done (``done-<slot>``, whether the write worked or not)."""
    write = dask_engine._write_parts

    def held(settings, date, batch, paths, parts_dir, block, slot):
        if settings.seed != seed:
            return write(settings, date, batch, paths, parts_dir, block, slot)
        Path(marks, f"started-{slot}").touch()
        wait_for(Path(marks), "go")
        try:
            return write(settings, date, batch, paths, parts_dir, block, slot)
        finally:
            Path(marks, f"done-{slot}").touch()

    dask_engine._write_parts = held


def wait_for(marks: Path, mark: str, count: int = 1) -> None:
    """Wait until ``count`` files in the folder ``marks`` are named ``mark`` or start with it."""
    deadline = time.monotonic() + 60
    while len(list(marks.glob(f"{mark}*"))) < count:
        assert time.monotonic() < deadline, f"no {count} {mark} marks within 60 s"
        time.sleep(0.05)


def test_the_late_blocks_of_a_failed_run_leave_the_next_run_as_it_would_be(tmp_path, monkeypatch):
    marks = tmp_path / "marks"
    marks.mkdir()
    run_dir = run_dir_for(tmp_path, "dask", "seed = 7\n")
    with scheduler_and_worker(tmp_path, "--nthreads", "4") as (address, _, _):
        with distributed.Client(address) as client:
            client.run(hold_parts_of_seed, 7, str(marks))

        def stop_once_both_blocks_run(_):  # the run fails, its two blocks running
            wait_for(marks, "started-", 2)
            raise RunError("stop")

        with monkeypatch.context() as failing:
            failing.setattr(dask_engine._Awaited, "result", stop_once_both_blocks_run)
            with pytest.raises(RunError, match="stop"):
                run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
        (run_dir / "gensample.toml").write_text("seed = 8\n")
        place = dask_engine._place

        def late_blocks_first(*arguments):  # the failed run's blocks write their parts now
            (marks / "go").touch()
            wait_for(marks, "done-", 2)
            return place(*arguments)

        monkeypatch.setattr(dask_engine, "_place", late_blocks_first)
        run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
    clean = run_dir_for(tmp_path, "clean", "seed = 8\n")
    run_day(clean, customers=PEOPLE)
    print_differences(clean / "out" / DAY.isoformat(), run_dir / "out" / DAY.isoformat())
    assert checksums(run_dir) == checksums(clean)


def throw(error: Exception):
    raise error


def test_a_users_stores_file_edited_between_runs_on_the_same_workers(tmp_path, cluster):
    stores = tmp_path / "stores.csv"
    stores.write_text("store_id,state,weight\n7,TX,1\n9,MN,3\n")
    toml = f'[retail]\nstores_file = "{stores}"\n'
    address = cluster.scheduler.address
    first = run_dir_for(tmp_path, "first", toml)
    run_day(first, customers=PEOPLE, engine="dask", scheduler=address)  # the workers keep them
    stores.write_text("store_id,state,weight\n7,TX,1\n11,OH,2\n")  # the user edits it
    local, on_dask = run_dir_for(tmp_path, "local", toml), run_dir_for(tmp_path, "dask", toml)
    run_day(local, customers=PEOPLE)
    flags = ["--customers", str(PEOPLE), "--engine", "dask", "--scheduler", address]
    done = gensample_command("run", "--dir", str(on_dask), "--date", DAY.isoformat(), *flags)
    assert done.returncode == 0, done.stderr  # the workers made the stores as they are now
    assert checksums(on_dask) == checksums(local)
    till = read_csv(local / "out" / DAY.isoformat() / "data" / "pos_customers.csv")
    assert set(till["home_store_id"].to_pylist()) == {"7", "11"}


class MostInFlight(distributed.SchedulerPlugin):
    """At the scheduler: the most blocks' tasks started and not yet done at once, before and
    after a mark (``marked``)."""

    UNDONE = ("waiting", "queued", "processing", "no-worker")

    def __init__(self) -> None:
        self.most = {"before": 0, "after": 0}
        self.marked = False

    async def start(self, scheduler) -> None:
        self.scheduler = scheduler

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        tasks = self.scheduler.tasks.values()
        undone = sum(t.state in self.UNDONE and str(t.key).startswith("gensample-") for t in tasks)
        moment = "after" if self.marked else "before"
        self.most[moment] = max(self.most[moment], undone)


def in_flight(dask_scheduler, mark: bool = False) -> dict[str, int]:
    """On the scheduler: the most blocks in flight so far, before and after the mark (set now
    with ``mark``)."""
    plugin = dask_scheduler.plugins["most-in-flight"]
    plugin.marked = plugin.marked or mark
    return dict(plugin.most)


def test_workers_that_join_a_running_batch_get_blocks_ahead_too(tmp_path, monkeypatch):
    run_dir = run_dir_for(tmp_path, "dask", 'datasets = ["customers"]\n')
    with scheduler_and_worker(tmp_path) as (address, _, _), contextlib.ExitStack() as joined:
        client = joined.enter_context(distributed.Client(address))
        client.register_plugin(MostInFlight(), name="most-in-flight")
        place, joining = dask_engine._place, [["--nthreads", "2"]]

        def join_a_worker_first(*arguments):  # as the first block is placed, two threads join
            if joining:
                worker = ["distributed.cli.dask_worker", address, *joining.pop()]
                joined.enter_context(own_processes([*worker, "--no-nanny", "--no-dashboard"]))
                client.wait_for_workers(2, timeout=60)
                client.run_on_scheduler(in_flight, mark=True)
            return place(*arguments)

        monkeypatch.setattr(dask_engine, "_place", join_a_worker_first)
        summary = run_day(run_dir, customers=5 * BLOCK_SIZE, engine="dask", scheduler=address)
        most = client.run_on_scheduler(in_flight)
    assert len(summary.plan.blocks) == 6
    assert most["before"] == 2  # two blocks ahead for the one thread there was
    assert most["after"] > 2  # and more once three threads could run them


def after(function):
    """``runner.remove_recorded``, then ``function``."""
    remove_recorded = runner.remove_recorded

    def removed_then(*arguments):
        swept = remove_recorded(*arguments)
        function()
        return swept

    return removed_then


def mark_uploads(marks: str) -> None:
    """In a worker: each upload of a block's parts marks that it is done (``uploaded-<n>`` in
    the folder ``marks``)."""
    upload = SharedParts.upload

    def marked(self, folder):
        upload(self, folder)
        Path(marks, f"uploaded-{folder.name}").touch()

    SharedParts.upload = marked


@pytest.mark.parametrize("late", [False, True], ids=["before", "during the next run"])
def test_the_parts_in_s3_of_a_killed_run_are_deleted_by_the_next_run(
    tmp_path, parts_bucket, monkeypatch, late
):
    """The killed run's blocks, still running on the cluster, upload their parts before the next
    run starts, or once it has deleted what was there (then its last sweep deletes them)."""
    proxy, s3 = parts_bucket
    marks = tmp_path / "marks"
    marks.mkdir()
    run_dir = run_dir_for(tmp_path, "dask", "seed = 7\n")
    with scheduler_and_worker(tmp_path, "--nthreads", "4") as (address, _, _):
        with distributed.Client(address) as client:
            client.run(update_environ, S3_ENVIRON)
            client.run(hold_parts_of_seed, 7, str(marks))
            client.run(mark_uploads, str(marks))
        settings = f'dask_parts = "s3://parts/team-a"\n[publish]\nendpoint_url = "{proxy.url}"\n'
        (run_dir / "gensample.toml").write_text("seed = 7\n" + settings)
        flags = ["--customers", str(PEOPLE), "--engine", "dask", "--scheduler", address]
        command = [sys.executable, "-m", "gensample", "run", "--dir", str(run_dir), *flags]
        killed = psutil.Popen([*command, "--date", DAY.isoformat()], stderr=subprocess.DEVNULL)
        try:
            wait_for(marks, "started-", 2)  # both blocks run
        finally:
            killed.kill()
            killed.wait()
        uploaded = []

        def upload_the_killed_runs_parts() -> None:
            (marks / "go").touch()  # the killed run's blocks upload their parts now
            wait_for(marks, "uploaded-", 2)
            uploaded.append(s3.list_objects_v2(Bucket="parts")["KeyCount"])

        if late:
            monkeypatch.setattr(runner, "remove_recorded", after(upload_the_killed_runs_parts))
        else:
            upload_the_killed_runs_parts()
        run_day(run_dir, customers=PEOPLE, engine="dask", scheduler=address)
    assert uploaded[0] > 0  # parts nobody downloads
    assert s3.list_objects_v2(Bucket="parts")["KeyCount"] == 0
    assert (run_dir / "out" / DAY.isoformat() / "manifest.json").exists()


def test_late_parts_that_cannot_be_deleted_are_logged(parts_bucket, caplog):
    proxy, _ = parts_bucket
    shared_parts.remove_late([SharedParts("no-such-bucket", "team-a/gensample-x/", proxy.url)])
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith(
        "the parts in S3 a killed run uploaded late under s3://no-such-bucket/team-a/gensample-x/"
        " stay until the bucket's lifecycle rule: dask_parts: cannot list "
        "s3://no-such-bucket/team-a/gensample-x/: "
    )
    assert "NoSuchBucket" in warning


def test_parts_of_a_killed_run_that_cannot_be_deleted_are_logged_and_the_run_goes_on(
    tmp_path, parts_bucket, caplog
):
    proxy, _ = parts_bucket
    run_dir = run_dir_for(tmp_path, "dask", "")
    folders = [run_dir / "out" / ".2026-11-20.staging" / name for name in (".parts-a", ".parts-b")]
    for folder in folders:
        folder.mkdir(parents=True)
    SharedParts("no-such-bucket", "team-a/gensample-x/", proxy.url).record(folders[0])
    (folders[1] / "s3-parts.json").write_text("{not json")  # as a full disk may leave it
    run_day(run_dir, customers=PEOPLE)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("stay until the bucket's lifecycle rule" in warning for warning in warnings)
    assert "dask_parts: cannot list s3://no-such-bucket/team-a/gensample-x/" in warnings[0]
    assert not folders[0].parent.exists()  # the stale staging copy is gone
