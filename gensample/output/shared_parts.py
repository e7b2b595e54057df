"""Part files through S3, for Dask workers that do not see the run directory.

With ``dask_parts = "s3://bucket/prefix"`` a task writes its block's part files into a
temporary folder of its worker and uploads them under ``prefix/<the batch's task prefix>/``;
this process downloads each block's parts into the day's staging when the block's turn comes
(each under a temporary name, renamed when whole), and deletes them from the bucket. A block
that runs twice (its worker lost) uploads the same bytes again, so the day is the same. A batch
that fails deletes what it left under its prefix (a task still running then may upload its parts
after that: they stay until the bucket's lifecycle rule). A run killed before it could do so
leaves a record of its prefix (``RECORD``) in its part folder, in the staging copy of the day,
and the next run in the directory deletes what is under that prefix
(:func:`remove_recorded`) before it removes the staging copy.

The keys are the ``[vault]`` section's when there is one (read here, once per batch, and sent
to the workers with the tasks; their repr shows no secret), else boto3's usual ones
(environment, instance role, ``~/.aws``) on every worker as here. ``[publish] endpoint_url``
names an S3-compatible store, ``[publish] region`` its region.
"""

import functools
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gensample.credentials.aws import AwsCredentials
from gensample.errors import RunError
from gensample.output.atomic import write_json
from gensample.output.encoding import part_output
from gensample.settings import Settings
from gensample.settings.engine import S3_URL
from gensample.settings.publish import PublishSettings

INSTALL = "pip install 'gensample[s3]'"
RECORD = "s3-parts.json"
"""The file of a batch's part folder that says where in S3 its parts go (no keys in it)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharedParts:
    """Where a batch's part files go between the workers and this process: a bucket and a key
    prefix (ending with ``/``), the store's endpoint and region (``''``: AWS, boto3's region),
    and the keys to use (None: boto3's chain)."""

    bucket: str
    prefix: str
    endpoint_url: str = ""
    region: str = ""
    credentials: AwsCredentials | None = None

    @classmethod
    def of_run(cls, settings: Settings, batch_prefix: str) -> "SharedParts | None":
        """Where the batch named ``batch_prefix`` puts its parts (``dask_parts``), with the
        ``[publish]`` store and the ``[vault]`` keys, if any; None: the run directory."""
        if not settings.dask_parts:
            return None
        store = settings.publish or PublishSettings()
        return cls.at(
            settings.dask_parts,
            batch_prefix,
            endpoint_url=store.endpoint_url,
            region=store.region,
            credentials=_credentials(settings),
        )

    @classmethod
    def at(cls, url: str, batch_prefix: str, **store: Any) -> "SharedParts":
        """The parts of the batch named ``batch_prefix`` under ``url`` (``s3://bucket/prefix``),
        in the ``store`` (endpoint_url, region, credentials)."""
        bucket, prefix = S3_URL.fullmatch(url).groups()
        keys = "/".join(part for part in ((prefix or "").strip("/"), batch_prefix) if part)
        return cls(bucket, keys + "/", **store)

    def record(self, folder: Path) -> None:
        """Write where the parts go (not the keys) into ``folder``, the batch's part folder."""
        where = {
            "bucket": self.bucket,
            "prefix": self.prefix,
            "endpoint_url": self.endpoint_url,
            "region": self.region,
        }
        write_json(folder / RECORD, where)

    def upload(self, folder: Path) -> None:
        """On a worker: upload every part file of ``folder``, in this thread. boto3 would start
        threads for each file and end them after it, and a thread that ends while Dask's
        profiler reads the worker's stacks can deadlock the worker on Python 3.10, and on 3.11
        and 3.12 before the fix of CPython gh-106883 (3.11.9, 3.12.3): a test run hung so."""
        client = self._client()  # boto3 is installed from here on
        from boto3.s3.transfer import TransferConfig

        in_this_thread = TransferConfig(use_threads=False)
        for path in sorted(folder.glob("*.part")):
            self._call(
                "upload",
                path.name,
                client.upload_file,
                str(path),
                self.bucket,
                self.key(path),
                Config=in_this_thread,
            )

    def download(self, paths: list[Path]) -> None:
        """Download the parts ``paths`` (each whole or absent), then delete them in the bucket."""
        client = self._client()
        for path in paths:
            with part_output(path) as temporary:
                self._call(
                    "download",
                    path.name,
                    client.download_file,
                    self.bucket,
                    self.key(path),
                    str(temporary),
                )
            self._call(
                "delete", path.name, client.delete_object, Bucket=self.bucket, Key=self.key(path)
            )

    def remove_all(self) -> None:
        """Delete every object under the batch's prefix (what a failed batch left)."""
        client = self._client()
        keys: list[str] = []

        def list_keys() -> None:
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            keys.extend(entry["Key"] for page in pages for entry in page.get("Contents", []))

        self._call("list", "", list_keys)
        for key in keys:
            name = key.removeprefix(self.prefix)
            self._call("delete", name, client.delete_object, Bucket=self.bucket, Key=key)

    def key(self, path: Path) -> str:
        """The key of part file ``path``."""
        return self.prefix + path.name

    def _client(self) -> Any:
        try:
            import boto3
        except ImportError:
            raise RunError(f"dask_parts in S3 needs boto3: {INSTALL}") from None
        keys = self.credentials
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url or None,
            region_name=self.region or None,
            aws_access_key_id=keys and keys.access_key_id,
            aws_secret_access_key=keys and keys.secret_access_key,
            aws_session_token=keys and keys.session_token,
        )

    def _call(self, verb: str, name: str, action: Any, *arguments: Any, **keywords: Any) -> None:
        """Run one S3 request; a failure as a RunError naming the object."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            action(*arguments, **keywords)
        except (BotoCoreError, ClientError, S3UploadFailedError) as error:
            where = f"s3://{self.bucket}/{self.prefix}{name}"
            raise RunError(f"dask_parts: cannot {verb} {where}: {error}") from None


def remove_recorded(out: Path, settings: Settings) -> list[SharedParts]:
    """Delete the parts in S3 of each batch whose record a killed run left in a staging copy
    of ``out`` (with the keys ``settings`` give: ``[vault]``, else boto3's); return them, for
    :func:`remove_late`. A failure is logged, not raised: the run goes on, and the parts stay
    until the lifecycle rule."""
    swept, keys = [], functools.cache(functools.partial(_credentials, settings))  # read once
    for record in sorted(out.glob(f".*.staging/*/{RECORD}")):
        try:
            where = json.loads(record.read_text())
            parts = SharedParts(**where, credentials=keys())
            parts.remove_all()
        except (OSError, ValueError, TypeError, RunError) as error:
            _left(f"a killed run recorded in {record}", error)
        else:
            swept.append(parts)
    return swept


def remove_late(swept: list[SharedParts]) -> None:
    """Delete again what :func:`remove_recorded` deleted, once the run is over: the killed
    run's blocks may still have been running on the cluster (Dask does not stop a task whose
    client is gone), and uploaded their parts since. A failure is logged."""
    for parts in swept:
        try:
            parts.remove_all()
        except RunError as error:
            _left(f"a killed run uploaded late under s3://{parts.bucket}/{parts.prefix}", error)


def _left(whose: str, error: Exception) -> None:
    log.warning("the parts in S3 %s stay until the bucket's lifecycle rule: %s", whose, error)


def _credentials(settings: Settings) -> AwsCredentials | None:
    """The keys ``[vault]`` gives, if the settings have it; None: boto3's chain."""
    if settings.vault is None:
        return None
    from gensample.credentials.vault import read_aws_credentials  # hvac: when asked

    return read_aws_credentials(settings.vault, os.environ)
