"""What every dataset module receives and returns for one block."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from gensample.generate.plan import Block
from gensample.settings import Settings


@dataclass(frozen=True)
class BlockInput:
    """What every dataset of one block is generated from."""

    settings: Settings
    date: dt.date
    block: Block
    people: pa.Table

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
