"""Product lines of web orders: the block contract, orders that agree with their lines, lines
that are the same however they are made."""

import pyarrow.compute as pc
import pytest
from conftest import DAY
from dataset_checks import assert_references, assert_unchanged_without, generated

from gensample.generate.datasets import transaction_lines
from gensample.generate.datasets.contract import BlockInput
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.generate.population import of_settings
from gensample.generate.seeding import BLOCK_SIZE
from gensample.settings import Settings

CATALOG = ("brands", "products", "bundles", "promotions")
DATASETS = (*CATALOG, "customers", "transactions", "transaction_lines")


@pytest.mark.parametrize("trans_type", ["full", "daily"])
@pytest.mark.parametrize(("entity_start", "people"), [(0, 3000), (BLOCK_SIZE - 3, 7)])
def test_rows_are_the_planned_ones_keyed_by_order_and_line(trans_type, entity_start, people):
    _, run, blocks = generated(DATASETS, trans_type, entity_start, people)
    for made, block in blocks:
        lines, orders = made["transaction_lines"].data, made["transactions"].data
        planned = transaction_lines.rows(run, block.entity_start, block.entities, block.rows)
        assert lines.num_rows == planned == block.rows["transaction_lines"]
        assert lines.schema == transaction_lines.SCHEMA
        assert set(transaction_lines.DESCRIPTIONS) == set(lines.schema.names)
        keys = lines.select(["transaction_id", "line_number"]).to_pylist()
        assert keys == sorted(keys, key=lambda k: (k["transaction_id"], k["line_number"]))
        assert_references(lines, "transaction_id", orders, "transaction_id")


def test_every_order_holds_its_lines_items_and_subtotal():
    for trans_type in ("full", "daily"):
        run = Settings(customers=3000, datasets=DATASETS, trans_type=trans_type)
        for block in make_plan(run, DAY, 0).blocks:
            made = generate_block(run, DAY, block).datasets
            orders, lines = made["transactions"].data, made["transaction_lines"].data
            summed = lines.group_by("transaction_id").aggregate(
                [("quantity", "sum"), ("line_total", "sum"), ("line_number", "max")]
            )
            summed = summed.sort_by("transaction_id")
            assert summed["transaction_id"].equals(orders["transaction_id"])
            assert summed["quantity_sum"].equals(orders["items"])
            assert pc.all(pc.equal(summed["line_total_sum"], orders["subtotal"])).as_py()
            assert summed["line_number_max"].equals(
                lines.group_by("transaction_id").aggregate([([], "count_all")])["count_all"]
            )
            cost = pc.subtract(
                pc.multiply(lines["quantity"], lines["unit_price"]), lines["discount"]
            )
            assert pc.all(pc.equal(cost, lines["line_total"])).as_py()


def test_orders_are_the_same_with_or_without_their_lines_or_the_catalog():
    assert_unchanged_without("transactions", ("customers", "transactions"), DATASETS)


def test_lines_made_again_from_the_written_orders_are_the_same():
    run = Settings(customers=2000, datasets=DATASETS)
    block = make_plan(run, DAY, 0).blocks[0]
    made = {**reference_tables(run, DAY), **generate_block(run, DAY, block).datasets}
    persons = of_settings(run, block.entity_start, block.entity_stop, DAY)
    fresh = BlockInput(run, DAY, block, persons)  # nothing shared: drawn from the orders alone
    again = transaction_lines.generate(fresh, made)
    assert again.data.equals(made["transaction_lines"].data)
