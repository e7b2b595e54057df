"""Talking to S3: the client, uploads in parts, retries, and checking what arrived."""

import contextlib
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import botocore.loaders
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from s3transfer.manager import TransferConfig, TransferManager
from s3transfer.utils import ChunksizeAdjuster

from gensample.credentials.aws import AwsCredentials
from gensample.errors import RunError
from gensample.publish.items import Item
from gensample.settings.publish import PublishSettings

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
# The metadata key holding the manifest's SHA-256, so a re-publish can recognise its own objects.
SHA256_METADATA = "sha256"


@dataclass(frozen=True)
class Remote:
    """What the bucket says about one object."""

    size: int
    s3_checksum: str
    sha256: str


def transfer_config(settings: PublishSettings) -> TransferConfig:
    """When and how big the parts of a multipart upload are."""
    return TransferConfig(
        multipart_threshold=int(settings.multipart_threshold_mib * MIB),
        multipart_chunksize=settings.multipart_chunk_mib * MIB,
    )


def part_size(config: TransferConfig, size: int) -> int | None:
    """The part size a file of ``size`` bytes is uploaded with, or None for a single PUT."""
    if size < config.multipart_threshold:
        return None
    return ChunksizeAdjuster().adjust_chunksize(config.multipart_chunksize, size)


def open_client(settings: PublishSettings, credentials: AwsCredentials | None) -> BaseClient:
    """An S3 client with retries, from ``credentials`` or else boto3's usual credential chain.

    Raises :class:`RunError` when no credentials can be found, before anything is sent.
    """
    session = botocore.session.get_session()
    session.register_component("data_loader", _service_models())
    if credentials is None:
        _require_credentials(session, settings.s3_bucket)
        keys = {}
    else:
        keys = {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            "aws_session_token": credentials.session_token,
        }
    retries = {"mode": "standard", "max_attempts": settings.max_attempts}
    return session.create_client(
        "s3",
        region_name=settings.region or None,
        endpoint_url=settings.endpoint_url or None,
        config=Config(retries=retries),
        **keys,
    )


def _require_credentials(session: botocore.session.Session, bucket: str) -> None:
    with reporting(bucket, "", "finding AWS credentials for"):
        found = session.get_credentials()
    if found is None:
        raise RunError(
            f"no AWS credentials to publish to s3://{bucket}: configure [vault], or boto3's "
            "usual sources (AWS_ACCESS_KEY_ID, ~/.aws, an instance role)"
        )


@functools.cache
def _service_models() -> botocore.loaders.Loader:
    # Parsed once per process: a client then costs milliseconds instead of a tenth of a second.
    return botocore.loaders.create_loader()


@contextlib.contextmanager
def reporting(bucket: str, key: str, action: str) -> Iterator[None]:
    """Turn an S3 failure into a :class:`RunError` naming the object and the cause."""
    try:
        yield
    except (BotoCoreError, ClientError, OSError) as error:
        raise RunError(f"{action} s3://{bucket}/{key} failed: {_cause(error)}") from error


def _cause(error: BaseException) -> str:
    if not isinstance(error, ClientError):
        return str(error)
    details = error.response.get("Error", {})
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
    return f"{details.get('Code', '?')} (HTTP {status}) {details.get('Message', '')}".rstrip()


def check_bucket(client: BaseClient, bucket: str) -> None:
    """Make sure the bucket exists and these credentials reach it."""
    with reporting(bucket, "", "reaching"):
        client.head_bucket(Bucket=bucket)


def head(client: BaseClient, bucket: str, key: str) -> Remote | None:
    """What the bucket holds at ``key``, or None when nothing."""
    with reporting(bucket, key, "looking up"):
        try:
            answer = client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise
    metadata = answer.get("Metadata", {})
    return Remote(
        answer["ContentLength"], answer.get("ChecksumSHA256", ""), metadata.get(SHA256_METADATA, "")
    )


def matches(remote: Remote | None, item: Item) -> bool:
    """Whether the object in the bucket is exactly ``item``'s bytes."""
    return remote is not None and (remote.size, _digest(remote.s3_checksum), remote.sha256) == (
        item.size,
        _digest(item.s3_checksum),
        item.sha256,
    )


def _digest(s3_checksum: str) -> str:
    # A composite checksum ends in "-<parts>", which some S3 implementations leave out.
    return s3_checksum.partition("-")[0]


def upload(
    client: BaseClient, settings: PublishSettings, item: Item, config: TransferConfig
) -> None:
    """Send one item (in parts when it is big), then check what arrived against its checksums."""
    bucket = settings.s3_bucket
    with reporting(bucket, item.key, "uploading"), TransferManager(client, config) as transfers:
        transfers.upload(item.body(), bucket, item.key, upload_args(settings, item)).result()
    remote = head(client, bucket, item.key)
    if not matches(remote, item):
        found = "nothing" if remote is None else f"{remote.size} bytes, {remote.s3_checksum!r}"
        raise RunError(
            f"uploading s3://{bucket}/{item.key} failed: the bucket holds {found}, expected "
            f"{item.size} bytes, SHA-256 checksum {item.s3_checksum!r} (manifest: {item.sha256})"
        )
    logger.info("uploaded s3://%s/%s (%d bytes)", bucket, item.key, item.size)


def upload_args(settings: PublishSettings, item: Item) -> dict:
    """The extra arguments of one upload: checksum algorithm, our metadata, encryption."""
    args = {"ChecksumAlgorithm": "SHA256", "Metadata": {SHA256_METADATA: item.sha256}}
    if item.name.endswith(".json"):
        args["ContentType"] = "application/json"
    elif item.name.endswith(".csv"):
        args["ContentType"] = "text/csv"
    encryption = settings.server_side_encryption
    if encryption == "AES256":
        args["ServerSideEncryption"] = "AES256"
    elif encryption:
        args.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=encryption)
    return args


def list_keys(client: BaseClient, bucket: str, prefix: str) -> list[str]:
    """Every key under ``prefix``."""
    with reporting(bucket, prefix, "listing"):
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [entry["Key"] for page in pages for entry in page.get("Contents", [])]


def abort_incomplete_uploads(client: BaseClient, bucket: str, prefix: str) -> list[str]:
    """Abort the multipart uploads under ``prefix`` that an interrupted publish left behind.

    S3 keeps (and bills) their parts until they are aborted, and no listing of objects shows
    them. A publish calls this before sending: one day's objects have one publisher at a time.
    Returns the keys whose uploads were aborted.
    """
    with reporting(bucket, prefix, "listing incomplete uploads under"):
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, Prefix=prefix
        )
        uploads = [(up["Key"], up["UploadId"]) for page in pages for up in page.get("Uploads", [])]
    for key, upload_id in uploads:
        with reporting(bucket, key, "aborting the incomplete upload of"):
            try:
                client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                    raise  # gone already (completed or aborted meanwhile) is what we wanted
        logger.warning(
            "aborted an incomplete upload of s3://%s/%s (an earlier publish was interrupted)",
            bucket,
            key,
        )
    return [key for key, _ in uploads]


def delete(client: BaseClient, bucket: str, key: str) -> None:
    """Remove one object."""
    with reporting(bucket, key, "deleting"):
        client.delete_object(Bucket=bucket, Key=key)
    logger.info("deleted s3://%s/%s", bucket, key)
