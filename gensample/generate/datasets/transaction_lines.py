"""``transaction_lines``: the product lines of the e-commerce orders (``transactions``).

An order has 1 to ``MOST_LINES`` lines, chosen as till baskets choose theirs (``shelf``,
``offers``): by the month it was placed and the climate of the account's state (the shipping
address), the shopper's archetype and price tier, a long tail of popularity, companions of the
first line, kits and promotions in their windows; only products on sale that day. The web shop
ships from a warehouse, so no line is lost to a store's stockout. The order's ``items`` and
``subtotal`` are its lines' quantities and line totals, in whole cents.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import deal_tables, offers, quantities, shelf, shoppers, stock
from gensample.generate.datasets import pos_transactions as till
from gensample.generate.datasets import products as products_
from gensample.generate.datasets.common import DAY_SECONDS, MONEY, count_stream, money
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import truncated_geometric
from gensample.generate.seeding import stream
from gensample.generate.truth import RECORDS_SCHEMA
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "transaction_lines"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("transaction_id", pa.int64()),
        ("line_number", pa.int64()),
        ("sku", pa.string()),
        ("quantity", pa.int64()),
        ("unit_price", MONEY),
        ("bundle_id", pa.int64()),
        ("promotion_id", pa.int64()),
        ("discount", MONEY),
        ("line_total", MONEY),
    ]
)
PRIMARY_KEY = ("transaction_id", "line_number")
FOREIGN_KEYS = {
    "transaction_id": ("transactions", "transaction_id"),
    "sku": ("products", "sku"),
    "promotion_id": ("promotions", "promotion_id"),
}
MOST_LINES, LINES_P = 8, 0.45
"""Lines of an order: 1 to ``MOST_LINES``, each further one ``1 - LINES_P`` as likely."""
DESCRIPTIONS = {
    "transaction_id": "Order the line belongs to (transactions.transaction_id).",
    "line_number": "Line of the order, 1 to the number of its lines.",
    "sku": "Product ordered (products.sku), on sale that day (between its introduced_on and "
    "discontinued_on): by the month's and the shipping address's climate (the account's "
    "state) category mix, the shopper's price tier and a long tail of popularity; later lines "
    "often go with the first (oil with a filter); see docs/retail.md.",
    "quantity": "Packs of the product on the line, as at the till (pos_transactions): the "
    "order's items are the sum.",
    "unit_price": "List price of one unit (products.price).",
    "bundle_id": "Kit the line belongs to (bundles.bundle_id): an order buying a kit holds its "
    "items on its first lines; empty for other lines.",
    "promotion_id": till.DESCRIPTIONS["promotion_id"],
    "discount": till.DESCRIPTIONS["discount"],
    "line_total": "quantity x unit_price - discount: the order's subtotal is the sum.",
}


class Ordered(NamedTuple):
    """The lines of a block's orders (``lines.basket``: each line's order) and each line's
    unit price and total, in cents."""

    lines: offers.Lines
    unit_cents: np.ndarray
    line_total: np.ndarray

    def per_order(self, orders: int) -> tuple[np.ndarray, np.ndarray]:
        """Items (units) and subtotal (cents) of each of ``orders`` orders."""
        order = self.lines.basket
        items = np.bincount(order, self.lines.quantity, minlength=orders).astype(np.int64)
        starts = np.flatnonzero(self.lines.first_line == np.arange(len(order)))
        subtotal = np.zeros(orders, np.int64)
        if len(order):
            subtotal[order[starts]] = np.add.reduceat(self.line_total, starts)
        return items, subtotal


def lines_per_order(settings: Settings, entity_start: int, orders: int) -> np.ndarray:
    """Lines of each of the block's ``orders`` orders, before they go to the shoppers."""
    rng = count_stream(settings, NAME, entity_start)
    return truncated_geometric(MOST_LINES, LINES_P).draw(rng, orders)


def rows(settings: Settings, entity_start: int, entities: int, parent_rows: dict) -> int:
    """Order lines of the block."""
    return int(lines_per_order(settings, entity_start, parent_rows["transactions"]).sum())


def generate(block: BlockInput, parents: Parents) -> Generated:
    """The lines of the block's orders, in (transaction_id, line_number) order."""
    orders, customers = parents["transactions"].data, parents["customers"]
    made = of_orders(block, customers, lambda: _placed(orders, customers))
    lines = made.lines
    catalog = parents["products"].data
    data = pa.table(
        {
            "transaction_id": orders["transaction_id"].to_numpy()[lines.basket],
            "line_number": np.arange(len(lines.basket)) - lines.first_line + 1,
            "sku": take(catalog["sku"], lines.product),
            "quantity": lines.quantity,
            "unit_price": money(made.unit_cents),
            "bundle_id": pa.array(lines.bundle + 1, mask=lines.bundle < 0),
            "promotion_id": pa.array(lines.promotion, mask=lines.promotion < 0),
            "discount": money(lines.discount),
            "line_total": money(made.line_total),
        },
        schema=SCHEMA,
    )
    return Generated(data, RECORDS_SCHEMA.empty_table())


def of_orders(
    block: BlockInput, customers: Generated, placed: Callable[[], tuple[np.ndarray, np.ndarray]]
) -> Ordered:
    """The lines of the block's orders, ``placed()`` the row of ``customers`` placing each and
    when (seconds): made once a block, for ``transactions`` and for this dataset (``placed``
    is called only then)."""
    return block.shared(NAME, lambda: _draw(block, customers, *placed()))


def _placed(orders: pa.Table, customers: Generated) -> tuple[np.ndarray, np.ndarray]:
    """The row of ``customers`` placing each of ``orders``, and when (seconds)."""
    owner = pc.index_in(orders["customer_id"], value_set=customers.data["customer_id"])
    return owner.to_numpy(), orders["ordered_at"].cast(pa.int64()).to_numpy()


def _draw(
    block: BlockInput, customers: Generated, owner: np.ndarray, ordered_at: np.ndarray
) -> Ordered:
    """The lines of orders (see ``of_orders``), drawn as till baskets draw theirs."""
    settings, entity_start = block.settings, block.block.entity_start
    rng = stream(settings.seed, NAME, "lines", entity_start)
    curves = shoppers.curves(settings)
    archetype = shoppers.archetypes(settings, customers.truth["entity_id"].to_numpy())[owner]
    climate = curves.climate_of(customers.data["state"])[owner]
    per_order = lines_per_order(settings, entity_start, len(owner))
    per_order = shoppers.matched(rng, per_order, curves.archetype_lines[archetype])
    order = np.repeat(np.arange(len(owner)), per_order)
    first_line = (np.cumsum(per_order) - per_order)[order]
    drawn, tables = catalog(settings)
    day = ordered_at[order] // DAY_SECONDS
    month = shelf.months(ordered_at)[order]
    product = shelf.choose(rng, drawn, month, climate[order], archetype[order], first_line, day)
    n, none = len(order), np.full(len(order), -1, np.int64)
    quantity = quantities.draw(rng, drawn.quantities, product)
    lines = offers.Lines(
        product, quantity, order, first_line, day, none, none, np.zeros(n, np.int64)
    )
    if n:
        lines = offers.apply(rng, drawn, tables, lines)
    unit = tables.cents[lines.product]
    return Ordered(lines, unit, lines.quantity * unit - lines.discount)


@stock.per_catalog
def catalog(settings: Settings) -> tuple[shelf.Shelf, deal_tables.Tables]:
    """The run's products ready to draw from, and its kits and promotions (each product's price
    in cents among them): the same tables whether or not those datasets are written."""
    products = products_.of_run(settings)
    drawn = shelf.shelf(shoppers.curves(settings), products, products_.weights(settings))
    return drawn, deal_tables.of_run(settings)
