"""What publishing a day sends: its objects, their keys and checksums, checked against the manifest.

Everything here is local: nothing talks to S3 or Vault.
"""

import base64
import hashlib
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gensample.errors import BadInputError
from gensample.output.manifest import MANIFEST_FILE, verify_file
from gensample.output.manifest import read as read_manifest
from gensample.settings.publish import PublishSettings

DATA, TRUTH = "data/", "truth/"
# What a published manifest keeps when the truth stays home: the rest (seed, settings, counts,
# the drawn duplicate rate) would tell the system under test what it is meant to find out.
PUBLIC_FIELDS = ("gensample_version", "date", "files")
_BLOCK = 1024 * 1024

PartSize = Callable[[int], "int | None"]


@dataclass(frozen=True)
class Item:
    """One object to publish: its source, its key and the checksums it must arrive with."""

    name: str
    key: str
    sha256: str
    size: int
    s3_checksum: str
    source: Path | bytes

    def body(self) -> str | BinaryIO:
        """What the transfer manager reads: a file's name (read part by part) or the bytes."""
        return io.BytesIO(self.source) if isinstance(self.source, bytes) else str(self.source)


def day_prefix(settings: PublishSettings, date: str) -> str:
    """The key prefix of one day: ``<s3_prefix><date>/``."""
    return f"{settings.s3_prefix}{date}/"


def published_names(manifest: Mapping, include_truth: bool) -> list[str]:
    """The manifest's files that are published: data/, and truth/ when it is included."""
    kept = (DATA, TRUTH) if include_truth else (DATA,)
    return sorted(name for name in manifest["files"] if name.startswith(kept))


def published_manifest(manifest: Mapping, names: list[str], include_truth: bool) -> bytes:
    """The manifest as published: only the files sent and, without truth, only public fields."""
    document = (
        dict(manifest)
        if include_truth
        else {field: manifest[field] for field in PUBLIC_FIELDS if field in manifest}
    )
    document["files"] = {name: manifest["files"][name] for name in names}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


def plan_items(day_dir: Path, settings: PublishSettings, part_size: PartSize) -> list[Item]:
    """Every object of the day, manifest last, each verified against the local manifest.

    A local file that is missing or differs from the manifest is a :class:`BadInputError`.
    """
    manifest = read_manifest(day_dir)
    prefix = day_prefix(settings, manifest["date"])
    names = published_names(manifest, settings.include_truth)
    try:
        items = [
            file_item(Path(day_dir), name, manifest["files"][name], prefix, part_size)
            for name in names
        ]
    except BadInputError as error:
        raise BadInputError(f"{error}; nothing was published") from error
    body = published_manifest(manifest, names, settings.include_truth)
    return [*items, bytes_item(MANIFEST_FILE, prefix + MANIFEST_FILE, body, part_size)]


def file_item(day_dir: Path, name: str, entry: Mapping, prefix: str, part_size: PartSize) -> Item:
    """The item for one local file, after checking its size and SHA-256 against ``entry``."""

    def digests(path: Path) -> tuple[str, str]:
        with open(path, "rb") as handle:
            return digest(handle, part_size(path.stat().st_size))

    sha256, s3_checksum = verify_file(day_dir, name, entry, digests)
    path = day_dir / name
    return Item(name, prefix + name, sha256, path.stat().st_size, s3_checksum, path)


def bytes_item(name: str, key: str, body: bytes, part_size: PartSize) -> Item:
    """The item for bytes made in memory (the published manifest)."""
    sha256, s3_checksum = digest(io.BytesIO(body), part_size(len(body)))
    return Item(name, key, sha256, len(body), s3_checksum, body)


def digest(stream: BinaryIO, part_size: int | None) -> tuple[str, str]:
    """The SHA-256 (hex) of a stream and the SHA-256 checksum S3 reports once it is uploaded.

    Uploaded in parts, S3 reports a composite: the SHA-256 of the parts' digests, then ``-N``.
    """
    whole, parts = hashlib.sha256(), []
    for block in iter(lambda: stream.read(part_size or _BLOCK), b""):
        whole.update(block)
        if part_size:
            parts.append(hashlib.sha256(block).digest())
    if not part_size:
        return whole.hexdigest(), _base64(whole.digest())
    composite = _base64(hashlib.sha256(b"".join(parts)).digest())
    return whole.hexdigest(), f"{composite}-{len(parts)}"


def _base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
