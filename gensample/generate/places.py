"""Where people live and the phones they have: real US places by population, street addresses,
and valid phone numbers of the place (or of a state a person lived in before); household members
share their head's address and often the phone."""

import functools

import numpy as np
import pyarrow as pa

from gensample import reference
from gensample.corruptions import arrays
from gensample.generate import names
from gensample.native.strings import join_element_wise
from gensample.native.take import one_array, take

SHARED_PHONE_P = 0.4
APARTMENT_P = 0.15
MOVED_PHONE_SHARE = 0.06
"""Share of people whose phone number is from a state they lived in before (mobile numbers
move with their owners); the truth names that state in ``phone_state``."""


def prepare() -> None:
    """Read and make the tables places and phones are made from, once per process."""
    tables = (
        reference.place_weights,
        reference.area_codes,
        reference.state_populations,
        reference.ordinal_street_share,
        _numbers,
        _four_digits,
        _apartments,
    )
    for table in tables:
        table()
    for ordinal in (False, True):
        reference.streets(ordinal)
        reference.street_types(ordinal)


def addresses(rng: np.random.Generator, head: np.ndarray) -> dict[str, pa.Array]:
    """Real US places drawn by population, with a street address and the ZIP's area code;
    household members share their head's address."""
    n = len(head)
    places = reference.populated_places()
    place = pa.array(reference.place_weights().sample(rng, n)[head])
    number = np.minimum(np.ceil(rng.lognormal(6.0, 1.3, n)), 19999).astype(np.int64)[head]
    line1 = join_element_wise(take(_numbers(), number), streets(rng, head), " ")
    apartment = rng.integers(0, len(_apartments()), n)[head]
    no_apartment = (rng.random(n) >= APARTMENT_P)[head]
    line2 = take(_apartments(), pa.array(apartment, mask=no_apartment))
    columns = {"address_line1": line1, "address_line2": line2}
    for name in ("city", "state", "postal_code", "county", "area_code"):
        columns[name] = one_array(take(places[name], place))
    return columns


def streets(rng: np.random.Generator, head: np.ndarray) -> pa.Array:
    """Street names with a type they take ('Oak Drive', '5th Avenue', never '5th Highway')."""
    n = len(head)
    ordinal = (rng.random(n) < reference.ordinal_street_share())[head]
    rows, drawn = [np.flatnonzero(~ordinal), np.flatnonzero(ordinal)], []
    for numbered in (False, True):  # both drawn for everyone (the draws stay in step)
        name, kind = reference.streets(numbered), reference.street_types(numbered)
        name_index, kind_index = name.draw(rng, n)[head], kind.draw(rng, n)[head]
        at = rows[numbered]
        words = [take(name.values, name_index[at]), take(kind.values, kind_index[at])]
        drawn.append(join_element_wise(*words, " "))
    return names.in_row_order(drawn, rows)


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
    """Phone numbers '(AAA) NXX-XXXX' with assignable exchanges; some households share one."""
    return _phones(rng, area_code, head)[0]


def _phones(
    rng: np.random.Generator, area_code: pa.Array, head: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Phone numbers, and which people share their household head's."""
    n = len(head)
    exchanges = reference.exchanges()
    exchange = exchanges[rng.integers(0, len(exchanges), n)]
    line = rng.integers(0, 10_000, n)
    shared = rng.random(n) < SHARED_PHONE_P
    exchange, line = np.where(shared, exchange[head], exchange), np.where(shared, line[head], line)
    area_code = names.of_heads(area_code, head, shared)
    line_digits = take(_four_digits(), line)
    exchange_digits = take(_numbers(), exchange)
    phone = join_element_wise("(", area_code, ") ", exchange_digits, "-", line_digits, "")
    return phone, shared


def state_phones(
    rng: np.random.Generator, area_code: pa.Array, state: pa.Array, head: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Phones in the area code of the address or, for a ``MOVED_PHONE_SHARE`` of people (and
    the household members sharing their number), of a former state, returned too (else null)."""
    n = len(head)
    moved = np.flatnonzero(rng.random(n) < MOVED_PHONE_SHARE)
    former = former_states(rng, take(state, moved).to_numpy(zero_copy_only=False))
    order = np.argsort(former, kind="stable")
    moved, former = moved[order], former[order]
    states, counts = np.unique(former, return_counts=True)
    pools = [reference.area_codes()[name] for name in states]
    drawn = [take(pool.values, pool.draw(rng, k)) for pool, k in zip(pools, counts, strict=True)]
    codes = arrays.put(area_code, moved, drawn)
    phone_state = arrays.put(pa.nulls(n, pa.string()), moved, [pa.array(former, pa.string())])
    phone, shared = _phones(rng, codes, head)
    return phone, names.of_heads(phone_state, head, shared)


def former_states(rng: np.random.Generator, current: np.ndarray) -> np.ndarray:
    """A state other than ``current`` for each person, by population."""
    states = np.array(sorted(reference.state_populations()))
    weight = np.array([reference.state_populations()[s] for s in states], np.float64)
    cumulative = np.cumsum(weight) / weight.sum()
    former = states[np.searchsorted(cumulative, rng.random(len(current)), side="right")]
    while np.any(same := former == current):
        former[same] = states[np.searchsorted(cumulative, rng.random(same.sum()), side="right")]
    return former
