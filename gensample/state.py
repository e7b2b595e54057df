"""``state.json``: where ids continue from, which days took which ids, and the run history."""

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from gensample.errors import BadInputError, RunError
from gensample.files import write_json

HISTORY_KEPT = 365


@dataclass(frozen=True)
class DayIds:
    """The id ranges one day took: entities and customer records."""

    entity_start: int
    entity_stop: int
    record_start: int
    record_stop: int

    def as_data(self) -> dict:
        """Plain data for JSON."""
        return dict(self.__dict__)


@dataclass
class State:
    """The persistent state of a run directory."""

    next_entity_id: int = 0
    next_record_id: int = 0
    days: dict[str, DayIds] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)

    def starts_for(self, date: dt.date) -> tuple[int, int]:
        """Entity and record ids a run of ``date`` starts from (truncate re-uses the day's own)."""
        if date.isoformat() in self.days:
            ids = self.days[date.isoformat()]
            return ids.entity_start, ids.record_start
        return self.next_entity_id, self.next_record_id

    def check_fits(self, date: dt.date, ids: DayIds) -> None:
        """Refuse a re-run of a day that would need ids a later day already took."""
        old = self.days.get(date.isoformat())
        is_last = old is None or (
            old.entity_stop == self.next_entity_id and old.record_stop == self.next_record_id
        )
        if not is_last and (ids.entity_stop > old.entity_stop or ids.record_stop > old.record_stop):
            raise BadInputError(
                f"{date}: re-running this day needs more ids than it took before "
                f"(entities {old.entity_start}-{old.entity_stop}) and later days use the next;"
                " run it with the customers and dupe_rate it had"
            )

    def record(self, date: dt.date, ids: DayIds, summary: dict) -> None:
        """Note a committed day and move the high-water marks past it."""
        self.days[date.isoformat()] = ids
        self.next_entity_id = max(self.next_entity_id, ids.entity_stop)
        self.next_record_id = max(self.next_record_id, ids.record_stop)
        self.runs = [*self.runs, {"date": date.isoformat(), **summary}][-HISTORY_KEPT:]


def load(path: Path) -> State:
    """Read ``state.json``; a missing file is a fresh state."""
    if not path.exists():
        return State()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        days = {day: DayIds(**ids) for day, ids in document["days"].items()}
        return State(document["next_entity_id"], document["next_record_id"], days, document["runs"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RunError(
            f"{path}: unreadable state ({error}); restore it from a backup or "
            "rebuild it from out/*/manifest.json"
        ) from error


def save(path: Path, state: State) -> None:
    """Write ``state.json`` atomically."""
    write_json(
        path,
        {
            "next_entity_id": state.next_entity_id,
            "next_record_id": state.next_record_id,
            "days": {day: ids.as_data() for day, ids in sorted(state.days.items())},
            "runs": state.runs,
        },
    )
