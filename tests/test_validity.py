"""What source systems validate when they capture a record, in every identity-bearing dataset:
no birth date after the day the record was captured, no record captured before its owner's
18th birthday; a refused birth date is let through only when ``[validity] invalid_dates`` says
so, labelled ``birth_date:invalid_date``."""

import datetime as dt

import pyarrow as pa
import pytest
from identity_checks import run

from gensample.corruptions.fuzzmap import FieldFuzz
from gensample.generate.datasets import REGISTRY
from gensample.settings import FuzzSettings
from gensample.settings.validity import ValiditySettings

IDENTITY = tuple(
    name
    for name, module in sorted(REGISTRY.items())
    if getattr(module, "SYSTEM", None) is not None or name == "customers"
)


def captured_column(schema: pa.Schema) -> str:
    """The dataset's first date or time column other than the birth date: when a record was
    captured (created, registered, enrolled, subscribed, reported...)."""
    return next(
        field.name
        for field in schema
        if field.name != "birth_date"
        and (pa.types.is_timestamp(field.type) or pa.types.is_date(field.type))
    )


def day_of(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@pytest.fixture(scope="module", params=[False, True], ids=["refused", "allowed"])
def corpus(request):
    """Every identity-bearing dataset of a block, with birth-date corruptions made often."""
    year = FieldFuzz(20.0, {"misread_two_digit_year": 1.0})  # 1945 -> 2045
    return request.param, run(
        IDENTITY,
        fuzz=FuzzSettings(fields={"birth_date": year}),
        validity=ValiditySettings(invalid_dates=request.param),
    )


def test_identity_datasets_are_found():
    assert {"customers", "pos_customers", "loyalty_members", "email_subscribers"} <= set(IDENTITY)


def test_no_record_is_older_than_its_owner_or_born_after_it(corpus):
    allowed, day = corpus
    let_through = 0
    for name in IDENTITY:
        rows, column = day.rows(name), captured_column(day.data(name).schema)
        for record in day.truth(name).to_pylist():
            row, person = rows[record["record_id"]], day.people[record["entity_id"]]
            captured = day_of(row[column])
            adult = person["birth_date"] + dt.timedelta(days=18 * 365)  # a few days early
            assert captured >= adult, (name, row)
            if row.get("birth_date") and row["birth_date"] > captured:
                assert allowed and "birth_date:invalid_date" in record["corruptions"], (name, row)
                let_through += 1
    assert (let_through > 0) == allowed
