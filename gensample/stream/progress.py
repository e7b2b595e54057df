"""``stream/state.json``: where a stream's people and record ids continue from.

A micro-batch claims its people and ids (the state is written past them) before its first event
goes out, so ids never repeat, even after a kill: a restart continues after the last claim, and
the unsent rest of a stopped micro-batch is simply never sent.

Stream ids live apart from the daily runs' ids, from ``ID_BASE`` up: a stream runs beside the
daily job without its lock, and neither may hand out an id the other did.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gensample.errors import BadInputError
from gensample.output.atomic import read_bytes, write_json

ID_BASE = 1 << 48
"""First entity and record id of every stream: far beyond the ids daily runs reach (100 million
people a day for thousands of years), and exact in any JSON reader (below 2**53)."""
ID_LIMIT = 1 << 53


@dataclass
class Progress:
    """The next entity id and the next record id of each dataset of a stream."""

    next_entity_id: int = ID_BASE
    next_ids: dict[str, int] = field(default_factory=dict)

    def id_starts(self, datasets: list[str]) -> dict[str, int]:
        """The first id of each of ``datasets`` in the next micro-batch."""
        return {name: self.next_ids.get(name, ID_BASE) for name in datasets}

    def claim(self, entity_stop: int, id_stops: Mapping[str, int]) -> None:
        """Move past a micro-batch's people and ids."""
        self.next_entity_id = entity_stop
        self.next_ids.update(id_stops)

    def save(self, path: Path) -> None:
        """Write the state atomically."""
        write_json(path, {"next_entity_id": self.next_entity_id, "next_ids": self.next_ids})


def load(path: Path) -> Progress:
    """The state in ``path`` (a fresh one when there is none); a damaged one is a
    :class:`BadInputError` naming the file and the key."""
    if not path.exists():
        return Progress()
    try:
        document = json.loads(read_bytes(path))
    except ValueError as error:
        raise BadInputError(f"{path}: not JSON ({str(error)[:80]}); restore or remove it") from None
    if not isinstance(document, dict):
        raise BadInputError(f"{path}: expected an object with next_entity_id and next_ids")
    next_ids = document.get("next_ids", {})
    if not isinstance(next_ids, dict):
        raise BadInputError(f"{path}: next_ids must be an object of dataset -> next id")
    return Progress(
        _mark(path, "next_entity_id", document.get("next_entity_id")),
        {str(name): _mark(path, f"next_ids[{name!r}]", mark) for name, mark in next_ids.items()},
    )


def _mark(path: Path, key: str, value: object) -> int:
    """An id mark, checked: a whole number from ``ID_BASE`` to below 2**53."""
    if type(value) is not int or not ID_BASE <= value < ID_LIMIT:
        shown = repr(value)[:40]
        raise BadInputError(
            f"{path}: {key} = {shown} is not allowed: expected a whole number from {ID_BASE} "
            f"to {ID_LIMIT - 1}; restore the file, or remove it only if no stream file is kept"
        )
    return value
