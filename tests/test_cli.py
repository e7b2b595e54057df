"""The command line: commands, help examples, exit codes, messages on stderr."""

import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DAY, gensample_command, lock_held_elsewhere

from gensample.cli import COMMANDS, main


def test_init_then_check_then_run(run_dir, capsys):
    assert main(["init", str(run_dir)]) == 0
    assert (run_dir / "gensample.toml").is_file()
    assert (run_dir / "tracer").is_dir() and (run_dir / "archive").is_dir()
    for readme in ("tracer/README.md", "archive/README.md"):  # what the docs point to
        assert (run_dir / readme).read_text().startswith("# ")
    assert (run_dir / "tracer" / "sample-tracer.csv").read_text().startswith("tracer_entity,")
    assert main(["check", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 0
    plan = capsys.readouterr().out
    assert "10000 originals + 1765 duplicates" in plan
    assert re.search(rf"out/{DAY}/data/customers.csv +11,765 rows", plan)
    args = [
        "run",
        "--dir",
        str(run_dir),
        "--date",
        DAY.isoformat(),
        "--customers",
        "300",
        "--workers",
        "1",
        "--timings",
    ]
    assert main(args) == 0
    assert "population" in capsys.readouterr().err
    assert (run_dir / "out" / DAY.isoformat() / "manifest.json").is_file()


def test_init_refuses_to_overwrite_settings(run_dir, caplog):
    assert main(["init", str(run_dir)]) == 0
    assert main(["init", str(run_dir)]) == 2
    assert "already exists" in caplog.text


def test_init_from_legacy_writes_the_equivalent_toml(run_dir, tmp_path):
    legacy = tmp_path / "settings.py"
    legacy.write_text("ITERATE = 1234\nOVERALL_DUPE_RATE = 0.2\nSHOW_TIMER = True\n")
    assert main(["init", str(run_dir), "--from-legacy", str(legacy)]) == 0
    text = (run_dir / "gensample.toml").read_text()
    assert "customers = 1234" in text and "dupe_rate = 20.0" in text


@pytest.mark.parametrize(
    ("directory", "file"),
    [("run", "run"), ("run", "run/tracer"), ("run", "run/archive"), ("file/run", "file")],
)
def test_init_refuses_a_file_where_it_needs_a_directory_and_writes_nothing(
    tmp_path, caplog, directory, file
):
    (tmp_path / file).parent.mkdir(exist_ok=True)
    (tmp_path / file).write_text("mine")
    before = sorted(tmp_path.rglob("*"))
    assert main(["init", str(tmp_path / directory)]) == 2
    message = f"{tmp_path / file} is a file, not a directory: init needs a directory there"
    assert message in caplog.text
    assert sorted(tmp_path.rglob("*")) == before and (tmp_path / file).read_text() == "mine"


def test_init_refuses_an_empty_dir(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    assert main(["init", ""]) == 2
    assert "DIR is empty: name the run directory to create" in caplog.text
    assert not any(tmp_path.iterdir())


def test_init_from_legacy_with_spec_makes_a_new_run_directory_but_refuses_an_existing_one(
    run_dir, tmp_path, caplog
):
    legacy = tmp_path / "settings.py"
    legacy.write_text("ITERATE = 1234\n")
    assert main(["init", str(run_dir), "--from-legacy", str(legacy), "--spec"]) == 0
    text = (run_dir / "gensample.toml").read_text()
    assert "customers = 1234" in text and '\nspec = ["systems.toml"]\n' in text
    (run_dir / "systems.toml").unlink()
    assert main(["init", str(run_dir), "--from-legacy", str(legacy), "--spec"]) == 2
    assert "already exists, so --from-legacy cannot write it" in caplog.text
    assert (run_dir / "gensample.toml").read_text() == text
    assert not (run_dir / "systems.toml").exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["run", "--customers", "many"],
        ["run", "--date", "2026-02-30"],
        ["run", "--date", "20261207"],
        ["check", "--dir", ""],
        ["run", "--date", "2026-W49-1"],
        ["run", "--format", "xml"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_exit_2(arguments, run_dir):
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, "--dir", str(run_dir)] if arguments[0] == "run" else arguments)
    assert exit_info.value.code == 2


def test_bad_settings_exit_2_and_write_nothing(run_dir, caplog):
    (run_dir / "gensample.toml").write_text("customers = 'ten'\n")
    assert main(["run", "--dir", str(run_dir)]) == 2
    assert "gensample.toml: customers = 'ten' is not allowed" in caplog.text
    assert sorted(p.name for p in run_dir.iterdir()) == ["gensample.toml"]


def test_a_scheduler_for_the_local_engine_is_refused_before_anything_is_written(run_dir, caplog):
    (run_dir / "gensample.toml").write_text("customers = 10\n")  # engine: local, by default
    scheduler = ["--scheduler", "tcp://10.0.0.5:8786"]
    assert main(["run", "--dir", str(run_dir), *scheduler]) == 2
    assert "--scheduler: a scheduler is used only with engine = 'dask', not 'local'" in caplog.text
    assert "add --engine dask" in caplog.text
    assert sorted(p.name for p in run_dir.iterdir()) == ["gensample.toml"]
    assert main(["run", "--dir", str(run_dir), *scheduler, "--engine", "local"]) == 2


def test_a_held_lock_exits_1(run_dir, caplog):
    assert main(["init", str(run_dir)]) == 0
    with lock_held_elsewhere(run_dir) as holder:
        assert main(["run", "--dir", str(run_dir), "--customers", "10", "--workers", "1"]) == 1
    assert f"another gensample run holds {run_dir / '.gensample.lock'} (pid {holder.pid} " in (
        caplog.text
    )
    assert "still running" in caplog.text


def test_a_directory_without_settings_is_bad_input(run_dir, caplog):
    for command in ("run", "check", "publish"):
        assert main([command, "--dir", str(run_dir / "typo")]) == 2
        assert "no gensample.toml" in caplog.text and "gensample init" in caplog.text
    assert not (run_dir / "typo").exists()
    (run_dir / "gensample.toml").mkdir()
    assert main(["check", "--dir", str(run_dir)]) == 2
    assert f"{run_dir / 'gensample.toml'} is not a file" in caplog.text


def test_publish_without_a_bucket_is_bad_input_as_the_docs_say(run_dir, caplog):
    assert main(["init", str(run_dir)]) == 0
    assert main(["publish", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 2
    docs = (Path(__file__).resolve().parent.parent / "docs" / "publishing.md").read_text()
    quoted = re.search(r"^\| no `s3_bucket` \(exit 2\) \| `DIR(.*)` \|$", docs, re.M).group(1)
    assert f"{run_dir}{quoted}" in caplog.text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "example:\n  gensample " + command in capsys.readouterr().out


def test_output_read_no_further_stops_the_command_quietly():
    # as ``gensample schema | head -1`` does once head has its line: the reader is gone
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    command = [sys.executable, "-m", "gensample", "schema"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )
    process.stdout.close()  # before it writes: its first write finds no reader
    assert process.stderr.read() == b""  # no traceback, no "Exception ignored"
    assert process.wait() == 1


@pytest.mark.parametrize(
    "launcher",
    [[sys.executable, "-m", "gensample"], [str(Path(sys.executable).with_name("gensample"))]],
    ids=["python -m gensample", "console script"],
)
def test_a_real_process_prints_everything_and_exits_with_the_code_of_main(launcher, run_dir):
    assert main(["init", str(run_dir)]) == 0
    result = gensample_command("check", "--dir", str(run_dir), launcher=launcher)
    assert result.returncode == 0  # and the plan printed to its end, the total of rows:
    assert re.fullmatch(r"\s*total\s+[\d,]+ rows", result.stdout.rstrip().splitlines()[-1])
    bad = gensample_command("run", "--dir", str(run_dir), "--dupe-rate", "101", launcher=launcher)
    assert bad.returncode == 2 and "--dupe-rate: dupe_rate = 101.0 is not allowed" in bad.stderr


@pytest.mark.parametrize(
    "launcher",
    [[sys.executable, "-m", "gensample"], [str(Path(sys.executable).with_name("gensample"))]],
    ids=["python -m gensample", "console script"],
)
def test_modules_in_the_run_directory_are_never_imported(launcher, run_dir):
    assert main(["init", str(run_dir)]) == 0
    for name in ("csv", "json", "numpy", "pyarrow"):  # what a tester might drop, or shadow
        (run_dir / f"{name}.py").write_text(
            f"open({str(run_dir / 'imported')!r}, 'a').write({name!r} + '\\n')\n"
        )
    result = subprocess.run(
        [*launcher, "check", "--dir", "."], cwd=run_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert not (run_dir / "imported").exists()


def test_a_run_of_the_command_line_never_imports_pandas_which_stays_usable(run_dir):
    assert importlib.util.find_spec("pandas")  # installed (with the test extras), yet:
    script = (
        "import sys; from gensample.cli import main; "
        f"assert main(['init', {str(run_dir)!r}]) == 0; "
        f"assert main(['run', '--dir', {str(run_dir)!r}, '--customers', '300']) == 0; "
        "print('pandas' in sys.modules); "
        "import pyarrow as pa; print(type(pa.table({'a': [1]}).to_pandas()).__name__)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "DataFrame"]  # after what init printed


def run_args(run_dir: Path, date: dt.date, *more: str) -> list[str]:
    return ["run", "--dir", str(run_dir), "--date", date.isoformat(), "--workers", "1", *more]


def test_a_future_date_is_refused_and_prunes_nothing_unless_allowed(run_dir, caplog):
    assert main(["init", str(run_dir)]) == 0
    (run_dir / "gensample.toml").write_text("customers = 20\narchive_retention_days = 30\n")
    assert main(run_args(run_dir, dt.date.today())) == 0
    future = dt.date(2062, 1, 4)

    assert main(run_args(run_dir, future)) == 2

    assert f"--date {future} is " in caplog.text and "--allow-date" in caplog.text
    assert (run_dir / "archive" / dt.date.today().isoformat()).is_dir()
    assert not (run_dir / "out" / future.isoformat()).exists()
    assert main(run_args(run_dir, dt.date.today() + dt.timedelta(days=1))) == 0  # the margin
    assert main(run_args(run_dir, future, "--allow-date")) == 0
    assert (run_dir / "out" / future.isoformat() / "manifest.json").is_file()


def test_a_new_day_before_the_last_committed_day_needs_allow_date(run_dir, caplog):
    assert main(["init", str(run_dir)]) == 0
    (run_dir / "gensample.toml").write_text("customers = 20\n")
    assert main(run_args(run_dir, DAY)) == 0
    earlier = DAY - dt.timedelta(days=3)
    assert main(run_args(run_dir, earlier)) == 2
    assert f"--date {earlier} is a new day before {DAY}, the last committed day" in caplog.text
    assert main(run_args(run_dir, DAY)) == 0  # a re-run of the last day is fine
    assert main(run_args(run_dir, earlier, "--allow-date")) == 0


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("command", ["run", "check", "publish", "load"])
def test_a_date_outside_the_generated_years_exits_2_with_a_message(run_dir, command, date, capsys):
    assert main(["init", str(run_dir)]) == 0
    arguments = [command, "--dir", str(run_dir), "--date", date]
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, *(["--db", "sqlite:///x.db"] if command == "load" else [])])
    assert exit_info.value.code == 2
    expected = f"argument --date: {date} is not allowed: expected a day from 1900-01-01 to 2999"
    assert expected in capsys.readouterr().err


def test_a_real_process_given_year_one_exits_2_without_a_traceback(run_dir):
    assert main(["init", str(run_dir)]) == 0
    result = gensample_command("run", "--dir", str(run_dir), "--date", "0001-01-01", "--allow-date")
    assert result.returncode == 2
    assert "0001-01-01 is not allowed" in result.stderr and "Traceback" not in result.stderr
