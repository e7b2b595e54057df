"""The built-in systems in the spec syntax: the shipped systems.toml is what gensample makes them
with, `gensample init --spec` writes it out, and a run's spec file changes them (docs/spec.md,
"The built-in systems")."""

import datetime as dt
import re
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from file_edits import same_size_and_time

import gensample
from gensample import reference
from gensample.cli import main
from gensample.generate.datasets import systems
from gensample.settings import Settings

DAY = dt.date(2026, 1, 5)
DOC = Path(__file__).resolve().parent.parent / "docs" / "spec.md"
TILLS = re.search(r"```toml file=tills.toml\n(.*?)```", DOC.read_text(), re.S).group(1)
SETTINGS = "customers = 3000\nworkers = 1\n"


def run(run_dir: Path) -> Path:
    """Run the day in ``run_dir``; its day directory."""
    assert main(["run", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 0
    return run_dir / "out" / DAY.isoformat()


def with_settings(run_dir: Path, settings: str) -> Path:
    run_dir.mkdir(parents=True)
    (run_dir / "gensample.toml").write_text(settings)
    return run_dir


def test_init_spec_writes_the_shipped_systems_and_a_run_with_them_changes_no_byte(tmp_path):
    assert main(["init", str(tmp_path / "spec"), "--spec"]) == 0
    written = (tmp_path / "spec" / "systems.toml").read_text()
    assert written == (reference.DATA / "systems.toml").read_text()
    settings = (tmp_path / "spec" / "gensample.toml").read_text()
    assert '\nspec = ["systems.toml"]\n' in settings
    settings = re.sub(r"(?m)^customers = .*$", "customers = 3000", settings)
    (tmp_path / "spec" / "gensample.toml").write_text(
        re.sub(r"(?m)^workers = .*$", "workers = 1", settings)
    )
    with_spec = run(tmp_path / "spec")
    without = run(with_settings(tmp_path / "plain", SETTINGS))
    files = sorted(path.relative_to(without) for path in without.rglob("*.csv"))
    assert len(files) > 20
    for name in files:
        assert (with_spec / name).read_bytes() == (without / name).read_bytes(), name


def test_init_spec_into_a_run_directory_writes_only_the_spec_and_never_twice(tmp_path, caplog):
    run_dir = with_settings(tmp_path / "run", SETTINGS)
    assert main(["init", str(run_dir), "--spec"]) == 0
    assert (run_dir / "gensample.toml").read_text() == SETTINGS
    assert (run_dir / "systems.toml").is_file()
    assert main(["init", str(run_dir), "--spec"]) == 2
    assert "systems.toml already exists" in caplog.text


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> tuple[gensample.Corpus, gensample.Corpus]:
    """A day made with the docs' tills.toml, and the same day without it."""
    run_dir = tmp_path_factory.mktemp("tills")
    (run_dir / "tills.toml").write_text(TILLS)
    (run_dir / "gensample.toml").write_text(f'spec = ["tills.toml"]\n{SETTINGS}')
    with_tills = gensample.generate(settings=run_dir, date=DAY)
    return with_tills, gensample.generate(settings={"customers": 3000}, date=DAY)


def capitals(names: pa.ChunkedArray) -> float:
    """Share of names written all in capitals."""
    return pc.mean(pc.equal(names, pc.utf8_upper(names))).as_py()


def test_no_till_writes_capitals_and_none_asks_for_a_phone(changed):
    tills, before = (corpus["pos_customers"] for corpus in changed)
    assert capitals(before["full_name"]) > 0.5
    assert capitals(tills["full_name"]) < 0.1  # only what corruptions make so
    assert before["phone"].null_count < 0.5 * before.num_rows
    assert tills["phone"].null_count == tills.num_rows


def labels_of(corpus: gensample.Corpus, dataset: str, column: str) -> list[str]:
    records = corpus.truth.records
    return records.filter(pc.equal(records["dataset"], dataset))[column].to_pylist()


def test_members_emails_are_never_mistyped_and_more_give_a_home_phone(changed):
    tills, before = changed
    corruptions = [labels_of(corpus, "loyalty_members", "corruptions") for corpus in changed]
    assert any("email:" in label for label in corruptions[1])
    assert not any("email:" in label for label in corruptions[0])
    landline = [
        sum("phone:landline" in v for v in labels_of(c, "loyalty_members", "variations"))
        / len(labels_of(c, "loyalty_members", "variations"))
        for c in (tills, before)
    ]
    assert landline[0] / landline[1] == pytest.approx(0.6 / 0.35, rel=0.15)  # of those who have one


def test_an_event_dataset_takes_its_counts_from_the_spec(changed):
    tills, before = (corpus["clickstream"] for corpus in changed)
    hits = [pc.value_counts(c["session_id"]).field("counts") for c in (tills, before)]
    assert pc.max(hits[1]).as_py() > 1
    assert pc.max(hits[0]).as_py() == 1  # a page per visit


def test_the_other_systems_are_as_shipped(changed):
    tills, before = changed
    for name in ("customers", "email_subscribers", "incident_reports", "mobile_events"):
        assert tills[name].equals(before[name]), name


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "[datasets.crm]\nbuiltin = true\n",
            "datasets.crm.builtin: no built-in system crm: expected one of ['clickstream', "
            "'customers',",
        ),
        (
            "[datasets.email_subscribers]\nbuiltin = true\nhurry = 2.0\n",
            "datasets.email_subscribers.hurry: email_subscribers has no parameter hurry: "
            "expected one of ['builtin', 'columns', 'extra_fields', 'fuzz', 'unrecorded', "
            "'variations']",
        ),
        (
            "[datasets.pos_customers]\nbuiltin = true\nhabits = {capitals = 0.5}\n",
            "datasets.pos_customers.habits.capitals: pos_customers has no capitals: "
            "expected one of ['middle_initial', 'upper_case']",
        ),
        (
            "[datasets.pos_customers]\nbuiltin = true\nunrecorded = {email = 0.5}\n",
            "datasets.pos_customers.unrecorded.email: pos_customers has no email: expected one "
            "of ['birth_date', 'first_name', 'last_name', 'phone', 'postal_code']",
        ),
        (
            "[datasets.pos_customers]\nbuiltin = true\nfuzz.phone = {weight = 1, forbidden = "
            '["smudge"]}\n',
            "datasets.pos_customers.fuzz.phone.forbidden: unknown corruption 'smudge'",
        ),
        (
            "[datasets.pos_customers]\nbuiltin = true\nhabits = {upper_case = 1.5}\n",
            "datasets.pos_customers.habits.upper_case: 1.5 is greater than the maximum of 1",
        ),
        (
            '[datasets.email_subscribers]\nbuiltin = true\ncolumns = ["email"]\n',
            "datasets.email_subscribers.columns: email_subscribers's columns are its code's: "
            "expected ['email', 'first_name']",
        ),
        (
            "[datasets.mobile_events]\nbuiltin = true\n"
            "counts.events_per_session = {least = 5, mean = 2.0, most = 40}\n",
            "datasets.mobile_events.counts.events_per_session: expected least <= mean and "
            "least <= most",
        ),
    ],
)
def test_an_impossible_entry_is_refused_naming_it(tmp_path, caplog, entry, message):
    run_dir = with_settings(tmp_path / "run", f'spec = ["bad.toml"]\n{SETTINGS}')
    (run_dir / "bad.toml").write_text(entry)
    assert main(["run", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 2
    assert f"bad.toml: {message}" in caplog.text
    assert not (run_dir / "out" / DAY.isoformat()).exists()


def test_a_process_given_the_parameters_needs_no_spec_file(tmp_path):
    spec = tmp_path / "tills.toml"
    spec.write_text(TILLS)
    given = systems.effective(Settings(spec=(str(spec),)))
    assert given["pos_customers"]["habits"] == {"upper_case": 0.0, "middle_initial": 0.05}
    spec.unlink()  # as on a Dask worker that does not see it
    elsewhere = Settings(spec=(str(spec),))
    with systems.given(elsewhere, given):
        assert systems.parameters(elsewhere, "pos_customers")["unrecorded"]["phone"] == 1.0
    with pytest.raises(FileNotFoundError):  # given for the task only
        systems.parameters(elsewhere, "pos_customers")


def test_a_spec_file_edited_with_its_size_and_time_kept_is_read_again(tmp_path):
    spec = tmp_path / "tills.toml"
    spec.write_text(TILLS)
    run = Settings(spec=(str(spec),))
    assert systems.habit(run, "pos_customers", "upper_case") == 0.0
    same_size_and_time(spec, TILLS.replace("upper_case = 0.0", "upper_case = 0.5"))
    assert systems.habit(run, "pos_customers", "upper_case") == 0.5


def test_parameters_given_to_threads_at_once_are_each_their_own(tmp_path):
    spec = tmp_path / "tills.toml"
    spec.write_text(TILLS)
    run = Settings(spec=(str(spec),))
    given = [systems.effective(run)]
    spec.write_text(TILLS.replace("upper_case = 0.0", "upper_case = 0.5"))  # edited meanwhile
    given.append(systems.effective(run))
    assert given[0] != given[1]
    both_given, seen = threading.Barrier(2), {}

    def block(number: int) -> None:  # a block of one run and one of the other, at once
        with systems.given(run, given[number]):
            both_given.wait(timeout=10)
            seen[number] = systems.parameters(run, "pos_customers")["habits"]["upper_case"]

    threads = [threading.Thread(target=block, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {0: 0.0, 1: 0.5}
