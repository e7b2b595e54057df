"""The files sink: each dataset's rows in rolled files, written under a temporary name and
renamed when closed, with the truth of each file in a file of the same name under truth/.

```
stream/data/<dataset>/<dataset>-<UTC time it opened>.<csv|jsonl|parquet>
stream/truth/<dataset>/<the same name>     truth rows of exactly those records
stream/truth/entities/entities-<time>.<ext> the people behind them
```
A truth file is renamed before its data file, so a data file never waits for its truth. A file
closes when it holds ``roll_rows`` rows or more, or is ``roll_seconds`` old.
"""

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from gensample.errors import RunError
from gensample.output.atomic import refuse_symlink, sync_directory
from gensample.stream.encoding import EXTENSIONS, WRITERS
from gensample.stream.metrics import Metrics
from gensample.stream.microbatch import ENTITIES, TRUTH


@dataclass
class OpenFile:
    """A file being written: its temporary and final paths, writer and rows so far."""

    final: Path
    temporary: Path
    handle: object
    writer: object
    opened: float
    rows: int = 0

    def close(self) -> int:
        """Finish, sync and rename the file; return its size."""
        self.writer.close()
        self.handle.flush()
        os.fsync(self.handle.fileno())
        size = self.handle.tell()
        self.handle.close()
        os.replace(self.temporary, self.final)
        return size


@dataclass
class FilesSink:
    """Rolled files under ``root``; ``closed`` is told of each file once it is renamed."""

    root: Path
    format: str
    roll_rows: int
    roll_seconds: float
    metrics: Metrics
    closed: Callable[[Path], None] = lambda path: None
    clock: Callable[[], float] = time.monotonic
    _open: dict[str, OpenFile] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def send(self, name: str, table: pa.Table) -> None:
        """Append ``table``'s rows to the open file of ``name`` (a dataset, or truth/...)."""
        current = self._open.get(name) or self._start(name, table.schema)
        try:
            current.writer.write(table)
        except OSError as error:
            raise RunError(
                f"cannot write {current.temporary}: {error.strerror or error}"
            ) from error
        current.rows += table.num_rows
        if current.rows >= self.roll_rows and self._group(name) == name:
            self._roll(name)  # a dataset's truth file rolls with its data file

    def poll(self) -> None:
        """Close the files that have been open for ``roll_seconds``."""
        now = self.clock()
        for name in [n for n, f in self._open.items() if now - f.opened >= self.roll_seconds]:
            if name in self._open:  # closing a dataset closed its truth file already
                self._roll(name)

    def close(self) -> None:
        """Close every open file (what a stop does): each is complete."""
        for name in list(self._open):
            if name in self._open:
                self._roll(name)

    def _group(self, name: str) -> str:
        """The file a file rolls with: truth/<dataset> with <dataset>, others by themselves."""
        return name.removeprefix(TRUTH) if name != ENTITIES else name

    def _start(self, name: str, schema: pa.Schema) -> OpenFile:
        group = self._group(name)
        if group not in self._names:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
            self._names[group] = f"{Path(group).name}-{stamp}{EXTENSIONS[self.format]}"
        folder = self.root / ("" if name.startswith(TRUTH) else "data") / name
        final = folder / self._names[group]
        temporary = folder / f".{final.name}.tmp-{os.getpid()}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            refuse_symlink(temporary)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            handle = open(os.open(temporary, flags, 0o666), "wb")  # noqa: SIM115 (closed by roll)
        except OSError as error:
            raise RunError(f"cannot write {temporary}: {error.strerror or error}") from error
        opened = OpenFile(
            final, temporary, handle, WRITERS[self.format](handle, schema), self.clock()
        )
        self._open[name] = opened
        return opened

    def _roll(self, name: str) -> None:
        """Close ``name``'s file, its truth file first."""
        group = self._group(name)
        for member in (f"{TRUTH}{group}", group):
            current = self._open.pop(member, None)
            if current is None:
                continue
            try:
                size = current.close()
                sync_directory(current.final.parent)
            except OSError as error:
                raise RunError(
                    f"cannot write {current.final}: {error.strerror or error}"
                ) from error
            self.metrics.count("files", member)
            self.metrics.count("bytes", member, size)
            self.closed(current.final)
        self._names.pop(group, None)
