"""The command line: parse, load settings, call one library function, map errors to exit codes.

Exit codes: 0 ok, 1 run failed, 2 bad input (settings, files, arguments).
"""

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from gensample import settings
from gensample.daily import pruning, runner, state
from gensample.daily.pruning import describe_pruned
from gensample.daily.rundir import RunDirectory
from gensample.daily.signals import Interrupted, stop_on_signals
from gensample.errors import BadInputError, GensampleError, RunError
from gensample.load import describe_load, load_day
from gensample.output.day_files import describe_plan
from gensample.output.dictionary import render_markdown
from gensample.version import __version__

log = logging.getLogger("gensample")

EXAMPLES = {
    "init": "example:\n  gensample init /data/gensample/mdm-test\n"
    "  gensample init /data/gensample/mdm-test --from-legacy old/settings.py",
    "run": "example:\n  gensample run --dir /data/gensample/mdm-test\n"
    "  gensample run --dir . --date 2026-11-01 --customers 100000 --dupe-rate 20 --timings\n"
    "  gensample run --dir . --date 2026-10-15 --allow-date   # backfill behind later days",
    "check": "example:\n  gensample check --dir /data/gensample/mdm-test",
    "publish": "example:\n  gensample publish --dir /data/mdm-test --date 2026-11-01 --dry-run",
    "schema": "example:\n  gensample schema > data-dictionary.md",
    "prune": "example:\n  gensample prune --dir /data/gensample/mdm-test --keep-days 14 --dry-run",
    "load": "example:\n  gensample load --dir /data/gensample/mdm-test --date 2026-11-01 "
    "--db sqlite:///mdm-test.db\n"
    "  gensample load --dir . --date 2026-11-01 --db duckdb:////data/mdm.duckdb --replace",
    "score": "example:\n  gensample score --dir /data/gensample/mdm-test --date 2026-11-01 "
    "--predictions matches.csv\n"
    "  gensample score --dir . --date 2026-11-01 --predictions clusters.parquet --json\n"
    "  gensample score --dir . --date 2026-11-01 --predictions pairs.csv --report report.html",
}


def entry() -> None:
    """The ``gensample`` command (and ``python -m gensample``): :func:`main`, then exit at once.

    When :func:`main` returns, every file is written and synced and every worker has stopped, so
    the interpreter's teardown (freeing its objects one by one: 60 to 100 ms after a million
    customers) is skipped; only the output streams and log handlers need flushing first.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(arguments.verbose, 2)]
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    try:
        with stop_on_signals():
            return arguments.command(arguments)
    except GensampleError as error:
        log.error("%s", error)
        return error.exit_code
    except Interrupted as stop:
        log.error("%s", stop)
        return RunError.exit_code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="gensample",
        description="Synthetic customer data with duplicates and ground truth.",
        epilog="example:\n  gensample init demo && gensample run --dir demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"gensample {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    _init_parser(_command(commands, "init", "write gensample.toml, tracer/ and archive/ into DIR"))
    _run_parser(_command(commands, "run", "generate one day into out/<date>/"))
    _check_parser(_command(commands, "check", "validate settings and print the plan"))
    _publish_parser(_command(commands, "publish", "publish an existing day to S3"))
    _command(commands, "schema", "print the data dictionary: tables, columns, keys, meanings")
    _load_parser(_command(commands, "load", "load an existing day into SQLite or DuckDB"))
    _prune_parser(_command(commands, "prune", "remove old days from out/, keeping their ids"))
    _score_parser(_command(commands, "score", "score a matcher's pairs or clusters against a day"))
    return parser


def _command(commands: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    command = commands.add_parser(
        name,
        help=help,
        description=help,
        epilog=EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress (-v) or details (-vv) to stderr",
    )
    command.set_defaults(command=COMMANDS[name])
    return command


def _dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("."),
        help="run directory holding gensample.toml (default: current directory)",
    )


def _init_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="run directory to create (default: current directory)",
    )
    parser.add_argument(
        "--from-legacy",
        type=Path,
        metavar="SETTINGS_PY",
        help="translate the old tool's settings.py instead of writing defaults",
    )


def _run_parser(parser: argparse.ArgumentParser) -> None:
    _dir_argument(parser)
    _date_argument(parser)
    parser.add_argument("--customers", type=int, metavar="N", help="new customers this run")
    parser.add_argument(
        "--dupe-rate",
        type=float,
        metavar="PCT",
        help="percent of customer rows that are duplicates",
    )
    parser.add_argument("--seed", type=int, metavar="S", help="seed of every random draw")
    parser.add_argument("--format", choices=("csv", "parquet"), help="data file format")
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes (0: per CPU)")
    parser.add_argument("--timings", action="store_true", help="print per-stage timings")
    parser.add_argument(
        "--allow-date",
        action="store_true",
        help="allow a date after tomorrow or before the last committed day (a backfill)",
    )


def _check_parser(parser: argparse.ArgumentParser) -> None:
    _dir_argument(parser)
    _date_argument(parser)


def _publish_parser(parser: argparse.ArgumentParser) -> None:
    _dir_argument(parser)
    _date_argument(parser)
    parser.add_argument("--dry-run", action="store_true", help="list what would be sent")


def _load_parser(parser: argparse.ArgumentParser) -> None:
    _dir_argument(parser)
    parser.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="day to load (default: today)"
    )
    parser.add_argument(
        "--db",
        required=True,
        metavar="URL",
        help="database: sqlite:///path/to.db or duckdb:///path/to.db (four slashes: absolute)",
    )
    parser.add_argument("--replace", action="store_true", help="replace the day if loaded")


def _prune_parser(parser: argparse.ArgumentParser) -> None:
    _dir_argument(parser)
    parser.add_argument(
        "--keep-days",
        type=_count,
        required=True,
        metavar="N",
        help="remove committed days more than N days before today",
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed")


def _score_parser(parser: argparse.ArgumentParser) -> None:
    _dir_argument(parser)
    parser.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="day to score (default: today)"
    )
    parser.add_argument(
        "--predictions",
        type=Path,
        required=True,
        metavar="FILE",
        help="CSV or Parquet of pairs (record_id_a, record_id_b[, dataset_a, dataset_b][, score])"
        " or clusters (record_id, cluster_id[, dataset])",
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--report", type=Path, metavar="HTML", help="write an HTML report")
    parser.add_argument(
        "--dataset",
        nargs="+",
        metavar="NAME",
        help="datasets scored (default: those in the predictions, else customers)",
    )


def _count(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number >= 0")
    return number


def _date_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="day to generate (default: today)",
    )


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
        state.check_date(day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD") from None
    except BadInputError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--date ")) from None
    return day


def init_command(arguments: argparse.Namespace) -> int:
    """``gensample init``: a commented gensample.toml and the drop folders."""
    from gensample.output.atomic import write_text
    from gensample.settings.migrate import migrate
    from gensample.settings.template import render_toml

    run_dir: Path = arguments.dir
    target, text = run_dir / settings.SETTINGS_FILE, render_toml()
    if arguments.from_legacy:
        target, text, notes = migrate(arguments.from_legacy, run_dir)
        for note in notes:
            log.warning("%s", note)
    elif target.exists():
        raise BadInputError(f"{target} already exists; edit it, or init another directory")
    write_text(target, text)
    for folder in ("tracer", "archive"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    print(f"wrote {target}; next: gensample run --dir {run_dir}")
    return 0


def run_command(arguments: argparse.Namespace) -> int:
    """``gensample run``: one day, then publish it when a bucket is set."""
    flags = {
        "customers": arguments.customers,
        "dupe_rate": arguments.dupe_rate,
        "seed": arguments.seed,
        "format": arguments.format,
        "workers": arguments.workers,
    }
    loaded = _load_settings(arguments.dir, flags)
    date = arguments.date or dt.date.today()
    summary = runner.run(arguments.dir, loaded, date, allow_date=arguments.allow_date)
    if arguments.timings or loaded.show_timer:
        print(summary.stopwatch.report(), file=sys.stderr)
    if loaded.publish and loaded.publish.s3_bucket:
        try:
            _publish(loaded, summary.day_dir, dry_run=False)
        except (GensampleError, Interrupted) as error:
            log.error(
                "the day is complete in %s but not (fully) published; to resume: "
                "gensample publish --dir %s --date %s",
                summary.day_dir,
                arguments.dir,
                summary.plan.date,
            )
            if isinstance(error, Interrupted):
                raise Interrupted(error.signum, committed=True) from None
            raise
    return 0


def check_command(arguments: argparse.Namespace) -> int:
    """``gensample check``: validate the settings and print the plan of the next run."""
    loaded = _load_settings(arguments.dir)
    plan = runner.plan_run(arguments.dir, loaded, arguments.date or dt.date.today())
    print(describe_plan(loaded, plan))
    return 0


def publish_command(arguments: argparse.Namespace) -> int:
    """``gensample publish``: send (or re-send) an existing day to S3."""
    loaded = _load_settings(arguments.dir)
    if not (loaded.publish and loaded.publish.s3_bucket):
        raise BadInputError(
            f"{arguments.dir / settings.SETTINGS_FILE}: publish.s3_bucket is not "
            "set; add a [publish] section with s3_bucket"
        )
    day_dir = RunDirectory(arguments.dir).day(arguments.date or dt.date.today())
    if not day_dir.is_dir():
        raise BadInputError(f"{day_dir} does not exist: run that day first")
    _publish(loaded, day_dir, dry_run=arguments.dry_run)
    return 0


def schema_command(arguments: argparse.Namespace) -> int:
    """``gensample schema``: print the data dictionary (Markdown)."""
    print(render_markdown(), end="")
    return 0


def load_command(arguments: argparse.Namespace) -> int:
    """``gensample load``: load an existing day into a database, all or nothing."""
    day_dir = RunDirectory(arguments.dir).day(arguments.date or dt.date.today())
    if not day_dir.is_dir():
        raise BadInputError(f"{day_dir} does not exist: run that day first")
    with RunDirectory(arguments.dir).lock():  # no run may swap the day meanwhile
        report = load_day(day_dir, arguments.db, replace=arguments.replace)
    print(describe_load(report))
    return 0


def prune_command(arguments: argparse.Namespace) -> int:
    """``gensample prune``: remove old committed days, keeping the ids they took."""
    if not any(
        (arguments.dir / name).is_file() for name in (settings.SETTINGS_FILE, settings.LEGACY_FILE)
    ):
        raise BadInputError(f"{arguments.dir}: no {settings.SETTINGS_FILE}: not a run directory")
    pruned = pruning.prune(
        RunDirectory(arguments.dir), arguments.keep_days, dt.date.today(), arguments.dry_run
    )
    print(describe_pruned(pruned, arguments.dry_run))
    return 0


def score_command(arguments: argparse.Namespace) -> int:
    """``gensample score``: score predictions against a day's truth."""
    from gensample.score import render, score

    scores = score(
        arguments.dir,
        arguments.predictions,
        arguments.date or dt.date.today(),
        datasets=tuple(arguments.dataset) if arguments.dataset else None,
    )
    print(render(scores, as_json=arguments.json, report=arguments.report))
    return 0


def _load_settings(run_dir: Path, flags: dict | None = None) -> settings.Settings:
    """The run directory's settings; a directory without a settings file is a mistake."""
    if not any(
        (run_dir / name).is_file() for name in (settings.SETTINGS_FILE, settings.LEGACY_FILE)
    ):
        raise BadInputError(
            f"{run_dir}: no {settings.SETTINGS_FILE} (nor a legacy {settings.LEGACY_FILE}); "
            f"create one with: gensample init {run_dir}"
        )
    return settings.load(run_dir, flags=flags)


def _publish(loaded: settings.Settings, day_dir: Path, dry_run: bool) -> None:
    try:
        from gensample.publish import describe_report, publish_day
    except ImportError as error:
        raise RunError(
            f"publishing needs boto3 and hvac ({error}): pip install 'gensample[s3]'"
        ) from error

    with RunDirectory(day_dir.parent.parent).lock():  # no run may swap the day meanwhile
        report = publish_day(loaded.publish, loaded.vault, day_dir, dry_run=dry_run)
    print(describe_report(report))


COMMANDS = {
    "init": init_command,
    "run": run_command,
    "check": check_command,
    "publish": publish_command,
    "schema": schema_command,
    "load": load_command,
    "prune": prune_command,
    "score": score_command,
}
