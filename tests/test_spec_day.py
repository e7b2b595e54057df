"""A day with spec datasets (gensample.generate.spec.day): `gensample run` writes them with their
truth rows and manifest, and read_day, Corpus, load and export read them from what the day
records, even once the spec files are gone. The run is the worked example of docs/spec.md."""

import contextlib
import datetime as dt
import filecmp
import json
import re
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import read_csv

import gensample
from gensample.cli import main
from gensample.errors import RunError
from gensample.generate.spec import arrow_types, model
from gensample.output import dictionary

DAY = dt.date(2026, 1, 5)
DOC = Path(__file__).resolve().parent.parent / "docs" / "spec.md"
SPEC_FILES = ("systems.toml", "regions.csv")


def write_example(run_dir: Path, settings: str = "") -> None:
    """The worked example's files of docs/spec.md in ``run_dir``, ``settings`` added."""
    run_dir.mkdir(parents=True)
    for name, text in re.findall(r"```\w+ file=(\S+)\n(.*?)```", DOC.read_text(), re.S):
        (run_dir / name).write_text(text + (settings if name == "gensample.toml" else ""))


def run_example(run_dir: Path, settings: str = "workers = 1\n") -> Path:
    """Run the example's day in a new ``run_dir``; its day directory."""
    write_example(run_dir, settings)
    assert main(["run", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 0
    return run_dir / "out" / DAY.isoformat()


@pytest.fixture(scope="module")
def day_dir(tmp_path_factory) -> Path:
    """The example's day, run with its spec files, which are then deleted."""
    day = run_example(tmp_path_factory.mktemp("spec-day") / "run")
    for name in SPEC_FILES:
        (day.parent.parent / name).unlink()
    return day


def records_of(day: Path, dataset: str) -> pa.Table:
    """The truth rows of ``dataset`` in the day."""
    records = read_csv(day / "truth" / "records.csv")
    return records.filter(pc.equal(records["dataset"], dataset))


def test_a_run_writes_each_spec_dataset_with_its_manifest_rows(day_dir):
    files = json.loads((day_dir / "manifest.json").read_text())["files"]
    crm, orders = read_csv(day_dir / "data/crm.csv"), read_csv(day_dir / "data/orders.csv")
    assert files["data/crm.csv"]["rows"] == crm.num_rows > 1200  # 60% of 2,000 and copies
    assert files["data/orders.csv"]["rows"] == orders.num_rows > crm.num_rows
    assert crm.column_names[0] == "crm_id" and orders.column_names[0] == "order_id"
    assert files["truth/records.csv"]["rows"] == read_csv(day_dir / "truth/records.csv").num_rows


def test_spec_rows_refer_to_rows_of_their_parents(day_dir):
    crm, orders = read_csv(day_dir / "data/crm.csv"), read_csv(day_dir / "data/orders.csv")
    stores = read_csv(day_dir / "data/stores.csv")
    assert pc.all(pc.is_in(orders["crm_id"], crm["crm_id"])).as_py()
    assert pc.all(pc.is_in(crm["store"], stores["store_id"])).as_py()
    assert set(crm["region"].to_pylist()) == {"N", "S"}
    assert pc.count_distinct(crm["crm_id"]).as_py() == crm.num_rows


def test_every_spec_record_has_a_truth_row_of_a_person_of_the_day(day_dir):
    crm, records = read_csv(day_dir / "data/crm.csv"), records_of(day_dir, "crm")
    ids = sorted(int(crm_id.removeprefix("CRM-")) for crm_id in crm["crm_id"].to_pylist())
    assert sorted(int(record) for record in records["record_id"].to_pylist()) == ids
    people = read_csv(day_dir / "truth/entities.csv")["entity_id"]
    assert pc.all(pc.is_in(records["entity_id"], people)).as_py()
    copies = records.filter(pc.equal(records["kind"], "duplicate"))
    originals = records.filter(pc.equal(records["kind"], "original"))
    assert 0.05 < copies.num_rows / records.num_rows < 0.15  # the spec's rate: 10%
    assert pc.all(pc.is_in(copies["duplicate_of"], originals["record_id"])).as_py()
    assert pc.count_distinct(originals["entity_id"]).as_py() == originals.num_rows
    assert records_of(day_dir, "orders").num_rows == 0  # orders carry no person


def test_spec_records_show_their_person_as_the_days_truth_has_them(day_dir):
    crm = read_csv(day_dir / "data/crm.csv").to_pandas()
    crm["record_id"] = crm["crm_id"].str.removeprefix("CRM-").astype(int).astype(str)
    records = records_of(day_dir, "crm").to_pandas()
    people = read_csv(day_dir / "truth/entities.csv").to_pandas()
    seen = crm.merge(records, on="record_id").merge(people, on="entity_id")
    originals = seen[seen["kind"] == "original"]
    assert len(originals) > 1000
    assert (originals["born"] == originals["birth_date"]).all()
    assert (originals["family_name"] == originals["last_name"]).all()


def test_spec_duplicates_carry_their_similarity_to_the_original(day_dir):
    records = records_of(day_dir, "crm")
    copies = records.filter(pc.equal(records["kind"], "duplicate"))
    originals = records.filter(pc.equal(records["kind"], "original"))
    assert set(copies["difficulty"].to_pylist()) <= {"easy", "medium", "hard"}
    assert "" not in copies["name_similarity"].to_pylist()
    assert 0.5 < sum(float(s) for s in copies["name_similarity"].to_pylist()) / copies.num_rows <= 1
    assert set(copies["birth_date_match"].to_pylist()) == {"true", "false"}  # born is fuzzed
    assert set(originals["name_similarity"].to_pylist()) == {""}


def test_two_runs_write_the_same_bytes(day_dir, tmp_path):
    again = run_example(tmp_path / "again")
    names = [str(p.relative_to(day_dir)) for p in day_dir.rglob("*") if p.is_file()]
    same, different, missing = filecmp.cmpfiles(day_dir, again, names, shallow=False)
    assert "data/crm.csv" in same and "truth/records.csv" in same
    assert different == ["manifest.json"] and not missing  # it names the run directory
    written = [json.loads((d / "manifest.json").read_text()) for d in (day_dir, again)]
    assert written[0]["files"] == written[1]["files"]


def test_the_manifest_records_the_spec_datasets_tables(day_dir, tmp_path):
    write_example(tmp_path / "spec")
    expected = arrow_types.schemas(model.load(tmp_path / "spec" / "systems.toml"))
    manifest = json.loads((day_dir / "manifest.json").read_text())
    recorded = {t.name: t for t in dictionary.tables(manifest) if t.name in expected}
    assert list(recorded) == ["crm", "orders"]
    assert all(recorded[name].schema == schema for name, schema in expected.items())
    assert recorded["crm"].primary_key == ("crm_id",)
    # regions is the user's own table, which the day does not hold: no key to it
    assert recorded["crm"].foreign_keys == {"store": ("stores", "store_id")}
    assert recorded["orders"].foreign_keys == {"crm_id": ("crm", "crm_id")}


def test_read_day_reads_the_spec_datasets_in_their_types(day_dir):
    corpus = gensample.read_day(day_dir.parent.parent, DAY)
    assert corpus.datasets[-2:] == ("crm", "orders")
    crm = corpus["crm"]
    assert crm.schema.field("born").type == pa.date32()
    assert crm.schema.field("spend").type == pa.float64()
    assert crm.num_rows == read_csv(day_dir / "data/crm.csv").num_rows
    assert corpus.truth.records.filter(pc.equal(corpus.truth.records["dataset"], "crm")).num_rows


def test_a_corpus_in_memory_has_the_days_spec_datasets_and_writes_its_bytes(tmp_path, day_dir):
    write_example(tmp_path / "settings")
    corpus = gensample.generate(settings=tmp_path / "settings", date=DAY)
    read = gensample.read_day(day_dir.parent.parent, DAY)
    assert corpus["crm"].equals(read["crm"]) and corpus["orders"].equals(read["orders"])
    written = corpus.write(tmp_path / "written")
    for name in ("data/crm.csv", "data/orders.csv", "truth/records.csv"):
        assert (written / name).read_bytes() == (day_dir / name).read_bytes()


def test_a_parquet_day_reads_as_the_csv_day(tmp_path, day_dir):
    parquet = run_example(tmp_path / "parquet", 'workers = 1\nformat = "parquet"\n')
    assert (parquet / "data" / "crm.parquet").is_file()
    corpus, csv = (
        gensample.read_day(parquet.parent.parent, DAY),
        gensample.read_day(day_dir.parent.parent, DAY),
    )
    assert corpus["crm"].equals(csv["crm"]) and corpus["orders"].equals(csv["orders"])


def test_a_spec_day_loads_into_sqlite_with_its_keys(day_dir, tmp_path):
    database = tmp_path / "day.db"
    url = f"sqlite:///{database}"
    assert main(["load", "--dir", str(day_dir.parent.parent), "--date", str(DAY), "--db", url]) == 0
    with contextlib.closing(sqlite3.connect(database)) as connection:
        count = connection.execute("SELECT count(*) FROM crm").fetchone()[0]
        keys = connection.execute("PRAGMA foreign_key_list(orders)").fetchall()
        primary = [row[1] for row in connection.execute("PRAGMA table_info(crm)") if row[5]]
    assert count == read_csv(day_dir / "data/crm.csv").num_rows
    assert [(row[2], row[3], row[4]) for row in keys] == [
        ("crm", "crm_id", "crm_id"),
        ("crm", "day", "day"),
    ]
    assert primary == ["crm_id", "day"]


def test_a_spec_day_exports_to_parquet(day_dir, tmp_path):
    folder = tmp_path / "export"
    run_dir = str(day_dir.parent.parent)
    assert main(["export", "--dir", run_dir, "--date", str(DAY), "--to", str(folder)]) == 0
    crm = pq.read_table(folder / "data" / "crm.parquet")
    assert crm.num_rows == read_csv(day_dir / "data/crm.csv").num_rows
    assert crm.schema.field("born").type == pa.date32()
    assert "config_name: orders" in (folder / "README.md").read_text()


def test_an_append_with_other_spec_datasets_is_refused(tmp_path, caplog):
    day = run_example(tmp_path / "run", 'workers = 1\nload_type = "append"\n')
    spec = day.parent.parent / "systems.toml"
    spec.write_text(spec.read_text().replace('code = {pattern = "PR-####-??"}\n', ""))
    spec.write_text(spec.read_text().replace("upper(tier) + '-' + code", "upper(tier)"))
    before = (day / "data" / "crm.csv").read_bytes()
    assert main(["run", "--dir", str(day.parent.parent), "--date", DAY.isoformat()]) == 2
    assert "is not allowed for an append to this day" in caplog.text
    assert (day / "data" / "crm.csv").read_bytes() == before


def test_a_broken_record_of_spec_tables_is_named():
    with pytest.raises(RunError, match=r"spec_tables of the manifest: .*'crm'.*expected name"):
        dictionary.tables({"spec_tables": [{"name": "crm", "columns": [["a", "no_type"]]}]})


def test_a_run_with_an_impossible_spec_writes_nothing(tmp_path, caplog):
    write_example(tmp_path / "run", "workers = 1\n")
    spec = tmp_path / "run" / "systems.toml"
    spec.write_text(spec.read_text().replace("weights = [1, 3, 6]", "weights = [1, 3]"))
    assert main(["run", "--dir", str(tmp_path / "run"), "--date", str(DAY)]) == 2
    assert "systems.toml: datasets.crm.columns.tier.choice.weights: expected 3" in caplog.text
    assert not (tmp_path / "run" / "out").exists()


def test_the_schema_of_a_run_directory_adds_its_spec_datasets(tmp_path, capsys):
    write_example(tmp_path / "run")
    assert main(["schema", "--dir", str(tmp_path / "run")]) == 0
    text = capsys.readouterr().out
    crm = text[text.index("## `crm`") : text.index("## `orders`")]
    assert "Data, in `data/crm.*`. Primary key in a database: `crm_id`, `day`." in crm
    assert "| `born` | date |" in crm
    assert "Made by" in crm and "systems.toml" in crm
    assert "| `crm_id` | text | FK → `crm.crm_id` |" in text[text.index("## `orders`") :]
    assert main(["schema"]) == 0
    assert "## `crm`" not in capsys.readouterr().out
