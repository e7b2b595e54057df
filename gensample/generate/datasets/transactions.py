"""``transactions``: e-commerce orders of the customer master's accounts.

Every customers record of a block places 1 to ``max_trans_per_customer`` orders (few more often
than many), after its account was opened. An order's ``items`` and ``subtotal`` are those of its
product lines (``transaction_lines``, drawn here whether or not that dataset is written). Money
is in whole cents, so ``total`` is exactly ``subtotal + tax + shipping``.
"""

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import false_where_null
from gensample.generate.datasets import shoppers, transaction_lines, visits
from gensample.generate.datasets.common import (
    DAY_SECONDS,
    MONEY,
    TIMESTAMP,
    count_stream,
    event_window,
    money,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import choices, in_id_order, truncated_geometric
from gensample.generate.datasets.texts import listed
from gensample.generate.seeding import stream
from gensample.generate.truth import RECORDS_SCHEMA
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "transactions"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("transaction_id", pa.int64()),
        ("customer_id", pa.int64()),
        ("ordered_at", TIMESTAMP),
        ("status", pa.string()),
        ("payment_method", pa.string()),
        ("items", pa.int64()),
        ("subtotal", MONEY),
        ("tax", MONEY),
        ("shipping", MONEY),
        ("total", MONEY),
    ]
)
PRIMARY_KEY = ("transaction_id",)
FOREIGN_KEYS = {"customer_id": ("customers", "customer_id")}
ORDERS_P = 0.5
"""Geometric parameter of orders per account: each further order half as likely."""
STATUSES = choices(
    {"delivered": 0.82, "processing": 0.02, "shipped": 0.04, "cancelled": 0.05, "returned": 0.07}
)
IN_FLIGHT = ("processing", "shipped")
IN_FLIGHT_DAYS = 7
"""Orders still processing or shipped are at most this old; older ones have been delivered."""
CLOSED = "closed"
"""The account status of a closed account: it orders nothing after its last change."""
PAYMENT_METHODS = choices(
    {"credit_card": 0.5, "debit_card": 0.22, "paypal": 0.17, "gift_card": 0.03, "apple_pay": 0.08}
)
FREE_SHIPPING_CENTS, STANDARD_SHIPPING_CENTS, EXPEDITED_SHIPPING_CENTS = 3500, 799, 1499
EXPEDITED_SHARE = 0.1
DEFAULT_TAX_PERCENT = 6.0
STATE_TAX_PERCENT = {
    **dict.fromkeys(("AK", "DE", "MT", "NH", "OR"), 0.0),
    **dict.fromkeys(("AL", "GA", "HI", "NY", "WY"), 4.0),
    **dict.fromkeys(("FL", "ID", "IA", "KY", "MD", "MI", "PA", "SC", "VT", "WV", "DC"), 6.0),
    **dict.fromkeys(("IL", "MA", "TX"), 6.25),
    **dict.fromkeys(("IN", "MS", "RI", "TN"), 7.0),
    **dict.fromkeys(("AR", "KS", "WA"), 6.5),
    **dict.fromkeys(("ME", "NE"), 5.5),
    "AZ": 5.6,
    "CA": 7.25,
    "CO": 2.9,
    "CT": 6.35,
    "LA": 4.45,
    "MN": 6.875,
    "MO": 4.225,
    "NV": 6.85,
    "NJ": 6.625,
    "NM": 4.875,
    "NC": 4.75,
    "ND": 5.0,
    "OH": 5.75,
    "OK": 4.5,
    "SD": 4.2,
    "UT": 6.1,
    "VA": 5.3,
    "WI": 5.0,
}
"""Base sales tax rate of each state, in percent (local taxes left out)."""


def _dollars(cents: int) -> str:
    """Cents as dollars, written as in the data: 7.99."""
    return f"{cents / 100:.2f}"


DESCRIPTIONS = {
    "transaction_id": "Order number: unique, never handed out again; tells nothing of the order.",
    "customer_id": "Account that placed the order (customers.customer_id): frequent shoppers "
    "(by archetype) and accounts open longer order more often; an account closed before the "
    "window hands its orders to accounts open in it.",
    "ordered_at": "When the order was placed, while the account was open: not before it was "
    "opened, nor after a closed account's last change (updated_at); more in the evening, on "
    "Sundays and Mondays, and before Christmas and on Cyber Monday (retail/traffic.csv, "
    "events.csv).",
    "status": f"{listed(STATUSES.values.to_pylist())}; {' and '.join(IN_FLIGHT)} only for "
    f"orders of the last {IN_FLIGHT_DAYS} days.",
    "payment_method": f"{listed(PAYMENT_METHODS.values.to_pylist())}.",
    "items": "Number of articles ordered: the sum of the quantities of the order's lines "
    "(transaction_lines); more for hobbyists and professionals (retail/archetypes.csv).",
    "subtotal": "Price of the articles in US dollars: the sum of the line totals of the "
    "order's lines (transaction_lines), discounts taken off.",
    "tax": "Sales tax: the base rate of the account's state on the subtotal, rounded to the "
    f"cent ({DEFAULT_TAX_PERCENT:g}% when the state is blank or unknown).",
    "shipping": f"Shipping fee: {_dollars(EXPEDITED_SHIPPING_CENTS)} for expedited delivery, "
    f"else {_dollars(STANDARD_SHIPPING_CENTS)} below a subtotal of "
    f"{_dollars(FREE_SHIPPING_CENTS)} and free from it.",
    "total": "Amount charged: subtotal + tax + shipping, exactly.",
}


def orders_per_record(settings: Settings, entity_start: int, records: int) -> np.ndarray:
    """Orders of each customers record of the block, in record id order."""
    rng = count_stream(settings, NAME, entity_start)
    return truncated_geometric(settings.max_trans_per_customer, ORDERS_P).draw(rng, records)


def rows(settings: Settings, entity_start: int, entities: int, parent_rows: dict) -> int:
    """Orders of the block: the sum over its customers records."""
    return int(orders_per_record(settings, entity_start, parent_rows["customers"]).sum())


def generate(block: BlockInput, parents: Parents) -> Generated:
    """The orders of the block's customers records, in transaction id order."""
    settings, entity_start = block.settings, block.block.entity_start
    customers = parents["customers"]
    start, count = block.id_range(NAME)
    per_record = orders_per_record(settings, entity_start, customers.data.num_rows)
    rng = stream(settings.seed, NAME, "orders", entity_start)
    curves = shoppers.curves(settings)
    archetype = shoppers.archetypes(settings, customers.truth["entity_id"].to_numpy())
    first, last = event_window(settings, block.date)
    opened, closed = open_windows(customers.data, first, last)
    liking = (curves.archetype_baskets * curves.archetype_web)[archetype]
    per_record = shoppers.matched(rng, per_record, shoppers.over_time(liking, opened, closed))
    owner = in_id_order(rng, start, np.repeat(np.arange(customers.data.num_rows), per_record))
    owner = open_owners(rng, owner, opened, closed)
    ordered_at = visits.moments(rng, curves, "web", opened[owner], closed[owner])
    ordered = transaction_lines.of_orders(block, customers, lambda: (owner, ordered_at))
    items, subtotal = ordered.per_order(count)
    tax, shipping = charges(rng, tax_rates(customers.data["state"])[owner], subtotal)
    data = pa.table(
        {
            "transaction_id": np.arange(start, start + count, dtype=np.int64),
            "customer_id": customers.data["customer_id"].to_numpy()[owner],
            "ordered_at": timestamps(ordered_at),
            "status": statuses(rng, ordered_at, last),
            "payment_method": PAYMENT_METHODS.draw(rng, count),
            "items": items,
            "subtotal": money(subtotal),
            "tax": money(tax),
            "shipping": money(shipping),
            "total": money(subtotal + tax + shipping),
        },
        schema=SCHEMA,
    )
    return Generated(data, RECORDS_SCHEMA.empty_table())


def open_windows(customers: pa.Table, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last second each account may order in: from its opening (or ``first``) to
    ``last``, or to its last change when it is closed (when it was closed)."""
    opened = np.maximum(customers["created_at"].cast(pa.int64()).to_numpy(), first)
    is_closed = false_where_null(pc.equal(customers["account_status"], CLOSED)).to_numpy()
    changed = customers["updated_at"].cast(pa.int64()).to_numpy()
    return opened, np.where(is_closed, np.minimum(changed, last), last)


def open_owners(
    rng: np.random.Generator, owner: np.ndarray, opened: np.ndarray, closed: np.ndarray
) -> np.ndarray:
    """``owner`` (each order's account), an account closed before the window opened handing
    its orders to accounts open in it, drawn at random (kept when there are none)."""
    open_accounts = np.flatnonzero(opened <= closed)
    cannot = opened[owner] > closed[owner]
    if not cannot.any() or not len(open_accounts):
        return owner
    taken = open_accounts[rng.integers(0, len(open_accounts), int(cannot.sum()))]
    owner = owner.copy()
    owner[cannot] = taken
    return owner


def charges(
    rng: np.random.Generator, tax_rate: np.ndarray, subtotal: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Tax and shipping (in cents) of orders of ``subtotal`` (cents) taxed at ``tax_rate``
    (thousandths of a percent, one per order)."""
    tax = (subtotal * tax_rate + 50_000) // 100_000  # rounded half up, in whole cents
    expedited = rng.random(len(subtotal)) < EXPEDITED_SHARE
    standard = np.where(subtotal >= FREE_SHIPPING_CENTS, 0, STANDARD_SHIPPING_CENTS)
    return tax, np.where(expedited, EXPEDITED_SHIPPING_CENTS, standard)


def tax_rates(state: pa.ChunkedArray) -> np.ndarray:
    """The sales tax rate of each state, in thousandths of a percent (the default when the
    state is blank or no state code)."""
    codes, rates = _tax_table()
    index = pc.index_in(state, value_set=codes).fill_null(len(codes))
    return rates[index.to_numpy()]


@functools.cache
def _tax_table() -> tuple[pa.Array, np.ndarray]:
    """State codes, and their rates followed by the default, in thousandths of a percent."""
    percents = [*STATE_TAX_PERCENT.values(), DEFAULT_TAX_PERCENT]
    return pa.array(list(STATE_TAX_PERCENT)), np.round(np.array(percents) * 1000).astype(np.int64)


def statuses(rng: np.random.Generator, ordered_at: np.ndarray, last: int) -> pa.Array:
    """Order statuses; an order in flight for more than ``IN_FLIGHT_DAYS`` has been delivered."""
    names = STATUSES.values.to_pylist()
    in_flight = np.isin(names, IN_FLIGHT)
    drawn = STATUSES.lookup.draw(rng, len(ordered_at))
    delivered = in_flight[drawn] & (ordered_at <= last - IN_FLIGHT_DAYS * DAY_SECONDS)
    return take(STATUSES.values, np.where(delivered, names.index("delivered"), drawn))
