"""Publishing a day to S3, against moto's S3 server over real HTTP (through a fault proxy)."""

import base64
import hashlib
import json
import logging
from pathlib import Path

import boto3
import pytest

from gensample.cli import main
from gensample.errors import BadInputError, RunError
from gensample.publish import RECORD, PublishReport, describe_report, publish_day
from gensample.settings.publish import PublishSettings, VaultSettings

try:  # tests/ may or may not be a package
    from tests import publishing_servers as servers
except ImportError:
    import publishing_servers as servers

MIB = 1024 * 1024
DATE = "2026-11-23"
PREFIX = f"mdm/{DATE}/"
DAY = {
    "data/customers.csv": b"customer_id,name\n1,Ann Lee\n2,Bob Stone\n3,Anne Lee\n",
    "data/transactions.csv": b"transaction_id,customer_id,amount\n10,1,9.99\n11,3,5.00\n",
    "truth/records.csv": b"dataset,record_id,entity_id,kind\ncustomers,1,7,original\n",
    "truth/entities.csv": b"entity_id,given_name\n7,Ann\n",
}


@pytest.fixture(scope="module")
def moto_endpoint():
    with servers.moto_s3() as url:
        yield url


@pytest.fixture
def proxy(moto_endpoint):
    faulty = servers.FaultyS3(moto_endpoint)
    with faulty.serve():
        yield faulty


@pytest.fixture
def vault():
    fake = servers.FakeVault()
    with fake.serve():
        yield fake


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path):
    """boto3's own chain finds these keys; no real AWS config or instance metadata is used."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIACHAINTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "chain-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@pytest.fixture
def s3(moto_endpoint):
    """A client straight to moto (not through the proxy), to inspect the bucket."""
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(s3, request):
    name = "day-" + hashlib.sha256(request.node.name.encode()).hexdigest()[:20]
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def day(tmp_path):
    return servers.write_day(tmp_path / "out" / DATE, DAY)


def settings(bucket: str, proxy: servers.FaultyS3, **changes) -> PublishSettings:
    return PublishSettings(
        s3_bucket=bucket, s3_prefix="mdm/", endpoint_url=proxy.url, region="us-east-1", **changes
    )


def keys_in(s3, bucket: str) -> set[str]:
    return {entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def body_of(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def puts(proxy: servers.FaultyS3) -> list[str]:
    return [path for method, path in proxy.requests if method in ("PUT", "POST")]


def test_a_day_is_published_byte_for_byte_without_truth(s3, bucket, proxy, day):
    report = publish_day(settings(bucket, proxy), None, day, environ={})

    data = [PREFIX + "data/customers.csv", PREFIX + "data/transactions.csv"]
    assert report.uploaded == (*data, PREFIX + "manifest.json")
    assert keys_in(s3, bucket) == {*data, PREFIX + "manifest.json"}
    for key in data:
        assert body_of(s3, bucket, key) == (day / key.removeprefix(PREFIX)).read_bytes()
    published = json.loads(body_of(s3, bucket, PREFIX + "manifest.json"))
    assert set(published) == {"gensample_version", "date", "files"}
    assert set(published["files"]) == {"data/customers.csv", "data/transactions.csv"}
    for name, entry in published["files"].items():
        assert hashlib.sha256(body_of(s3, bucket, PREFIX + name)).hexdigest() == entry["sha256"]
    head = s3.head_object(Bucket=bucket, Key=data[0])
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"]["sha256"] == published["files"]["data/customers.csv"]["sha256"]
    record = json.loads((day / RECORD).read_text())
    assert (record["complete"], record["target"]["bucket"]) == (True, bucket)
    assert record["published"][data[0]] == head["Metadata"]["sha256"]


def test_the_manifest_goes_up_last(bucket, proxy, day):
    publish_day(settings(bucket, proxy), None, day, environ={})

    assert puts(proxy)[-1] == f"/{bucket}/{PREFIX}manifest.json"
    assert sum(path.endswith("manifest.json") for path in puts(proxy)) == 1


def test_truth_is_published_when_included_with_the_manifest_unchanged(s3, bucket, proxy, day):
    publish_day(settings(bucket, proxy, include_truth=True), None, day, environ={})

    assert {PREFIX + name for name in DAY} <= keys_in(s3, bucket)
    assert body_of(s3, bucket, PREFIX + "manifest.json") == (day / "manifest.json").read_bytes()


def test_republishing_an_unchanged_day_sends_nothing(bucket, proxy, day):
    first = publish_day(settings(bucket, proxy), None, day, environ={})
    proxy.requests.clear()

    second = publish_day(settings(bucket, proxy), None, day, environ={})

    assert second.uploaded == ()
    assert second.skipped == first.uploaded
    assert puts(proxy) == []


def test_republishing_replaces_changed_objects_and_removes_what_left_the_day(
    s3, bucket, proxy, day
):
    publish_day(settings(bucket, proxy, include_truth=True), None, day, environ={})
    changed = {**DAY, "data/customers.csv": DAY["data/customers.csv"] + b"4,Cy Young\n"}
    servers.write_day(day, changed)
    proxy.requests.clear()

    report = publish_day(settings(bucket, proxy), None, day, environ={})

    manifest_key = PREFIX + "manifest.json"
    assert report.uploaded == (PREFIX + "data/customers.csv", manifest_key)
    assert report.skipped == (PREFIX + "data/transactions.csv",)
    assert report.stale == (PREFIX + "truth/entities.csv", PREFIX + "truth/records.csv")
    assert not any(key.startswith(PREFIX + "truth/") for key in keys_in(s3, bucket))
    assert body_of(s3, bucket, PREFIX + "data/customers.csv") == changed["data/customers.csv"]
    # The old manifest is taken down before anything changes, so no consumer sees a mixed day.
    first_change = next(
        i for i, (method, _) in enumerate(proxy.requests) if method in ("PUT", "DELETE")
    )
    assert proxy.requests[first_change] == ("DELETE", f"/{bucket}/{manifest_key}")


def test_big_files_go_up_in_verified_parts(s3, bucket, proxy, tmp_path):
    big = bytes(range(256)) * (5 * MIB // 256) + b"tail" * 300  # two parts of at most 5 MiB
    day = servers.write_day(tmp_path / DATE, {"data/customers.csv": big})
    lowered = settings(bucket, proxy, multipart_threshold_mib=1.0, multipart_chunk_mib=5)

    publish_day(lowered, None, day, environ={})

    key = PREFIX + "data/customers.csv"
    assert ("POST", f"/{bucket}/{key}") in proxy.requests  # CreateMultipartUpload
    parts = [hashlib.sha256(big[start : start + 5 * MIB]).digest() for start in (0, 5 * MIB)]
    composite = base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode()
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"].removesuffix("-2") == composite
    assert body_of(s3, bucket, key) == big
    assert publish_day(lowered, None, day, environ={}).uploaded == ()


def test_an_interrupted_upload_in_parts_is_aborted_by_the_next_publish(
    s3, bucket, proxy, tmp_path, caplog
):
    big = bytes(range(256)) * (5 * MIB // 256) + b"tail" * 300
    day = servers.write_day(tmp_path / DATE, {"data/customers.csv": big})
    lowered = settings(
        bucket, proxy, multipart_threshold_mib=1.0, multipart_chunk_mib=5, max_attempts=1
    )
    key = PREFIX + "data/customers.csv"
    # A part fails and so does the abort after it: the upload is left as a killed publish leaves it
    proxy.fail("PUT", key, 403, "AccessDenied")
    proxy.fail("DELETE", key, 500, "InternalError")
    with pytest.raises(RunError, match="AccessDenied"):
        publish_day(lowered, None, day, environ={})
    assert [up["Key"] for up in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [key]

    proxy.faults.clear()
    report = publish_day(lowered, None, day, environ={})

    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert f"aborted an incomplete upload of s3://{bucket}/{key}" in caplog.text
    assert report.uploaded == (key, PREFIX + "manifest.json")
    assert body_of(s3, bucket, key) == big


def test_throttling_and_server_errors_are_retried(s3, bucket, proxy, day):
    proxy.fail("PUT", PREFIX + "data/customers.csv", 503, "SlowDown", times=1)
    proxy.fail("PUT", PREFIX + "data/transactions.csv", 500, "InternalError", times=1)

    report = publish_day(settings(bucket, proxy), None, day, environ={})

    assert proxy.requested("PUT", PREFIX + "data/customers.csv") == 2
    assert proxy.requested("PUT", PREFIX + "data/transactions.csv") == 2
    assert PREFIX + "manifest.json" in report.uploaded
    assert body_of(s3, bucket, PREFIX + "data/customers.csv") == DAY["data/customers.csv"]


def test_a_failure_half_way_is_reported_recorded_and_resumed(s3, bucket, proxy, day):
    failing = PREFIX + "data/transactions.csv"
    proxy.fail("PUT", failing, 403, "AccessDenied")
    before = {path: path.read_bytes() for path in day.rglob("*.csv")}

    with pytest.raises(RunError) as failure:
        publish_day(settings(bucket, proxy), None, day, environ={})

    assert failure.value.exit_code == 1
    assert f"s3://{bucket}/{failing}" in str(failure.value)
    assert "AccessDenied" in str(failure.value)
    assert keys_in(s3, bucket) == {PREFIX + "data/customers.csv"}
    assert {path: path.read_bytes() for path in day.rglob("*.csv")} == before
    record = json.loads((day / RECORD).read_text())
    assert record["pending"] == [failing, PREFIX + "manifest.json"]
    assert record["complete"] is False

    proxy.faults.clear()
    resumed = publish_day(settings(bucket, proxy), None, day, environ={})

    assert resumed.uploaded == (failing, PREFIX + "manifest.json")
    assert resumed.skipped == (PREFIX + "data/customers.csv",)
    assert proxy.requested("PUT", PREFIX + "data/customers.csv") == 1
    assert json.loads((day / RECORD).read_text())["complete"] is True


def test_a_dry_run_lists_what_would_be_sent_and_sends_nothing(bucket, proxy, day):
    planned = publish_day(settings(bucket, proxy), None, day, dry_run=True, environ={})

    assert planned == PublishReport(
        bucket,
        PREFIX,
        True,
        planned=(
            PREFIX + "data/customers.csv",
            PREFIX + "data/transactions.csv",
            PREFIX + "manifest.json",
        ),
    )
    assert proxy.requests == []
    assert f"would upload  s3://{bucket}/{PREFIX}manifest.json" in describe_report(planned)

    publish_day(settings(bucket, proxy), None, day, environ={})
    servers.write_day(day, {**DAY, "data/transactions.csv": b"transaction_id\n"})
    replanned = publish_day(settings(bucket, proxy), None, day, dry_run=True, environ={})

    assert replanned.planned == (PREFIX + "data/transactions.csv", PREFIX + "manifest.json")
    assert replanned.skipped == (PREFIX + "data/customers.csv",)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "[]",
        lambda text: text.replace('"pending": []', '"pending": 3'),
        lambda text: json.dumps({**json.loads(text), "published": [1, 2]}),
    ],
    ids=["cut short", "not an object", "pending not a list", "published not an object"],
)
def test_a_damaged_publish_record_stops_a_dry_run_and_a_publish_rewrites_it(
    bucket, proxy, day, damage, caplog
):
    publish_day(settings(bucket, proxy), None, day, environ={})
    record = day / RECORD
    record.write_text(damage(record.read_text()))

    with pytest.raises(BadInputError) as refused:
        publish_day(settings(bucket, proxy), None, day, dry_run=True, environ={})
    assert f"{record}: damaged publish record" in str(refused.value)
    assert "checks the bucket" in str(refused.value)

    report = publish_day(settings(bucket, proxy), None, day, environ={})

    assert report.uploaded == () and f"{record}: damaged publish record" in caplog.text
    again = publish_day(settings(bucket, proxy), None, day, dry_run=True, environ={})
    assert again.planned == () and len(again.skipped) == 3


def test_a_local_file_that_differs_from_the_manifest_stops_everything(bucket, proxy, day):
    (day / "data" / "customers.csv").write_bytes(b"customer_id,name\n1,Tampered\n")

    with pytest.raises(BadInputError, match=r"data/customers.csv: does not match manifest.json"):
        publish_day(settings(bucket, proxy), None, day, environ={})

    assert proxy.requests == []


def test_a_day_without_a_manifest_is_not_published(bucket, proxy, day):
    (day / "manifest.json").unlink()

    with pytest.raises(RunError, match="no manifest"):
        publish_day(settings(bucket, proxy), None, day, environ={})


def test_publishing_needs_a_bucket(day):
    with pytest.raises(BadInputError, match="s3_bucket"):
        publish_day(PublishSettings(), None, day, environ={})


def test_a_missing_bucket_is_named(proxy, day):
    with pytest.raises(RunError, match=r"s3://no-such-bucket/ failed: .*404"):
        publish_day(settings("no-such-bucket", proxy), None, day, environ={})


def test_without_credentials_nothing_is_sent(monkeypatch, bucket, proxy, day):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    with pytest.raises(RunError, match="no AWS credentials"):
        publish_day(settings(bucket, proxy), None, day, environ={})

    assert proxy.requests == []


def test_a_kms_key_id_asks_for_kms_encryption(s3, bucket, proxy, day):
    publish_day(settings(bucket, proxy, server_side_encryption="alias/mdm"), None, day, environ={})

    head = s3.head_object(Bucket=bucket, Key=PREFIX + "data/customers.csv")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", "alias/mdm")


def test_keys_from_vault_sign_the_uploads_and_no_secret_is_logged_or_written(
    caplog, s3, bucket, proxy, day, vault
):
    keys = {
        "aws_access_key_id": "AKIAFROMVAULT",
        "aws_secret_access_key": "vault-aws-secret",
        "aws_session_token": "vault-aws-session-token",
    }
    vault.put_secret("secret", "gensample/aws", keys)
    role_id, secret_id = vault.add_approle()
    environ = {"VAULT_ADDR": vault.url, "VAULT_ROLE_ID": role_id, "VAULT_SECRET_ID": secret_id}
    caplog.set_level(logging.DEBUG)

    report = publish_day(
        settings(bucket, proxy), VaultSettings(auth="approle"), day, environ=environ
    )

    assert proxy.access_keys == {"AKIAFROMVAULT"}
    assert f"uploaded s3://{bucket}/{PREFIX}manifest.json" in caplog.text
    written = [(day / RECORD).read_text(), describe_report(report), repr(report)]
    written += [body_of(s3, bucket, key).decode() for key in report.uploaded]
    secrets = [keys["aws_secret_access_key"], keys["aws_session_token"], secret_id, *vault.tokens]
    for secret in secrets:
        assert secret not in caplog.text
        assert not any(secret in text for text in written)


def write_publishing_settings(run_dir: Path, bucket: str, proxy: servers.FaultyS3) -> None:
    """A run directory whose gensample.toml publishes to ``bucket`` through the proxy."""
    run_dir.mkdir(exist_ok=True)
    (run_dir / "gensample.toml").write_text(
        f'customers = 50\nworkers = 1\n[publish]\ns3_bucket = "{bucket}"\ns3_prefix = "feed/"\n'
        f'endpoint_url = "{proxy.url}"\nregion = "us-east-1"\n'
    )


def test_gensample_run_publishes_the_day_it_wrote(s3, bucket, proxy, tmp_path):
    run_dir = tmp_path / "run"
    write_publishing_settings(run_dir, bucket, proxy)
    assert main(["run", "--dir", str(run_dir), "--date", DATE]) == 0
    local = run_dir / "out" / DATE / "data" / "customers.csv"
    assert body_of(s3, bucket, f"feed/{DATE}/data/customers.csv") == local.read_bytes()
    assert puts(proxy)[-1].endswith(f"feed/{DATE}/manifest.json")


def test_a_failed_publish_after_a_run_says_how_to_resume(proxy, tmp_path, caplog):
    run_dir = tmp_path / "run"
    write_publishing_settings(run_dir, "no-such-bucket", proxy)
    assert main(["run", "--dir", str(run_dir), "--date", DATE]) == 1
    assert (run_dir / "out" / DATE / "manifest.json").exists()
    assert f"gensample publish --dir {run_dir} --date {DATE}" in caplog.text
