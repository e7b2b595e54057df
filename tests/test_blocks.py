"""Blocks written as part files: the history part of new people is their entity part, extended."""

import datetime as dt
import io

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import DAY

from gensample import truth
from gensample.blocks import write_block_parts, write_parts
from gensample.outputs import ENTITIES_FILE, HISTORY_FILE
from gensample.pipeline import BlockResult
from gensample.plan import make_plan
from gensample.settings import Settings


def encoded(table: pa.Table) -> bytes:
    """``table`` as a headerless CSV part, written independently with pyarrow."""
    sink = io.BytesIO()
    options = pacsv.WriteOptions(quoting_style="needed", include_header=False)
    pacsv.write_csv(table, sink, write_options=options)
    return sink.getvalue()


def test_the_history_part_equals_the_csv_of_the_history_rows(tmp_path):
    settings = Settings(customers=500, workers=1)
    block = make_plan(settings, DAY).blocks[0]
    parts = write_block_parts(settings, DAY, block, 1, tmp_path)
    entities = pacsv.read_csv(
        io.BytesIO(_header(truth.ENTITIES_SCHEMA) + parts.paths[ENTITIES_FILE].read_bytes()),
        convert_options=pacsv.ConvertOptions(
            column_types=truth.ENTITIES_SCHEMA,
            strings_can_be_null=True,  # an empty field is a null, a quoted "" an empty text
            quoted_strings_can_be_null=False,
        ),
    )
    expected = encoded(truth.history_rows(entities, DAY, None))
    assert parts.paths[HISTORY_FILE].read_bytes() == expected
    assert parts.rows[HISTORY_FILE] == parts.rows[ENTITIES_FILE] == 500


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
    result = BlockResult(people, {}, {})
    parts = write_parts(result, Settings(), dt.date(2026, 1, 2), 1, tmp_path, 0)
    expected = encoded(truth.history_rows(people, dt.date(2026, 1, 2), None))
    assert parts.paths[HISTORY_FILE].read_bytes() == expected


def _header(schema: pa.Schema) -> bytes:
    return (",".join(f'"{name}"' for name in schema.names) + "\n").encode()
