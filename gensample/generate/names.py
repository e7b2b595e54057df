"""Names of true people, from census-scale tables, written the way people write them.

- Given and middle names: the Social Security Administration's baby names of the person's
  gender given in their birth cohort (``reference.given_names_by_year``).
- Family names: the 2000 census surnames by their count. The ``1 - family_name_coverage()``
  (10.25 %) of people whose surname has fewer than 100 bearers, which the table leaves out, get a
  rare name made of two rarer census names' parts (``rare_names``).
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
from gensample.generate import rare_names
from gensample.native.strings import join_element_wise
from gensample.native.take import one_array, take

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
SIBLING_DRAWS = 3
"""Times a member's first name is drawn again while it is still another member's."""


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
        first_email=take(pool.email, first_index),
        middle_email=middle_email,
        last_email=last_email,
    )


def renamed_siblings(
    rng: np.random.Generator,
    drawn: Names,
    is_female: np.ndarray,
    cohort: np.ndarray,
    head: np.ndarray,
    juniors: np.ndarray,
) -> Names:
    """``drawn`` with a first name drawn again for each household member who bears the first
    and family name of an earlier member (parents seldom give one name to two children; a son
    bearing his father's is a junior, labelled, so ``juniors`` keep theirs)."""
    pool = _given_names()
    first, first_email = drawn.first, drawn.first_email
    for _ in range(SIBLING_DRAWS):
        rows = _bearing_anothers_name(first_email, drawn.last_email, head, juniors)
        if not len(rows):
            break
        index = _given_index(rng, is_female[rows], cohort[rows])
        first = put(first, rows, [written(rng, pool, index)])
        first_email = put(first_email, rows, [take(pool.email, index)])
    return drawn._replace(first=first, first_email=first_email)


def _bearing_anothers_name(
    first: pa.Array, last: pa.Array, head: np.ndarray, juniors: np.ndarray
) -> np.ndarray:
    """Positions of household members, but ``juniors``, whose first and family names an
    earlier member of their household bears (a household: its head's position and the ones
    right after it)."""
    sizes = np.bincount(head, minlength=len(head))
    rows = np.flatnonzero(sizes[head] > 1)  # people living with others, household by household
    household = head[rows]
    first_code, last_code = (
        pc.dictionary_encode(take(names, rows)).indices.to_numpy() for names in (first, last)
    )
    again = np.zeros(len(rows), bool)
    for step in range(1, int(sizes.max(initial=1))):  # the member ``step`` places before
        again[step:] |= (
            (household[step:] == household[:-step])
            & (first_code[step:] == first_code[:-step])
            & (last_code[step:] == last_code[:-step])
        )
    bearing = np.zeros(len(head), bool)
    bearing[rows[again]] = True
    bearing[juniors] = False
    return np.flatnonzero(bearing)


def prepare() -> None:
    """Read and make the name tables ``draw`` uses (given, middle, family and rare names), once
    per process."""
    _middle_forms()  # the given names' too
    _family_names()
    rare_names.prepare()


def email_spelling(names: pa.Array) -> pa.Array:
    """Names as people write them in e-mail addresses: ASCII letters in lower case ("María" ->
    "maria", "O'Brien" -> "obrien"). Most names are ASCII letters already, and only lowered (a
    third of the time of rewriting all)."""
    lower = pc.utf8_lower(one_array(names))
    plain = pc.ascii_is_alpha(lower).fill_null(True).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(~plain)
    decomposed = pc.utf8_normalize(take(lower, rows), "NFKD")  # accents become marks
    return put(lower, rows, [pc.replace_substring_regex(decomposed, "[^a-z]", "")])


def of_people(people: pa.Table) -> Names:
    """The names ``people`` (population.SCHEMA rows) carry, spelled for e-mail as written."""
    first, middle, last = (
        one_array(people[name]) for name in ("first_name", "middle_name", "last_name")
    )
    return Names(
        first=first,
        middle=middle,
        last=last,
        suffix=one_array(people["suffix"]),
        first_email=email_spelling(first),
        middle_email=pc.utf8_slice_codeunits(email_spelling(middle), 0, 1).fill_null(""),
        last_email=email_spelling(last),
    )


def written(rng: np.random.Generator, pool: Spellings, index: np.ndarray) -> pa.Array:
    """The names at ``index`` as their bearers write them: the customary way by its share."""
    return take(pool.both, _spelling(rng, pool, index))


def _spelling(rng: np.random.Generator, pool: Spellings, index: np.ndarray) -> np.ndarray:
    """Where in ``pool.both`` the names at ``index`` are as their bearers write them."""
    customary = rng.random(len(index)) < pool.share[index]
    return index + customary * len(pool.plain)


def of_heads(values: pa.Array, head: np.ndarray, shared: np.ndarray) -> pa.Array:
    """``values`` with their household ``head``'s value (a row's position) in ``shared`` rows."""
    return take(values, np.where(shared, head, np.arange(len(head))))


def in_row_order(pieces: list[pa.Array], rows: list[np.ndarray]) -> pa.Array:
    """The values of ``pieces`` in the order of their rows: piece ``i`` holds rows ``rows[i]``,
    and the pieces together hold every row once."""
    order = np.empty(sum(len(at) for at in rows), np.int64)
    order[np.concatenate(rows)] = np.arange(len(order))
    return take(pa.concat_arrays(pieces), order)


def family_names(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """``n`` family names by census frequency with the rare tail and compound names, written
    and spelled for e-mail."""
    pool, census = _family_names(), reference.family_names_census()
    index = census.sample(rng, n)
    last, last_email = written(rng, pool, index), take(pool.email, index)
    rare = np.flatnonzero(rng.random(n) < rare_names.rare_share())
    made = rare_names.draw(rng, len(rare))
    last, last_email = put(last, rare, [made]), put(last_email, rare, [pc.utf8_lower(made)])
    kind = rng.random(n)
    compound = np.flatnonzero(kind < HYPHENATED + DOUBLE)
    second = census.sample(rng, len(compound))
    joiner = pc.if_else(pa.array(kind[compound] < HYPHENATED), "-", " ")
    joined = join_element_wise(take(last, compound), written(rng, pool, second), joiner)
    joined_email = join_element_wise(take(last_email, compound), take(pool.email, second), "")
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
    return take(full_then_initials, pa.array(middle, mask=none)), take(email_initials, email)


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
    return take(SUFFIXES, pa.array(np.minimum(suffix, len(SUFFIXES) - 1), mask=none))


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
        pa.concat_arrays([plain, pc.coalesce(take(written, found), plain)]),
        take(table["share"].chunk(0), found).fill_null(0.0).to_numpy(zero_copy_only=False),
        email_spelling(plain),
    )
