"""Speed of the retail datasets (issue 17), in one process, without writing.

Builds the catalog (stores, brands, products, bundles, promotions, distributors) from a cold
cache, then the day's supply chain (production_batches, purchase_orders, shipments, inventory),
then generates every block of a day of ``--customers`` and adds up the seconds each retail
dataset took (``pos_transactions``, ``transactions``) with its rows per second. Prints a
Markdown table. Usage: ``python bench/bench_retail.py --customers 1000000``.
"""

import argparse
import datetime as dt
import time

from gensample.generate.datasets import REGISTRY, lots, orders, products, stock, stores
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.reference import catalog, deals, retail, supply
from gensample.settings import Settings

DAY = dt.date(2026, 11, 23)
RETAIL = ("pos_transactions", "transactions")
SUPPLY = ("production_batches", "purchase_orders", "shipments", "inventory")
CACHES = (retail.load, catalog.load, deals.load, supply.load, products.catalog, stores.catalog)
SUPPLY_CACHES = (stock.model, stock.of_day, lots.lines, orders.of_day, orders.serving)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=2_000)
    arguments = parser.parse_args()
    settings = Settings(customers=arguments.customers, products=arguments.products)
    for cached in (*CACHES, *SUPPLY_CACHES):
        cached.cache_clear()
    catalog_only = Settings(
        customers=arguments.customers,
        products=arguments.products,
        datasets=tuple(n for n in settings.datasets if n not in SUPPLY),
    )
    started = time.perf_counter()
    reference = {"catalog": reference_tables(catalog_only, DAY)}
    middle = time.perf_counter()
    reference["supply"] = {
        name: table for name, table in reference_tables(settings, DAY).items() if name in SUPPLY
    }
    reference_seconds = {"catalog": middle - started, "supply": time.perf_counter() - middle}
    plan = make_plan(settings, DAY, 0)
    seconds = dict.fromkeys(RETAIL, 0.0)
    rows = dict.fromkeys(RETAIL, 0)
    for block in plan.blocks:
        result = generate_block(settings, DAY, block)
        for name in RETAIL:
            seconds[name] += result.seconds[name]
            rows[name] += result.datasets[name].data.num_rows
    print(f"{arguments.customers:,} customers, {arguments.products:,} products, one process\n")
    print("| dataset | rows | seconds | rows/s |")
    print("| --- | ---: | ---: | ---: |")
    for part, tables in reference.items():
        part_rows = sum(table.data.num_rows for table in tables.values())
        names = ", ".join(name for name in REGISTRY if name in tables)
        took = reference_seconds[part]
        print(f"| {names} | {part_rows:,} | {took:.2f} | {part_rows / took:,.0f} |")
    for name in RETAIL:
        print(
            f"| {name} | {rows[name]:,} | {seconds[name]:.2f} | {rows[name] / seconds[name]:,.0f} |"
        )


if __name__ == "__main__":
    main()
