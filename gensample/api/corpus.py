"""A day's tables in memory: every dataset and truth table, its manifest, and how to write it.

A corpus keeps each file of the day in the pieces it is written in (one per block, as a run
writes them), so that :meth:`Corpus.write` gives the bytes a run gives: CSV rows one piece
after another, a Parquet row group per piece.
"""

import datetime as dt
import functools
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, RunError
from gensample.output import dictionary, manifest
from gensample.output.atomic import sync_tree, write_json
from gensample.output.batch import PARTS_DIR
from gensample.output.encoding import ParquetDayFile, start_csv, write_csv_rows, write_part

PANDAS_MISSING = "to_pandas needs pandas: pip install 'gensample[pandas]'"


@dataclass(frozen=True)
class DayFile:
    """One file of a day: its schema, its format and its rows, in the pieces it is written in."""

    schema: pa.Schema
    format: str  # "csv" or "parquet"
    pieces: tuple[pa.Table, ...]

    @property
    def rows(self) -> int:
        """Rows of the file."""
        return sum(piece.num_rows for piece in self.pieces)


@dataclass(frozen=True)
class Truth:
    """The answer key: every identity record's entity, the true people, and their history."""

    records: pa.Table
    entities: pa.Table
    history: pa.Table


class Corpus:
    """One day of data and truth, as pyarrow tables (``corpus["customers"]``) or pandas
    DataFrames (``corpus.to_pandas("customers")``), named as in the data dictionary."""

    def __init__(
        self, date: dt.date, files: Mapping[str, DayFile], heading: dict, described: dict | None
    ) -> None:
        """The day ``date`` of ``files`` (by path in the day directory), whose manifest is
        ``heading`` plus ``described`` files (computed when ``None``)."""
        self.date, self.files = date, dict(files)
        self._heading = json.loads(json.dumps(heading))  # as manifest.json reads: lists, not tuples
        if described is not None:
            self.__dict__["manifest"] = {**self._heading, "files": described}
        self._tables = {
            spec.name: pa.concat_tables(pieces)  # no copy
            for spec in dictionary.tables(self._heading)
            if (pieces := [p for n, f in self.files.items() if spec.holds(n) for p in f.pieces])
        }
        self.truth = Truth(
            records=self._tables["truth_records"],
            entities=self._tables["truth_entities"],
            history=self._tables["truth_entities_history"],
        )

    @property
    def datasets(self) -> tuple[str, ...]:
        """The datasets of the day, parents first."""
        return tuple(name for name in self._tables if name not in dictionary.TRUTH_FILES)

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table of the day: the datasets, then the truth tables."""
        return tuple(self._tables)

    def __getitem__(self, name: str) -> pa.Table:
        """The table ``name`` (a dataset or a truth table) as a pyarrow Table."""
        if name not in self._tables:
            raise KeyError(f"no table {name!r} in this corpus; it has {', '.join(self._tables)}")
        return self._tables[name]

    def __repr__(self) -> str:
        rows = ", ".join(f"{name}: {table.num_rows:,}" for name, table in self._tables.items())
        return f"<Corpus {self.date} ({rows})>"

    def to_pandas(self, name: str):
        """The table ``name`` as a pandas DataFrame of Arrow-backed columns: the data
        dictionary's types exactly (integers keep their nulls, dates stay dates, money decimal)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(PANDAS_MISSING) from None
        return self[name].to_pandas(types_mapper=pd.ArrowDtype)

    @functools.cached_property
    def manifest(self) -> dict:
        """What ``manifest.json`` says of the day: settings, seed, counts, batches and every
        file's rows, bytes and SHA-256 (encoded one file at a time to learn them)."""
        files = {}
        with tempfile.TemporaryDirectory(prefix="gensample-manifest-") as scratch:
            for name, file in self.files.items():
                path = write_file(Path(scratch), name, file)
                files.update(manifest.describe_files(Path(scratch), {name: file.rows}))
                path.unlink()
        return {**self._heading, "files": dict(sorted(files.items()))}

    def write(self, directory: str | Path) -> Path:
        """Write the day as ``gensample run`` does, into ``directory/out/<date>/`` (replacing
        that day whole, manifest last); return the day's directory. ``directory`` must not be
        a run directory in use (with a ``state.json``): its ids would clash."""
        run_dir = RunDirectory(Path(directory))
        if run_dir.state_path.exists():
            raise BadInputError(
                f"{run_dir.state_path} exists: {directory} is a run directory, whose days only "
                "`gensample run` writes; give a corpus a directory of its own"
            )
        staging = run_dir.staging(self.date)
        shutil.rmtree(staging, ignore_errors=True)
        try:
            for name, file in self.files.items():
                write_file(staging, name, file)
            sync_tree(staging)
            rows = {name: file.rows for name, file in self.files.items()}
            document = {**self._heading, "files": manifest.describe_files(staging, rows)}
            write_json(staging / manifest.MANIFEST_FILE, document)
            return run_dir.commit_day(self.date)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def write_file(day_dir: Path, name: str, file: DayFile) -> Path:
    """Write ``file`` as ``name`` in ``day_dir`` with the run's writers; return its path."""
    path = day_dir / name
    if file.format == "csv":
        start_csv(path, file.schema)
        try:
            with path.open("ab") as handle:
                for piece in file.pieces:
                    write_csv_rows(piece, handle)
        except OSError as error:
            raise RunError(f"cannot write {path}: {error.strerror or error}") from error
        return path
    parquet = ParquetDayFile(path, file.schema)
    (day_dir / PARTS_DIR).mkdir(exist_ok=True)
    try:
        for number, piece in enumerate(file.pieces):  # through a part, as a run's blocks go
            part = day_dir / PARTS_DIR / f"{number}.part"
            write_part(piece, part)
            parquet.append(part)
    finally:
        parquet.close()
    (day_dir / PARTS_DIR).rmdir()
    return path
