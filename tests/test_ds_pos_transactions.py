"""Till baskets: one row per basket line, keys into stores, products and till customers."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY
from dataset_checks import blocks_of_day

from gensample.generate.datasets import common, pos_transactions
from gensample.settings import Settings

DATASETS = (
    "stores",
    "brands",
    "products",
    "bundles",
    "promotions",
    "customers",
    "pos_customers",
    "pos_transactions",
)
BASKET_COLUMNS = ("store_id", "pos_customer_id", "purchased_at", "payment_method", "basket_total")


@pytest.fixture(scope="module")
def day():
    """Two blocks (entity ids 49,000 to 53,000) of till customers and their baskets."""
    return blocks_of_day(Settings(customers=4000, datasets=DATASETS), entity_start=49_000)


def lines_of(datasets) -> list[dict]:
    """The basket lines of one block as Python rows."""
    return datasets["pos_transactions"].data.to_pylist()


def baskets_of(datasets) -> dict[int, list[dict]]:
    """The lines of each basket of one block, by basket id."""
    baskets = defaultdict(list)
    for line in lines_of(datasets):
        baskets[line["basket_id"]].append(line)
    return baskets


def test_rows_keys_and_basket_ids_follow_the_id_range(day):
    for block, datasets in day:
        data = datasets["pos_transactions"].data
        start, count = block.id_starts["pos_transactions"], block.rows["pos_transactions"]
        counted = pos_transactions.rows(Settings(), block.entity_start, block.entities, block.rows)
        assert data.schema == pos_transactions.SCHEMA and data.num_rows == count == counted
        assert list(pos_transactions.DESCRIPTIONS) == data.schema.names
        keys = list(
            zip(data["basket_id"].to_pylist(), data["line_number"].to_pylist(), strict=True)
        )
        assert keys == sorted(set(keys))
        baskets = baskets_of(datasets)
        assert sorted(baskets) == list(range(start, start + len(baskets)))
        for lines in baskets.values():
            assert [line["line_number"] for line in lines] == list(range(1, len(lines) + 1))
            assert 1 <= len(lines) <= pos_transactions.MOST_LINES
        assert datasets["pos_transactions"].truth.num_rows == 0
    (first, _), (second, _) = day
    assert (
        second.id_starts["pos_transactions"]
        == first.id_starts["pos_transactions"] + (first.rows["pos_transactions"])
    )


def test_foreign_keys_resolve_in_the_block(day):
    for _, datasets in day:
        data = datasets["pos_transactions"].data
        for column, (parent, key) in pos_transactions.FOREIGN_KEYS.items():
            values = pc.drop_null(data[column])
            assert pc.all(pc.is_in(values, value_set=datasets[parent].data[key])).as_py(), column


def test_lines_repeat_their_basket_and_money_adds_up(day):
    for _, datasets in day:
        price = dict(
            zip(
                datasets["products"].data["sku"].to_pylist(),
                datasets["products"].data["price"].to_pylist(),
                strict=True,
            )
        )
        for lines in baskets_of(datasets).values():
            for column in BASKET_COLUMNS:
                assert len({line[column] for line in lines}) == 1, column
            for line in lines:
                assert line["unit_price"] == price[line["sku"]]
                assert (
                    line["line_total"] == line["quantity"] * line["unit_price"] - line["discount"]
                )
                assert 0 <= line["discount"] < line["quantity"] * line["unit_price"]
                assert line["quantity"] >= 1  # how many: see test_retail_shopping
            assert lines[0]["basket_total"] == sum(line["line_total"] for line in lines)


def test_every_till_customer_shops_one_to_most_times_and_anonymous_baskets_are_the_share(day):
    for _, datasets in day:
        baskets = [lines[0] for lines in baskets_of(datasets).values()]
        customers = datasets["pos_customers"].data["pos_customer_id"].to_pylist()
        per_customer = Counter(
            b["pos_customer_id"] for b in baskets if b["pos_customer_id"] is not None
        )
        assert set(per_customer) == set(customers)
        assert set(per_customer.values()) <= set(range(1, 6))
        identified = sum(per_customer.values())
        anonymous = len(baskets) - identified
        assert anonymous == round(identified * 0.4 / 0.6)


def test_shoppers_buy_after_registering_mostly_at_their_home_store(day):
    first, last = common.event_window(Settings(), DAY)
    at_home = identified = 0
    for _, datasets in day:
        customers = {
            row["pos_customer_id"]: row for row in datasets["pos_customers"].data.to_pylist()
        }
        for lines in baskets_of(datasets).values():
            basket = lines[0]
            assert (
                first <= basket["purchased_at"].replace(tzinfo=dt.timezone.utc).timestamp() <= last
            )
            customer = customers.get(basket["pos_customer_id"])
            registered = customer and customer["registered_at"]
            if customer is not None:
                identified += 1
                at_home += basket["store_id"] == customer["home_store_id"]
                assert basket["purchased_at"] >= registered
            in_hours = 7 <= basket["purchased_at"].hour < 21
            assert in_hours or basket["purchased_at"] == registered
    assert 0.82 < at_home / identified < 0.92


def test_daily_baskets_fall_on_the_day():
    config = Settings(customers=500, datasets=DATASETS, trans_type="daily")
    for _, datasets in blocks_of_day(config):
        days = pc.unique(datasets["pos_transactions"].data["purchased_at"].cast(pa.date32()))
        assert days.to_pylist() == [DAY]


def test_big_stores_ring_up_more_and_cheap_parts_sell_more(day):
    _, datasets = day[0]
    stores = datasets["stores"].data.to_pylist()
    formats = {store["store_id"]: store["format"] for store in stores}
    per_format = Counter(formats.values())
    anonymous = Counter(
        formats[lines[0]["store_id"]]
        for lines in baskets_of(datasets).values()
        if lines[0]["pos_customer_id"] is None
    )
    assert anonymous["superstore"] / per_format["superstore"] > (
        1.5 * anonymous["express"] / per_format["express"]
    )
    sold = [line["unit_price"] for line in lines_of(datasets)]
    catalog = datasets["products"].data["price"].to_pylist()
    assert sum(sold) / len(sold) < Decimal("0.8") * sum(catalog) / len(catalog)


def test_the_same_settings_give_the_same_bytes_whatever_else_is_enabled(day):
    more = (*DATASETS, "loyalty_members", "transactions")
    again = blocks_of_day(Settings(customers=4000, datasets=more), entity_start=49_000)
    for (_, first), (_, second) in zip(day, again, strict=True):
        assert first["pos_transactions"].data.equals(second["pos_transactions"].data)
    other = blocks_of_day(Settings(customers=4000, seed=5, datasets=DATASETS), DAY, 49_000)
    assert not other[0][1]["pos_transactions"].data.equals(day[0][1]["pos_transactions"].data)
