"""manifest.json: checksums of the files, counts over the batches, the settings that matter."""

import hashlib
import json

import pytest

from gensample.corruptions.fuzzmap import DEFAULT_FUZZ_MAP, FieldFuzz
from gensample.errors import RunError
from gensample.output import manifest
from gensample.settings import FuzzSettings, Settings
from gensample.settings.publish import PublishSettings, VaultSettings

FILES = {
    "customers.csv": b"record_id,name\n1,Ann\n2,Bob\n",
    "truth/records.csv": b"record_id,entity_id\n1,0\n2,0\n",
    "empty.csv": b"",
}


@pytest.fixture
def day_dir(tmp_path):
    """A day directory holding FILES (and a stray file no manifest should list)."""
    for name, data in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "stray.txt").write_text("not listed")
    return tmp_path


def batch(**counts) -> dict:
    return {"date": "2026-11-23", "dupe_rate_drawn": 14.5, **counts}


def test_describe_files_gives_checksum_size_and_rows(day_dir):
    rows = {"customers.csv": 2, "truth/records.csv": 2, "empty.csv": 0}
    assert manifest.describe_files(day_dir, rows) == {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "rows": rows[name]}
        for name, data in FILES.items()
    }


COUNT_KEYS = ("originals", "duplicates", "tracer", "archival", "updates", "closures")


@pytest.mark.parametrize(
    ("batches", "expected"),
    [
        (
            [batch(originals=100, duplicates=20, tracer=3, archival=1, updates=5, closures=2)],
            (100, 20, 3, 1, 5, 2),
        ),
        (
            [  # an old batch from before updates and closures were counted
                batch(originals=100, duplicates=20, tracer=0, archival=4),
                batch(originals=50, duplicates=7, tracer=2, archival=0, updates=3, closures=1),
            ],
            (150, 27, 2, 4, 3, 1),
        ),
    ],
)
def test_build_sums_counts_over_batches(day_dir, batches, expected):
    document = manifest.build(Settings(), batches, {"customers.csv": 2}, day_dir)
    assert document["counts"] == dict(zip(COUNT_KEYS, expected, strict=True))


def test_build_describes_the_day_and_its_files(day_dir):
    batches = [batch(originals=2, duplicates=0), {**batch(originals=1), "dupe_rate_drawn": 3.0}]
    document = manifest.build(Settings(seed=7), batches, {"customers.csv": 2}, day_dir)
    assert document["date"] == "2026-11-23"
    assert document["seed"] == 7
    assert document["dupe_rate_drawn"] == 14.5  # the first batch's
    assert document["batches"] == batches
    assert list(document["files"]) == ["customers.csv"]
    json.dumps(document)  # it is written as JSON


def test_build_leaves_operational_and_publishing_settings_out(day_dir):
    settings = Settings(
        customers=123,
        workers=5,
        show_timer=True,
        publish=PublishSettings(s3_bucket="bucket", s3_prefix="mdm/"),
        vault=VaultSettings(url="https://vault.example"),
    )
    recorded = manifest.build(settings, [batch()], {}, day_dir)["settings"]
    for left_out in ("workers", "show_timer", "publish", "vault"):
        assert left_out not in recorded
    assert recorded["customers"] == 123
    assert recorded["seed"] == 42 and recorded["format"] == "csv"
    assert recorded["fuzz"]["max_fields"] == 2
    assert "bucket" not in json.dumps(recorded) and "vault.example" not in json.dumps(recorded)


def default_entry(field: str) -> dict:
    entry = DEFAULT_FUZZ_MAP[field]
    return {"weight": entry.weight, "corruptions": dict(entry.corruptions)}


@pytest.mark.parametrize(
    "overrides",
    [
        None,
        {"gender": FieldFuzz(1.0, {"leave_blank": 2.0})},
        {"city": FieldFuzz(0.0, {"make_typo": 1.0}), "email": FieldFuzz(4.0, {"make_typo": 1.0})},
    ],
)
def test_build_records_the_effective_fuzz_map(day_dir, overrides):
    settings = Settings(fuzz=FuzzSettings(max_fields=3, fields=overrides))
    recorded = manifest.build(settings, [batch()], {}, day_dir)["settings"]["fuzz"]
    overrides = overrides or {}
    assert set(recorded["fields"]) == set(DEFAULT_FUZZ_MAP)  # every field, overridden or not
    for field, entry in recorded["fields"].items():
        if field in overrides:
            expected = {
                "weight": overrides[field].weight,
                "corruptions": dict(overrides[field].corruptions),
            }
        else:
            expected = default_entry(field)
        assert entry == expected
    assert recorded["max_fields"] == 3
    json.dumps(recorded)


def test_read_gives_back_a_written_manifest(day_dir):
    document = {"date": "2026-11-23", "batches": [batch()], "files": {}}
    (day_dir / manifest.MANIFEST_FILE).write_text(json.dumps(document))
    assert manifest.read(day_dir) == document


@pytest.mark.parametrize(
    "content", [None, b"", b"{broken", b'{"date": "2026-', b"\xff\xfe\xfa", b"[]", b"null", b'"x"']
)
def test_reading_a_broken_manifest_raises_naming_the_file(day_dir, content):
    path = day_dir / manifest.MANIFEST_FILE
    if content is not None:  # None: no manifest at all
        path.write_bytes(content)
    with pytest.raises(RunError) as raised:
        manifest.read(day_dir)
    assert str(path) in str(raised.value)


def test_describe_files_takes_known_checksums_and_hashes_the_others(day_dir):
    rows = {"customers.csv": 2, "truth/records.csv": 2}
    known = {"customers.csv": "0" * 64}  # not the file's: taken as given, not hashed again
    described = manifest.describe_files(day_dir, rows, known)
    assert described["customers.csv"]["sha256"] == "0" * 64
    truth = hashlib.sha256(FILES["truth/records.csv"]).hexdigest()
    assert described["truth/records.csv"]["sha256"] == truth
