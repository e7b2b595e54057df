"""Tracer drops: a hand-made ``tracer/tracer.csv`` of known people, read into one day and kept.

A tester writes a few rows describing people they will look for in the MDM system (several
hand-fuzzed variants of one person share a ``tracer_entity`` label). The whole file is validated
before anything is generated; every problem names the file, the line (header = line 1) and the
column. After a successful run the orchestrator calls :func:`consume`, which moves the file to
``tracer/consumed/`` so it is used exactly once and never lost.

Values are taken exactly as written (a tracer row is a deliberate test case); a value that is
empty or only spaces is blank: an error in ``NON_EMPTY_COLUMNS``, a null elsewhere. Header names
are trimmed and a UTF-8 byte order mark is skipped; rows with no value at all are skipped.
"""

import csv
import datetime as dt
import functools
import io
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions import fuzzmap
from gensample.daily.rundir import RunDirectory
from gensample.daily.state import State
from gensample.errors import BadInputError, RunError, excerpt
from gensample.generate.datasets import customers
from gensample.generate.truth import ENTITIES_SCHEMA
from gensample.output.atomic import read_bytes, refuse_symlink, sync_directory
from gensample.settings import Settings

log = logging.getLogger(__name__)

TRACER_FILE = "tracer.csv"
CONSUMED_DIR = "consumed"
ENTITY_COLUMN = "tracer_entity"
REQUIRED_COLUMNS = tuple(customers.PERSON_COLUMNS)
"""Headers every tracer file must have (a value may still be blank, see ``NON_EMPTY_COLUMNS``)."""
IGNORED_COLUMNS = ("customer_id", "account_status", "created_at", "updated_at", "operation")
"""Customer columns accepted so rows can be copied from a customers file, but not used: record
ids are always fresh and account columns are generated like any other record's."""
OPTIONAL_COLUMNS = (ENTITY_COLUMN, *IGNORED_COLUMNS)
ALLOWED_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
NON_EMPTY_COLUMNS = ("first_name", "last_name")
"""A tracer is found by name: the rest may be blank, as in real duplicates."""
PERSON_SCHEMA = pa.schema([customers.SCHEMA.field(name) for name in REQUIRED_COLUMNS])
MAX_PROBLEMS_SHOWN = 20
MAX_UNKNOWN_SHOWN = 5


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
    records = _records(path, _text(path))
    if not records:
        raise BadInputError(f"{path}: no rows: the file is empty; expected a header and people")
    (header_line, header), rows = records[0], records[1:]
    index = _column_index(path, header_line, header)
    if not rows:
        raise BadInputError(f"{path}: no rows: only a header; add at least one person")
    problems = [problem for line, fields in rows for problem in _row_problems(line, fields, index)]
    if problems:
        raise BadInputError(_report(path, problems))
    labels = [fields[index[ENTITY_COLUMN]] if ENTITY_COLUMN in index else "" for _, fields in rows]
    return TracerDrop(path, _people([fields for _, fields in rows], index), _groups(labels))


def _text(path: Path) -> str:
    """The file's text, read without following a symbolic link (the file could be anyone's,
    such as /etc/shadow); bytes that are not UTF-8 are reported with their line."""
    try:
        data = read_bytes(path).removeprefix(b"\xef\xbb\xbf")
    except OSError as error:
        raise BadInputError(f"{path}: cannot read: {error.strerror or error}") from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BadInputError(
            f"{path}: line {line}: byte 0x{data[error.start]:02x} is not UTF-8; "
            'save the file as UTF-8 ("CSV UTF-8" in spreadsheet programs)'
        ) from error


def _records(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Each non-blank CSV record with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            raise BadInputError(f"{path}: line {start}: not valid CSV: {error}") from error
        if any(field.strip() for field in fields):
            records.append((start, fields))


def _column_index(path: Path, line: int, header: list[str]) -> dict[str, int]:
    """Position of each column by name, after checking the header names."""
    names = [name.strip() for name in header]
    where = f"{path}: line {line} (header)"
    unknown = [name for name in names if name not in ALLOWED_COLUMNS]
    if unknown:
        hidden = len(unknown) - MAX_UNKNOWN_SHOWN
        more = f" and {hidden} more" if hidden > 0 else ""
        raise BadInputError(
            f"{where}: unknown column {_listed(unknown[:MAX_UNKNOWN_SHOWN], excerpt)}{more}; "
            f"allowed: {_listed(ALLOWED_COLUMNS)}"
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise BadInputError(f"{where}: column {_listed(twice)} appears more than once")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise BadInputError(
            f"{where}: missing column {_listed(missing)}; required: {_listed(REQUIRED_COLUMNS)} "
            f"(values may be blank except {_listed(NON_EMPTY_COLUMNS)})"
        )
    return {name: position for position, name in enumerate(names)}


def _listed(names: tuple[str, ...] | list[str], show: Callable[[str], str] = str) -> str:
    return ", ".join(show(name) for name in names)


def _row_problems(line: int, fields: list[str], index: dict[str, int]) -> list[str]:
    """What is wrong with one row, each as 'line N, column C: problem'."""
    if len(fields) != len(index):
        return [f"line {line}, {_width_problem(fields, index)}"]
    problems = ((name, _cell_problem(name, fields[index[name]])) for name in REQUIRED_COLUMNS)
    return [f"line {line}, column {name}: {problem}" for name, problem in problems if problem]


def _width_problem(fields: list[str], index: dict[str, int]) -> str:
    """A row with more or fewer fields than the header, told by the first column affected."""
    names = list(index)
    counts = f"{len(fields)} fields but the header has {len(names)}"
    if len(fields) > len(names):
        return (
            f"column {names[-1]}: {counts}: values after the last column "
            "(quote values that contain a comma)"
        )
    return f"column {names[len(fields)]}: no value: {counts} (even a blank needs its comma)"


def _cell_problem(column: str, value: str) -> str | None:
    """Why ``value`` is not allowed in ``column``, or None."""
    if not value.strip():
        return "is blank; a value is required" if column in NON_EMPTY_COLUMNS else None
    check = _CHECKS.get(column)
    return check(value) if check else None


def _date_problem(value: str) -> str | None:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            dt.date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return f"{excerpt(value)} is not a date; expected YYYY-MM-DD, a real calendar date, or blank"


def _gender_problem(value: str) -> str | None:
    if value in ("F", "M"):
        return None
    return f"{excerpt(value)} is not allowed; expected F, M or blank"


def _state_problem(value: str) -> str | None:
    if value in _state_codes():
        return None
    return (
        f"{excerpt(value)} is not a US state code; expected the two capital letters of a state "
        "or DC (such as OR, MA), or blank"
    )


def _postal_code_problem(value: str) -> str | None:
    if re.fullmatch(r"[0-9]{5}", value):
        return None
    return (
        f"{excerpt(value)} is not a ZIP code; expected 5 digits (such as 02108, no ZIP+4), or blank"
    )


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "birth_date": _date_problem,
    "gender": _gender_problem,
    "state": _state_problem,
    "postal_code": _postal_code_problem,
}


_PARSERS: dict[str, Callable[[str], object]] = {"birth_date": dt.date.fromisoformat}


@functools.cache
def _state_codes() -> frozenset[str]:
    """The state codes of the reference places (the 50 states and DC)."""
    return frozenset(reference.places()["state"].to_pylist())


def _report(path: Path, problems: list[str]) -> str:
    """One message listing the first problems, each naming the file."""
    shown = [f"{path}: {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    hidden = len(problems) - len(shown)
    return "\n".join(shown + ([f"{path}: ... and {hidden} more problems"] if hidden else []))


def _people(rows: list[list[str]], index: dict[str, int]) -> pa.Table:
    """The person columns of validated rows, typed as in the customers file."""
    columns = {
        name: [_value(name, fields[index[name]]) for fields in rows] for name in REQUIRED_COLUMNS
    }
    return pa.table(columns, schema=PERSON_SCHEMA)


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
    swapped = pc.and_(
        pc.equal(text["first_name"], was["last_name"]),
        pc.equal(text["last_name"], was["first_name"]),
    ).fill_null(False)
    labels = [pc.if_else(swapped, "name:swap_given_and_family_name", "")]
    for name in REQUIRED_COLUMNS:
        kind = _difference_kind(text[name], was[name])
        if name == "phone":
            same_digits = pc.equal(_digits(text[name]), _digits(was[name])).fill_null(False)
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
            pc.and_(present, pc.equal(value, first)).fill_null(False),
            pc.and_not(was_present, present),
            pc.and_not(present, was_present),
            pc.equal(pc.utf8_lower(value), pc.utf8_lower(first)).fill_null(False),
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
    return pc.and_(pc.equal(value, initial), pc.greater(pc.utf8_length(first), 1)).fill_null(False)


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
