"""The answer key, as the scorer needs it: one dense index per scored record.

Records are the rows of ``truth/records`` of the scored datasets, ordered by
``(dataset, record_id)``; their position in that order is their index everywhere in the scorer.
Entity attributes the scorer uses (``household_id`` and look-alike groups) are joined on.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gensample.errors import BadInputError

RECORD_COLUMNS = ("dataset", "record_id", "entity_id", "kind", "duplicate_of", "corruptions")
# Columns of later truth contracts, used when present (see docs/scoring.md).
OPTIONAL_RECORD_COLUMNS = ("variations", "difficulty")
SIMILARITY_SUFFIX = "_similarity"
"""The truth's similarity columns end so: ``name_similarity``, ``address_similarity``."""
ENTITY_COLUMNS = ("entity_id", "household_id", "lookalike_group", "relation")


@dataclass(frozen=True)
class Truth:
    """The truth of the scored records; ``records`` is sorted by ``(dataset, record_id)``."""

    records: pa.Table
    entities: pa.Table
    datasets: tuple[str, ...]
    dataset_code: np.ndarray  # per record: index into datasets
    record_id: np.ndarray  # per record, int64
    entity: np.ndarray  # per record: dense entity code 0..E-1
    starts: np.ndarray  # datasets[k]'s records are starts[k]:starts[k + 1]

    @property
    def size(self) -> int:
        """Number of scored records."""
        return len(self.record_id)

    def lookup(self, dataset: int, ids: np.ndarray) -> np.ndarray:
        """Indices of ``ids`` of dataset number ``dataset``; -1 where there is no such record."""
        block = self.record_id[self.starts[dataset] : self.starts[dataset + 1]]
        where = np.searchsorted(block, ids).clip(0, max(len(block) - 1, 0))
        found = (block[where] == ids) if len(block) else np.zeros(len(ids), bool)
        return np.where(found, where + self.starts[dataset], -1)


def load_tables(source, date: dt.date | str | None) -> tuple[pa.Table, pa.Table, str]:
    """The records and entities tables of a corpus, a day directory or a run directory + date."""
    if hasattr(source, "truth"):
        return source.truth.records, source.truth.entities, "corpus truth"
    day = Path(source)
    if not (day / "truth").is_dir():
        if date is None:
            raise BadInputError(f"{day}: no truth/ directory; give a day directory or a date")
        day = day / "out" / str(date)
    folder = day / "truth"
    if not folder.is_dir():
        raise BadInputError(f"{folder} does not exist: run that day first")
    records = _read(folder, "records", RECORD_COLUMNS, OPTIONAL_RECORD_COLUMNS, SIMILARITY_SUFFIX)
    entities = _read(folder, "entities", ENTITY_COLUMNS[:1], ENTITY_COLUMNS[1:], None)
    return records, entities, str(folder)


def _read(folder: Path, name: str, required, optional, suffix) -> pa.Table:
    """Read only the columns the scorer uses from ``name``.csv or ``name``.parquet."""
    path = folder / f"{name}.parquet"
    if not path.exists():
        path = folder / f"{name}.csv"
    if not path.exists():
        raise BadInputError(f"{folder}: no {name}.csv nor {name}.parquet")
    header = _header(path)
    missing = [column for column in required if column not in header]
    if missing:
        raise BadInputError(f"{path}: missing column(s) {', '.join(missing)}")
    wanted = [
        c for c in header if c in required or c in optional or (suffix and c.endswith(suffix))
    ]
    if path.suffix == ".parquet":
        return pq.read_table(path, columns=wanted)
    convert = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types={c: pa.string() for c in ("dataset", "kind", "corruptions") if c in wanted},
        strings_can_be_null=False,
    )
    return pacsv.read_csv(path, convert_options=convert)


def _header(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        return pq.read_schema(path).names
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def dataset_names(records: pa.Table) -> tuple[str, ...]:
    """The datasets the truth has records of, sorted."""
    return tuple(sorted(pc.unique(records["dataset"]).to_pylist()))


def index_truth(records: pa.Table, entities: pa.Table, datasets, source: str) -> Truth:
    """Keep the records of ``datasets`` (None: all), sorted, with dense entity codes."""
    known = dataset_names(records)
    names = tuple(sorted(datasets)) if datasets else known
    unknown = set(names) - set(known)
    if unknown:
        raise BadInputError(
            f"{source}: no records of dataset(s) {', '.join(sorted(unknown))} "
            f"(it has {', '.join(known)})"
        )
    records = records.filter(pc.is_in(records["dataset"], pa.array(names)))
    code = pc.index_in(records["dataset"], pa.array(names)).to_numpy().astype(np.int64)
    record_id = records["record_id"].to_numpy().astype(np.int64)
    step_code, step_id = np.diff(code), np.diff(record_id)
    if not ((step_code > 0) | ((step_code == 0) & (step_id > 0))).all():
        order = np.lexsort((record_id, code))
        records, code, record_id = records.take(order), code[order], record_id[order]
    repeated = (np.diff(code) == 0) & (np.diff(record_id) == 0)
    if repeated.any():
        at = int(np.argmax(repeated))
        raise BadInputError(f"{source}: record {names[code[at]]} {record_id[at]} listed twice")
    entity_ids, entity = dense(records["entity_id"].to_numpy())
    entities = _entities_of(entities, entity_ids)
    starts = np.searchsorted(code, np.arange(len(names) + 1))
    return Truth(records, entities, names, code, record_id, entity.astype(np.int64), starts)


def dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and each value's position among them (``np.unique``).

    Counting instead of sorting when the values are small non-negative integers, as ids are.
    """
    values = np.asarray(values)
    if not len(values) or values.dtype.kind not in "iu" or values.min() < 0:
        distinct, code = np.unique(values, return_inverse=True)
        return distinct, code.reshape(-1)
    if values.max() > 4 * len(values) + 1024:
        distinct, code = np.unique(values, return_inverse=True)
        return distinct, code.reshape(-1)
    present = np.zeros(int(values.max()) + 1, dtype=bool)
    present[values] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[values]


def _entities_of(entities: pa.Table, entity_ids: np.ndarray) -> pa.Table:
    """The rows of ``entities`` for ``entity_ids``, in that order (attributes null if absent)."""
    keep = [c for c in ENTITY_COLUMNS if c in entities.column_names]
    entities = entities.select(keep)
    where = pc.index_in(pa.array(entity_ids), entities["entity_id"])
    return entities.take(where)
