"""Publishing a finished day to S3: data (and truth when asked) first, the manifest last.

A consumer that sees ``<prefix><date>/manifest.json`` sees a complete, checksum-verified day.
Progress is recorded in ``publish.json`` in the day directory, so a failed publish resumes with
only what is still unpublished.
"""

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from botocore.client import BaseClient
from s3transfer.manager import TransferConfig

from gensample.credentials.vault import read_aws_credentials
from gensample.errors import BadInputError, RunError
from gensample.output.manifest import MANIFEST_FILE
from gensample.publish import s3
from gensample.publish.items import DATA, TRUTH, Item, plan_items
from gensample.publish.record import RECORD, Record
from gensample.settings.publish import PublishSettings, VaultSettings

__all__ = ["RECORD", "PublishReport", "describe_report", "publish_day"]

logger = logging.getLogger(__name__)

# These log request headers (a session token among them) at DEBUG; publishing holds them at INFO.
_CHATTY_LIBRARIES = ("botocore", "boto3", "s3transfer", "urllib3", "hvac")


@dataclass(frozen=True)
class PublishReport:
    """What one publish did or, in a dry run, would do; keys in the order they are sent."""

    bucket: str
    prefix: str
    dry_run: bool
    planned: tuple[str, ...] = ()
    uploaded: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()


def publish_day(
    settings_publish: PublishSettings,
    settings_vault: VaultSettings | None,
    day_dir: Path,
    *,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> PublishReport:
    """Publish (or re-publish) the finished day in ``day_dir`` to ``settings_publish.s3_bucket``.

    Local files are verified against the manifest and AWS keys resolved (from Vault when
    ``settings_vault`` is given, else boto3's chain) before anything is sent. A dry run contacts
    neither Vault nor S3: it judges from the publish record what would be sent, and refuses
    (:class:`BadInputError`) when that record is damaged. Before sending, a publish aborts the
    incomplete multipart uploads an interrupted one left under the day's prefix. ``environ``
    (default ``os.environ``) supplies VAULT_ADDR, VAULT_TOKEN and the other Vault variables.
    Raises :class:`RunError` naming the object or Vault path and the cause.
    """
    if not settings_publish.s3_bucket:
        raise BadInputError("[publish] s3_bucket is empty: there is nowhere to publish to")
    config = s3.transfer_config(settings_publish)
    items = plan_items(Path(day_dir), settings_publish, partial(s3.part_size, config))
    target = {"bucket": settings_publish.s3_bucket, "endpoint_url": settings_publish.endpoint_url}
    record = Record.load(Path(day_dir), target)
    if record.pending:
        logger.info("resuming: %d objects were left unpublished", len(record.pending))
    if dry_run:
        if record.damaged:
            raise BadInputError(
                f"{record.damaged}: a dry run judges from it alone, so it cannot say what "
                "would be sent; a publish without --dry-run checks the bucket and rewrites it"
            )
        return _dry_run(settings_publish.s3_bucket, items, record)
    with _library_logs_held_at_info():
        vault_environ = os.environ if environ is None else environ
        credentials = (
            None if settings_vault is None else read_aws_credentials(settings_vault, vault_environ)
        )
        client = s3.open_client(settings_publish, credentials)
        try:
            return _send(client, settings_publish, items, record, config)
        except RunError as error:
            if not record.pending:
                raise
            raise RunError(
                f"{error}; {len(record.pending)} objects still unpublished, recorded in "
                f"{record.path}: the next publish sends only those"
            ) from error


def _dry_run(bucket: str, items: list[Item], record: Record) -> PublishReport:
    """What a publish would send, judged from the publish record alone."""
    *files, manifest = items
    skipped = [item.key for item in files if record.is_published(item.key, item.sha256)]
    planned = [item.key for item in files if item.key not in skipped]
    keys = {item.key for item in items}
    stale = sorted(key for key in record.published if key not in keys)
    if planned or stale or not record.is_published(manifest.key, manifest.sha256):
        planned.append(manifest.key)
    else:
        skipped.append(manifest.key)
    return PublishReport(
        bucket,
        _prefix(manifest),
        dry_run=True,
        planned=tuple(planned),
        skipped=tuple(skipped),
        stale=tuple(stale),
    )


@dataclass(frozen=True)
class _Survey:
    """What the bucket holds of the day, compared with what is to be published."""

    present: list[Item]
    todo: list[Item]
    stale: list[str]
    manifest_there: bool
    manifest_current: bool


def _survey(client: BaseClient, bucket: str, items: list[Item]) -> _Survey:
    """Look up every object of the day, and what else sits under its data/ and truth/."""
    *files, manifest = items
    present = [item for item in files if s3.matches(s3.head(client, bucket, item.key), item)]
    todo = [item for item in files if item not in present]
    stale = _stale_keys(client, bucket, _prefix(manifest), {item.key for item in items})
    remote = s3.head(client, bucket, manifest.key)
    current = not todo and not stale and s3.matches(remote, manifest)
    return _Survey(present, todo, stale, remote is not None, current)


def _send(
    client: BaseClient,
    settings: PublishSettings,
    items: list[Item],
    record: Record,
    config: TransferConfig,
) -> PublishReport:
    """Send what the bucket lacks, remove what is no longer part of the day, manifest last."""
    bucket, manifest = settings.s3_bucket, items[-1]
    s3.check_bucket(client, bucket)
    s3.abort_incomplete_uploads(client, bucket, _prefix(manifest))
    logger.info("publishing %d files to s3://%s/%s", len(items) - 1, bucket, _prefix(manifest))
    survey = _survey(client, bucket, items)
    sent = survey.todo if survey.manifest_current else [*survey.todo, manifest]
    kept = [*survey.present, manifest] if survey.manifest_current else survey.present
    record.published.update({item.key: item.sha256 for item in kept})
    record.plan([item.key for item in sent])
    if survey.manifest_there and not survey.manifest_current:
        # Take the old manifest down first: while objects change, the day is not complete.
        _delete(client, bucket, manifest.key, record)
    for item in survey.todo:
        _upload(client, settings, item, config, record)
    for key in survey.stale:
        _delete(client, bucket, key, record)
    if not survey.manifest_current:
        _upload(client, settings, manifest, config, record)
    keys = tuple(item.key for item in sent)
    return PublishReport(
        bucket,
        _prefix(manifest),
        dry_run=False,
        planned=keys,
        uploaded=keys,
        skipped=tuple(item.key for item in kept),
        stale=tuple(survey.stale),
    )


def _upload(
    client: BaseClient,
    settings: PublishSettings,
    item: Item,
    config: TransferConfig,
    record: Record,
) -> None:
    s3.upload(client, settings, item, config)
    record.mark_published(item.key, item.sha256)


def _delete(client: BaseClient, bucket: str, key: str, record: Record) -> None:
    s3.delete(client, bucket, key)
    record.mark_removed(key)


def _stale_keys(client: BaseClient, bucket: str, prefix: str, keys: set[str]) -> list[str]:
    """Objects under the day's data/ and truth/ that are not part of this publish."""
    found = [s3.list_keys(client, bucket, prefix + folder) for folder in (DATA, TRUTH)]
    return sorted(key for listed in found for key in listed if key not in keys)


def _prefix(manifest: Item) -> str:
    return manifest.key[: -len(MANIFEST_FILE)]


@contextlib.contextmanager
def _library_logs_held_at_info() -> Iterator[None]:
    chatty = [logging.getLogger(name) for name in _CHATTY_LIBRARIES]
    levels = [library.level for library in chatty]
    for library in chatty:
        if library.getEffectiveLevel() < logging.INFO:
            library.setLevel(logging.INFO)
    try:
        yield
    finally:
        for library, level in zip(chatty, levels, strict=True):
            library.setLevel(level)


def describe_report(report: PublishReport) -> str:
    """Human-readable lines for a publish report (what ``--dry-run`` prints)."""
    where = f"s3://{report.bucket}/{report.prefix}"
    if report.dry_run:
        lines = [f"Dry run for {where} (judged from {RECORD}; nothing was sent):"]
        verbs = ("would upload", "unchanged", "would delete")
        sent = report.planned
    else:
        lines = [
            f"Published {where}: {len(report.uploaded)} uploaded, "
            f"{len(report.skipped)} unchanged, {len(report.stale)} deleted"
        ]
        verbs = ("uploaded", "unchanged", "deleted")
        sent = report.uploaded
    for verb, keys in zip(verbs, (sent, report.skipped, report.stale), strict=True):
        lines += [f"  {verb:<13} s3://{report.bucket}/{key}" for key in keys]
    return "\n".join(lines)
