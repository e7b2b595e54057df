"""Names of true people, from census-scale tables, written the way people write them.

- Given and middle names: the Social Security Administration's baby names of the person's
  gender given in their birth cohort (``reference.given_names_by_year``).
- Family names: the 2000 census surnames by their count. The ``1 - family_name_coverage()``
  (10.25 %) of people whose surname has fewer than 100 bearers, which the table leaves out, get a
  rare name joined from the head of one rarer census name and the tail of another ("Ko" +
  "rnfeld"), where they meet only in runs of four letters census names have (no "Rhucsi"): tens
  of millions of combinations, so they are shared as seldom as real rare names.
- Spellings (``name_spellings.csv``): O'Brien, D'Angelo for the census' OBRIEN, DANGELO (90 %
  of bearers); José, García, Zoë for 35 % of the bearers of a name with a customary accent.
- Compound family names: ``HYPHENATED`` (Smith-Jones) and ``DOUBLE`` (García López).
- Middle names: ``MIDDLE_FORMS``; suffixes of men: ``SUFFIXES``.

Shares other than the census' are estimates; docs/datasets.md lists them with their reasons.
"""

import functools
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions.arrays import put

RARE_SHARE = 1 - reference.family_name_coverage()
HYPHENATED, DOUBLE = 0.015, 0.006
"""Shares of people with a hyphenated family name, and with two family names (no hyphen)."""
MIDDLE_FORMS = np.cumsum([0.45, 0.30])
"""Shares of people who give their middle name in full, and as an initial (the rest: none)."""
SUFFIXES = pa.array(["Jr", "Sr", "II", "III"])
SUFFIX_SHARES = np.cumsum([0.025, 0.008, 0.004, 0.003])
"""Shares of men with each suffix; a Sr is 40 or older (a younger one is a Jr)."""
SENIOR_AGE = 40
ADULT_DAYS = 6575
"""Days from a birth to the 18th birthday or, at most, one day after it (18 years hold at most
five 29 Februaries)."""
RARE_SOURCE_COUNT = 1_000
"""Census names held by fewer people than this lend their heads and tails to rare names."""


class Spellings(NamedTuple):
    """A pool of names: as the table holds them, as customarily written, and in e-mails."""

    plain: pa.Array
    both: pa.Array
    """The plain names, then each as customarily written."""
    share: np.ndarray
    """Share of the bearers of each name who write it the customary way (0: no other way)."""
    email: pa.Array


class Names(NamedTuple):
    """The names of a block's people, and how they spell them in e-mail addresses."""

    first: pa.Array
    middle: pa.Array
    last: pa.Array
    suffix: pa.Array
    first_email: pa.Array
    middle_email: pa.Array
    """Lower-case initial of the middle name, '' when none is given."""
    last_email: pa.Array


def draw(
    rng: np.random.Generator,
    is_female: np.ndarray,
    cohort: np.ndarray,
    age: np.ndarray,
    head: np.ndarray,
    shared_family: np.ndarray,
) -> Names:
    """Names of people of a gender and birth ``cohort`` (year); ``shared_family`` people take
    the family name of their household ``head``."""
    pool = _given_names()
    first_index = _given_index(rng, is_female, cohort)
    middle_index = _given_index(rng, is_female, cohort)
    last, last_email = family_names(rng, len(cohort))
    last, last_email = (of_heads(v, head, shared_family) for v in (last, last_email))
    middle, middle_email = _middle_names(rng, middle_index)
    return Names(
        first=written(rng, pool, first_index),
        middle=middle,
        last=last,
        suffix=_suffixes(rng, is_female, age),
        first_email=pool.email.take(first_index),
        middle_email=middle_email,
        last_email=last_email,
    )


def email_spelling(names: pa.Array) -> pa.Array:
    """Names as people write them in e-mail addresses: ASCII letters in lower case ("María" ->
    "maria", "O'Brien" -> "obrien")."""
    decomposed = pc.utf8_normalize(pc.utf8_lower(names), "NFKD")  # accents become marks
    return pc.replace_substring_regex(decomposed, "[^a-z]", "")


def of_people(people: pa.Table) -> Names:
    """The names ``people`` (population.SCHEMA rows) carry, spelled for e-mail as written."""
    first, middle, last = (
        people[name].combine_chunks() for name in ("first_name", "middle_name", "last_name")
    )
    return Names(
        first=first,
        middle=middle,
        last=last,
        suffix=people["suffix"].combine_chunks(),
        first_email=email_spelling(first),
        middle_email=pc.utf8_slice_codeunits(email_spelling(middle), 0, 1).fill_null(""),
        last_email=email_spelling(last),
    )


def written(rng: np.random.Generator, pool: Spellings, index: np.ndarray) -> pa.Array:
    """The names at ``index`` as their bearers write them: the customary way by its share."""
    return pool.both.take(pa.array(_spelling(rng, pool, index)))


def _spelling(rng: np.random.Generator, pool: Spellings, index: np.ndarray) -> np.ndarray:
    """Where in ``pool.both`` the names at ``index`` are as their bearers write them."""
    customary = rng.random(len(index)) < pool.share[index]
    return index + customary * len(pool.plain)


def of_heads(values: pa.Array, head: np.ndarray, shared: np.ndarray) -> pa.Array:
    """``values`` with their household ``head``'s value (a row's position) in ``shared`` rows."""
    return values.take(pa.array(np.where(shared, head, np.arange(len(head)))))


def in_row_order(pieces: list[pa.Array], rows: list[np.ndarray]) -> pa.Array:
    """The values of ``pieces`` in the order of their rows: piece ``i`` holds rows ``rows[i]``,
    and the pieces together hold every row once."""
    order = np.empty(sum(len(at) for at in rows), np.int64)
    order[np.concatenate(rows)] = np.arange(len(order))
    return pa.concat_arrays(pieces).take(pa.array(order))


def family_names(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """``n`` family names by census frequency with the rare tail and compound names, written
    and spelled for e-mail."""
    pool, census = _family_names(), reference.family_names_census()
    index = census.sample(rng, n)
    last, last_email = written(rng, pool, index), pool.email.take(index)
    rare = np.flatnonzero(rng.random(n) < RARE_SHARE)
    made = _rare_names(rng, len(rare))
    last, last_email = put(last, rare, [made]), put(last_email, rare, [pc.utf8_lower(made)])
    kind = rng.random(n)
    compound = np.flatnonzero(kind < HYPHENATED + DOUBLE)
    second = census.sample(rng, len(compound))
    joiner = pc.if_else(pa.array(kind[compound] < HYPHENATED), "-", " ")
    joined = pc.binary_join_element_wise(last.take(compound), written(rng, pool, second), joiner)
    joined_email = pc.binary_join_element_wise(
        last_email.take(compound), pool.email.take(second), ""
    )
    return put(last, compound, [joined]), put(last_email, compound, [joined_email])


def _given_index(rng: np.random.Generator, is_female: np.ndarray, cohort: np.ndarray) -> np.ndarray:
    """Indices into ``_given_names()`` of names of each person's gender and cohort."""
    index = np.empty(len(cohort), np.int64)
    offset = 0
    for gender, rows in (("F", is_female), ("M", ~is_female)):
        pool = reference.given_names_by_year(gender)
        index[rows] = offset + pool.draw(rng, cohort[rows])
        offset += len(pool.values)
    return index


def _middle_names(rng: np.random.Generator, index: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Middle names as given (in full, as an initial, or none) and their e-mail initial."""
    spelling = _spelling(rng, _given_names(), index)
    form = np.searchsorted(MIDDLE_FORMS, rng.random(len(index)), side="right")
    full_then_initials, email_initials = _middle_forms()
    middle = spelling + (form == 1) * (len(full_then_initials) // 2)
    none = form == 2
    email = np.where(none, len(email_initials) - 1, index)  # the last initial: ''
    return full_then_initials.take(pa.array(middle, mask=none)), email_initials.take(email)


@functools.cache
def _middle_forms() -> tuple[pa.Array, pa.Array]:
    """The given names written in full then as their initials (as ``Spellings.both``), and
    their e-mail initials followed by ''."""
    pool = _given_names()
    full_then_initials = pa.concat_arrays([pool.both, pc.utf8_slice_codeunits(pool.both, 0, 1)])
    email_initials = pc.utf8_slice_codeunits(pool.email, 0, 1)
    return full_then_initials, pa.concat_arrays([email_initials, pa.array([""])])


def _suffixes(rng: np.random.Generator, is_female: np.ndarray, age: np.ndarray) -> pa.Array:
    """Jr, Sr, II or III for some men, else null; a Sr is at least ``SENIOR_AGE``."""
    suffix = np.searchsorted(SUFFIX_SHARES, rng.random(len(age)), side="right")
    suffix = np.where((suffix == 1) & (age < SENIOR_AGE), 0, suffix)
    none = is_female | (suffix == len(SUFFIXES))
    return SUFFIXES.take(pa.array(np.minimum(suffix, len(SUFFIXES) - 1), mask=none))


@functools.cache
def _given_names() -> Spellings:
    """Female then male given names of ``given_names_by_year``, with their spellings."""
    values = [reference.given_names_by_year(gender).values for gender in ("F", "M")]
    return _spellings(pa.concat_arrays(values), "given")


@functools.cache
def _family_names() -> Spellings:
    """The census family names with their spellings."""
    return _spellings(reference.family_names_census().values, "family")


def _spellings(plain: pa.Array, part: str) -> Spellings:
    table = reference.name_spellings(part).combine_chunks()
    found = pc.index_in(plain, value_set=table["name"])
    written = table["written"].chunk(0)
    return Spellings(
        plain,
        pa.concat_arrays([plain, pc.coalesce(written.take(found), plain)]),
        table["share"].chunk(0).take(found).fill_null(0.0).to_numpy(zero_copy_only=False),
        email_spelling(plain),
    )


def _rare_names(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` rare family names, each the head of one rarer census name and the tail of another,
    drawn again until every four letters where they meet are ones census names have."""
    heads, tails = _rare_parts()
    head, tail = rng.integers(0, len(heads), n), rng.integers(0, len(tails), n)
    redraw = np.arange(n)
    while len(redraw):
        redraw = redraw[~_attested(_meeting(head[redraw], tail[redraw]))]
        head[redraw] = rng.integers(0, len(heads), len(redraw))
        tail[redraw] = rng.integers(0, len(tails), len(redraw))
    return pc.binary_join_element_wise(heads.take(pa.array(head)), tails.take(pa.array(tail)), "")


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
    ok = np.ones(len(letters), bool)
    for start in range(letters.shape[1] - 3):
        run, whole = _runs(letters, start)
        ok &= ~whole | _census_runs()[run]
    return ok


ATTESTED_COUNT = 3
"""A run of four letters is one census names have when at least this many of them hold it."""


@functools.cache
def _census_runs() -> np.ndarray:
    """For every run of four letters (``_runs``' codes), whether ``ATTESTED_COUNT`` or more
    census names hold it."""
    lower = reference.family_names_census().values
    width = pc.max(pc.utf8_length(lower)).as_py()
    letters = _letters(lower, width)
    held = [run[whole] for run, whole in (_runs(letters, s) for s in range(width - 3))]
    return np.bincount(np.concatenate(held), minlength=27**4) >= ATTESTED_COUNT


def _letters(values: pa.Array, width: int) -> np.ndarray:
    """The first ``width`` letters of each value, case ignored, as 1 to 26 (0: anything else,
    or past the end), one row a value."""
    ascii_only = pc.replace_substring_regex(pc.utf8_lower(values), "[^a-z]", " ")
    padded = pc.utf8_rpad(pc.utf8_slice_codeunits(ascii_only, 0, width), width)
    raw = np.frombuffer(padded.buffers()[2], np.uint8, len(values) * width)
    codes = np.where((raw >= ord("a")) & (raw <= ord("z")), raw - (ord("a") - 1), 0)
    return codes.reshape(len(values), width).astype(np.int64)


def _runs(letters: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """The run of four letters from ``start`` of each row as a number below 27**4, and whether
    it is four letters."""
    window = letters[:, start : start + 4]
    return window @ (27 ** np.arange(3, -1, -1)), (window > 0).all(axis=1)


@functools.cache
def _rare_parts() -> tuple[pa.Array, pa.Array]:
    """Heads (up to the first vowels) and tails (the rest, from a consonant) of the rarer
    census names, each distinct, to join into rare names."""
    census = reference.family_names_census()
    count = census.probabilities * reference.CENSUS_2000_SURNAME_PEOPLE * (1 - RARE_SHARE)
    rarer = census.values.filter(pa.array(count < RARE_SOURCE_COUNT))
    parts = pc.extract_regex(
        rarer, r"^(?P<head>[A-Z][^aeiouy]*[aeiouy]+)(?P<tail>[^aeiouy][a-z]{2,})$"
    )
    parts = parts.filter(parts.is_valid())
    heads, tails = (pc.unique(parts.field(name)).sort() for name in ("head", "tail"))
    return heads, tails
