"""True people: every attribute a pure function of ``(seed, entity_id)``, generated per block.

People are generated a whole aligned block at a time (``BLOCK_SIZE`` ids from a multiple of it),
so a person never depends on which day or which worker asked for them. Households group
neighbouring ids: members share the address, often the family name and sometimes the phone;
they are distinct entities, the hard negatives of a matcher.
"""

import datetime as dt
import functools
import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.generate.seeding import BLOCK_SIZE, stream

SCHEMA = pa.schema(
    [
        ("entity_id", pa.int64()),
        ("household_id", pa.int64()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("gender", pa.string()),
        ("birth_date", pa.date32()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("address_line1", pa.string()),
        ("address_line2", pa.string()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("postal_code", pa.string()),
        ("county", pa.string()),
    ]
)

REFERENCE_DATE = dt.date(2025, 1, 1)
"""Ages are drawn as of this date (seed contract: people must not depend on the run date)."""

HOUSEHOLD_SIZES = np.array([2, 3, 4, 5])
HOUSEHOLD_SIZE_P = np.array([0.55, 0.2, 0.17, 0.08])
SHARED_FAMILY_NAME_P = 0.8
SHARED_PHONE_P = 0.4
APARTMENT_P = 0.15
EMAIL_PATTERNS = (  # (pattern, share) of the local parts people choose
    ("{f}.{l}", 0.25),
    ("{f}{l}", 0.15),
    ("{f}{l}{n}", 0.15),
    ("{i}{l}", 0.15),
    ("{f}_{l}", 0.05),
    ("{f}{n}", 0.10),
    ("{l}{i}", 0.05),
    ("{f}.{l}{y}", 0.10),
)


def people(seed: int, start: int, stop: int, household_share: float) -> pa.Table:
    """The true people with entity ids ``start <= id < stop``."""
    first_block, last_block = start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE
    tables = [block_people(seed, b, household_share) for b in range(first_block, last_block + 1)]
    offset = start - first_block * BLOCK_SIZE
    return pa.concat_tables(tables).slice(offset, stop - start) if tables else SCHEMA.empty_table()


def block_people(seed: int, block: int, household_share: float) -> pa.Table:
    """All ``BLOCK_SIZE`` people of aligned block ``block``."""
    rng = stream(seed, "population", block)
    n = BLOCK_SIZE
    entity_id = np.arange(block * n, (block + 1) * n, dtype=np.int64)
    head = household_heads(rng, n, household_share)
    is_female = rng.random(n) < 0.51
    first, first_lower = given_names(rng, is_female)
    family_index = reference.family_names().draw(rng, n)
    family_index = np.where(rng.random(n) < SHARED_FAMILY_NAME_P, family_index[head], family_index)
    birth_date = birth_dates(rng, n)
    columns = {
        "entity_id": entity_id,
        "household_id": entity_id[head],
        "first_name": first,
        "last_name": reference.family_names().values.take(family_index),
        "gender": pc.if_else(pa.array(is_female), "F", "M"),
        "birth_date": birth_date,
        "email": emails(rng, first_lower, _family_lower().take(family_index), birth_date),
        **addresses(rng, head),
    }
    columns["phone"] = phones(rng, columns.pop("area_code"), head)
    return pa.table(columns).select(SCHEMA.names).cast(SCHEMA)


def household_heads(rng: np.random.Generator, n: int, household_share: float) -> np.ndarray:
    """Position of each person's household head; about ``household_share`` live with others."""
    mean_size = HOUSEHOLD_SIZES @ HOUSEHOLD_SIZE_P
    multi_p = household_share / (mean_size * (1 - household_share) + household_share)
    sizes = np.where(rng.random(n) < multi_p, rng.choice(HOUSEHOLD_SIZES, n, p=HOUSEHOLD_SIZE_P), 1)
    starts = np.cumsum(sizes) - sizes
    return np.repeat(starts, sizes)[:n]


def given_names(rng: np.random.Generator, is_female: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Given names consistent with the gender, drawn by frequency, and their e-mail spelling."""
    female, male = reference.given_names("F"), reference.given_names("M")
    n = len(is_female)
    female_index, male_index = female.draw(rng, n), male.draw(rng, n)
    index = pa.array(np.where(is_female, female_index, len(female.values) + male_index))
    names, lower = _given_names_both()
    return names.take(index), lower.take(index)


@functools.cache
def _given_names_both() -> tuple[pa.Array, pa.Array]:
    """Female then male given names, as written and as spelled in e-mail addresses."""
    names = pa.concat_arrays([reference.given_names(g).values for g in ("F", "M")])
    return names, email_spelling(names)


@functools.cache
def _family_lower() -> pa.Array:
    return email_spelling(reference.family_names().values)


def email_spelling(names: pa.Array) -> pa.Array:
    """Names as people write them in e-mail addresses: ASCII letters in lower case ("María" ->
    "maria")."""
    decomposed = pc.utf8_normalize(pc.utf8_lower(names), "NFKD")  # accents become marks
    return pc.replace_substring_regex(decomposed, "[^a-z]", "")


def birth_dates(rng: np.random.Generator, n: int) -> pa.Array:
    """Birth dates of adults aged 18 to 95 on ``REFERENCE_DATE``, fewer of the very old."""
    age_days = (18 + 77 * rng.beta(1.4, 2.0, n)) * 365.25
    reference_day = (REFERENCE_DATE - dt.date(1970, 1, 1)).days
    return pa.array((reference_day - age_days).astype(np.int32), pa.date32())


def emails(
    rng: np.random.Generator, first: pa.Array, last: pa.Array, birth_date: pa.Array
) -> pa.Array:
    """Addresses built from the name in the patterns people really use, at weighted domains."""
    n = len(first)
    shares = np.array([share for _, share in EMAIL_PATTERNS])
    pattern = rng.choice(len(EMAIL_PATTERNS), n, p=shares / shares.sum())
    number = rng.integers(1, 100, n)
    domains = reference.email_domains()
    domain = domains.values.take(domains.draw(rng, n))
    locals_, rows = [], []
    for index, (text, _) in enumerate(EMAIL_PATTERNS):  # each pattern only on its own rows
        selected = pa.array(np.flatnonzero(pattern == index))
        parts = _EmailParts(
            first.take(selected),
            last.take(selected),
            number.take(selected),
            birth_date.take(selected),
        )
        locals_.append(_fill(text, parts))
        rows.append(selected.to_numpy())
    order = np.empty(n, dtype=np.int64)
    order[np.concatenate(rows)] = np.arange(n)
    local = pa.concat_arrays(locals_).take(pa.array(order))
    return pc.binary_join_element_wise(local, domain, "@")


class _EmailParts:
    """The pieces of an e-mail local part, computed only when a pattern asks for them."""

    def __init__(self, first: pa.Array, last: pa.Array, number: np.ndarray, birth: pa.Array):
        self.first, self.last, self.number, self.birth = first, last, number, birth

    def __getitem__(self, key: str) -> pa.Array:
        parts = {
            "f": lambda: self.first,
            "l": lambda: self.last,
            "i": lambda: pc.utf8_slice_codeunits(self.first, 0, 1),
            "n": lambda: _numbers().take(pa.array(self.number)),
            "y": lambda: pc.utf8_slice_codeunits(pc.cast(self.birth, pa.string()), 2, 4),
        }
        return parts[key]()


def _fill(pattern: str, parts: _EmailParts) -> pa.Array:
    """Assemble ``pattern`` like "{f}.{l}{n}" from the part arrays, all rows at once."""
    pieces = []
    for literal, key, _, _ in string.Formatter().parse(pattern):
        if literal:
            pieces.append(literal)
        if key:
            pieces.append(parts[key])
    return pc.binary_join_element_wise(*pieces, "")


def addresses(rng: np.random.Generator, head: np.ndarray) -> dict[str, pa.Array]:
    """Real US places with a street address; household members share their head's address."""
    n = len(head)
    places = reference.places()
    place = rng.integers(0, places.num_rows, n)[head]
    number = np.minimum(np.ceil(rng.lognormal(6.0, 1.3, n)), 19999).astype(np.int64)[head]
    streets, suffixes = reference.street_names(), reference.street_suffixes()
    street = streets.values.take(streets.draw(rng, n)[head])
    suffix = suffixes.values.take(suffixes.draw(rng, n)[head])
    line1 = pc.binary_join_element_wise(_numbers().take(pa.array(number)), street, suffix, " ")
    apartment = rng.integers(0, len(_apartments()), n)[head]
    no_apartment = (rng.random(n) >= APARTMENT_P)[head]
    line2 = _apartments().take(pa.array(apartment, mask=no_apartment))
    columns = {"address_line1": line1, "address_line2": line2}
    for name in ("city", "state", "postal_code", "county", "area_code"):
        columns[name] = places[name].take(place)
    return columns


@functools.cache
def _numbers() -> pa.Array:
    """'0' to '19999': numbers as text, taken instead of formatting every row."""
    return pa.array([str(number) for number in range(20_000)])


@functools.cache
def _four_digits() -> pa.Array:
    """'0000' to '9999', the line part of a phone number."""
    return pa.array([f"{number:04d}" for number in range(10_000)])


@functools.cache
def _apartments() -> pa.Array:
    return pa.array([f"Apt {number}" for number in range(1, 40)])


def phones(rng: np.random.Generator, area_code: pa.Array, head: np.ndarray) -> pa.Array:
    """Phone numbers '(AAA) NXX-XXXX' in the place's area code; some households share one."""
    n = len(head)
    exchange = rng.integers(200, 1000, n)
    line = rng.integers(0, 10_000, n)
    shared = rng.random(n) < SHARED_PHONE_P
    exchange, line = np.where(shared, exchange[head], exchange), np.where(shared, line[head], line)
    line_digits = _four_digits().take(pa.array(line))
    exchange_digits = _numbers().take(pa.array(exchange))
    return pc.binary_join_element_wise("(", area_code, ") ", exchange_digits, "-", line_digits, "")
