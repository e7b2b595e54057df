"""The baseline: the customer schema generated row at a time with Faker, as the old script did.

Same columns, duplicates and a truth file, but one Python call per value and per row, written
with the ``csv`` module. Only the benchmark uses it.
"""

import csv
import random
from pathlib import Path

from faker import Faker


def fuzz_row(row: list, rng: random.Random) -> tuple[list, str]:
    """Corrupt one field of a copied row, the way a per-row script does."""
    row = list(row)
    column = rng.choice([1, 2, 5])
    value = row[column]
    if len(value) > 2:
        position = rng.randrange(len(value) - 1)
        row[column] = (
            value[:position] + value[position + 1] + value[position] + value[position + 2 :]
        )
    return row, f"{column}:transpose_letters"


def generate(directory: Path, customers: int, dupe_rate: float, seed: int = 1) -> int:
    """Write customers.csv and records.csv for ``customers`` people; return rows written."""
    fake, rng = Faker("en_US"), random.Random(seed)
    fake.seed_instance(seed)
    duplicates = round(customers * dupe_rate / (100 - dupe_rate))
    rows = []
    with (
        open(directory / "customers.csv", "w", newline="") as data,
        open(directory / "records.csv", "w", newline="") as truth,
    ):
        data_writer, truth_writer = csv.writer(data), csv.writer(truth)
        for record_id in range(customers):
            row = [
                record_id,
                fake.first_name(),
                fake.last_name(),
                rng.choice("FM"),
                fake.date_of_birth(minimum_age=18, maximum_age=95).isoformat(),
                fake.email(),
                fake.phone_number(),
                fake.street_address(),
                fake.secondary_address(),
                fake.city(),
                fake.state_abbr(),
                fake.zipcode(),
                rng.choice(["active", "inactive", "closed"]),
                fake.date_time_this_decade().isoformat(),
                fake.date_time_this_year().isoformat(),
            ]
            rows.append(row)
            data_writer.writerow(row)
            truth_writer.writerow(["customers", record_id, record_id, "original", "", ""])
        for offset in range(duplicates):
            original = rng.choice(rows)
            row, corruption = fuzz_row(original, rng)
            row[0] = customers + offset
            data_writer.writerow(row)
            truth_writer.writerow(
                ["customers", row[0], original[0], "duplicate", original[0], corruption]
            )
    return customers + duplicates
