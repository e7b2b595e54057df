"""``gensample export``: Parquet files and a dataset card that the ``datasets`` library loads."""

import collections
import re
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import DAY

from gensample.api import read_day
from gensample.cli import main
from gensample.export.folder import stored

DAY_ARGS = ["--date", DAY.isoformat()]


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """A run directory with one committed day of every dataset."""
    run_dir = tmp_path_factory.mktemp("export") / "run"
    assert main(["init", str(run_dir)]) == 0
    run = ["run", "--dir", str(run_dir), "--customers", "400", "--workers", "1", *DAY_ARGS]
    assert main(run) == 0
    return run_dir


def export(day, folder, *flags):
    return main(["export", "--dir", str(day), *DAY_ARGS, "--to", str(folder), *flags])


def test_every_table_is_exported_with_the_committed_rows(day, tmp_path):
    assert export(day, tmp_path / "corpus") == 0
    corpus = read_day(day, DAY)
    for table in corpus.tables:
        kind = "data" if table in corpus.datasets else "truth"
        exported = pq.read_table(tmp_path / "corpus" / kind / f"{table}.parquet")
        assert exported.equals(stored(corpus[table]))  # timestamps in ms: the same instants


def test_the_datasets_library_loads_every_config_offline(day, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")  # in the test extra: never skipped in CI
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert export(day, tmp_path / "corpus") == 0
    corpus = read_day(day, DAY)
    for table in corpus.tables:
        loaded = datasets.load_dataset(
            str(tmp_path / "corpus"), table, split="train", cache_dir=str(tmp_path / "cache")
        )
        assert loaded.num_rows == corpus[table].num_rows
        assert loaded.column_names == corpus[table].column_names


def test_the_card_describes_the_corpus(day, tmp_path):
    assert export(day, tmp_path / "corpus", "--license", "cc-by-4.0") == 0
    card = (tmp_path / "corpus" / "README.md").read_text()
    header = card.split("---\n")[1]
    assert "license: cc-by-4.0" in header and "- entity-resolution" in header
    assert '- config_name: customers\n  data_files: "data/customers.parquet"' in header
    assert '- config_name: truth_records\n  data_files: "truth/truth_records.parquet"' in header
    customers = read_day(day, DAY)["customers"].num_rows
    assert f"| `customers` | {customers:,} | data |" in card
    assert "gensample score --dir RUN_DIR" in card and "## Corruptions applied" in card


def test_the_card_counts_each_corruption_the_truth_names(day, tmp_path):
    assert export(day, tmp_path / "corpus") == 0
    card = (tmp_path / "corpus" / "README.md").read_text()
    shown = dict(
        re.findall(r"^\| `([^`]*)` \| ([\d,]+) \|$", card.split("## Corruptions")[1], re.M)
    )
    counted = collections.Counter(
        label.split(":", 1)[1]
        for labels in read_day(day, DAY).truth.records["corruptions"].to_pylist()
        for label in (labels or "").split(";")
        if label
    )
    assert (
        counted and {kind: int(times.replace(",", "")) for kind, times in shown.items()} == counted
    )


def test_an_existing_folder_is_kept_unless_replaced(day, tmp_path, caplog):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "mine.txt").write_text("keep")
    assert export(day, tmp_path / "corpus") == 2
    assert "is not empty" in caplog.text
    assert (tmp_path / "corpus" / "mine.txt").read_text() == "keep"
    assert export(day, tmp_path / "corpus", "--replace") == 0
    assert not (tmp_path / "corpus" / "mine.txt").exists()
    assert (tmp_path / "corpus" / "README.md").exists()


def test_a_file_or_an_unwritable_place_is_refused_naming_it(day, tmp_path, caplog):
    (tmp_path / "corpus").write_text("mine")
    assert export(day, tmp_path / "corpus") == 2
    assert f"{tmp_path / 'corpus'} is a file, not a folder" in caplog.text
    assert (tmp_path / "corpus").read_text() == "mine"
    assert export(day, tmp_path / "corpus" / "inside") == 1  # its parent is that file
    assert f"cannot export to {tmp_path / 'corpus' / 'inside'}: Not a directory" in caplog.text
    assert sorted(path.name for path in tmp_path.iterdir()) == ["corpus"]  # no staging left
    assert export(day, tmp_path / "missing" / "corpus") == 1  # not made with its parents
    assert f"cannot export to {tmp_path / 'missing' / 'corpus'}: No such file" in caplog.text
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("to", "where"),
    [
        ("{run}", "is"),
        ("{run}/out/{day}", "lies inside"),
        ("{run}/corpus", "lies inside"),
        ("{parent}", "contains"),
        ("{link}", "is"),  # a symbolic link to the run directory
        ("{link}/archive", "lies inside"),
    ],
)
def test_a_folder_that_is_contains_or_lies_inside_the_run_directory_is_refused(
    day, tmp_path, caplog, to, where
):
    (tmp_path / "link").symlink_to(day, target_is_directory=True)
    folder = to.format(run=day, day=DAY, parent=day.parent, link=tmp_path / "link")
    before = sorted(day.parent.rglob("*"))
    assert export(day, folder, "--replace") == 2
    assert f"--to {folder} {where} the run directory {day}: export outside" in caplog.text
    assert sorted(day.parent.rglob("*")) == before


def test_the_current_folder_and_an_empty_to(day, tmp_path, monkeypatch, caplog):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert export(day, "") == 2
    assert "--to is empty: name a new folder, outside the run directory" in caplog.text
    assert not any((tmp_path / "here").iterdir())
    assert export(day, ".") == 0  # no traceback: the folder "." has no name of its own
    assert (tmp_path / "here" / "README.md").is_file()


def test_a_changed_file_is_not_exported(day, tmp_path, caplog):
    copy = tmp_path / "run"
    shutil.copytree(day, copy)
    with open(copy / "out" / DAY.isoformat() / "truth" / "records.csv", "a") as file:
        file.write("customers,1,1,original,,\n")
    assert export(copy, tmp_path / "corpus") == 2
    assert "does not match manifest.json" in caplog.text
    assert not (tmp_path / "corpus").exists()


def test_a_push_without_a_token_or_the_package_says_what_is_missing_before_exporting(
    day, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("HF_TOKEN", "")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # no stored login
    assert export(day, tmp_path / "a", "--push", "me/corpus") == 2
    assert "no token; set HF_TOKEN" in caplog.text
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    assert export(day, tmp_path / "b", "--push", "me/corpus") == 2
    assert "pip install 'gensample[hub]'" in caplog.text
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()  # nothing exported


@pytest.mark.parametrize("repo", ["bad repo!", "", "datasets/me/corpus", "me/corpus.git"])
def test_a_malformed_repository_id_is_refused_before_exporting(
    day, tmp_path, monkeypatch, caplog, repo
):
    pytest.importorskip("huggingface_hub")  # in the test extra: never skipped in CI
    monkeypatch.setenv("HF_TOKEN", "hf_unused")
    assert export(day, tmp_path / "corpus", "--push", repo) == 2
    [message] = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert message.startswith(f"--push {repo!r} is not a repository id, expected NAME or OWNER")
    assert "\n" not in message
    assert not (tmp_path / "corpus").exists()


def test_a_failed_upload_is_exit_1_on_one_line_after_the_export(day, tmp_path, monkeypatch, caplog):
    huggingface_hub = pytest.importorskip("huggingface_hub")
    monkeypatch.setenv("HF_TOKEN", "hf_unused")

    def unreachable(*args, **kwargs):
        raise ConnectionError("Connection refused\n\n(the hub is unreachable)")

    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", unreachable)
    assert export(day, tmp_path / "corpus", "--push", "me/corpus") == 1
    [message] = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert message == (
        "--push me/corpus: the upload failed: Connection refused (the hub is unreachable)"
    )
    assert (tmp_path / "corpus" / "README.md").is_file()  # the export stays, to push again


def test_a_missing_day_is_bad_input(day, tmp_path, caplog):
    args = ["export", "--dir", str(day), "--date", "2026-01-01", "--to", str(tmp_path / "x")]
    assert main(args) == 2
    assert "does not exist" in caplog.text


def test_the_docs_loading_example_runs(day, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert export(day, tmp_path / "corpus") == 0
    docs = (Path(__file__).resolve().parent.parent / "docs" / "export.md").read_text()
    example = re.search(r"```python\n(.*?)```", docs, re.S).group(1)
    namespace = {}
    exec(example.replace("/tmp/mdm-corpus", str(tmp_path / "corpus")), namespace)
    assert namespace["customers"].num_rows == read_day(day, DAY)["customers"].num_rows
