"""Speed of a spec dataset against the built-in one it imitates (issue 21), in one process,
without writing.

The spec (below) declares an e-mail list like the built-in ``email_subscribers``: the same
share of the people (0.45) and of duplicates (8 %), with mistyped addresses and first names, a
status by weight and a sign-up day; plus a Faker column, a pattern and an expression, the
generators the built-ins do not have. Both are timed over a day of ``--customers``, the people
included on both sides (the spec engine makes them itself). The built-in does more per record
(variations across systems, formats, similarity columns in its truth). Prints a Markdown table;
the goal is a ratio within 2.
Usage: ``python bench/bench_spec.py --customers 100000``.
"""

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from gensample.generate.pipeline import generate_block
from gensample.generate.plan import make_plan
from gensample.generate.spec import engine, model
from gensample.settings import Settings

DAY = dt.date(2026, 11, 23)
SPEC = """
[datasets.newsletter]
population = 0.45
id = {column = "subscriber_id"}
duplicates = {rate = 0.08, max_per_entity = 3}
fuzz.email = {weight = 2, corruptions = {make_typo = 1, change_email_domain = 1}}
fuzz.first_name = {weight = 1, corruptions = {make_typo = 1, use_nickname = 1}}

[datasets.newsletter.columns]
email = {person = "email"}
first_name = {person = "first_name"}
status = {choice = {values = ["subscribed", "unsubscribed", "bounced"], weights = [72, 16, 8]}}
subscribed_on = {date = {from = "2021-11-23", to = "2026-11-23"}}
source = {faker = "domain_word"}
coupon = {pattern = "NL-####-??"}
label = {expr = "upper(status) + ':' + coupon"}
"""


def built_in_seconds(settings: Settings) -> tuple[int, float]:
    """Rows and seconds of the built-in email_subscribers, its people included."""
    plan = make_plan(settings, DAY, 0)
    rows, seconds = 0, 0.0
    for block in plan.blocks:
        result = generate_block(settings, DAY, block)
        rows += result.datasets["email_subscribers"].data.num_rows
        seconds += result.seconds["population"] + result.seconds["email_subscribers"]
    return rows, seconds


def spec_seconds(settings: Settings) -> tuple[int, float]:
    """Rows and seconds of the spec dataset (reading the spec not counted)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "newsletter.toml"
        path.write_text(SPEC)
        spec = model.load(path)
    started = time.perf_counter()
    made = engine.generate(spec, settings, DAY)
    return made["newsletter"].data.num_rows, time.perf_counter() - started


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    arguments = parser.parse_args()
    settings = Settings(customers=arguments.customers, datasets=("customers", "email_subscribers"))
    built_rows, built = built_in_seconds(settings)
    spec_rows, declared = spec_seconds(settings)
    print(f"{arguments.customers:,} customers, one process\n")
    print("| dataset | rows | seconds | rows/s |")
    print("| --- | ---: | ---: | ---: |")
    for name, rows, seconds in (
        ("email_subscribers (built-in)", built_rows, built),
        ("newsletter (spec)", spec_rows, declared),
    ):
        print(f"| {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} |")
    print(f"\nspec / built-in, seconds per row: {declared / spec_rows / (built / built_rows):.2f}")


if __name__ == "__main__":
    main()
