"""Pruning old days from out/: what goes, what stays, and ids that never repeat afterwards."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import DAY, lock_held_elsewhere, run_day
from test_recovery import truth_ids

from gensample.cli import main
from gensample.daily import pruning
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, RunError

DAYS = [DAY + dt.timedelta(days=k) for k in range(4)]  # 2026-11-23 to 2026-11-26
TODAY = DAYS[-1]


@pytest.fixture
def four_days(run_dir: Path) -> Path:
    """A run directory with four committed days of a few customers."""
    for day in DAYS:
        run_day(run_dir, day, customers=20)
    return run_dir


def out_days(run_dir: Path) -> list[str]:
    return sorted(path.name for path in (run_dir / "out").iterdir())


def test_days_before_today_minus_keep_days_are_removed_with_a_tombstone(four_days):
    pruned = pruning.prune(RunDirectory(four_days), 2, TODAY)

    assert [day.date for day in pruned] == DAYS[:1]
    assert out_days(four_days) == [day.isoformat() for day in DAYS[1:]]
    tombstone = json.loads((four_days / "pruned" / f"{DAYS[0]}.json").read_text())
    state = json.loads((four_days / "state.json").read_text())
    assert tombstone["batches"] == [
        {key: value for key, value in batch.items() if key != "tracer"}
        for batch in state["days"][DAYS[0].isoformat()]
    ]
    assert DAYS[0].isoformat() in state["days"]  # the state keeps the day's ids too
    assert (four_days / "archive" / DAYS[0].isoformat()).is_dir()  # the archive is left alone


def test_a_dry_run_lists_the_days_and_removes_nothing(four_days):
    pruned = pruning.prune(RunDirectory(four_days), 0, TODAY, dry_run=True)
    assert [day.date for day in pruned] == DAYS[:3]
    assert out_days(four_days) == [day.isoformat() for day in DAYS]
    assert not (four_days / "pruned").exists()


def test_ids_continue_after_pruning_then_losing_the_state_and_the_archive(four_days, tmp_path):
    before = set().union(*(truth_ids(four_days / "out" / d.isoformat()) for d in DAYS))
    pruning.prune(RunDirectory(four_days), 0, TODAY + dt.timedelta(days=1))
    assert out_days(four_days) == []
    (four_days / "state.json").unlink()
    shutil.rmtree(four_days / "archive")

    later = run_day(four_days, TODAY + dt.timedelta(days=1), customers=20)

    assert not before & truth_ids(later.day_dir)
    state = json.loads((four_days / "state.json").read_text())
    assert set(state["days"]) == {d.isoformat() for d in [*DAYS, TODAY + dt.timedelta(days=1)]}


def test_an_unreadable_tombstone_with_nothing_else_is_refused(four_days):
    pruning.prune(RunDirectory(four_days), 2, TODAY)
    (four_days / "pruned" / f"{DAYS[0]}.json").write_text("{")
    (four_days / "state.json").unlink()
    shutil.rmtree(four_days / "archive" / DAYS[0].isoformat())
    with pytest.raises(BadInputError, match=f"{DAYS[0]} \\(pruned/{DAYS[0]}.json\\)"):
        run_day(four_days, TODAY + dt.timedelta(days=1), customers=20)


def test_a_day_whose_manifest_is_unreadable_is_left_alone(four_days, caplog):
    (four_days / "out" / DAYS[0].isoformat() / "manifest.json").write_text("{")
    pruned = pruning.prune(RunDirectory(four_days), 0, TODAY)
    assert [day.date for day in pruned] == DAYS[1:3]
    assert out_days(four_days) == [DAYS[0].isoformat(), TODAY.isoformat()]
    assert "left alone: its ids cannot be kept" in caplog.text


def test_pruning_is_refused_while_another_run_holds_the_lock(four_days):
    with lock_held_elsewhere(four_days), pytest.raises(RunError, match="another gensample run"):
        pruning.prune(RunDirectory(four_days), 0, TODAY)
    assert out_days(four_days) == [day.isoformat() for day in DAYS]


def test_a_removal_cut_short_is_finished_by_the_next_prune(four_days):
    leftover = four_days / "out" / f".{DAYS[0]}.pruned"
    (four_days / "out" / DAYS[0].isoformat()).rename(leftover)
    pruning.prune(RunDirectory(four_days), 10, TODAY)
    assert not leftover.exists()


@pytest.mark.parametrize("keep_days", [0, 5, 10**6, 10**12])
def test_the_cutoff_never_overflows(keep_days):
    expected = dt.date.min if keep_days >= 10**6 else TODAY - dt.timedelta(days=keep_days)
    assert pruning.cutoff(TODAY, keep_days) == expected


def test_the_prune_command_prints_what_it_removed(run_dir, capsys):
    assert main(["init", str(run_dir)]) == 0
    old = dt.date.today() - dt.timedelta(days=10)
    run_day(run_dir, old, customers=20)
    run_day(run_dir, dt.date.today(), customers=20)
    capsys.readouterr()
    arguments = ["prune", "--dir", str(run_dir), "--keep-days", "3"]

    assert main([*arguments, "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith(f"would remove {run_dir / 'out' / old.isoformat()} (")
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"removed {run_dir / 'out' / old.isoformat()} (")
    assert f"its ids are kept in {run_dir / 'pruned' / old.isoformat()}.json" in printed
    assert main(arguments) == 0
    assert capsys.readouterr().out == "nothing to prune\n"


@pytest.mark.parametrize("keep_days", ["-1", "two", "1.5"])
def test_prune_needs_a_whole_number_of_days(run_dir, keep_days, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["prune", "--dir", str(run_dir), "--keep-days", keep_days])
    assert exit_info.value.code == 2
    assert "expected a whole number >= 0" in capsys.readouterr().err


def test_prune_outside_a_run_directory_is_bad_input(run_dir):
    assert main(["prune", "--dir", str(run_dir / "typo"), "--keep-days", "3"]) == 2
    assert not (run_dir / "typo").exists()
