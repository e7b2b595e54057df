"""Tracer drops: a hand-made ``tracer/tracer.csv`` of known people, read into one day and kept.

A tester writes a few rows describing people they will look for in the MDM system (several
hand-fuzzed variants of one person share a ``tracer_entity`` label). The whole file is checked
before anything is generated (``tracer_file``); values are taken exactly as written (a tracer
row is a deliberate test case). After a successful run the orchestrator calls :func:`consume`,
which moves the file to ``tracer/consumed/`` so it is used exactly once and never lost.
"""

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions import fuzzmap
from gensample.corruptions.arrays import false_where_null
from gensample.daily import tracer_file
from gensample.daily.rundir import RunDirectory
from gensample.daily.state import State
from gensample.daily.tracer_file import ENTITY_COLUMN, PERSON_SCHEMA, REQUIRED_COLUMNS
from gensample.errors import RunError
from gensample.generate.truth import ENTITIES_SCHEMA
from gensample.output.atomic import refuse_symlink, sync_directory
from gensample.settings import Settings

log = logging.getLogger(__name__)

TRACER_FILE = "tracer.csv"
CONSUMED_DIR = "consumed"


@dataclass(frozen=True, eq=False)
class TracerDrop:
    """A validated tracer file: its people (one per row) and which rows describe one person.

    ``people`` has exactly the customers person columns with the customers schema's types;
    ``group[i]`` (0..k-1, numbered in order of first appearance) is the person of row ``i``: rows
    sharing a ``tracer_entity`` share a group, rows without one are a person each. Account columns
    and record ids are left to the orchestrator.
    """

    path: Path
    people: pa.Table
    group: np.ndarray

    @property
    def entity_count(self) -> int:
        """How many distinct people the file describes."""
        return int(self.group.max()) + 1 if len(self.group) else 0


def for_batch(
    directory: RunDirectory, settings: Settings, current: State, date: dt.date
) -> TracerDrop | None:
    """This batch's tracer rows: a truncate re-run re-uses what the day consumed; otherwise
    a waiting ``tracer/tracer.csv`` when ``tracer`` is on."""
    batches = current.days.get(date.isoformat())
    if settings.load_type == "truncate" and batches and batches[0].tracer:
        return read_tracer(directory.root / batches[0].tracer)
    waiting = directory.tracer / TRACER_FILE
    return read_tracer(waiting) if settings.tracer and waiting.exists() else None


def read_tracer(path: Path) -> TracerDrop:
    """Read and validate the tracer file at ``path``; raise ``BadInputError`` on any problem."""
    path = Path(path)
    refuse_symlink(path.parent / CONSUMED_DIR)  # where the file goes once used
    index, rows = tracer_file.checked_rows(path)
    labels = [fields[index[ENTITY_COLUMN]] if ENTITY_COLUMN in index else "" for fields in rows]
    return TracerDrop(path, _people(rows, index), _groups(labels))


def _people(rows: list[list[str]], index: dict[str, int]) -> pa.Table:
    """The person columns of validated rows, typed as in the customers file."""
    columns = {
        name: [_value(name, fields[index[name]]) for fields in rows] for name in REQUIRED_COLUMNS
    }
    return pa.table(columns, schema=PERSON_SCHEMA)


_PARSERS: dict[str, Callable[[str], object]] = {"birth_date": dt.date.fromisoformat}


def _value(column: str, text: str) -> object:
    """A validated cell as its column's type; blank is null."""
    if not text.strip():
        return None
    return _PARSERS.get(column, str)(text)


def _groups(labels: list[str]) -> np.ndarray:
    """Group number of each row by ``tracer_entity`` label; an unlabelled row is its own group."""
    numbers: dict[object, int] = {}
    # object() never equals another key, so each unlabelled row gets a new number
    keys = (label.strip() or object() for label in labels)
    return np.array([numbers.setdefault(key, len(numbers)) for key in keys], dtype=np.int64)


def entities(drop: TracerDrop, first_entity_id: int) -> pa.Table:
    """One clean person per group (its first row): entity ``first_entity_id + group``.

    Each tracer person is their own household; the county comes from the reference places by
    postal code, null when the code is unknown.
    """
    _, first_rows = np.unique(drop.group, return_index=True)
    people = drop.people.take(pa.array(first_rows))
    entity_id = first_entity_id + np.arange(len(first_rows), dtype=np.int64)
    places = reference.places()
    found = pc.index_in(people["postal_code"], value_set=places["postal_code"])
    columns = {
        "entity_id": entity_id,
        "household_id": entity_id,
        **{name: people[name] for name in people.column_names},
        "county": places["county"].take(found),
    }
    unknown = [field for field in ENTITIES_SCHEMA if field.name not in columns]
    columns.update({field.name: pa.nulls(len(first_rows), field.type) for field in unknown})
    return pa.table(columns).select(ENTITIES_SCHEMA.names).cast(ENTITIES_SCHEMA)


HAND_EDITED = "hand_edited"
"""The label of a tracer difference no named corruption explains (the tester's own edit)."""


def differences(drop: TracerDrop) -> pa.Array:
    """Per row, what differs from the first row of its group, as truth labels
    (``field:corruption`` joined by ';', empty for a group's first row and exact copies)."""
    first = drop.people.take(pa.array(np.unique(drop.group, return_index=True)[1][drop.group]))
    text = {name: drop.people[name].combine_chunks().cast(pa.string()) for name in REQUIRED_COLUMNS}
    was = {name: first[name].combine_chunks().cast(pa.string()) for name in REQUIRED_COLUMNS}
    swapped = false_where_null(
        pc.and_(
            pc.equal(text["first_name"], was["last_name"]),
            pc.equal(text["last_name"], was["first_name"]),
        )
    )
    labels = [pc.if_else(swapped, "name:swap_given_and_family_name", "")]
    for name in REQUIRED_COLUMNS:
        kind = _difference_kind(text[name], was[name])
        if name == "phone":
            same_digits = false_where_null(pc.equal(_digits(text[name]), _digits(was[name])))
            kind = pc.if_else(pc.and_(same_digits, pc.is_valid(kind)), "reformat_phone", kind)
        if name in ("first_name", "last_name"):
            kind = pc.if_else(swapped, pa.scalar(None, pa.string()), kind)
        labels.append(pc.binary_join_element_wise(f"{name}:", kind, ""))
    return fuzzmap.join_labels(labels, drop.people.num_rows)


def _difference_kind(value: pa.Array, first: pa.Array) -> pa.Array:
    """The corruption a value shows against its group's first (null where they are equal)."""
    present, was_present = pc.is_valid(value), pc.is_valid(first)
    kind = pc.case_when(
        pc.make_struct(
            false_where_null(pc.and_(present, pc.equal(value, first))),
            pc.and_not(was_present, present),
            pc.and_not(present, was_present),
            false_where_null(pc.equal(pc.utf8_lower(value), pc.utf8_lower(first))),
            _is_initial_of(value, first),
        ),
        *(
            pa.scalar(kind, pa.string())
            for kind in (None, "leave_blank", HAND_EDITED, "change_case", "use_initial")
        ),
        pa.scalar(HAND_EDITED),
    )
    return pc.if_else(pc.or_(present, was_present), kind, pa.scalar(None, pa.string()))


def _digits(values: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(values, r"\D", "")


def _is_initial_of(value: pa.Array, first: pa.Array) -> pa.Array:
    """Whether ``value`` is the initial and a full stop of ``first`` ('J.' of 'John')."""
    initial = pc.binary_join_element_wise(pc.utf8_slice_codeunits(first, 0, 1), ".", "")
    return false_where_null(pc.and_(pc.equal(value, initial), pc.greater(pc.utf8_length(first), 1)))


def consume(path: Path, now: dt.datetime) -> Path:
    """Move the tracer file to ``consumed/<YYYYmmddTHHMMSS>-<name>``; never overwrite or delete.

    Call it under the run directory's lock, so no other run can take the name between the
    check and the move.
    """
    path = Path(path)
    folder = path.parent / CONSUMED_DIR
    refuse_symlink(folder)
    try:
        folder.mkdir(exist_ok=True)
        target = _free_name(folder, f"{now:%Y%m%dT%H%M%S}", path.name)
        os.replace(path, target)
        sync_directory(folder)
        sync_directory(path.parent)
    except OSError as error:
        raise RunError(
            f"cannot move {path} to {folder}/: {error.strerror or error}; "
            "move it away by hand, or the next run reads it again"
        ) from error
    log.info("tracer file moved to %s", target)
    return target


def _free_name(folder: Path, stamp: str, name: str) -> Path:
    """``folder/<stamp>-<name>``, or with a counter after the stamp if that is taken."""
    target, counter = folder / f"{stamp}-{name}", 2
    while os.path.lexists(target):
        target, counter = folder / f"{stamp}-{counter}-{name}", counter + 1
    return target
