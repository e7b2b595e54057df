"""``gensample check``: validate the settings and print the plan of the next run, and what each
spec file of the settings declares."""

import argparse
import datetime as dt

from gensample.cli.common import date_argument, dir_argument, load_settings
from gensample.daily import runner
from gensample.generate.spec.explain import explain
from gensample.generate.spec.files import load_all
from gensample.output.day_files import describe_plan

HELP = "validate settings and print the plan"
EXAMPLE = "gensample check --dir /data/gensample/mdm-test"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    date_argument(parser)


def run(arguments: argparse.Namespace) -> int:
    """Print the plan of the run ``gensample run`` would make."""
    loaded = load_settings(arguments.dir)
    plan = runner.plan_run(arguments.dir, loaded, arguments.date or dt.date.today())
    specs = load_all(loaded)  # every spec checked before anything is printed
    print(describe_plan(loaded, plan))
    for spec in specs:
        print(explain(spec, loaded))
    return 0
