"""The Python API: a corpus in memory equals the day a run writes, file for file."""

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import tomli_w
from conftest import DAY, run_day

import gensample
from gensample.api import MAX_CUSTOMERS, generate, read_day
from gensample.cli import main
from gensample.errors import BadInputError
from gensample.generate.seeding import BLOCK_SIZE
from gensample.output import dictionary
from gensample.output.manifest import MANIFEST_FILE

SMALL = {"customers": 400, "seed": 7, "workers": 1}


def files_of(day_dir: Path) -> dict[str, bytes]:
    """Every file of a day directory, by path in it."""
    return {
        str(path.relative_to(day_dir)): path.read_bytes()
        for path in sorted(day_dir.rglob("*"))
        if path.is_file()
    }


def settings_file(run_dir: Path, values: dict) -> Path:
    """Write ``values`` as ``run_dir``'s gensample.toml."""
    path = run_dir / "gensample.toml"
    path.write_text(tomli_w.dumps(values))
    return path


@pytest.mark.parametrize(
    "values",
    [
        SMALL,
        {**SMALL, "format": "parquet"},
        {**SMALL, "datasets": ["customers", "transactions", "email_subscribers"]},
        # two blocks: Parquet row groups and the blocks' id ranges as a run has them
        {"customers": BLOCK_SIZE + 10, "datasets": ["customers"], "format": "parquet"},
    ],
    ids=["csv", "parquet", "subset", "two-blocks"],
)
def test_a_written_corpus_is_the_day_a_run_writes(run_dir, tmp_path, values):
    settings_file(run_dir, values)
    ran = run_day(run_dir).day_dir
    corpus = generate(settings=run_dir, date=DAY)
    written = corpus.write(tmp_path / "api")
    assert written == tmp_path / "api" / "out" / DAY.isoformat()
    assert files_of(written) == files_of(ran)
    assert corpus.manifest == json.loads((ran / MANIFEST_FILE).read_text())


def test_a_corpus_holds_every_table_of_the_data_dictionary_in_its_types():
    corpus = generate(**{k: SMALL[k] for k in ("customers", "seed")}, date=DAY)
    specs = {spec.name: spec for spec in dictionary.tables()}
    assert set(corpus.tables) == set(specs)
    assert corpus.datasets == tuple(n for n in specs if not specs[n].truth)
    for name in corpus.tables:
        assert corpus[name].schema == specs[name].schema
    assert corpus.truth.records.num_rows == corpus.manifest["files"]["truth/records.csv"]["rows"]
    assert corpus.truth.entities.num_rows == corpus.truth.history.num_rows == 400


def test_settings_as_a_mapping_a_file_or_a_directory_give_the_same_corpus(run_dir):
    values = {**SMALL, "dupe_rate": 30.0, "fuzz": {"max_fields": 3}}
    path = settings_file(run_dir, values)
    corpora = [generate(settings=source, date=DAY) for source in (values, path, str(run_dir))]
    for corpus in corpora:
        assert corpus.manifest["settings"]["fuzz"]["max_fields"] == 3
        assert corpus.manifest == corpora[0].manifest
        assert all(corpus[n].equals(corpora[0][n]) for n in corpus.tables)


def test_keywords_override_the_settings(run_dir):
    path = settings_file(run_dir, {"customers": 50, "seed": 3})
    corpus = generate(customers=80, dupe_rate=0, settings=path, date=DAY)
    assert corpus.manifest["seed"] == 3
    assert corpus.manifest["counts"] == {**corpus.manifest["counts"], "originals": 80}
    assert corpus["customers"].num_rows == 80  # no duplicates
    assert generate(customers=20, date=DAY).manifest["seed"] == 1  # without settings


@pytest.mark.parametrize(
    "values", [{"seed": -1}, {"colour": "red"}, {"dupe_rate": 90, "max_duplicates_per_entity": 2}]
)
def test_bad_settings_give_the_message_the_command_line_gives(run_dir, caplog, values):
    path = settings_file(run_dir, values)
    assert main(["run", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 2
    logged = caplog.records[-1].getMessage()
    with pytest.raises(BadInputError) as from_directory:
        generate(settings=run_dir, date=DAY)
    assert str(from_directory.value) == logged
    with pytest.raises(BadInputError) as from_mapping:
        generate(settings=values, date=DAY)
    source, said = str(from_mapping.value).split(": ", 1)
    assert source == "settings mapping" and said == logged.split(": ", 1)[1]
    assert str(path) in logged or str(run_dir.resolve()) in logged


def test_bad_keywords_and_sources_are_named():
    with pytest.raises(BadInputError, match=r"gensample.generate\(customers=...\): customers"):
        generate(customers=-1)
    with pytest.raises(BadInputError, match="datasets"):
        generate(datasets=["transactions"])  # without the customers it refers to
    with pytest.raises(BadInputError, match="no such settings file"):
        generate(settings="/nonexistent/gensample.toml")
    with pytest.raises(BadInputError, match=r"expected a gensample\.toml path"):
        generate(settings=42)
    for spelled in ("23/11/2026", "20261123", "2026-W48-1"):
        with pytest.raises(BadInputError, match="expected YYYY-MM-DD"):
            generate(date=spelled)


def test_a_corpus_too_large_for_memory_is_refused_before_any_work():
    with pytest.raises(BadInputError, match="gensample run") as refused:
        generate(customers=MAX_CUSTOMERS + 1)
    assert f"at most {MAX_CUSTOMERS:_}" in str(refused.value)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_read_day_gives_back_what_was_written(tmp_path, file_format):
    corpus = generate(customers=300, seed=5, date=DAY, settings={"format": file_format})
    day_dir = corpus.write(tmp_path)
    back = read_day(tmp_path, DAY.isoformat())
    assert back.tables == corpus.tables
    for name in corpus.tables:
        assert back[name].equals(corpus[name]), name
    assert back.manifest == corpus.manifest
    assert files_of(back.write(tmp_path / "again")) == files_of(day_dir)


def test_read_day_reads_appended_batches_in_order(run_dir):
    settings_file(run_dir, {**SMALL, "load_type": "append", "format": "parquet"})
    run_day(run_dir)
    day_dir = run_day(run_dir).day_dir
    back = read_day(run_dir, DAY)
    assert len(back.manifest["batches"]) == 2
    ids = back["customers"]["customer_id"].to_pylist()
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert back["customers"].num_rows == sum(
        entry["rows"]
        for name, entry in back.manifest["files"].items()
        if name.startswith("data/customers.")
    )
    assert (day_dir / "data" / "customers.2.parquet").exists()


def test_read_day_refuses_a_file_changed_after_the_run(tmp_path):
    day_dir = generate(customers=50, date=DAY).write(tmp_path)
    with (day_dir / "data" / "customers.csv").open("a") as changed:
        changed.write("1,x\n")
    with pytest.raises(BadInputError, match=r"customers.csv: does not match manifest.json"):
        read_day(tmp_path, DAY)


def test_write_refuses_a_run_directory_in_use(run_dir):
    settings_file(run_dir, SMALL)
    run_day(run_dir)
    with pytest.raises(BadInputError, match=r"state\.json exists"):
        generate(customers=10, date=DAY).write(run_dir)


def test_to_pandas_keeps_the_dictionary_types():
    frame = generate(customers=300, date=DAY).to_pandas("customers")
    assert str(frame["customer_id"].dtype) == "int64[pyarrow]"
    assert str(frame["birth_date"].dtype) == "date32[day][pyarrow]"
    assert frame["address_line2"].isna().any()  # nulls stay nulls, strings stay strings
    assert str(frame["address_line2"].dtype) == "string[pyarrow]"


def test_to_pandas_without_pandas_says_how_to_install_it(monkeypatch):
    corpus = generate(customers=10, date=DAY)
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'gensample\[pandas\]'"):
        corpus.to_pandas("customers")


def test_a_corpus_is_scored_like_a_written_day(tmp_path):
    corpus = generate(customers=200, date=DAY)
    records = corpus["customers"].select(["customer_id"])
    clusters = pa.table({"record_id": records[0], "cluster_id": records[0]})  # all apart
    in_memory = gensample.score(corpus, clusters)
    on_disk = gensample.score(corpus.write(tmp_path), clusters)
    assert in_memory.pairwise == on_disk.pairwise
    assert in_memory.predicted_pairs == 0 and in_memory.true_pairs > 0
    assert isinstance(in_memory, gensample.Scores)


def test_import_gensample_stays_light_and_its_names_stay_the_api():
    code = (
        "import sys, gensample\n"
        "assert not {'numpy', 'pyarrow'} & set(sys.modules), 'heavy import'\n"
        "import gensample.generate.plan, gensample.score.truth\n"
        "from gensample import generate, score\n"
        "assert generate is gensample.api.generate and callable(score)\n"
        "assert set(gensample.__all__) <= set(dir(gensample))\n"
        "from gensample.score import Scores, breakdown\n"
        "assert Scores is gensample.Scores\n"
        "assert breakdown is sys.modules['gensample.score.breakdown']\n"
        "import gensample.score as bound\n"
        "assert bound is score, 'the package attribute is the function, not the subpackage'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
