"""The stream's loop: generate a micro-batch, send it paced, roll files, obey the controls.

One process owns ``<run dir>/stream/`` (its own lock, beside the daily run's): the state, the
files, the control endpoint. A stop signal waits until the chunk being sent is written and
counted, then every open file is closed complete.
"""

import datetime as dt
import logging
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gensample.daily.rundir import RunDirectory
from gensample.daily.signals import deferred
from gensample.output.atomic import remove_temporaries
from gensample.settings import Settings
from gensample.stream import control, microbatch
from gensample.stream.files import FilesSink
from gensample.stream.metrics import Metrics
from gensample.stream.microbatch import TRUTH
from gensample.stream.outbox import Outbox
from gensample.stream.pacer import MAX_WAIT, UNLIMITED, Pacer
from gensample.stream.sinks import KafkaSink, Sink, StdoutSink
from gensample.stream.supply import Supply

log = logging.getLogger(__name__)

STREAM_DIR = "stream"
TICK = 0.05
"""Seconds of events sent at a time (at least one event): fine enough for real-time stamps."""
MOST_PER_CHUNK = 65_536
BATCH_SECONDS = 2.0
"""A micro-batch holds about this many seconds of events at the current rate."""
FEWEST_PEOPLE, MOST_PEOPLE = 16, 8192
STEER_EVERY = 1.0
"""Seconds between two looks at the clock for ``--follow-clock``."""


@dataclass(frozen=True)
class Options:
    """How one stream runs (the command's arguments)."""

    datasets: tuple[str, ...] = ("pos_transactions", "clickstream", "mobile_events")
    rate: float = 250.0
    sink: str = "files"
    format: str = "csv"
    roll_seconds: float = 60.0
    roll_rows: int = 100_000
    follow_clock: bool = False
    duration: float = math.inf
    control: tuple[str, int] | None = None
    bootstrap: str = ""
    topic_prefix: str = ""


def run(
    run_dir: Path, settings: Settings, options: Options, environ: Mapping | None = None
) -> Metrics:
    """Stream until ``options.duration`` has passed (or a stop signal); return the counts."""
    sent = microbatch.sent_datasets(options.datasets)  # checked before anything is made
    root = Path(run_dir) / STREAM_DIR
    root.mkdir(parents=True, exist_ok=True)
    with RunDirectory(root).lock():
        remove_temporaries(root)
        metrics = Metrics()
        controller = control.Controller(
            Pacer(options.rate), metrics, options.rate, options.follow_clock
        )
        server = control.serve(options.control, controller) if options.control else None
        uploader = _uploader(settings, root, metrics, environ)
        sink = _sink(options, root, metrics, uploader.closed if uploader else lambda path: None)
        try:
            _loop(settings, root, sent, options, controller, sink)
        finally:
            sink.close()
            if uploader:
                uploader.stop()
            if server:
                server.shutdown()
                server.server_close()
    return metrics


def _uploader(settings: Settings, root: Path, metrics: Metrics, environ: Mapping | None):
    """The S3 uploader of closed files, when publishing is configured."""
    if not (settings.publish and settings.publish.s3_bucket):
        return None
    from gensample.stream.uploads import Uploader  # here: boto3 is an optional extra

    return Uploader(settings, root, metrics, dict(os.environ if environ is None else environ))


def _sink(options: Options, root: Path, metrics: Metrics, closed: Callable[[Path], None]) -> Sink:
    """The sink of ``options.sink``."""
    files = FilesSink(
        root, options.format, options.roll_rows, options.roll_seconds, metrics, closed
    )
    if options.sink == "stdout":
        return StdoutSink(files)
    if options.sink == "kafka":
        return KafkaSink(options.bootstrap, options.topic_prefix, metrics)
    return files


def _loop(
    settings: Settings, root: Path, sent: list[str], options: Options, controller, sink: Sink
) -> None:
    """Send events until the duration has passed."""
    supply, outbox = Supply(settings, sent, root), Outbox()
    started = steered = time.monotonic()
    controller.steer(dt.datetime.now(dt.timezone.utc))
    try:
        while time.monotonic() - started < options.duration:
            with deferred():
                sink.poll()
            if not controller.resumed.wait(MAX_WAIT):
                continue
            if time.monotonic() - steered >= STEER_EVERY:
                controller.steer(dt.datetime.now(dt.timezone.utc))
                steered = time.monotonic()
            if not outbox:
                _refill(supply, controller.pacer.rate, sent, outbox, sink)
            _send_chunk(controller, outbox, sink)
    finally:
        supply.close()


def _people(rate: float, per_person: float) -> int:
    """People of the next micro-batch: about ``BATCH_SECONDS`` of events at ``rate``."""
    if rate == UNLIMITED:
        return MOST_PEOPLE
    return int(min(max(rate * BATCH_SECONDS / per_person, FEWEST_PEOPLE), MOST_PEOPLE))


def _refill(supply: Supply, rate: float, sent: list[str], outbox: Outbox, sink: Sink) -> None:
    """Queue the next micro-batch (its people's truth sent at once), start the one after."""
    supply.ahead(_people(rate, supply.per_person))
    tables = supply.take()
    supply.ahead(_people(rate, supply.per_person))
    with deferred():
        for name, table in tables:
            if name == microbatch.ENTITIES:
                sink.send(name, table)
    outbox.add([(name, table) for name, table in tables if name in sent or name.startswith(TRUTH)])


def _send_chunk(controller, outbox: Outbox, sink: Sink) -> None:
    """Send the events the pacer allows now, stamped with the current second."""
    pacer = controller.pacer
    least = 1 if pacer.rate == UNLIMITED else max(1, int(pacer.rate * TICK))
    granted = pacer.take(least, MOST_PER_CHUNK)
    if not granted:
        return
    with deferred():
        parts, taken = outbox.take(granted)
        pacer.owe(taken - granted)
        second = int(time.time())
        for name, table in parts:
            if name.startswith(TRUTH):
                sink.send(name, table)
            else:
                sink.send(name, microbatch.stamp(table, second))
                controller.metrics.count("events", name, table.num_rows)
