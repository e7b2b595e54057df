"""``state.json``: where ids continue from, which batches each day took, and the run history.

A day is one or more batches (a run, then appends); each batch took a range of entity ids, of
customer record ids and of the record ids of every other dataset generated per block. Ids never
repeat: a new batch starts at the high-water marks, and a re-run of a day (truncate) must fit in
ids no other day took.
"""

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gensample.errors import BadInputError, RunError
from gensample.output.atomic import write_json

HISTORY_KEPT = 365
EARLIEST_DAY, LATEST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
"""Run dates ever allowed: generated birth and event dates lie up to two centuries before."""
FUTURE_MARGIN = dt.timedelta(days=1)
"""How far after today a run date may be without ``--allow-date`` (time zones, late cron)."""


@dataclass(frozen=True)
class Batch:
    """The ids one batch of a day took, and the tracer file it consumed (if any).

    ``record_start``/``record_stop`` are customer record ids; ``ids`` maps every other dataset
    generated per block to the ``[start, stop)`` range of its record ids.
    """

    entity_start: int
    entity_stop: int
    record_start: int
    record_stop: int
    tracer: str | None = None
    ids: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def ranges(self) -> dict[str, tuple[int, int]]:
        """Every id range of the batch: ``entities``, ``customers`` and the other datasets."""
        return {
            ENTITIES: (self.entity_start, self.entity_stop),
            CUSTOMERS: (self.record_start, self.record_stop),
            **self.ids,
        }

    def shared_ids(self, other: "Batch") -> list[str]:
        """The id ranges (``entities`` or a dataset) in which the two batches share an id."""
        theirs = other.ranges()
        return [
            name
            for name, (start, stop) in self.ranges().items()
            if name in theirs and _intersect(start, stop, *theirs[name])
        ]


def _intersect(start: int, stop: int, other_start: int, other_stop: int) -> bool:
    return max(start, other_start) < min(stop, other_stop)


ENTITIES, CUSTOMERS = "entities", "customers"


@dataclass
class State:
    """The persistent state of a run directory."""

    next_entity_id: int = 0
    next_record_id: int = 0
    days: dict[str, list[Batch]] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)
    archived: dict[str, str] = field(default_factory=dict)
    """Day -> sha256 of the manifest whose files the archive holds for that day."""
    next_ids: dict[str, int] = field(default_factory=dict)
    """Dataset -> next record id, for the datasets other than customers."""

    def starts_for(self, date: dt.date, load_type: str) -> tuple[int, dict[str, int]]:
        """Where a batch of ``date`` starts: the first entity id and each dataset's first
        record id (``customers`` included). A truncate re-run re-uses the day's first ids."""
        starts = {CUSTOMERS: self.next_record_id, **self.next_ids}
        batches = self.days.get(date.isoformat())
        if load_type == "truncate" and batches:
            first = batches[0].ranges()
            starts.update({name: start for name, (start, _) in first.items()})
            return starts.pop(ENTITIES), starts
        return self.next_entity_id, starts

    def starts_day(self, date: dt.date, load_type: str) -> bool:
        """Whether a batch of ``date`` is the day's first: a new day, or a truncate re-run."""
        return load_type == "truncate" or date.isoformat() not in self.days

    def check_fits(self, date: dt.date, batch: Batch) -> None:
        """Refuse a batch that would re-use ids another day took."""
        for day, batches in self.days.items():
            shared = sorted(
                {n for b in batches if day != date.isoformat() for n in batch.shared_ids(b)}
            )
            if shared:
                wanted = ", ".join(f"{name} {a}-{b}" for name, (a, b) in batch.ranges().items())
                raise BadInputError(
                    f"{date}: this run needs ids ({wanted}) that overlap ids of {day} "
                    f"({', '.join(shared)}); re-run it with the settings it had"
                )

    def record(self, date: dt.date, batch: Batch, load_type: str, summary: dict) -> None:
        """Note a committed batch and move the high-water marks past it."""
        earlier = self.days.get(date.isoformat(), []) if load_type == "append" else []
        self.set_day(date.isoformat(), [*earlier, batch])
        self.runs = [*self.runs, {"date": date.isoformat(), **summary}][-HISTORY_KEPT:]

    def set_day(self, day: str, batches: list[Batch]) -> None:
        """Set the batches of ``day`` (e.g. from its manifest) and raise the high-water marks."""
        self.days[day] = batches
        self.raise_marks(batches)

    def raise_marks(self, batches: list[Batch]) -> None:
        """Move the high-water marks past every id of ``batches``."""
        for batch in batches:
            self.next_entity_id = max(self.next_entity_id, batch.entity_stop)
            self.next_record_id = max(self.next_record_id, batch.record_stop)
            for name, (_, stop) in batch.ids.items():
                self.next_ids[name] = max(self.next_ids.get(name, 0), stop)


class NotAllowedError(ValueError):
    """A value of ``state.json`` (or of a manifest's batch) that is not allowed."""

    def __init__(self, key: str, value: object, expected: str) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        problem = "is missing" if value is MISSING else f"= {shown} is not allowed"
        super().__init__(f"{key} {problem}: expected {expected}")


MISSING = object()


REBUILD_ADVICE = (
    "restore it from a backup; or move it away and run again: the high-water marks are then "
    "rebuilt from out/*/manifest.json, pruned/*.json and archive/*/archive.json, and the run "
    "refuses (exit 2) if those do not account for every earlier day"
)


def load(path: Path) -> State:
    """Read ``state.json``; a missing file is a fresh state. Unreadable JSON is a
    :class:`RunError`, a value that is not allowed a :class:`BadInputError` naming it."""
    if not path.exists():
        return State()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunError(f"{path}: unreadable state ({error}); {REBUILD_ADVICE}") from error
    try:
        return _state_from(document)
    except NotAllowedError as error:
        raise BadInputError(f"{path}: {error}; fix it, or {REBUILD_ADVICE}") from error


def _state_from(document: object) -> State:
    """The state a parsed ``state.json`` holds, every value checked."""
    document = _object(document, "state.json", "an object")
    for key in ("next_entity_id", "next_record_id", "days", "runs"):
        if key not in document:
            raise NotAllowedError(key, MISSING, "every state.json to hold it")
    days = _object(document["days"], "days", "an object of days")
    state = State(
        _mark(document["next_entity_id"], "next_entity_id"),
        _mark(document["next_record_id"], "next_record_id"),
        {_day(day, "days"): _batches(batches, f"days[{day!r}]") for day, batches in days.items()},
        _list(document["runs"], "runs"),
        _archived(document.get("archived", {})),
        {
            _name(name, "next_ids"): _mark(mark, f"next_ids[{name!r}]")
            for name, mark in _object(document.get("next_ids", {}), "next_ids", "an object").items()
        },
    )
    for batches in state.days.values():  # marks below a recorded batch would hand its ids out
        state.raise_marks(batches)
    return state


def _archived(value: object) -> dict[str, str]:
    """``archived``: day -> sha256 of a manifest."""
    archived = _object(value, "archived", "an object of days")
    for day, digest in archived.items():
        _day(day, "archived")
        if not isinstance(digest, str):
            raise NotAllowedError(f"archived[{day!r}]", digest, "the sha256 of a manifest")
    return dict(archived)


def _batches(value: object, key: str) -> list[Batch]:
    """The batches of a day in ``state.json``, where ``tracer`` is the consumed file or null."""
    batches = [batch_from(entry, f"{key}[{i}]") for i, entry in enumerate(_list(value, key))]
    for i, (batch, entry) in enumerate(zip(batches, value, strict=True)):
        if batch.tracer != entry.get("tracer"):
            raise NotAllowedError(f"{key}[{i}].tracer", entry.get("tracer"), "a path or null")
    return batches


def batch_from(entry: object, key: str = "batch") -> Batch:
    """A batch from its JSON form (in ``state.json`` or a manifest), checked: ids whole numbers
    from 0 to ``MAX_MARK``, every start <= its stop. ``ids`` may be absent (versions that wrote
    customers only)."""
    entry = _object(entry, key, "an object of id ranges")
    missing = [name for name in ID_KEYS if name not in entry]
    if missing:
        raise NotAllowedError(f"{key}.{missing[0]}", MISSING, MARK)
    entities = _range([entry["entity_start"], entry["entity_stop"]], f"{key}.entity_start/stop")
    records = _range([entry["record_start"], entry["record_stop"]], f"{key}.record_start/stop")
    ids = _object(entry.get("ids", {}), f"{key}.ids", "an object of [start, stop] ranges")
    tracer = entry.get("tracer")  # a manifest's "tracer" is a count of rows: not a path
    ranges = {
        _name(name, f"{key}.ids"): _range(r, f"{key}.ids[{name!r}]") for name, r in ids.items()
    }
    return Batch(*entities, *records, tracer if isinstance(tracer, str) else None, ranges)


ID_KEYS = ("entity_start", "entity_stop", "record_start", "record_stop")
RANGE = "[start, stop], whole numbers with 0 <= start <= stop <= 2**62"


def _range(value: object, key: str) -> tuple[int, int]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise NotAllowedError(key, value, RANGE)
    start, stop = (_mark(number, key, RANGE) for number in value)
    if start > stop:
        raise NotAllowedError(key, list(value), RANGE)
    return start, stop


MAX_MARK = 2**62
"""Ids a state may record end below this, so that adding any day's ids stays within int64."""
MARK = "a whole number from 0 to 2**62"


def _mark(value: object, key: str, expected: str = MARK) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MARK:
        raise NotAllowedError(key, value, expected)
    return value


def _day(value: str, key: str) -> str:
    if not is_day(value):
        raise NotAllowedError(f"{key} key", value, "a date written YYYY-MM-DD")
    return value


def _name(value: str, key: str) -> str:
    if not value:
        raise NotAllowedError(f"{key} key", value, "a dataset name")
    return value


def _object(value: object, key: str, expected: str) -> dict:
    if not isinstance(value, dict):
        raise NotAllowedError(key, value, expected)
    return value


def _list(value: object, key: str) -> list:
    if not isinstance(value, list):
        raise NotAllowedError(key, value, "a list")
    return value


def is_day(name: str) -> bool:
    """Whether ``name`` spells a date as YYYY-MM-DD (as day folders and state keys do)."""
    try:
        return dt.date.fromisoformat(name).isoformat() == name
    except (TypeError, ValueError):
        return False


def id_ranges(entry: Mapping) -> dict:
    """The id fields of a manifest's batch entry: what recovery needs to know the marks."""
    return {key: entry[key] for key in (*ID_KEYS, "ids") if key in entry}


def check_date(date: dt.date) -> None:
    """Refuse a date outside the years gensample generates for (their arithmetic overflows)."""
    if not EARLIEST_DAY <= date <= LATEST_DAY:
        raise BadInputError(
            f"--date {date} is not allowed: expected a day from {EARLIEST_DAY} to {LATEST_DAY}"
        )


def check_run_date(current: State, date: dt.date, today: dt.date, allow_date: bool) -> None:
    """Refuse a run date more than FUTURE_MARGIN after ``today``, or a new day before the last
    committed day (a re-run of a committed day is fine), unless ``allow_date``: a mistyped date
    would prune the archive, and drift and re-injection assume days run in order."""
    check_date(date)
    if allow_date:
        return
    if date > today + FUTURE_MARGIN:
        raise BadInputError(
            f"--date {date} is {(date - today).days} days after today ({today}); allowed: up "
            f"to {today + FUTURE_MARGIN}, or add --allow-date if that date is meant"
        )
    last = max(current.days, default=None)
    if last and date.isoformat() < last and date.isoformat() not in current.days:
        raise BadInputError(
            f"--date {date} is a new day before {last}, the last committed day; allowed: "
            f"{last} or later, or a re-run of a committed day, or add --allow-date to backfill "
            "on purpose"
        )


def save(path: Path, state: State) -> None:
    """Write ``state.json`` atomically."""
    write_json(
        path,
        {
            "next_entity_id": state.next_entity_id,
            "next_record_id": state.next_record_id,
            "days": {
                day: [asdict(b) for b in batches] for day, batches in sorted(state.days.items())
            },
            "runs": state.runs,
            "archived": dict(sorted(state.archived.items())),
            "next_ids": dict(sorted(state.next_ids.items())),
        },
    )
