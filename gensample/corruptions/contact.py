"""Errors in contact details: abbreviated street types, other email domains, phone formats."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions.arrays import (
    choose_other,
    current_index,
    false_where_null,
    match_case,
    split_at_last,
)
from gensample.native.strings import join_element_wise
from gensample.native.take import take


def _street_pattern() -> str:
    """Regex splitting an address around its last street type word, ignoring case."""
    types = "|".join(sorted(reference.street_abbreviations(), key=len, reverse=True))
    return rf"(?i)^(?P<head>.*\b)(?P<type>{types})(?P<tail>\b.*)$"


def abbreviate_street(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write the street type the short USPS way, keeping case: '12 Oak Street' -> '12 Oak St'."""
    table = reference.street_abbreviations()
    parts = pc.extract_regex(values, _street_pattern())
    street_type = pc.struct_field(parts, "type")
    known = pa.array([name.lower() for name in table], type=values.type)
    found = pc.index_in(pc.utf8_lower(street_type), value_set=known)
    short = match_case(take(pa.array(list(table.values()), type=values.type), found), street_type)
    joined = join_element_wise(
        pc.struct_field(parts, "head"), short, pc.struct_field(parts, "tail"), ""
    )
    return pc.coalesce(joined, values)


def change_email_domain(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Give another provider's domain, same local part: 'ann@gmail.com' -> 'ann@yahoo.com'."""
    local, domain = split_at_last(values, "@")
    pool = reference.email_domains()
    current = current_index(pc.utf8_lower(domain), pool.values)
    chosen = choose_other(pool.probabilities, current, rng)
    new_domain = match_case(take(pool.values.cast(values.type), chosen), domain)
    joined = join_element_wise(local, new_domain, "")
    return pc.coalesce(joined, values)


_PHONE = r"^\D*(?:1\D*)?(?P<area>\d{3})\D*(?P<exchange>\d{3})\D*(?P<line>\d{4})\D*$"
"""Any writing of a US number: ten digits, maybe after a country code 1, with any separators."""


def _phone_formats(area: pa.Array, exchange: pa.Array, line: pa.Array) -> list[pa.Array]:
    """The ways people write a US number: '415-555-0134', '(415) 555-0134', '+1 415 555 0134'..."""
    parts = (area, exchange, line)
    bracketed = join_element_wise("(", area, ") ", exchange, "-", line, "")
    return [
        join_element_wise(*parts, "-"),
        join_element_wise(*parts, "."),
        join_element_wise(*parts, ""),
        join_element_wise("+1", *parts, " "),
        join_element_wise(*parts, " "),
        bracketed,
    ]


def reformat_phone(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write a 10-digit number in another common format: '(415) 555-0134' -> '415.555.0134'."""
    parts = pc.extract_regex(values, _PHONE)
    formats = _phone_formats(
        *(pc.struct_field(parts, name) for name in ("area", "exchange", "line"))
    )
    current = np.full(len(values), -1, dtype=np.int64)
    for index, written in enumerate(formats):
        current[false_where_null(pc.equal(values, written)).to_numpy(zero_copy_only=False)] = index
    chosen = choose_other(np.ones(len(formats)), current, rng)
    reformatted = pc.choose(pa.array(chosen), *formats).cast(values.type)
    return pc.coalesce(reformatted, values)
