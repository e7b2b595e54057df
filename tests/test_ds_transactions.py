"""E-commerce orders: counts, ids, keys, times and money of the transactions dataset."""

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY
from dataset_checks import blocks_of_day

from gensample import reference
from gensample.generate.datasets import common, transactions
from gensample.settings import Settings

DATASETS = ("customers", "transactions")


@pytest.fixture(scope="module")
def day():
    """Two blocks (entity ids 49,000 to 51,000) of customers and their orders."""
    return blocks_of_day(Settings(customers=2000, datasets=DATASETS), entity_start=49_000)


def joined(day) -> list[dict]:
    """Every order with its customers record, as Python rows."""
    rows = []
    for _, datasets in day:
        customers = {row["customer_id"]: row for row in datasets["customers"].data.to_pylist()}
        for order in datasets["transactions"].data.to_pylist():
            rows.append({**order, "customer": customers[order["customer_id"]]})
    return rows


def test_rows_ids_and_schema_are_the_planned_ones(day):
    assert len(day) == 2
    for block, datasets in day:
        data = datasets["transactions"].data
        start, count = block.id_starts["transactions"], block.rows["transactions"]
        assert data.schema == transactions.SCHEMA
        assert list(transactions.DESCRIPTIONS) == data.schema.names
        assert data["transaction_id"].to_pylist() == list(range(start, start + count))
        assert datasets["transactions"].truth.num_rows == 0
        counted = transactions.rows(Settings(), block.entity_start, block.entities, block.rows)
        assert counted == data.num_rows
    (first, _), (second, _) = day
    assert (
        second.id_starts["transactions"]
        == first.id_starts["transactions"] + (first.rows["transactions"])
    )


def test_every_record_orders_one_to_most_few_more_often(day):
    per_record = Counter()
    for _, datasets in day:
        ordered = Counter(datasets["transactions"].data["customer_id"].to_pylist())
        assert set(ordered) == set(datasets["customers"].data["customer_id"].to_pylist())
        per_record.update(ordered)
    records = sum(datasets["customers"].data.num_rows for _, datasets in day)
    assert len(per_record) == records
    histogram = Counter(per_record.values())
    assert set(histogram) <= set(range(1, 6))
    assert histogram[1] > histogram[2] > histogram[3] > histogram[4]


def test_orders_belong_to_the_blocks_customers_and_follow_the_account(day):
    first, last = common.event_window(Settings(), DAY)
    for order in joined(day):
        assert order["ordered_at"] >= order["customer"]["created_at"]
        assert first <= order["ordered_at"].replace(tzinfo=dt.timezone.utc).timestamp() <= last


def test_daily_orders_fall_on_the_day():
    config = Settings(customers=300, datasets=DATASETS, trans_type="daily")
    for _, datasets in blocks_of_day(config):
        days = pc.unique(datasets["transactions"].data["ordered_at"].cast(pa.date32()))
        assert days.to_pylist() == [DAY]


def test_money_adds_up_with_the_state_tax_and_shipping_rule(day):
    rates = {"CA": Decimal("0.0725"), "OR": Decimal(0), "TX": Decimal("0.0625")}
    checked = 0
    for order in joined(day):
        assert order["total"] == order["subtotal"] + order["tax"] + order["shipping"]
        assert order["subtotal"] > 0 and order["items"] >= 1
        if order["shipping"] == Decimal("7.99"):
            assert order["subtotal"] < 35
        elif order["shipping"] == 0:
            assert order["subtotal"] >= 35
        else:
            assert order["shipping"] == Decimal("14.99")
        rate = rates.get(order["customer"]["state"])
        if rate is not None:
            checked += 1
            expected = (order["subtotal"] * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert order["tax"] == expected
    assert checked > 50


def test_only_recent_orders_are_still_in_flight(day):
    last = common.day_end(DAY)
    statuses = Counter()
    for order in joined(day):
        statuses[order["status"]] += 1
        if order["status"] in ("processing", "shipped"):
            assert (
                last - order["ordered_at"].replace(tzinfo=dt.timezone.utc).timestamp()
                < 7 * common.DAY_SECONDS
            )
    assert statuses["delivered"] > statuses["returned"] > 0


def test_the_same_settings_give_the_same_bytes_whatever_else_is_enabled(day):
    more = ("stores", "customers", "pos_customers", "transactions")
    again = blocks_of_day(Settings(customers=2000, datasets=more), entity_start=49_000)
    for (_, first), (_, second) in zip(day, again, strict=True):
        assert first["transactions"].data.equals(second["transactions"].data)
    other_seed = blocks_of_day(Settings(customers=2000, seed=1, datasets=DATASETS), DAY, 49_000)
    assert not other_seed[0][1]["transactions"].data.equals(day[0][1]["transactions"].data)


def test_one_order_each_when_at_most_one():
    config = Settings(customers=500, datasets=DATASETS, max_trans_per_customer=1)
    for _, datasets in blocks_of_day(config):
        ids = datasets["transactions"].data["customer_id"].to_pylist()
        assert sorted(ids) == sorted(datasets["customers"].data["customer_id"].to_pylist())


def test_every_state_has_a_tax_rate():
    states = set(pc.unique(reference.places()["state"]).to_pylist())
    assert set(transactions.STATE_TAX_PERCENT) == states
