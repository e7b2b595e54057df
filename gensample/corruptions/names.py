"""Errors in person names: nicknames and given and family names entered the wrong way round."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions.arrays import below, false_where_null, match_case
from gensample.native.strings import join_element_wise
from gensample.native.take import filtered, take


def _nicknames_of(names: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Known nicknames (lower case) of each of ``names``, ignoring case, but the name itself;
    none for nulls and unknowns: the nicknames, name after name, and the name (its index in
    ``names``) each belongs to."""
    known, starts, flat = reference.nickname_lists()
    lower = pc.utf8_lower(names)
    found = pc.index_in(pc.utf8_trim_whitespace(lower), value_set=known)
    found = found.fill_null(-1).to_numpy(zero_copy_only=False)
    listed = np.where(found >= 0, np.diff(starts)[np.maximum(found, 0)], 0)
    owner = np.repeat(np.arange(len(names)), listed)
    position = starts[found[owner]] + np.arange(len(owner)) - (np.cumsum(listed) - listed)[owner]
    nicknames = take(flat, position)
    other = pc.not_equal(nicknames, take(lower, owner)).to_numpy(zero_copy_only=False)
    return owner[other], filtered(nicknames, other)


def use_nickname(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Go by one of the name's known nicknames, in the name's case: 'Robert' -> 'Bob'."""
    return nickname_at(values, rng.random(len(values)))


def nickname_at(values: pa.Array, fractions: np.ndarray) -> pa.Array:
    """Each name's nickname at ``fractions`` (0 to 1, one per name) of its list of known
    nicknames, in the name's case; the name itself where it has none."""
    distinct = pc.unique(values)
    owner, nicknames = _nicknames_of(distinct)
    counts = np.bincount(owner, minlength=len(distinct))
    firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    owners = take(distinct, owner)
    nicknames = match_case(nicknames.cast(values.type), owners)
    row = pc.index_in(values, value_set=distinct).fill_null(0).to_numpy(zero_copy_only=False)
    row_counts = counts[row]
    chosen = firsts[row] + below(fractions, row_counts)
    if not len(nicknames):
        return values
    chosen = np.minimum(chosen, len(nicknames) - 1)
    return pc.if_else(pa.array(row_counts > 0), take(nicknames, chosen), values)


def swap_given_and_family_name(
    first: pa.Array, last: pa.Array, rng: np.random.Generator
) -> tuple[pa.Array, pa.Array]:
    """Enter the given and family names the wrong way round: ('Ann', 'Lee') -> ('Lee', 'Ann')."""
    return last.cast(first.type), first.cast(last.type)


SUFFIXES = ("Jr", "Sr", "II", "III")
"""Generation suffixes written after a family name."""
_SUFFIX = r"^(?P<base>.*?\S),? (?P<suffix>(?i:jr|sr|ii|iii|iv)\.?)$"
TITLES = ("Dr.", "Mr.", "Mrs.", "Ms.", "Dr", "Mr")
"""Titles written before a given name."""
_TITLE = r"^(?P<title>(?i:dr|mr|mrs|ms|miss)\.?) (?P<rest>.*\S.*)$"


def _pick(options: tuple[str, ...], n: int, rng: np.random.Generator) -> pa.Array:
    return take(pa.array(options), rng.integers(0, len(options), n))


def change_suffix(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Add a generation suffix, or drop the one there: 'Smith' -> 'Smith Jr', 'Lee Sr' -> 'Lee'."""
    parts = pc.extract_regex(values, _SUFFIX)
    added = join_element_wise(values, _pick(SUFFIXES, len(values), rng), " ")
    present = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(values)), 0)
    added = pc.if_else(present, added, values)
    return pc.coalesce(pc.struct_field(parts, "base"), added)


def change_title(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write a title before the given name, or drop the one there: 'John' -> 'Dr. John'."""
    parts = pc.extract_regex(values, _TITLE)
    added = join_element_wise(_pick(TITLES, len(values), rng), values, " ")
    present = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(values)), 0)
    added = pc.if_else(present, added, values)
    return pc.coalesce(pc.struct_field(parts, "rest"), added)


def rewrite_double_name(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write a double family name another way: 'Smith-Jones' -> 'Smith Jones', 'Smith' or
    'Jones'; 'Garcia Lopez' -> 'Garcia-Lopez'."""
    parts = pc.extract_regex(values, r"^(?P<first>\S+)(?P<mark>[- ])(?P<second>\S+)$")
    first, second = pc.struct_field(parts, "first"), pc.struct_field(parts, "second")
    hyphenated = pc.equal(pc.struct_field(parts, "mark"), "-")
    pick = rng.integers(0, 3, len(values))
    split = pc.choose(pa.array(pick), join_element_wise(first, second, " "), first, second)
    joined = join_element_wise(first, second, "-")
    rewritten = pc.if_else(hyphenated, split, joined)
    has_suffix = pc.match_substring_regex(values, _SUFFIX)
    return pc.if_else(has_suffix, values, pc.coalesce(rewritten, values))


def type_into_wrong_field(
    first: pa.Array, last: pa.Array, rng: np.random.Generator
) -> tuple[pa.Array, pa.Array]:
    """Type the whole name into the given-name field: ('Ann', 'Lee') -> ('Ann Lee', blank)."""
    whole = join_element_wise(first, last.cast(first.type), " ")
    moved = pc.and_(pc.greater(pc.utf8_length(first), 0), pc.greater(pc.utf8_length(last), 0))
    moved = false_where_null(moved)
    return pc.if_else(moved, whole, first), pc.if_else(moved, pa.scalar(None, last.type), last)
