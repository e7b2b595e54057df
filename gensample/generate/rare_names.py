"""Rare family names: the ``rare_share()`` (10.25 %) of people whose surname has fewer than 100
bearers, which the census table leaves out, get a name joined from the head of one rarer census
name and the tail of another ("Ko" + "rnfeld"), where they meet only in runs of four letters
census names have (no "Rhucsi"): tens of millions of combinations, so they are shared as seldom
as real rare names.
"""

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.native.strings import join_element_wise, string_bytes
from gensample.native.take import take

RARE_SOURCE_COUNT = 1_000
"""Census names held by fewer people than this lend their heads and tails to rare names."""


def rare_share() -> float:
    """Share of people whose family name the census table leaves out (read when first asked,
    not as the module is imported: every command imports it)."""
    return 1 - reference.family_name_coverage()


def prepare() -> None:
    """Make the heads, tails and runs of letters rare names are made from, once per process."""
    _meeting_parts()
    _census_runs()


def draw(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` rare family names, each the head of one rarer census name and the tail of another,
    drawn again until every four letters where they meet are ones census names have."""
    heads, tails = _rare_parts()
    head, tail = rng.integers(0, len(heads), n), rng.integers(0, len(tails), n)
    redraw = np.arange(n)
    while len(redraw):
        redraw = redraw[~_attested(_meeting(head[redraw], tail[redraw]))]
        head[redraw] = rng.integers(0, len(heads), len(redraw))
        tail[redraw] = rng.integers(0, len(tails), len(redraw))
    return join_element_wise(take(heads, head), take(tails, tail), "")


def _meeting(head: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """``_letters`` of where each ``_rare_parts`` head meets its tail: the head's last three
    letters (fewer in a short head), then the tail's first three."""
    ends, end_length, starts = _meeting_parts()
    letters = np.zeros((len(head), 6), np.int64)
    letters[:, :3] = ends[head]
    after_end = end_length[head][:, None] + np.arange(3)
    np.put_along_axis(letters, after_end, starts[tail], axis=1)
    return letters


@functools.cache
def _meeting_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_letters`` of the last three letters of each rare-name head (with how many it has) and
    of the first three of each tail."""
    heads, tails = _rare_parts()
    ends = pc.utf8_slice_codeunits(heads, -3)
    length = pc.utf8_length(ends).to_numpy().astype(np.int64)
    return _letters(ends, 3), length, _letters(pc.utf8_slice_codeunits(tails, 0, 3), 3)


def _attested(letters: np.ndarray) -> np.ndarray:
    """Whether every run of four letters in each row of ``_letters`` is one census names have."""
    run, whole = _runs(letters)
    return (~whole | _census_runs()[run]).all(axis=1)


ATTESTED_COUNT = 3
"""A run of four letters is one census names have when at least this many of them hold it."""


@functools.cache
def _census_runs() -> np.ndarray:
    """For every run of four letters (``_runs``' codes), whether ``ATTESTED_COUNT`` or more
    census names hold it."""
    run, whole = _runs(_letters_in_a_row(reference.family_names_census().values))
    return np.bincount(run[whole], minlength=27**4) >= ATTESTED_COUNT


def _letters(values: pa.Array, width: int) -> np.ndarray:
    """The first ``width`` letters of each value (ASCII text: census names and their parts),
    case ignored, as ``_codes``, one row a value (0 past its end)."""
    offsets, text = string_bytes(values)
    text = np.append(text, np.uint8(0))  # read in place of every position past a value's end
    at = offsets[:-1, None] + np.arange(width, dtype=np.int32)
    return _codes(text[np.where(at < offsets[1:, None], at, len(text) - 1)])


def _letters_in_a_row(values: pa.Array) -> np.ndarray:
    """The letters of all values (ASCII text) as ``_codes`` in one row, each value's followed
    by a 0: runs of letters never span two values (for the 150,000 census names, 17 ms against
    50 ms for ``_letters``, which pads each to the longest)."""
    offsets, text = string_bytes(values)
    return _codes(np.insert(text, offsets[1:], np.uint8(0)))[None, :]


def _codes(text: np.ndarray) -> np.ndarray:
    """ASCII bytes as letters, case ignored: 1 to 26 (0: anything else)."""
    lower = text | ord(" ")
    is_letter = (lower >= ord("a")) & (lower <= ord("z"))
    return np.where(is_letter, lower.astype(np.int32) - (ord("a") - 1), 0)


def _runs(letters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each run of four letters of each row (one column per start) as a number below 27**4,
    and whether it is four letters."""
    width = letters.shape[1] - 3
    windows = [letters[:, start : start + width] for start in range(4)]
    run = ((windows[0] * 27 + windows[1]) * 27 + windows[2]) * 27 + windows[3]
    whole = (windows[0] > 0) & (windows[1] > 0) & (windows[2] > 0) & (windows[3] > 0)
    return run, whole


@functools.cache
def _rare_parts() -> tuple[pa.Array, pa.Array]:
    """Heads (up to the first vowels) and tails (the rest, from a consonant) of the rarer
    census names, each distinct, to join into rare names."""
    census = reference.family_names_census()
    count = census.probabilities * reference.CENSUS_2000_SURNAME_PEOPLE * (1 - rare_share())
    rarer = census.values.filter(pa.array(count < RARE_SOURCE_COUNT))
    parts = pc.extract_regex(
        rarer, r"^(?P<head>[A-Z][^aeiouy]*[aeiouy]+)(?P<tail>[^aeiouy][a-z]{2,})$"
    )
    parts = parts.filter(parts.is_valid())
    heads, tails = (pc.unique(parts.field(name)).sort() for name in ("head", "tail"))
    return heads, tails
