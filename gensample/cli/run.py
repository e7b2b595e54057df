"""``gensample run``: one day, then publish it when a bucket is set."""

import argparse
import datetime as dt
import logging
import sys

from gensample.cli.common import date_argument, dir_argument, load_settings
from gensample.cli.publish import publish
from gensample.corruptions.weights import DIFFICULTIES
from gensample.daily import runner
from gensample.daily.signals import Interrupted
from gensample.errors import BadInputError, GensampleError
from gensample.settings.engine import ENGINES

log = logging.getLogger("gensample")

HELP = "generate one day into out/<date>/"
EXAMPLE = (
    "gensample run --dir /data/gensample/mdm-test\n"
    "gensample run --dir . --date 2026-11-01 --customers 100000 --dupe-rate 20 --timings\n"
    "gensample run --dir . --date 2026-10-15 --allow-date   # backfill behind later days\n"
    "gensample run --dir . --difficulty hard\n"
    "gensample run --dir . --engine dask --scheduler tcp://10.0.0.5:8786"
)
FLAGS = ("customers", "dupe_rate", "seed", "format", "workers", "engine", "scheduler")
"""Arguments that override the setting of the same name."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    date_argument(parser)
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
    parser.add_argument("--engine", choices=ENGINES, help="run blocks here, or on a Dask cluster")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786), or local:N to start N worker processes here",
    )
    parser.add_argument(
        "--difficulty", choices=tuple(DIFFICULTIES), help="how hard duplicates are to match"
    )
    parser.add_argument("--timings", action="store_true", help="print per-stage timings")
    parser.add_argument(
        "--allow-date",
        action="store_true",
        help="allow a date after tomorrow or before the last committed day (a backfill)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Generate the day; publish it when a bucket is set."""
    flags = {name: getattr(arguments, name) for name in FLAGS}
    flags["difficulty"] = {"preset": arguments.difficulty} if arguments.difficulty else None
    loaded = load_settings(arguments.dir, flags)
    if arguments.scheduler is not None and loaded.engine != "dask":
        raise BadInputError(
            f"--scheduler: a scheduler is used only with engine = 'dask', not {loaded.engine!r}: "
            'add --engine dask (or set engine = "dask" in gensample.toml)'
        )
    date = arguments.date or dt.date.today()
    summary = runner.run(arguments.dir, loaded, date, allow_date=arguments.allow_date)
    if arguments.timings or loaded.show_timer:
        print(summary.stopwatch.report(), file=sys.stderr)
    if loaded.publish and loaded.publish.s3_bucket:
        try:
            publish(loaded, summary.day_dir, dry_run=False)
        except (GensampleError, Interrupted):
            log.error(
                "the day is complete in %s but not (fully) published; to resume: "
                "gensample publish --dir %s --date %s",
                summary.day_dir,
                arguments.dir,
                summary.plan.date,
            )
            raise  # a stop says the day is committed: it ran after the commit
    return 0
