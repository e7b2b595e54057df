"""Where streamed rows go besides files: standard output (JSON Lines) and Kafka.

Every sink has ``send(name, table)``, ``poll()`` (called often: roll files, serve delivery
reports) and ``close()`` (on stop: everything sent is complete). ``name`` is a dataset, or
``truth/<dataset>`` and ``truth/entities`` for the truth of what was sent.
"""

import functools
import logging
import os
import sys
from typing import Protocol

import pyarrow as pa

from gensample.errors import RunError
from gensample.generate.datasets import REGISTRY
from gensample.stream.encoding import json_rows
from gensample.stream.files import FilesSink
from gensample.stream.metrics import Metrics
from gensample.stream.microbatch import ENTITIES, TRUTH

FLUSH_SECONDS = 30.0
"""How long a stop waits for Kafka to confirm the messages still in flight."""

log = logging.getLogger(__name__)


class _LibrdkafkaLog:
    """Where librdkafka's own log lines go (else it writes each retry to stderr): ``-vv``."""

    def log(self, level: int, message: str, *arguments: object) -> None:
        log.debug("librdkafka: " + message, *arguments)


class Sink(Protocol):
    """What the stream sends rows to."""

    def send(self, name: str, table: pa.Table) -> None: ...
    def poll(self) -> None: ...
    def close(self) -> None: ...


def key_column(name: str) -> str:
    """The column whose value keys a row of ``name``: the record's own id."""
    if name == ENTITIES:
        return "entity_id"
    return "record_id" if name.startswith(TRUTH) else REGISTRY[name].PRIMARY_KEY[0]


class StdoutSink:
    """Data rows as JSON Lines on standard output, ``{"dataset": ..., "record": {...}}``; the
    truth goes to rolled files (``truth``), never into the pipe a matcher may read."""

    def __init__(self, truth: FilesSink, descriptor: int | None = None) -> None:
        self._truth = truth
        self._descriptor = sys.stdout.fileno() if descriptor is None else descriptor

    def send(self, name: str, table: pa.Table) -> None:
        """Write the rows (data) or pass them on to the truth files."""
        if name.startswith(TRUTH):
            self._truth.send(name, table)
            return
        prefix = f'{{"dataset": "{name}", "record": '
        lines = "".join(f"{prefix}{row}}}\n" for row in json_rows(table)).encode()
        _write_all(self._descriptor, lines)

    def poll(self) -> None:
        """Roll the truth files."""
        self._truth.poll()

    def close(self) -> None:
        """Close the truth files; standard output is written through at every send."""
        self._truth.close()


def _write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data``: straight to the descriptor, partial writes continued (a buffered
    writer interrupted by a signal while a slow reader kept the pipe full was seen to drop the
    rest of a write)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


class KafkaSink:
    """One topic per dataset (``<prefix><dataset>``, truth as ``<prefix>truth_<dataset>``),
    JSON values keyed by the record's own id; delivery reports counted in the metrics."""

    def __init__(self, bootstrap: str, prefix: str, metrics: Metrics, config: dict | None = None):
        try:
            from confluent_kafka import Producer
        except ImportError as error:
            raise RunError(
                f"--sink kafka needs confluent-kafka ({error}): pip install 'gensample[kafka]'"
            ) from error
        self._prefix, self._metrics, self._bootstrap = prefix, metrics, bootstrap
        self._problem = ""
        settings = {
            "bootstrap.servers": bootstrap,
            "linger.ms": 20,
            "logger": _LibrdkafkaLog(),
            "error_cb": self._failed,
            **(config or {}),
        }
        self._producer = Producer(settings)

    def _failed(self, error: object) -> None:
        """Say once that Kafka cannot be reached (librdkafka retries: it may come back)."""
        problem = error.str() if hasattr(error, "str") else str(error)  # a KafkaError's text
        if not self._problem:
            log.warning("Kafka at %s: %s; retrying", self._bootstrap, problem)
        self._problem = problem

    def send(self, name: str, table: pa.Table) -> None:
        """Produce one message per row (waiting for room when the local queue is full)."""
        topic = self._prefix + name.replace("/", "_")
        reported = functools.partial(self._delivered, name)
        keys = table[key_column(name)].cast(pa.string()).to_pylist()
        for key, value in zip(keys, json_rows(table), strict=True):
            while True:
                try:
                    self._producer.produce(
                        topic, value.encode(), key.encode(), on_delivery=reported
                    )
                    break
                except BufferError:
                    self._producer.poll(0.05)
        self._producer.poll(0)

    def _delivered(self, name: str, error: object, message: object) -> None:
        if error is None:
            self._metrics.count("delivered", name)
        else:
            self._metrics.count("sink_errors", "delivery")

    def poll(self) -> None:
        """Serve delivery reports."""
        self._producer.poll(0)

    def close(self) -> None:
        """Wait (up to ``FLUSH_SECONDS``) until every message is confirmed or failed."""
        left = self._producer.flush(FLUSH_SECONDS)
        if left:
            self._metrics.count("sink_errors", "undelivered", left)
            problem = f" (last error: {self._problem})" if self._problem else ""
            raise RunError(
                f"Kafka at {self._bootstrap} did not confirm {left} messages within "
                f"{FLUSH_SECONDS:g} s{problem}"
            )
