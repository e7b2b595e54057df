"""The command starts itself again with glibc's huge pages tunable where Linux gives huge pages
on request, and never where that cannot help or was turned off; a stop as it starts is one line."""

import logging
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_day

from gensample.launch import glibc_version, huge_pages_mode, with_huge_pages
from gensample.version import __version__

GLIBC = (2, 36)


def test_the_tunable_is_added_to_the_environment():
    environment = {"PATH": "/usr/bin", "LANG": "C.UTF-8"}
    assert with_huge_pages(environment, GLIBC, "madvise") == {
        "PATH": "/usr/bin",
        "LANG": "C.UTF-8",
        "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1",
    }
    assert environment == {"PATH": "/usr/bin", "LANG": "C.UTF-8"}  # the caller's left as it is


def test_other_tunables_are_kept():
    found = with_huge_pages({"GLIBC_TUNABLES": "glibc.malloc.check=3"}, GLIBC, "madvise")
    assert found == {"GLIBC_TUNABLES": "glibc.malloc.check=3:glibc.malloc.hugetlb=1"}


@pytest.mark.parametrize(
    "tunables",
    [
        "glibc.malloc.hugetlb=0",
        "glibc.malloc.hugetlb=1",
        "glibc.malloc.check=3:glibc.malloc.hugetlb=0",
    ],
)
def test_a_tunable_already_set_is_left_alone(tunables):
    assert with_huge_pages({"GLIBC_TUNABLES": tunables}, GLIBC, "madvise") is None


@pytest.mark.parametrize(
    ("glibc", "mode"),
    [
        (None, "madvise"),  # musl, macOS...
        ((2, 34), "madvise"),  # before the tunable
        (GLIBC, "always"),  # huge pages already used
        (GLIBC, "never"),
        (GLIBC, None),  # no such setting
    ],
)
def test_nothing_is_done_where_it_cannot_help(glibc, mode):
    assert with_huge_pages({}, glibc, mode) is None


def test_the_mode_is_the_word_in_brackets(tmp_path):
    setting = tmp_path / "enabled"
    setting.write_text("always [madvise] never\n")
    assert huge_pages_mode(str(setting)) == "madvise"
    setting.write_text("[always] madvise never\n")
    assert huge_pages_mode(str(setting)) == "always"
    assert huge_pages_mode(str(tmp_path / "missing")) is None


def test_the_glibc_version_is_the_running_one():
    library, version = platform.libc_ver()
    if library != "glibc":
        assert glibc_version() is None
    else:
        assert glibc_version() == tuple(int(part) for part in version.split(".")[:2])


def _starts(environment: dict[str, str], script: Path, how: str = "file") -> list[str]:
    """The lines a program prints that runs ``gensample --version`` through the launcher: one
    per start of the process, with the tunables it was started with, then the version. The
    program is a ``file``, or given with ``-c``."""
    code = (
        "import os, sys; print('tunables', os.environ.get('GLIBC_TUNABLES'), flush=True); "
        "sys.argv[1:] = ['--version']; "
        "from gensample.launch import entry; entry()"
    )
    script.write_text(code)
    program = [str(script)] if how == "file" else ["-c", code]
    done = subprocess.run(
        [sys.executable, *program], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _gives_huge_pages_on_request() -> bool:
    """Whether this machine is one the launcher should start again on: glibc 2.35 or later, and
    huge pages given on request (read here as the kernel and glibc's own tools show them)."""
    library, version = platform.libc_ver()
    try:
        mode = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:  # no such setting (not Linux, or hidden in a container)
        mode = ""
    return (
        library == "glibc"
        and tuple(int(part) for part in version.split(".")[:2]) >= (2, 35)
        and "[madvise]" in mode
    )


def test_the_command_starts_again_with_the_tunable_where_it_helps(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    lines = _starts(environment, tmp_path / "program.py")
    if _gives_huge_pages_on_request():
        assert lines == [
            "tunables None",
            "tunables glibc.malloc.hugetlb=1",
            f"gensample {__version__}",
        ]
    else:
        assert lines == ["tunables None", f"gensample {__version__}"]


def test_the_tunable_set_to_zero_turns_it_off(tmp_path):
    environment = {**os.environ, "GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}
    lines = _starts(environment, tmp_path / "program.py")
    assert lines == ["tunables glibc.malloc.hugetlb=0", f"gensample {__version__}"]


def test_a_program_that_cannot_be_read_again_goes_on_as_it_is(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    lines = _starts(environment, tmp_path / "program.py", how="-c")
    assert lines == ["tunables None", f"gensample {__version__}"]


@pytest.mark.parametrize(
    ("tunables", "logged"),
    [("glibc.malloc.hugetlb=1", "glibc.malloc.hugetlb=1"), (None, "none")],
)
def test_a_run_says_which_tunables_glibc_was_started_with(
    tmp_path, caplog, monkeypatch, tunables, logged
):
    if tunables is None:
        monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    else:
        monkeypatch.setenv("GLIBC_TUNABLES", tunables)
    caplog.set_level(logging.INFO)
    (tmp_path / "run").mkdir()
    run_day(tmp_path / "run", customers=50)
    assert f"glibc tunables: {logged}" in caplog.text


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_stop_while_starting_is_one_line_and_exit_1(name):
    stopped_at_once = (
        "import os, signal, time; from gensample import launch; launch.stop_in_one_line(); "
        f"os.kill(os.getpid(), signal.{name}); time.sleep(30)"
    )
    result = subprocess.run(
        [sys.executable, "-c", stopped_at_once], capture_output=True, text=True, timeout=60
    )
    said = f"gensample: stopped by {name} as it started or ended; nothing was half-written\n"
    assert result.returncode == 1 and result.stderr == said
