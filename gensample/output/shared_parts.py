"""Part files through S3, for Dask workers that do not see the run directory.

With ``dask_parts = "s3://bucket/prefix"`` a task writes its block's part files into a
temporary folder of its worker and uploads them under ``prefix/<the batch's task prefix>/``;
this process downloads each block's parts into the day's staging when the block's turn comes
(each under a temporary name, renamed when whole), and deletes them from the bucket. A block
that runs twice (its worker lost) uploads the same bytes again, so the day is the same. The
bucket and credentials are boto3's usual ones (environment, instance role, ``~/.aws``), on every
worker as here; ``[publish] endpoint_url`` names an S3-compatible store.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gensample.errors import RunError
from gensample.output.encoding import part_output
from gensample.settings.engine import S3_URL

INSTALL = "pip install 'gensample[s3]'"


@dataclass(frozen=True)
class SharedParts:
    """Where a batch's part files go between the workers and this process: a bucket and a key
    prefix (ending with ``/``), and the endpoint of the store (``''``: AWS)."""

    bucket: str
    prefix: str
    endpoint_url: str = ""

    @classmethod
    def at(cls, url: str, batch_prefix: str, endpoint_url: str = "") -> "SharedParts":
        """The parts of the batch named ``batch_prefix`` under ``url`` (``s3://bucket/prefix``)."""
        bucket, prefix = S3_URL.fullmatch(url).groups()
        keys = "/".join(part for part in ((prefix or "").strip("/"), batch_prefix) if part)
        return cls(bucket, keys + "/", endpoint_url)

    def upload(self, folder: Path) -> None:
        """On a worker: upload every part file of ``folder``."""
        client = self._client()
        for path in sorted(folder.glob("*.part")):
            self._call(
                "upload", path.name, client.upload_file, str(path), self.bucket, self.key(path)
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

    def key(self, path: Path) -> str:
        """The key of part file ``path``."""
        return self.prefix + path.name

    def _client(self) -> Any:
        try:
            import boto3
        except ImportError:
            raise RunError(f"dask_parts in S3 needs boto3: {INSTALL}") from None
        return boto3.client("s3", endpoint_url=self.endpoint_url or None)

    def _call(self, verb: str, name: str, action: Any, *arguments: Any, **keywords: Any) -> None:
        """Run one S3 request; a failure as a RunError naming the object."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            action(*arguments, **keywords)
        except (BotoCoreError, ClientError, S3UploadFailedError) as error:
            where = f"s3://{self.bucket}/{self.prefix}{name}"
            raise RunError(f"dask_parts: cannot {verb} {where}: {error}") from None
