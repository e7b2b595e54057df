"""The data dictionary: every table described column by column, keys that hold together, and a
docs page that is up to date."""

import re
from pathlib import Path

import pytest

from gensample.generate import truth
from gensample.generate.datasets import REGISTRY
from gensample.output import dictionary
from gensample.output.day_files import output_files
from gensample.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TABLES = dictionary.tables()
BY_NAME = {spec.name: spec for spec in TABLES}
TRUTH = ["truth_entities", "truth_records", "truth_entities_history"]


def test_every_dataset_and_every_truth_file_is_a_table():
    assert [spec.name for spec in TABLES] == [*REGISTRY, *TRUTH]
    assert [spec.truth for spec in TABLES] == [False] * len(REGISTRY) + [True] * len(TRUTH)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
@pytest.mark.parametrize("batch", [1, 2, 3])
def test_every_file_a_day_writes_belongs_to_one_table_of_its_schema(file_format, batch):
    settings = Settings(format=file_format, datasets=tuple(REGISTRY))
    for path, (schema, _) in output_files(settings, batch).items():
        holders = [spec for spec in TABLES if spec.holds(path)]
        assert len(holders) == 1, path
        assert holders[0].schema.equals(schema), path


@pytest.mark.parametrize("spec", TABLES, ids=lambda spec: spec.name)
def test_every_column_has_a_meaning(spec):
    assert list(spec.descriptions) == spec.schema.names
    assert all(text.strip().endswith(".") for text in spec.descriptions.values())


@pytest.mark.parametrize("spec", TABLES, ids=lambda spec: spec.name)
def test_keys_are_columns_and_foreign_keys_name_the_key_of_an_earlier_table(spec):
    assert spec.primary_key
    assert set(spec.primary_key) <= set(spec.schema.names)
    assert dictionary.DAY.name not in spec.schema.names  # the loader adds it
    earlier = {s.name: s for s in TABLES[: TABLES.index(spec)]}
    for column, (table, target) in spec.foreign_keys.items():
        assert table in earlier, f"{spec.name}.{column} names {table}, not an earlier table"
        assert earlier[table].primary_key == (target,)
        assert spec.schema.field(column).type == earlier[table].schema.field(target).type
        assert earlier[table].truth == spec.truth  # data never points at the truth


def test_the_keys_are_the_documented_ones():
    keys = {name: (spec.primary_key, dict(spec.foreign_keys)) for name, spec in BY_NAME.items()}
    to_entity = {"entity_id": ("truth_entities", "entity_id")}
    assert keys["customers"] == (("customer_id",), {})
    assert keys["truth_records"] == (("dataset", "record_id"), to_entity)
    assert keys["truth_entities"] == (("entity_id",), {})
    assert keys["truth_entities_history"] == (("entity_id", "valid_from"), to_entity)
    assert [BY_NAME[name].schema for name in TRUTH] == [
        truth.ENTITIES_SCHEMA,
        truth.RECORDS_SCHEMA,
        truth.HISTORY_SCHEMA,
    ]


def test_the_markdown_has_a_section_per_table_and_a_row_per_column():
    text = dictionary.render_markdown()
    assert re.findall(r"^## `(\w+)`$", text, re.M) == list(BY_NAME)
    rows = re.findall(r"^\| `(\w+)` \|", text, re.M)
    assert len(rows) == sum(len(spec.schema) + 1 for spec in TABLES)  # and `day`
    assert "| `customer_id` | integer | PK | Account id:" in text
    assert "| `entity_id` | integer | FK → `truth_entities.entity_id` |" in text
    assert "| `entity_id` | integer | PK, FK → `truth_entities.entity_id` |" in text
    assert "| `valid_to` | date |  | Day this version stopped" in text
    assert "Primary key in a database: `dataset`, `record_id`, `day`." in text


def test_a_pipe_in_a_meaning_does_not_break_the_table(monkeypatch):
    spec = BY_NAME["customers"]
    meanings = {**spec.descriptions, "operation": "I | U."}
    monkeypatch.setattr(REGISTRY["customers"], "DESCRIPTIONS", meanings)
    assert "| `operation` | text |  | I \\| U. |" in dictionary.render_markdown()


def test_the_docs_page_holds_the_current_dictionary():
    page = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    generated = re.search(
        r"<!-- data-dictionary: .*?-->\n(.*?)<!-- end data-dictionary -->", page, re.S
    )
    assert generated, "docs/data-dictionary.md lost its markers"
    assert generated.group(1) == dictionary.render_markdown(), (
        "docs/data-dictionary.md is stale: paste the output of gensample schema between its markers"
    )
