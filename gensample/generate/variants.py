"""A person's other true values: a work e-mail, a landline, a previous address, a maiden name,
a preferred first name. They are true (not errors): any record of any source system may carry
them (with the system's shares, ``fuzzing.run_variation_shares``), and the truth names which
(``variations``, e.g. ``email:work``).

Drawn per block of people from the block's own stream, so each is a pure function of the seed
and the person's block.
"""

import functools
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions.arrays import put
from gensample.corruptions.names import use_nickname
from gensample.generate import characters
from gensample.generate.seeding import stream

ADDRESS = ("address_line1", "address_line2", "city", "state", "postal_code")
COLUMNS = {
    "email:work": ("email",),
    "phone:landline": ("phone",),
    "address:previous": ADDRESS,
    "last_name:maiden": ("last_name",),
    "first_name:preferred": ("first_name",),
}
"""Each variation and the person columns it replaces."""
LABEL_SETS = pa.array(
    [
        ";".join(v for i, v in enumerate(COLUMNS) if code >> i & 1)
        for code in range(2 ** len(COLUMNS))
    ]
)
"""The labels of each set of variations, by the set as bits (bit i: the i-th of ``COLUMNS``)."""
EMPLOYER_ENDINGS = ("corp", "group", "inc", "co", "works", "partners")


def other_values(seed: int, people: pa.Table) -> pa.Table:
    """Per person, the value of every variation's columns (null where the person has none),
    named ``<variation>/<column>``."""
    rng = stream(seed, "variants", int(people["entity_id"][0].as_py()) if people.num_rows else 0)
    n = people.num_rows
    previous = (np.arange(n) + 1 + rng.integers(0, max(n - 1, 1), n)) % max(n, 1)
    values = {
        "email:work/email": _work_email(people, rng),
        "phone:landline/phone": _landline(people["phone"].combine_chunks(), rng),
        **{f"address:previous/{c}": people[c].take(pa.array(previous)) for c in ADDRESS},
        "last_name:maiden/last_name": _maiden_name(people, rng),
        "first_name:preferred/first_name": _preferred_name(people, rng),
    }
    return pa.table(values)


def carry(
    copies: pa.Table,
    others: pa.Table,
    person: np.ndarray,
    shares: Mapping[str, float],
    rng: np.random.Generator,
) -> tuple[pa.Table, pa.Array]:
    """Give each copy some of its person's other values (``others``' row ``person``; each
    variation with its share in ``shares``, none if absent) where the copy holds a value;
    returns the copies and, per row, the variations that changed a value."""
    changed = np.zeros(copies.num_rows, np.int64)  # bit i: the i-th variation changed a value
    for bit, (variation, columns) in enumerate(COLUMNS.items()):
        present = [c for c in columns if c in copies.column_names]
        chosen = rng.random(copies.num_rows) < shares.get(variation, 0.0)
        if not present:
            continue
        held = _valid(others[f"{variation}/{present[0]}"])[person] & _valid(copies[present[0]])
        rows = np.flatnonzero(chosen & held)
        for column in present:
            old = copies[column].combine_chunks()
            new = others[f"{variation}/{column}"].take(pa.array(person[rows])).combine_chunks()
            changed[rows[differs(new, old.take(pa.array(rows)))]] |= 1 << bit
            copies = copies.set_column(
                copies.column_names.index(column), column, put(old, rows, [new])
            )
    return copies, LABEL_SETS.take(pa.array(changed))


def _valid(values: pa.ChunkedArray) -> np.ndarray:
    return values.combine_chunks().is_valid().to_numpy(zero_copy_only=False)


def differs(left: pa.Array, right: pa.Array) -> np.ndarray:
    """Which rows differ between two columns, a value against a null included."""
    unequal = pc.fill_null(pc.not_equal(left, right), pc.xor(pc.is_valid(left), pc.is_valid(right)))
    return unequal.to_numpy(zero_copy_only=False)


def _pick(pool: pa.Array, n: int, rng: np.random.Generator) -> pa.Array:
    return pool.take(pa.array(rng.integers(0, len(pool), n)))


def _work_email(people: pa.Table, rng: np.random.Generator) -> pa.Array:
    """'ann.lee@oakgroup.com': the name at an employer's domain."""
    n = people.num_rows
    employer = _pick(_employers(), n, rng)
    ending = _pick(pa.array(EMPLOYER_ENDINGS), n, rng)
    first = pc.utf8_slice_codeunits(pc.utf8_lower(people["first_name"]), 0, 1)
    last = characters.kept(pc.utf8_lower(people["last_name"]), "a", "z")
    return pc.binary_join_element_wise(first, last, "@", employer, ending, ".com", "")


def _landline(phones: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Another number in the mobile's area code: '(503) 555-0142' -> '(503) 284-7719'."""
    n = len(phones)
    exchange = _numbers(3).take(pa.array(rng.integers(200, 1000, n)))
    line = _numbers(4).take(pa.array(rng.integers(0, 10_000, n)))
    area = pc.utf8_slice_codeunits(phones, 0, 5)
    landline = pc.binary_join_element_wise(area, " ", exchange, "-", line, "")
    return pc.if_else(pc.match_substring_regex(phones, r"^\(\d{3}\)"), landline, None)


@functools.cache
def _employers() -> pa.Array:
    """Employers of work e-mail domains: the street names, lower case, letters only."""
    streets = pc.utf8_lower(reference.street_names().values.cast(pa.string()))
    return pc.replace_substring_regex(streets, "[^a-z]", "")


@functools.cache
def _numbers(width: int) -> pa.Array:
    """Every number of ``width`` digits as text, with its leading zeros ('000' to '999')."""
    return pa.array([f"{number:0{width}d}" for number in range(10**width)])


def _maiden_name(people: pa.Table, rng: np.random.Generator) -> pa.Array:
    """A family name before marriage, for women (null for men)."""
    names = reference.family_names()
    drawn = names.values.cast(pa.string()).take(pa.array(names.draw(rng, people.num_rows)))
    return pc.if_else(pc.equal(people["gender"], "F"), drawn, None)


def _preferred_name(people: pa.Table, rng: np.random.Generator) -> pa.Array:
    """The name a person goes by: the middle name when it is a full one, else a nickname."""
    middle = (
        people["middle_name"].combine_chunks() if "middle_name" in people.column_names else None
    )
    first = people["first_name"].combine_chunks()
    nickname = use_nickname(first, rng)
    nickname = pc.if_else(pc.equal(nickname, first), None, nickname)
    if middle is None:
        return nickname
    full = pc.greater(pc.utf8_length(pc.replace_substring(middle, ".", "")), 1).fill_null(False)
    return pc.if_else(full, middle, nickname)
