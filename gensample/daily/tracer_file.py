"""Reading and checking ``tracer/tracer.csv``: every problem names the file, the line (header =
line 1) and the column, and the whole file is checked before anything is generated.

Values are taken exactly as written; a value that is empty or only spaces is blank: an error in
``NON_EMPTY_COLUMNS``, a null elsewhere. Header names are trimmed and a UTF-8 byte order mark is
skipped; rows with no value at all are skipped.
"""

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from gensample import reference
from gensample.errors import BadInputError, excerpt
from gensample.generate.datasets import customers
from gensample.output.atomic import read_bytes

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


def checked_rows(path: Path) -> tuple[dict[str, int], list[list[str]]]:
    """The position of each column by name and the rows (one list of fields each) of the tracer
    file at ``path``; raise ``BadInputError`` naming every problem."""
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
    return index, [fields for _, fields in rows]


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


@functools.cache
def _state_codes() -> frozenset[str]:
    """The state codes of the reference places (the 50 states and DC)."""
    return frozenset(reference.places()["state"].to_pylist())


def _report(path: Path, problems: list[str]) -> str:
    """One message listing the first problems, each naming the file."""
    shown = [f"{path}: {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    hidden = len(problems) - len(shown)
    return "\n".join(shown + ([f"{path}: ... and {hidden} more problems"] if hidden else []))
