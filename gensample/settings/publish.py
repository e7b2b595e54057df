"""The ``[publish]`` and ``[vault]`` sections: where a day's corpus goes and whose keys send it."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from gensample.errors import BadInputError
from gensample.settings.schema import setting

BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
BUCKET_ALLOWED = "'' or an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens"
ENDPOINT = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?")
ENDPOINT_ALLOWED = "'' or an http:// or https:// address, e.g. 'http://localhost:9000'"
REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
REGION_ALLOWED = "'' or a region name of lower-case letters, digits and hyphens, e.g. 'eu-west-1'"


def _matching(pattern: re.Pattern, allowed: str) -> Callable[[object, str], str]:
    """A check that a setting is '' or text matching ``pattern`` whole (``allowed`` says so)."""

    def check(value: object, where: str) -> str:
        if isinstance(value, str) and (value == "" or pattern.fullmatch(value)):
            return value
        raise BadInputError(f"{where} = {value!r} is not allowed: expected {allowed}")

    return check


@dataclass(frozen=True)
class PublishSettings:
    """Publishing a finished day to S3 (or an S3-compatible store)."""

    s3_bucket: str = setting(
        "",
        "Bucket to publish each day to; empty means do not publish.",
        check=_matching(BUCKET, BUCKET_ALLOWED),
        allowed=BUCKET_ALLOWED,
    )
    s3_prefix: str = setting("", "Key prefix before <date>/, e.g. 'mdm-test/'.")
    endpoint_url: str = setting(
        "",
        "Endpoint of an S3-compatible store; empty for AWS.",
        check=_matching(ENDPOINT, ENDPOINT_ALLOWED),
        allowed=ENDPOINT_ALLOWED,
    )
    region: str = setting(
        "",
        "AWS region of the bucket; empty for boto3's default.",
        check=_matching(REGION, REGION_ALLOWED),
        allowed=REGION_ALLOWED,
    )
    include_truth: bool = setting(
        False, "Also publish truth/ (usually kept from the system under test)."
    )
    server_side_encryption: str = setting(
        "AES256", "'AES256', the id of a KMS key for aws:kms, or '' for none."
    )
    max_attempts: int = setting(
        5,
        "Attempts per S3 request; throttling and 5xx answers are retried with backoff.",
        minimum=1,
        maximum=20,
    )
    multipart_threshold_mib: float = setting(
        64.0,
        "Files of at least this many MiB are uploaded in parts.",
        minimum=0.01,
        maximum=5120,  # S3 takes at most 5 GiB in one PUT
    )
    multipart_chunk_mib: int = setting(
        16, "Size of each part in MiB (S3 needs at least 5).", minimum=5, maximum=5120
    )


@dataclass(frozen=True)
class VaultSettings:
    """Where the AWS keys for publishing live in HashiCorp Vault."""

    url: str = setting("", "Vault address; empty means the VAULT_ADDR environment variable.")
    auth: str = setting("token", "How to log in to Vault.", choices=("token", "approle"))
    mount: str = setting("secret", "Mount point of the KV version 2 engine holding the keys.")
    path: str = setting(
        "gensample/aws", "Secret path holding aws_access_key_id and aws_secret_access_key."
    )
    token_file: str = setting("", "File holding the Vault token when VAULT_TOKEN is not set.")
    approle_mount: str = setting("approle", "Mount point of the AppRole auth method.")
    role_id_file: str = setting(
        "", "File holding the AppRole role id when VAULT_ROLE_ID is not set."
    )
    secret_id_file: str = setting(
        "", "File holding the AppRole secret id when VAULT_SECRET_ID is not set."
    )
    aws_role: str = setting(
        "", "Role of the AWS secrets engine for short-lived keys; empty reads the KV secret."
    )
    aws_mount: str = setting("aws", "Mount point of the AWS secrets engine (used with aws_role).")
