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
from gensample.files import write_json

HISTORY_KEPT = 365


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
        for batch in batches:
            self.next_entity_id = max(self.next_entity_id, batch.entity_stop)
            self.next_record_id = max(self.next_record_id, batch.record_stop)
            for name, (_, stop) in batch.ids.items():
                self.next_ids[name] = max(self.next_ids.get(name, 0), stop)


def load(path: Path) -> State:
    """Read ``state.json``; a missing file is a fresh state."""
    if not path.exists():
        return State()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        days = {
            day: [batch_from(entry) for entry in batches]
            for day, batches in document["days"].items()
        }
        state = State(
            document["next_entity_id"],
            document["next_record_id"],
            days,
            document["runs"],
            dict(document.get("archived", {})),
            dict(document.get("next_ids", {})),
        )
        if not (
            isinstance(state.next_entity_id, int)
            and isinstance(state.next_record_id, int)
            and all(isinstance(value, int) for value in state.next_ids.values())
            and isinstance(state.runs, list)
        ):
            raise TypeError("high-water marks must be numbers and runs a list")
        return state
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise RunError(
            f"{path}: unreadable state ({error}); move it away and run again: it is "
            "rebuilt from out/*/manifest.json"
        ) from error


def batch_from(entry: Mapping) -> Batch:
    """A batch from its JSON form (in ``state.json`` or a manifest); ``ids`` may be absent
    (batches of versions that wrote customers only)."""
    ids = {name: (int(start), int(stop)) for name, (start, stop) in entry.get("ids", {}).items()}
    return Batch(
        entry["entity_start"],
        entry["entity_stop"],
        entry["record_start"],
        entry["record_stop"],
        entry.get("tracer"),
        ids,
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
