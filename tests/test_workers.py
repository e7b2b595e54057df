"""Blocks written into the day files: the history lines of new people are their entity lines,
extended; a block says where its truth rows of customers lie."""

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import DAY
from sample_tables import expected_csv

from gensample.generate import truth
from gensample.generate.pipeline import BlockResult
from gensample.generate.plan import make_plan
from gensample.output import workers
from gensample.output.batch import open_day
from gensample.output.day_files import ENTITIES_FILE, HISTORY_FILE, RECORDS_FILE
from gensample.output.workers import generate_and_write_block, write_block
from gensample.settings import Settings


def test_the_history_file_equals_the_csv_of_the_history_rows(tmp_path):
    settings = Settings(customers=500, workers=1)
    block = make_plan(settings, DAY).blocks[0]
    destination, _ = open_day(settings, 1, tmp_path)
    parts = generate_and_write_block(settings, DAY, block, 1, destination, 0)
    entities = pacsv.read_csv(
        tmp_path / ENTITIES_FILE,
        convert_options=pacsv.ConvertOptions(
            column_types=truth.ENTITIES_SCHEMA,
            strings_can_be_null=True,  # an empty field is a null, a quoted "" an empty text
            quoted_strings_can_be_null=False,
        ),
    )
    assert entities.num_rows == parts.rows[HISTORY_FILE] == parts.rows[ENTITIES_FILE] == 500
    expected = expected_csv([truth.history_rows(entities, DAY, None)])
    assert (tmp_path / HISTORY_FILE).read_bytes() == expected


@pytest.mark.parametrize("name", ["Ann", "Ann\nMarie"])
def test_a_value_with_a_line_break_still_gives_correct_history(tmp_path, name):
    people = pa.Table.from_pylist(
        [
            {
                **dict.fromkeys(truth.ENTITIES_SCHEMA.names),
                "entity_id": 1,
                "household_id": 1,
                "first_name": name,
            }
        ],
        schema=truth.ENTITIES_SCHEMA,
    )
    destination, _ = open_day(Settings(), 1, tmp_path)
    write_block(BlockResult(people, {}, {}), Settings(), DAY, 1, destination, 0)
    assert (tmp_path / ENTITIES_FILE).read_bytes() == expected_csv([people])
    expected = expected_csv([truth.history_rows(people, DAY, None)])
    assert (tmp_path / HISTORY_FILE).read_bytes() == expected


def truth_of(datasets: list[str]) -> pa.Table:
    """Truth rows of one original record of each of ``datasets``, in that order."""
    ids = np.arange(len(datasets))
    rows = [
        truth.record_rows(
            name,
            ids[i : i + 1],
            ids[i : i + 1],
            pa.array(["original"]),
            pa.nulls(1, pa.int64()),
            pa.array([""]),
        )
        for i, name in enumerate(datasets)
    ]
    return pa.concat_tables(rows)


def test_a_block_says_where_its_truth_rows_of_customers_lie(tmp_path):
    destination, _ = open_day(Settings(), 1, tmp_path)
    records = truth_of(["customers", "customers", "pos_customers"])
    with destination.placement.turn(0, RECORDS_FILE) as file:
        start = file.tell()
        (lines,) = workers._write_truth(records, file, destination.placement)
    text = (tmp_path / RECORDS_FILE).read_bytes()
    assert lines.start == start and lines.count == 2
    assert text[lines.start : lines.stop] == expected_csv([records.slice(0, 2)])[start:]
    assert text[lines.stop :].startswith(b'"pos_customers",')


@pytest.mark.parametrize(
    "datasets", [["pos_customers", "customers"], ["customers", "x", "customers"]]
)
def test_a_block_whose_customers_are_not_its_first_truth_rows_cannot_say(tmp_path, datasets):
    destination, _ = open_day(Settings(), 1, tmp_path)
    records = truth_of(datasets)
    with destination.placement.turn(0, RECORDS_FILE) as file:
        assert workers._write_truth(records, file, destination.placement) is None
    assert (tmp_path / RECORDS_FILE).read_bytes() == expected_csv([records])
