"""What every dataset module receives and returns for one block: the block (a range of people
with the rows and first id of each dataset in it), its people, and the rows it gives back."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyarrow as pa

from gensample.generate import variants
from gensample.settings import Settings

CUSTOMERS = "customers"


@dataclass(frozen=True)
class Block:
    """One unit of work: a range of entity ids, and the rows and first record id of each
    dataset generated per block (``customers`` included) in it."""

    entity_start: int
    entity_stop: int
    duplicates: int
    rows: Mapping[str, int]
    id_starts: Mapping[str, int]

    @property
    def entities(self) -> int:
        """People in this block."""
        return self.entity_stop - self.entity_start

    @property
    def records(self) -> int:
        """Customer records (originals and duplicates) in this block."""
        return self.entities + self.duplicates

    @property
    def record_start(self) -> int:
        """First customer record id of this block."""
        return self.id_starts[CUSTOMERS]


@dataclass(frozen=True)
class BlockInput:
    """What every dataset of one block is generated from."""

    settings: Settings
    date: dt.date
    block: Block
    people: pa.Table
    systems: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The identity systems (``identity.System``) the block generates, by name: their records
    are made together (see ``identity.records``)."""
    made: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What ``shared`` made for the block, by name."""
    charged: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    """Seconds spent for each dataset by a computation it shares with others (see ``charge``)."""

    @cached_property
    def other_values(self) -> variants.OtherValues:
        """The people's other true values, drawn once for every system of the block."""
        return variants.OtherValues(self.settings.seed, self.people)

    def shared(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()``, made once for the block: several datasets that derive the same rows
        (orders and their lines) call it with the same ``name`` and the same ``make``."""
        if name not in self.made:
            self.made[name] = make()
        return self.made[name]

    def charge(self, seconds: Mapping[str, float]) -> None:
        """Count ``seconds`` (by dataset) as spent generating those datasets: a computation
        made once for several of them (their identity records) says what it spent for each,
        so that the pipeline's seconds per dataset are each one's own."""
        for name, spent in seconds.items():
            self.charged[name] = self.charged.get(name, 0.0) + spent

    def id_range(self, dataset: str) -> tuple[int, int]:
        """The first record id of ``dataset`` in this block and how many rows it must have."""
        return self.block.id_starts[dataset], self.block.rows[dataset]


@dataclass(frozen=True)
class Generated:
    """One dataset's rows for one block, and their truth rows (empty for non-identity data)."""

    data: pa.Table
    truth: pa.Table


Parents = Mapping[str, Generated]
"""The datasets generated before one, by name (reference datasets included, truth empty)."""
