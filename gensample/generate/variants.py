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
from gensample.corruptions.arrays import differs, false_where_null, put
from gensample.corruptions.names import nickname_at
from gensample.generate import characters
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import filtered, one_array, take

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
_READS = {
    "email:work": ["first_name", "last_name"],
    "phone:landline": ["phone"],
    "last_name:maiden": ["gender"],
    "first_name:preferred": ["first_name", "middle_name"],
}
"""The person columns each variation (but the previous address) is made from."""


class OtherValues:
    """The other true values of a block's people: drawn for every person when made (a pure
    function of the seed and the people), written out only for the people asked for (few
    records carry them)."""

    def __init__(self, seed: int, people: pa.Table) -> None:
        first = int(people["entity_id"][0].as_py()) if people.num_rows else 0
        rng = stream(seed, "variants", first)
        n = people.num_rows
        self.people = people
        self._previous = (np.arange(n) + 1 + rng.integers(0, max(n - 1, 1), n)) % max(n, 1)
        self._employer = rng.integers(0, len(_employers()), n)
        self._ending = rng.integers(0, len(EMPLOYER_ENDINGS), n)
        self._exchange = rng.integers(200, 1000, n)
        self._line = rng.integers(0, 10_000, n)
        self._maiden = reference.family_names().draw(rng, n)
        self._nickname = rng.random(n)

    def values(self, variation: str, column: str, persons: np.ndarray) -> pa.Array:
        """The value of ``variation``'s ``column`` (one of ``COLUMNS[variation]``) of each of
        ``persons`` (rows of the people), null where the person has none."""
        made = self._made(variation, column, persons)
        return one_array(made)

    def _made(self, variation: str, column: str, persons: np.ndarray) -> pa.Array | pa.ChunkedArray:
        if variation == "address:previous":
            return take(self.people[column], self._previous[persons])
        reads = [c for c in _READS[variation] if c in self.people.column_names]
        people = take(self.people.select(reads), persons)
        if variation == "email:work":
            return _work_email(people, self._employer[persons], self._ending[persons])
        if variation == "phone:landline":
            return _landline(people["phone"], self._exchange[persons], self._line[persons])
        if variation == "last_name:maiden":
            return _maiden_name(people, self._maiden[persons])
        return _preferred_name(people, self._nickname[persons])


def carry(
    copies: pa.Table,
    others: OtherValues,
    person: np.ndarray,
    shares: Mapping[str, float],
    rng: np.random.Generator,
) -> tuple[pa.Table, pa.Array]:
    """Give each copy some of its person's other values (of ``others``' person ``person``;
    each variation with its share in ``shares``, none if absent) where the copy holds a value;
    returns the copies and, per row, the variations that changed a value."""
    changed = np.zeros(copies.num_rows, np.int64)  # bit i: the i-th variation changed a value
    for bit, (variation, columns) in enumerate(COLUMNS.items()):
        present = [c for c in columns if c in copies.column_names]
        chosen = rng.random(copies.num_rows) < shares.get(variation, 0.0)
        if not present:
            continue
        candidates = np.flatnonzero(chosen)
        new = {c: others.values(variation, c, person[candidates]) for c in present}
        held = _valid(new[present[0]]) & _valid(copies[present[0]])[candidates]
        rows = candidates[held]
        for column in present:
            old = one_array(copies[column])
            values = filtered(new[column], held)
            changed[rows[differs(values, take(old, rows))]] |= 1 << bit
            copies = copies.set_column(
                copies.column_names.index(column), column, put(old, rows, [values])
            )
    return copies, take(LABEL_SETS, changed)


def _valid(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return values.is_valid().to_numpy(zero_copy_only=False)


def _work_email(people: pa.Table, employer: np.ndarray, ending: np.ndarray) -> pa.Array:
    """'ann.lee@oakgroup.com': the name at an employer's domain."""
    first = pc.utf8_slice_codeunits(pc.utf8_lower(people["first_name"]), 0, 1)
    last = characters.kept(pc.utf8_lower(people["last_name"]), "a", "z")
    employers = take(_employers(), employer)
    endings = take(pa.array(EMPLOYER_ENDINGS), ending)
    return join_element_wise(first, last, "@", employers, endings, ".com", "")


def _landline(phones: pa.ChunkedArray, exchange: np.ndarray, line: np.ndarray) -> pa.Array:
    """Another number in the mobile's area code: '(503) 555-0142' -> '(503) 284-7719'."""
    exchange_digits = take(_numbers(3), exchange)
    line_digits = take(_numbers(4), line)
    area = pc.utf8_slice_codeunits(phones, 0, 5)
    landline = join_element_wise(area, " ", exchange_digits, "-", line_digits, "")
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


def _maiden_name(people: pa.Table, drawn: np.ndarray) -> pa.Array:
    """A family name before marriage (``drawn``: its index among the family names), for women
    (null for men)."""
    names = take(reference.family_names().values.cast(pa.string()), drawn)
    return pc.if_else(pc.equal(people["gender"], "F"), names, None)


def _preferred_name(people: pa.Table, nickname: np.ndarray) -> pa.Array:
    """The name a person goes by: the middle name when it is a full one, else the nickname at
    ``nickname`` (0 to 1) of the first name's list."""
    middle = one_array(people["middle_name"]) if "middle_name" in people.column_names else None
    first = one_array(people["first_name"])
    chosen = nickname_at(first, nickname)
    chosen = pc.if_else(pc.equal(chosen, first), None, chosen)
    if middle is None:
        return chosen
    full = false_where_null(pc.greater(pc.utf8_length(pc.replace_substring(middle, ".", "")), 1))
    return pc.if_else(full, middle, chosen)
