"""``gensample score``: score a matcher's pairs or clusters against a day's truth."""

import argparse
import datetime as dt
from pathlib import Path

from gensample.cli.common import date_argument, dir_argument

HELP = "score a matcher's pairs or clusters against a day"
EXAMPLE = (
    "gensample score --dir /data/gensample/mdm-test --date 2026-11-01 --predictions matches.csv\n"
    "gensample score --dir . --date 2026-11-01 --predictions clusters.parquet --json\n"
    "gensample score --dir . --date 2026-11-01 --predictions pairs.csv --report report.html"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    date_argument(parser, "score")
    parser.add_argument(
        "--predictions",
        type=Path,
        required=True,
        metavar="FILE",
        help="CSV or Parquet of pairs (record_id_a, record_id_b[, dataset_a, dataset_b][, score])"
        " or clusters (record_id, cluster_id[, dataset])",
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="HTML",
        help="write an HTML report (a .html or .htm file; one of that name is replaced)",
    )
    parser.add_argument(
        "--dataset",
        nargs="+",
        metavar="NAME",
        help="datasets scored (default: those in the predictions, else customers)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Print the scores (a table or JSON), and write the report when asked."""
    from gensample.score import render, score
    from gensample.score.report import check_report_path

    if arguments.report:
        check_report_path(arguments.report, arguments.predictions)  # before the work
    scores = score(
        arguments.dir,
        arguments.predictions,
        arguments.date or dt.date.today(),
        datasets=tuple(arguments.dataset) if arguments.dataset else None,
    )
    print(render(scores, as_json=arguments.json, report=arguments.report))
    return 0
