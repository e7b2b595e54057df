"""Stop signals and worker lifetimes: a killed run's processes all go, its lock with them.

Real ``gensample run`` processes are started in a session of their own, and only the parent is
signalled (as the OOM killer, ``kill`` or systemd do), never the whole group: workers must then
go by themselves, and the next run must find the directory free and consistent.
"""

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DAY, gensample_command
from test_crash import assert_complete

from gensample.cli import main
from gensample.daily import runner, signals

STOPPING = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
NOT_COMMITTED = "the day was not committed and is left as it was"
FATAL = (signal.SIGKILL, signal.SIGQUIT)


def start_run(run_dir: Path, *flags: str, blocked: tuple[int, ...] = ()) -> subprocess.Popen:
    """A real ``gensample run`` of a large day, in a process session of its own, started with
    the signals ``blocked`` blocked (as a parent may leave them: the mask survives ``exec``)."""
    command = [sys.executable, "-m", "gensample", "run", "--dir", str(run_dir)]
    command += ["--date", DAY.isoformat(), "--customers", "400000", *flags]
    if blocked:
        block_then_exec = (
            "import os, signal, sys; "
            f"signal.pthread_sigmask(signal.SIG_BLOCK, {[int(s) for s in blocked]}); "
            "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
        )
        command = [sys.executable, "-c", block_then_exec, *command[1:]]
    return subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE, text=True)


def wait_for_blocks(run_dir: Path, timeout: float = 30) -> None:
    """Wait until the run writes its staging copy: its workers are generating."""
    staging = run_dir / "out" / f".{DAY.isoformat()}.staging"
    deadline = time.monotonic() + timeout
    while not staging.exists():
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    time.sleep(0.3)


def signal_masks(pid: int) -> list[str]:
    """The signal masks of each thread of process ``pid`` (pending, blocked, ignored, caught)."""
    lines = []
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = [line for line in text.splitlines() if line.startswith(("Name", "Sig", "Shd"))]
        lines.append(" ".join(fields))
    return lines


def assert_session_gone(session: int, within: float = 5) -> None:
    """Every process of the session (the run and its workers) has exited within seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(session, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(session, signal.SIGKILL)  # leave nothing behind, then fail
    raise AssertionError(f"processes of the killed run are still alive after {within} s")


@pytest.fixture
def directory(run_dir):
    assert main(["init", str(run_dir)]) == 0
    return run_dir


@pytest.mark.parametrize("workers", ("0", "1"))
@pytest.mark.parametrize("signum", STOPPING + FATAL, ids=lambda s: signal.Signals(s).name)
def test_signalling_only_the_parent_leaves_no_process_and_a_free_directory(
    directory, signum, workers
):
    process = start_run(directory, "--workers", workers)
    wait_for_blocks(directory)
    process.send_signal(signum)
    masks = signal_masks(process.pid)
    _, stderr = process.communicate(timeout=30)
    assert_session_gone(process.pid)
    if signum in STOPPING:
        assert process.returncode == 1, (stderr, masks)  # what the run said, and its masks
        name = signal.Signals(signum).name
        assert stderr.splitlines()[-1].endswith(f"stopped by {name}: {NOT_COMMITTED}"), stderr
        assert "Exception ignored" not in stderr  # a stop Python could not raise is raised again
        assert not [p for p in (directory / "out").iterdir() if p.name.startswith(".")]
    else:
        assert process.returncode == -signum
    assert not (directory / "out" / DAY.isoformat()).exists()
    next_run = gensample_command(
        "run", "--dir", str(directory), "--customers", "300", "--date", DAY.isoformat()
    )
    assert next_run.returncode == 0, next_run.stderr
    assert_complete(directory)


@pytest.mark.parametrize("signum", (signal.SIGTERM, signal.SIGINT), ids=("timeout", "ctrl-c"))
def test_a_stop_sent_to_the_run_and_its_workers_at_once_stops_it_cleanly(directory, signum):
    """As ``timeout`` (coreutils) stops a command, and Ctrl-C a terminal's: every process of
    the group is signalled, the run's workers included, the run itself once more by timeout."""
    process = start_run(directory, "--workers", "2")
    wait_for_blocks(directory)
    os.kill(process.pid, signum)
    os.killpg(process.pid, signum)
    _, stderr = process.communicate(timeout=30)
    assert_session_gone(process.pid)
    assert process.returncode == 1, stderr
    name = signal.Signals(signum).name
    assert stderr.splitlines()[-1].endswith(f"stopped by {name}: {NOT_COMMITTED}"), stderr
    assert "Traceback" not in stderr and "a worker process died" not in stderr
    assert "ignored" not in stderr  # the same stop twice is one stop
    assert not list((directory / "out").iterdir())


def test_a_stop_signal_its_parent_left_blocked_still_stops_the_run(directory):
    process = start_run(directory, "--workers", "1", blocked=(signal.SIGTERM,))
    wait_for_blocks(directory)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1, stderr
    assert "stopped by SIGTERM: the day was not committed" in stderr
    assert not (directory / "out" / DAY.isoformat()).exists()


def test_a_worker_killed_from_outside_fails_the_run_with_a_message(directory):
    process = start_run(directory, "--workers", "2")
    wait_for_blocks(directory)
    os.kill(_first_child(process.pid), signal.SIGKILL)  # as the OOM killer would
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "a worker process died" in stderr and "Traceback" not in stderr
    assert_session_gone(process.pid)
    assert not (directory / "out" / DAY.isoformat()).exists()


def _first_child(pid: int, timeout: float = 30) -> int:
    """A process ``pid`` started (waited for: the workers start once the reference data is
    made, later on a loaded machine)."""
    deadline = time.monotonic() + timeout
    while not (children := _children(pid)):
        assert time.monotonic() < deadline, "the run never started a worker"
        time.sleep(0.01)
    return children[0]


def _children(pid: int) -> list[int]:
    """Pids of the processes whose parent is ``pid``."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children


def test_a_stop_during_the_commit_waits_and_says_the_day_is_committed(
    directory, monkeypatch, caplog
):
    after_commit = runner._after_commit

    def signalled_while_committing(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return after_commit(*args, **kwargs)

    monkeypatch.setattr(runner, "_after_commit", signalled_while_committing)
    flags = ["--customers", "300", "--workers", "1", "--date", DAY.isoformat()]
    assert main(["run", "--dir", str(directory), *flags]) == 1
    assert "stopped by SIGTERM after the day was committed: the day is complete" in caplog.text
    assert_complete(directory)
    state = (directory / "state.json").read_text()
    assert DAY.isoformat() in state  # the bookkeeping finished before the stop was raised
    with signals.deferred():  # the stop is over: a later run in this process is not stopped
        pass


def test_a_stop_after_the_commit_says_the_day_is_committed():
    with pytest.raises(signals.Interrupted) as stop, signals.stop_on_signals():
        with signals.deferred(commit=True):
            pass  # the day is committed
        os.kill(os.getpid(), signal.SIGHUP)  # as the command prints its timings
        time.sleep(5)  # interrupted at once
    assert stop.value.committed
    assert "after the day was committed: the day is complete" in str(stop.value)
    with pytest.raises(signals.Interrupted) as stop, signals.stop_on_signals():
        with signals.deferred():  # a block that commits nothing (a stream's file)
            pass
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(5)
    assert not stop.value.committed


def test_a_second_signal_does_not_cut_the_clean_up_short(caplog):
    caplog.set_level(logging.INFO, logger=signals.__name__)
    with pytest.raises(signals.Interrupted) as stop, signals.stop_on_signals():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # interrupted at once
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # the same stop again (as timeout sends it)
            os.kill(os.getpid(), signal.SIGINT)  # ignored: the clean-up goes on
            cleaned = True
    assert stop.value.signum == signal.SIGTERM and not stop.value.committed and cleaned
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers restored
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "SIGTERM ignored: already stopping"),  # no news: not in a quiet run's output
        ("WARNING", "SIGINT ignored: already stopping"),
    ]


def test_a_stop_raised_where_python_ignores_exceptions_still_stops():
    """As ``os.fork`` starts a worker, Python runs callbacks in the parent (logging's lock is
    released there) where an exception is only reported, not raised: a stop signal handled
    there is raised again once they have run."""
    code = (
        "import os, signal, time\n"
        "from gensample.daily import signals\n"
        "def signalled():\n"
        "    signal.raise_signal(signal.SIGTERM)\n"
        "    for _ in range(1000):  # the handler runs here, at a jump back\n"
        "        pass\n"
        "os.register_at_fork(after_in_parent=signalled)\n"
        "try:\n"
        "    with signals.stop_on_signals():\n"
        "        if os.fork() == 0:\n"
        "            os._exit(0)\n"
        "        time.sleep(10)\n"
        "except signals.Interrupted as stop:\n"
        "    print(stop)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == f"stopped by SIGTERM: {NOT_COMMITTED}\n"
    assert result.stderr == ""  # nor the report of an ignored exception


def test_a_worker_dies_with_its_parent():
    code = (
        "import os, sys, time\n"
        "from gensample.output.lifetime import die_with_parent\n"
        "if os.fork() == 0:\n"
        "    die_with_parent(os.getppid())\n"
        "    print(os.getpid(), flush=True)\n"
        "    time.sleep(60)\n"
        "else:\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert_session_gone(parent.pid)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_the_stop_message_names_the_signal():
    assert str(signals.Interrupted(signal.SIGHUP)) == (
        "stopped by SIGHUP: the day was not committed and is left as it was"
    )
    assert "after the day was committed" in str(signals.Interrupted(signal.SIGINT, True))
