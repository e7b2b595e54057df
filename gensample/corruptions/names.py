"""Errors in person names: nicknames and given and family names entered the wrong way round."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions.arrays import match_case, random_below


def _nicknames_of(names: list[str | None]) -> list[tuple[str, ...]]:
    """Known nicknames (lower case) of each name, ignoring case; none for nulls and unknowns."""
    table = reference.nicknames()
    return [
        tuple(nick for nick in table.get(name.strip().lower(), ()) if nick != name.lower())
        if name
        else ()
        for name in names
    ]


def use_nickname(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Go by one of the name's known nicknames, in the name's case: 'Robert' -> 'Bob'."""
    distinct = pc.unique(values)
    options = _nicknames_of(distinct.to_pylist())
    counts = np.array([len(nicks) for nicks in options], dtype=np.int64)
    firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    owners = distinct.take(pa.array(np.repeat(np.arange(len(distinct)), counts)))
    nicknames = pa.array([nick for nicks in options for nick in nicks], type=values.type)
    nicknames = match_case(nicknames, owners)
    row = pc.index_in(values, value_set=distinct).fill_null(0).to_numpy(zero_copy_only=False)
    row_counts = counts[row]
    chosen = firsts[row] + random_below(row_counts, rng)
    if not len(nicknames):
        return values
    chosen = np.minimum(chosen, len(nicknames) - 1)
    return pc.if_else(pa.array(row_counts > 0), nicknames.take(pa.array(chosen)), values)


def swap_given_and_family_name(
    first: pa.Array, last: pa.Array, rng: np.random.Generator
) -> tuple[pa.Array, pa.Array]:
    """Enter the given and family names the wrong way round: ('Ann', 'Lee') -> ('Lee', 'Ann')."""
    return last.cast(first.type), first.cast(last.type)
