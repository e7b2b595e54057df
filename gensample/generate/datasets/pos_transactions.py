"""``pos_transactions``: till baskets of the stores, one row per basket line.

Identified baskets belong to till customers (``pos_customers``), 1 to
``max_trans_per_customer`` each; anonymous baskets, without a customer, add their
``habits.anonymous`` share (reference/data/systems.toml). A basket has 1 to ``MOST_LINES``
lines, each a product at its shelf price; amounts are whole cents, so every total is exact.
"""

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import (
    deal_tables,
    offers,
    quantities,
    shelf,
    stock,
    stores,
    substitutes,
    systems,
    visits,
)
from gensample.generate.datasets import shoppers as shoppers_
from gensample.generate.datasets.common import (
    DAY_SECONDS,
    MONEY,
    TIMESTAMP,
    count_stream,
    event_window,
    money,
    share_added,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import choices, in_id_order, shares, truncated_geometric
from gensample.generate.datasets.texts import listed
from gensample.generate.seeding import stream
from gensample.generate.truth import RECORDS_SCHEMA
from gensample.native.take import take
from gensample.reference import Pool
from gensample.settings import DATASET_PARENTS, Settings

NAME = "pos_transactions"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("basket_id", pa.int64()),
        ("line_number", pa.int64()),
        ("store_id", pa.int64()),
        ("pos_customer_id", pa.int64()),
        ("sku", pa.string()),
        ("quantity", pa.int64()),
        ("unit_price", MONEY),
        ("bundle_id", pa.int64()),
        ("promotion_id", pa.int64()),
        ("discount", MONEY),
        ("line_total", MONEY),
        ("basket_total", MONEY),
        ("purchased_at", TIMESTAMP),
        ("payment_method", pa.string()),
    ]
)
PRIMARY_KEY = ("basket_id", "line_number")
FOREIGN_KEYS = {
    "store_id": ("stores", "store_id"),
    "pos_customer_id": ("pos_customers", "pos_customer_id"),
    "sku": ("products", "sku"),
    "promotion_id": ("promotions", "promotion_id"),
}
BASKETS_P = 0.5
"""Geometric parameter of baskets per till customer: each further basket half as likely."""
MOST_LINES, LINES_P = 8, 0.45
PAYMENT_METHODS = choices(
    {"credit_card": 0.38, "debit_card": 0.32, "cash": 0.2, "mobile_wallet": 0.08, "gift_card": 0.02}
)
DESCRIPTIONS = {
    "basket_id": "Basket (till receipt) number, the same on all its lines; unique and never "
    "handed out again. A day's baskets are numbered consecutively from the first id of its "
    "line range, in an order that tells nothing of the basket.",
    "line_number": "Line of the basket, 1 to the number of its lines.",
    "store_id": "Store of the till (stores.store_id): mostly the customer's home store, and "
    "big stores more often than small ones.",
    "pos_customer_id": "Till customer the basket was rung up for (pos_customers.pos_customer_id): "
    "frequent shoppers (by archetype) and customers registered long ago come more often; "
    "empty for an anonymous basket.",
    "sku": "Product sold (products.sku), on sale that day (between its introduced_on and "
    "discontinued_on): by the month's and the store climate's category mix, the shopper's "
    "price tier and a long tail of popularity; later lines often go with the first (oil "
    "with a filter); in stock at the store that day (inventory), else a substitute of the "
    "same category; see docs/retail.md.",
    "quantity": "Packs of the product on the line: a job's worth of its category "
    "(retail/quantities.csv: five quarts of oil, four to eight spark plugs, one battery), in "
    "its packs (one 5 qt jug), or a kit's or promotion's quantity.",
    "unit_price": "Shelf price of one unit (products.price).",
    "bundle_id": "Kit the line belongs to (bundles.bundle_id): a basket buying a kit holds its "
    "items on its first lines; empty for other lines.",
    "promotion_id": "Promotion that discounted the line (promotions.promotion_id); empty for "
    "none. Promoted products sell more in their window and a little more after it.",
    "discount": "Taken off the line: the kit's item_discount (with a bundle_price promotion's "
    "percent off the line on top), or the promotion's percent off, units free (buy_x_get_y) "
    "or percent off a motor oil bought with an oil filter.",
    "line_total": "quantity x unit_price - discount.",
    "basket_total": "Sum of the line totals of the basket, repeated on each of its lines.",
    "purchased_at": "When the basket was paid, the same on all its lines: in opening hours "
    f"({stores.OPENING_HOURS[0]}:00 to {stores.OPENING_HOURS[1]}:00), not before the "
    "customer's registration; busiest at lunchtime, at weekends and before holidays "
    "(retail/traffic.csv, events.csv).",
    "payment_method": f"{listed(PAYMENT_METHODS.values.to_pylist())}.",
}


def basket_plan(
    settings: Settings, entity_start: int, shoppers: int
) -> tuple[np.ndarray, np.ndarray]:
    """Baskets of each till customer of the block (in id order), and lines of every basket:
    the customers' baskets first, then the anonymous ones."""
    rng = count_stream(settings, NAME, entity_start)
    per_shopper = truncated_geometric(settings.max_trans_per_customer, BASKETS_P).draw(
        rng, shoppers
    )
    identified = int(per_shopper.sum())
    anonymous = share_added(identified, systems.habit(settings, NAME, "anonymous"))
    return per_shopper, truncated_geometric(MOST_LINES, LINES_P).draw(rng, identified + anonymous)


def rows(settings: Settings, entity_start: int, entities: int, parent_rows: dict) -> int:
    """Basket lines of the block."""
    return int(basket_plan(settings, entity_start, parent_rows["pos_customers"])[1].sum())


def generate(block: BlockInput, parents: Parents) -> Generated:
    """The block's basket lines, in (basket_id, line_number) order."""
    settings, entity_start = block.settings, block.block.entity_start
    shoppers = parents["pos_customers"].data
    start, count = block.id_range(NAME)
    per_shopper, lines = basket_plan(settings, entity_start, shoppers.num_rows)
    rng = stream(settings.seed, NAME, "baskets", entity_start)
    curves = shoppers_.curves(settings)
    entity_id = parents["pos_customers"].truth["entity_id"].to_numpy()
    archetype = shoppers_.archetypes(settings, entity_id)
    first, last = event_window(settings, block.date)
    since = np.maximum(shoppers["registered_at"].cast(pa.int64()).to_numpy(), first)
    liking = shoppers_.over_time(curves.archetype_baskets[archetype], since, last)
    per_shopper = shoppers_.matched(rng, per_shopper, liking)
    anonymous = np.full(len(lines) - per_shopper.sum(), -1)
    shopper = in_id_order(
        rng,
        start,
        np.concatenate([np.repeat(np.arange(shoppers.num_rows), per_shopper), anonymous]),
    )
    basket = baskets(rng, block, parents, shopper, archetype)
    lines = shoppers_.matched(rng, lines, curves.archetype_lines[basket.archetype])
    line_basket = np.repeat(np.arange(len(lines)), lines)
    first_line = np.cumsum(lines) - lines
    sold = basket_lines(rng, parents, basket, line_basket, settings)
    products = parents["products"].data
    cents = np.round(products["price"].cast(pa.float64()).to_numpy() * 100).astype(np.int64)
    line_total = sold.quantity * cents[sold.product] - sold.discount
    basket_total = np.add.reduceat(line_total, first_line) if len(lines) else line_total
    data = pa.table(
        {
            "basket_id": start + line_basket,
            "line_number": np.arange(count) - first_line[line_basket] + 1,
            "store_id": basket.store_id[line_basket],
            "pos_customer_id": pa.array(
                basket.customer_id[line_basket], mask=(shopper < 0)[line_basket]
            ),
            "sku": take(products["sku"], sold.product),
            "quantity": sold.quantity,
            "unit_price": money(cents[sold.product]),
            "bundle_id": pa.array(sold.bundle + 1, mask=sold.bundle < 0),
            "promotion_id": pa.array(sold.promotion, mask=sold.promotion < 0),
            "discount": money(sold.discount),
            "line_total": money(line_total),
            "basket_total": money(basket_total[line_basket]),
            "purchased_at": timestamps(basket.purchased_at[line_basket]),
            "payment_method": take(PAYMENT_METHODS.values, basket.payment[line_basket]),
        },
        schema=SCHEMA,
    )
    return Generated(data, RECORDS_SCHEMA.empty_table())


class Baskets(NamedTuple):
    """What every line of a basket repeats (``payment`` indexes ``PAYMENT_METHODS``), and
    the shopper's archetype and the store's climate, which shape what it holds."""

    customer_id: np.ndarray
    store_id: np.ndarray
    purchased_at: np.ndarray
    payment: np.ndarray
    archetype: np.ndarray
    climate: np.ndarray


def baskets(
    rng: np.random.Generator,
    block: BlockInput,
    parents: Parents,
    shopper: np.ndarray,
    archetype: np.ndarray,
) -> Baskets:
    """Customer, store, time, payment, archetype and climate of baskets of till customers at
    rows ``shopper`` (-1: anonymous; their customer id is meaningless, their archetype drawn)."""
    customers, n = parents["pos_customers"].data, len(shopper)
    curves = shoppers_.curves(block.settings)
    identified = shopper >= 0
    known = np.where(identified, shopper, 0)
    first, last = event_window(block.settings, block.date)
    registered = customers["registered_at"].cast(pa.int64()).to_numpy()[known]
    earliest = np.where(identified, np.maximum(registered, first), first)
    at_home = identified & (rng.random(n) < systems.habit(block.settings, NAME, "home_store"))
    store_table = parents["stores"].data
    anywhere = store_traffic(store_table, stores.weights(block.settings)).draw(rng, n)
    home = store_rows(store_table, customers["home_store_id"].to_numpy()[known])
    store = np.where(at_home, home, anywhere)
    passer_by = shares(curves.archetype_share).draw(rng, n)
    return Baskets(
        customer_id=customers["pos_customer_id"].to_numpy()[known],
        store_id=store_table["store_id"].to_numpy()[store],
        purchased_at=visits.moments(rng, curves, "store", earliest, last, stores.OPENING_HOURS),
        payment=PAYMENT_METHODS.lookup.draw(rng, n),
        archetype=np.where(identified, archetype[known] if len(archetype) else 0, passer_by),
        climate=curves.climate_of(store_table["state"])[store],
    )


def store_rows(store_table: pa.Table, store_id: np.ndarray) -> np.ndarray:
    """The row of each store id in ``store_table``."""
    return pc.index_in(pa.array(store_id), value_set=store_table["store_id"]).to_numpy()


def store_traffic(store_table: pa.Table, given: np.ndarray | None = None) -> Pool:
    """Store rows weighted by ``stores.traffic``."""
    weights = stores.traffic(store_table, given)
    return Pool(store_table["store_id"], weights / weights.sum())


def basket_lines(
    rng: np.random.Generator,
    parents: Parents,
    basket: Baskets,
    line_basket: np.ndarray,
    settings: Settings,
) -> offers.Lines:
    """Product, quantity, kit, promotion and discount of the lines of ``basket``
    (``line_basket``: each line's basket): by month, the store's climate, the shopper's
    archetype and the basket's first line, then kits and promotions; a product out of stock
    at the store that day is replaced by a substitute (``substitutes``)."""
    starts = np.cumsum(np.bincount(line_basket)) - np.bincount(line_basket)
    first_line = starts[line_basket]
    day = basket.purchased_at[line_basket] // DAY_SECONDS
    found = stock.model(settings)  # its shelf: the run's products, made ready once
    drawn = found.drawn
    product = shelf.choose(
        rng,
        drawn,
        shelf.months(basket.purchased_at)[line_basket],
        basket.climate[line_basket],
        basket.archetype[line_basket],
        first_line,
        day,
    )
    n = len(line_basket)
    none = np.full(n, -1, np.int64)
    lines = offers.Lines(
        product=product,
        quantity=quantities.draw(rng, drawn.quantities, product),
        basket=line_basket,
        first_line=first_line,
        day=day,
        bundle=none,
        promotion=none,
        discount=np.zeros(n, np.int64),
    )
    lines = offers.apply(rng, drawn, deal_tables.of_run(settings), lines)
    store = store_rows(parents["stores"].data, basket.store_id)[line_basket]
    return substitutes.replace_missing(rng, found, store, lines)
