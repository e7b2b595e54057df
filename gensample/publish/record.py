"""The publish record (``publish.json`` in the day directory): what already is in the bucket and
what is still to send, rewritten atomically after every object so an interrupted publish resumes.
"""

import json
import logging
from pathlib import Path

from gensample.output.atomic import write_json

logger = logging.getLogger(__name__)

RECORD = "publish.json"


class Record:
    """Objects of one day published to one target (bucket and endpoint), and those pending."""

    def __init__(self, day_dir: Path, target: dict, published: dict[str, str]) -> None:
        self.path = Path(day_dir) / RECORD
        self.target = target
        self.published = dict(published)
        self.pending: list[str] = []
        self.damaged = ""
        """Why the record on disk could not be read, or empty."""

    @classmethod
    def load(cls, day_dir: Path, target: dict) -> "Record":
        """The record of ``day_dir`` for ``target``; empty if absent, damaged or elsewhere.

        A damaged record is logged and noted in ``damaged``: a publish surveys the bucket anyway
        and rewrites it, but a dry run, which judges from the record alone, cannot be right.
        """
        path = Path(day_dir) / RECORD
        damaged = ""
        try:
            document = _read(path)
        except (OSError, ValueError) as error:
            damaged = f"{path}: damaged publish record ({error})"
            logger.warning(
                "%s; what the bucket holds is unknown until a publish checks it", damaged
            )
            document = {}
        same = document.get("target") == target
        record = cls(day_dir, target, document.get("published", {}) if same else {})
        record.pending = list(document.get("pending", [])) if same else []
        record.damaged = damaged
        return record

    def is_published(self, key: str, sha256: str) -> bool:
        """Whether ``key`` was published with exactly this content."""
        return self.published.get(key) == sha256

    def plan(self, pending: list[str]) -> None:
        """Note the keys this publish still has to send."""
        self.pending = list(pending)
        self.save()

    def mark_published(self, key: str, sha256: str) -> None:
        """Note that ``key`` is in the bucket with this content."""
        self.published[key] = sha256
        self.pending = [other for other in self.pending if other != key]
        self.save()

    def mark_removed(self, key: str) -> None:
        """Note that ``key`` is no longer in the bucket."""
        self.published.pop(key, None)
        self.save()

    def save(self) -> None:
        """Write the record atomically."""
        write_json(
            self.path,
            {
                "target": self.target,
                "published": self.published,
                "pending": self.pending,
                "complete": not self.pending,
            },
        )


def _read(path: Path) -> dict:
    """The record's document, ``{}`` when there is none; ValueError when it is not a record."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    shapes = {"target": dict, "published": dict, "pending": list}
    if not isinstance(document, dict) or not all(
        isinstance(document.get(key), shape) for key, shape in shapes.items()
    ):
        raise ValueError("expected an object with target, published and pending")
    texts = [*document["published"], *document["published"].values(), *document["pending"]]
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("expected keys and checksums as strings")
    return document
