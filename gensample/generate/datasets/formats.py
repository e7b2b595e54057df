"""How identity-bearing systems write a person: per-person habits (capitals, surname only,
phone style, a middle name after the first), names joined from parts."""

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets.contract import BlockInput
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import one_array, take


def person_habit(
    block: BlockInput, name: str, purpose: str, shares: tuple[float, ...], person: np.ndarray
) -> np.ndarray:
    """The habit (an index into ``shares``) of each ``person`` (positions among the block's
    people), from the system's stream: how a person's records are written is the same on all
    of them."""
    plan = block.block
    draws = _draws(block.settings.seed, name, purpose, plan.entity_start, plan.entities)[person]
    cumulative = np.cumsum(shares) / np.sum(shares)
    return np.minimum(np.searchsorted(cumulative, draws, side="right"), len(shares) - 1)


@functools.lru_cache(maxsize=16)
def _draws(seed: int, name: str, purpose: str, entity_start: int, entities: int) -> np.ndarray:
    """One number in [0, 1) per person of a block, whose habit it decides (drawn once: a system
    writes a block's records in a few passes, most of them of a few of its people)."""
    draws = stream(seed, name, purpose, entity_start).random(entities)
    draws.flags.writeable = False
    return draws


def join_present(left: pa.Array, right: pa.Array, separator: str) -> pa.Array:
    """``left`` and ``right`` joined by ``separator``, or the one that is present, or null."""
    joined = join_element_wise(left, right, separator)
    return pc.coalesce(joined, left, right)


def as_given(block: BlockInput, columns: pa.Table, person: np.ndarray) -> pa.Table:
    """A system that writes people as they are given."""
    return columns


def with_middle(
    block: BlockInput, name: str, names: pa.Table, person: np.ndarray, share: float, initial: bool
) -> pa.Array:
    """The first names of ``names`` followed by the middle name of the ``share`` of people who
    give it to system ``name`` (a habit of the person): as the person gives it (in full or as an
    initial, population's ``middle_name``), or only its ``initial`` ("John A"); never beside
    itself (a person going by their middle name writes it once, in either name's place)."""
    gives = person_habit(block, name, "middle", (1 - share, share), person) == 1
    middle = take(block.people["middle_name"], person)
    first = one_array(names["first_name"])
    for written in (first, names["last_name"]):  # the last: the given name, swapped into it
        itself = pc.equal(pc.utf8_lower(written), pc.utf8_lower(middle))
        gives &= ~itself.fill_null(False).to_numpy(zero_copy_only=False)
    if initial:
        middle = pc.utf8_slice_codeunits(middle, 0, 1)
    given = pc.if_else(pa.array(gives), join_element_wise(first, middle, " "), None)
    return pc.coalesce(given, first)


def replace(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    """``table`` with ``column`` replaced by ``values``."""
    return table.set_column(table.column_names.index(column), column, values)
