"""``gensample stream``: events in real time, at a controlled rate, to files, stdout or Kafka."""

import argparse
import logging
import math

from gensample.cli.common import dir_argument, load_settings
from gensample.daily.signals import Interrupted
from gensample.errors import BadInputError
from gensample.stream import control, engine
from gensample.stream.encoding import FORMATS
from gensample.stream.microbatch import STREAMABLE

log = logging.getLogger("gensample")

HELP = "send events continuously at a controlled rate (files, stdout or Kafka)"
EXAMPLE = (
    "gensample stream --dir /data/gensample/demo --rate 500 --control 127.0.0.1:8765\n"
    "gensample stream --dir . --datasets pos_transactions --sink stdout --duration 10m | jq .\n"
    "gensample stream --dir . --sink kafka --bootstrap kafka:9092 --topic-prefix demo."
)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    parser.add_argument(
        "--rate", default="250", help="events per second in total, or max (default 250)"
    )
    parser.add_argument(
        "--datasets",
        default=",".join(engine.Options.datasets),
        help=f"comma-separated, from {','.join(STREAMABLE)} (with the datasets they refer to)",
    )
    parser.add_argument("--sink", choices=("files", "stdout", "kafka"), default="files")
    parser.add_argument("--format", choices=FORMATS, help="format of rolled files (default csv)")
    parser.add_argument(
        "--roll-seconds", type=float, metavar="S", help="close a file this old (default 60)"
    )
    parser.add_argument(
        "--roll-rows", type=int, metavar="N", help="close a file this long (default 100000)"
    )
    parser.add_argument(
        "--follow-clock", action="store_true", help="shape the rate by hour and weekday"
    )
    parser.add_argument(
        "--duration", default=None, metavar="T", help="stop after T (e.g. 90, 90s, 10m, 2h)"
    )
    parser.add_argument(
        "--control", metavar="HOST:PORT", help="HTTP control endpoint, e.g. 127.0.0.1:8765"
    )
    parser.add_argument(
        "--bootstrap", metavar="HOST:PORT", help="Kafka bootstrap servers (--sink kafka)"
    )
    parser.add_argument("--topic-prefix", metavar="P", help="prefix of the Kafka topics")


SINK_FLAGS = {
    "files": ("format", "roll_seconds", "roll_rows"),
    "kafka": ("bootstrap", "topic_prefix"),
}
"""The flags that only one sink reads."""
FILE_DEFAULTS = {"format": "csv", "roll_seconds": 60.0, "roll_rows": 100_000}


def run(arguments: argparse.Namespace) -> int:
    """Stream until stopped; a stop signal is the ordinary end (exit 0)."""
    options = options_from(arguments)
    loaded = load_settings(arguments.dir)
    try:
        metrics = engine.run(arguments.dir, loaded, options)
    except Interrupted as stop:
        log.info("%s: every file is closed", type(stop).__name__)
        return 0
    log.info("sent %d events", metrics.events.total())
    return 0


def options_from(arguments: argparse.Namespace) -> engine.Options:
    """The stream's options, every value checked (:class:`BadInputError` naming the flag)."""
    _check_sink_flags(arguments)
    if arguments.sink == "kafka" and not arguments.bootstrap:
        raise BadInputError("--sink kafka needs --bootstrap HOST:PORT")
    given = {name: getattr(arguments, name) for name in FILE_DEFAULTS}
    files = {name: FILE_DEFAULTS[name] if value is None else value for name, value in given.items()}
    for name in ("roll_seconds", "roll_rows"):
        if not 0 < files[name] < math.inf:
            flag = "--" + name.replace("_", "-")
            raise BadInputError(f"{flag} {files[name]} is not allowed: expected a number above 0")
    datasets = tuple(name.strip() for name in arguments.datasets.split(",") if name.strip())
    if not datasets:
        raise BadInputError(
            f"--datasets {arguments.datasets!r} is not allowed: expected some of "
            f"{','.join(STREAMABLE)}"
        )
    return engine.Options(
        datasets=datasets,
        rate=_flag("--rate", control.parse_rate, arguments.rate),
        sink=arguments.sink,
        **files,
        follow_clock=arguments.follow_clock,
        duration=math.inf if arguments.duration is None else parse_duration(arguments.duration),
        control=arguments.control and control.parse_address(arguments.control),
        bootstrap=arguments.bootstrap or "",
        topic_prefix=arguments.topic_prefix or "",
    )


def _check_sink_flags(arguments: argparse.Namespace) -> None:
    """Refuse a flag that only another sink reads: it would be ignored."""
    for sink, names in SINK_FLAGS.items():
        given = [name for name in names if getattr(arguments, name) is not None]
        if given and arguments.sink != sink:
            flag = "--" + given[0].replace("_", "-")
            raise BadInputError(
                f"{flag} applies to --sink {sink} only, not --sink {arguments.sink}"
            )


def _flag(flag: str, parse, text: str):
    try:
        return parse(text)
    except BadInputError as error:
        raise BadInputError(f"{flag}: {error}") from None


def parse_duration(text: str) -> float:
    """Seconds of ``90``, ``90s``, ``10m``, ``2h`` or ``1d``."""
    number, unit = (text[:-1], text[-1]) if text[-1:] in UNITS else (text, "s")
    try:
        seconds = float(number) * UNITS[unit]
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise BadInputError(
            f"--duration {text[:40]!r} is not allowed: expected e.g. 90, 90s, 10m, 2h"
        )
    return seconds
