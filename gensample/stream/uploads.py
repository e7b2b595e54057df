"""Closed stream files sent to S3 in a background thread, retried, never holding up the stream.

The keys are ``<s3_prefix>stream/<data|truth>/<dataset>/<file>``; truth files go only when
``include_truth`` is set, as for the daily corpus. The client, credentials (Vault or boto3's
chain), checksums and checks of what arrived are those of ``gensample publish``.

Each file sent is appended to ``stream/uploaded.txt``; a stream that starts queues every closed
file not listed there first, so a file left unsent by a stop, a kill or an S3 outage is sent by
the next stream of the run directory.
"""

import itertools
import logging
import os
import queue
import threading
from functools import partial
from pathlib import Path

from gensample.credentials.vault import read_aws_credentials
from gensample.errors import GensampleError
from gensample.output.lifetime import start_helper_thread
from gensample.publish import s3
from gensample.publish.items import Item, digest
from gensample.settings import Settings
from gensample.stream.metrics import Metrics

log = logging.getLogger(__name__)

RETRY_DELAYS = (1, 2, 5, 10, 30, 60)
"""Seconds before each further attempt of a failed upload (the last repeats)."""
DRAIN_SECONDS = 30.0
"""How long a stop waits for the uploads still queued."""
LEDGER = "uploaded.txt"
"""The files sent so far, one path relative to ``stream/`` per line."""


class Uploader:
    """A thread that uploads the files it is handed, in order, retrying each until it is sent."""

    def __init__(self, settings: Settings, root: Path, metrics: Metrics, environ: dict) -> None:
        self._publish, self._root, self._metrics = settings.publish, root, metrics
        credentials = settings.vault and read_aws_credentials(settings.vault, environ)
        self._client = s3.open_client(settings.publish, credentials)
        self._config = s3.transfer_config(settings.publish)
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._stopping = threading.Event()
        self._sent = _read_ledger(root / LEDGER)
        for path in self._unsent():
            self.closed(path)
        self._thread = start_helper_thread(self._work, "stream-uploads")

    def closed(self, path: Path) -> None:
        """Queue a closed file (truth only when the settings publish truth)."""
        relative = path.relative_to(self._root)
        if relative.parts[0] == "data" or self._publish.include_truth:
            self._queue.put(path)

    def stop(self) -> None:
        """Send what is queued, for at most ``DRAIN_SECONDS``, then leave the rest to the next
        stream (logged)."""
        self._queue.put(None)
        self._thread.join(DRAIN_SECONDS)
        self._stopping.set()
        if self._thread.is_alive():
            log.error("uploads not finished after %g s: stream files remain unsent", DRAIN_SECONDS)

    def _unsent(self) -> list[Path]:
        """Closed files of earlier streams not in the ledger (temporaries start with a dot)."""
        closed = (path for part in ("data", "truth") for path in (self._root / part).rglob("*"))
        return sorted(
            path
            for path in closed
            if path.is_file()
            and not path.name.startswith(".")
            and path.relative_to(self._root).as_posix() not in self._sent
        )

    def _work(self) -> None:
        while (path := self._queue.get()) is not None and not self._stopping.is_set():
            for delay in itertools.chain(RETRY_DELAYS, itertools.repeat(RETRY_DELAYS[-1])):
                if self._send(path) or self._stopping.wait(delay):
                    break

    def _send(self, path: Path) -> bool:
        """Upload one file; False (counted, logged) when it failed."""
        try:
            s3.upload(self._client, self._publish, self._item(path), self._config)
        except (GensampleError, OSError) as error:
            self._metrics.count("sink_errors", "upload")
            log.warning("upload of %s failed, will retry: %s", path, error)
            return False
        self._metrics.count("delivered", "s3")
        self._record(path)
        return True

    def _record(self, path: Path) -> None:
        """Add a sent file to the ledger, on disk before the next upload starts."""
        with open(self._root / LEDGER, "a", encoding="utf-8") as ledger:
            ledger.write(path.relative_to(self._root).as_posix() + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    def _item(self, path: Path) -> Item:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            sha256, checksum = digest(handle, partial(s3.part_size, self._config)(size))
        key = f"{self._publish.s3_prefix}stream/{path.relative_to(self._root).as_posix()}"
        return Item(path.name, key, sha256, size, checksum, path)


def _read_ledger(path: Path) -> set[str]:
    """The relative paths listed in the ledger (none before the first upload)."""
    try:
        return set(path.read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return set()
