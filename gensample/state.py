"""``state.json``: where ids continue from, which batches each day took, and the run history.

A day is one or more batches (a run, then appends); each batch took a range of entity ids and
of customer record ids. Ids never repeat: a new batch starts at the high-water marks, and a
re-run of a day (truncate) must fit in ids no other day took.
"""

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gensample.errors import BadInputError, RunError
from gensample.files import write_json

HISTORY_KEPT = 365


@dataclass(frozen=True)
class Batch:
    """The ids one batch of a day took, and the tracer file it consumed (if any)."""

    entity_start: int
    entity_stop: int
    record_start: int
    record_stop: int
    tracer: str | None = None

    def overlaps(self, other: "Batch") -> bool:
        """Whether the two batches share an entity id or a record id."""
        return _intersect(
            self.entity_start, self.entity_stop, other.entity_start, other.entity_stop
        ) or _intersect(self.record_start, self.record_stop, other.record_start, other.record_stop)


def _intersect(start: int, stop: int, other_start: int, other_stop: int) -> bool:
    return max(start, other_start) < min(stop, other_stop)


@dataclass
class State:
    """The persistent state of a run directory."""

    next_entity_id: int = 0
    next_record_id: int = 0
    days: dict[str, list[Batch]] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)
    archived: dict[str, str] = field(default_factory=dict)
    """Day -> sha256 of the manifest whose files the archive holds for that day."""

    def starts_for(self, date: dt.date, load_type: str) -> tuple[int, int]:
        """Where a batch of ``date`` starts: a truncate re-run re-uses the day's first ids."""
        batches = self.days.get(date.isoformat())
        if load_type == "truncate" and batches:
            return batches[0].entity_start, batches[0].record_start
        return self.next_entity_id, self.next_record_id

    def check_fits(self, date: dt.date, batch: Batch) -> None:
        """Refuse a batch that would re-use ids another day took."""
        for day, batches in self.days.items():
            if day != date.isoformat() and any(batch.overlaps(b) for b in batches):
                raise BadInputError(
                    f"{date}: this run needs entity ids {batch.entity_start}-{batch.entity_stop} "
                    f"and record ids {batch.record_start}-{batch.record_stop}, which overlap "
                    f"ids of {day}; re-run it with the customers and dupe_rate it had"
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


def load(path: Path) -> State:
    """Read ``state.json``; a missing file is a fresh state."""
    if not path.exists():
        return State()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        days = {
            day: [Batch(**batch) for batch in batches] for day, batches in document["days"].items()
        }
        state = State(
            document["next_entity_id"],
            document["next_record_id"],
            days,
            document["runs"],
            dict(document.get("archived", {})),
        )
        if not (
            isinstance(state.next_entity_id, int)
            and isinstance(state.next_record_id, int)
            and isinstance(state.runs, list)
        ):
            raise TypeError("high-water marks must be numbers and runs a list")
        return state
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise RunError(
            f"{path}: unreadable state ({error}); move it away and run again: it is "
            "rebuilt from out/*/manifest.json"
        ) from error


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
        },
    )
