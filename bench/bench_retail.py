"""Speed of the retail datasets (issue 17), in one process, without writing.

Builds the reference tables (stores, brands, products, bundles, promotions) from a cold cache,
then generates every block of a day of ``--customers`` and adds up the seconds each retail
dataset took (``pos_transactions``, ``transactions``) with its rows per second. Prints a
Markdown table. Usage: ``python bench/bench_retail.py --customers 1000000``.
"""

import argparse
import datetime as dt
import time

from gensample.generate.datasets import REGISTRY, products, stores
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.reference import catalog, deals, retail
from gensample.settings import Settings

DAY = dt.date(2026, 11, 23)
RETAIL = ("pos_transactions", "transactions")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=2_000)
    arguments = parser.parse_args()
    settings = Settings(customers=arguments.customers, products=arguments.products)
    for cached in (retail.load, catalog.load, deals.load, products.catalog, stores.catalog):
        cached.cache_clear()
    started = time.perf_counter()
    reference = reference_tables(settings, DAY)
    reference_seconds = time.perf_counter() - started
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
    reference_rows = sum(table.data.num_rows for table in reference.values())
    names = ", ".join(name for name in REGISTRY if name in reference)
    print(
        f"| {names} | {reference_rows:,} | {reference_seconds:.2f} | "
        f"{reference_rows / reference_seconds:,.0f} |"
    )
    for name in RETAIL:
        print(
            f"| {name} | {rows[name]:,} | {seconds[name]:.2f} | {rows[name] / seconds[name]:,.0f} |"
        )


if __name__ == "__main__":
    main()
