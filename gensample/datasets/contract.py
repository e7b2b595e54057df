"""What every dataset module receives and returns for one block."""

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from gensample.plan import Block
from gensample.settings import Settings


@dataclass(frozen=True)
class BlockInput:
    """What every dataset of one block is generated from."""

    settings: Settings
    date: dt.date
    block: Block
    people: pa.Table


@dataclass(frozen=True)
class Generated:
    """One dataset's rows for one block, and their truth rows (empty for non-identity data)."""

    data: pa.Table
    truth: pa.Table
