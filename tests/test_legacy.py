"""Reading the old tool's settings.py (never running it) and migrating it to gensample.toml."""

import re
import textwrap
from pathlib import Path

import pytest

from gensample.errors import BadInputError
from gensample.settings import DATASETS, FuzzSettings, Settings, load
from gensample.settings import legacy as legacy_module
from gensample.settings.legacy import Legacy, read_legacy
from gensample.settings.migrate import migrate
from gensample.settings.publish import PublishSettings

REALISTIC = '''\
"""Settings for the nightly MDM sample."""
import os
from datetime import date

# how many customers per run
ITERATE = 5000
OVERALL_DUPE_RATE = 0.2  # old runs used a fraction
VARIANCE_DUPE_RATE = 2
LOAD_TYPE = "TRUNCATE"
SHOW_TIMER = True
AMP_S3_BUCKETNAME = os.environ["AMP_BUCKET"]
AMP_S3_PREFIX = "mdm-test/"
CREATE_DS_CUSTOMER = True
CREATE_DS_ORDERS = False
RUN_DATE = date.today()
print("settings loaded")
helper = 3
'''


def write_legacy(directory: Path, text: str) -> Path:
    """Write ``text`` as the legacy settings.py of ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "settings.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def notes_on_line(notes: tuple[str, ...], path: Path, line: int) -> list[str]:
    """The notes about line ``line`` of ``path``."""
    return [note for note in notes if note.startswith(f"{path}:{line}: ")]


def test_realistic_file_maps_literal_settings(tmp_path):
    path = write_legacy(tmp_path, REALISTIC)
    assert read_legacy(path).settings == {
        "customers": 5000,
        "dupe_rate": 20.0,
        "dupe_rate_variance": 2,
        "load_type": "truncate",
        "show_timer": True,
        "publish": {"s3_prefix": "mdm-test/"},
        "datasets": ["customers"],
    }


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (2, "import"),
        (3, "import"),
        (7, "OVERALL_DUPE_RATE"),
        (11, "AMP_S3_BUCKETNAME"),
        (14, "CREATE_DS_ORDERS"),
        (15, "RUN_DATE"),
        (16, "print"),
        (17, "helper"),
    ],
)
def test_realistic_file_notes_name_what_was_ignored_with_line(tmp_path, line, words):
    path = write_legacy(tmp_path, REALISTIC)
    notes = notes_on_line(read_legacy(path).notes, path, line)
    assert len(notes) == 1
    assert words in notes[0]


def test_mapped_literal_lines_and_comments_give_no_notes(tmp_path):
    path = write_legacy(tmp_path, REALISTIC)
    notes = read_legacy(path).notes
    for line in (1, 4, 5, 6, 8, 9, 10, 12, 13):
        assert notes_on_line(notes, path, line) == []
    assert len(notes) == 8


def test_env_lookup_is_ignored_and_the_env_variable_suggested(tmp_path):
    path = write_legacy(tmp_path, 'import os\nAMP_S3_BUCKETNAME = os.environ["B"]\n')
    result = read_legacy(path)
    assert result.settings == {}
    assert "GENSAMPLE_PUBLISH__S3_BUCKET" in notes_on_line(result.notes, path, 2)[0]


def test_file_is_never_executed(tmp_path):
    marker = tmp_path / "ran.txt"
    path = write_legacy(
        tmp_path / "job",
        f"""\
        from pathlib import Path
        Path({str(marker)!r}).write_text("executed")
        raise SystemExit("settings.py was executed")
        ITERATE = 7
        """,
    )
    assert read_legacy(path).settings == {"customers": 7}
    assert not marker.exists()


@pytest.mark.parametrize(
    ("written", "percent", "noted"),
    [
        (0.15, 15.0, True),
        (1.0, 100.0, True),
        (0.5, 50.0, True),
        (15, 15, False),
        (15.0, 15.0, False),
        (1, 1, False),
        (0.0, 0.0, False),
    ],
)
@pytest.mark.parametrize(
    ("old", "new"),
    [("OVERALL_DUPE_RATE", "dupe_rate"), ("VARIANCE_DUPE_RATE", "dupe_rate_variance")],
)
def test_rate_fraction_or_percent(tmp_path, old, new, written, percent, noted):
    path = write_legacy(tmp_path, f"{old} = {written!r}\n")
    result = read_legacy(path)
    assert result.settings == {new: percent}
    assert type(result.settings[new]) is type(percent)
    fraction_notes = [note for note in result.notes if "fraction" in note]
    assert len(fraction_notes) == int(noted)
    if noted:
        assert fraction_notes[0].startswith(f"{path}:1: {old}")


@pytest.mark.parametrize(
    ("flags", "datasets"),
    [
        ("CREATE_DS_CUSTOMERS = True\n", ["customers"]),
        ("CREATE_DS_CUSTOMER = True\n", ["customers"]),
        ("CREATE_DS_CUSTOMERS = False\n", []),
        ("CREATE_DS_CUSTOMER = False\nCREATE_DS_CUSTOMERS = True\n", ["customers"]),
    ],
)
def test_dataset_flags_make_the_datasets_list(tmp_path, flags, datasets):
    path = write_legacy(tmp_path, flags)
    assert read_legacy(path).settings == {"datasets": datasets}


def test_a_dataset_flag_brings_the_datasets_it_refers_to(tmp_path):
    path = write_legacy(tmp_path, "CREATE_DS_CUSTOMERS = True\nCREATE_DS_POS_TRANSACTIONS = True\n")
    result = read_legacy(path)
    datasets = result.settings["datasets"]
    assert datasets == [n for n in DATASETS if n in datasets]  # in generation order
    parents = {"stores", "brands", "products", "bundles", "promotions", "pos_customers"}
    assert {"customers", "pos_transactions", *parents} == set(datasets)
    assert any("CREATE_DS_POS_TRANSACTIONS needs pos_customers" in note for note in result.notes)
    assert Settings(datasets=tuple(datasets))  # a valid list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('TRANS_TYPE = "DAILY"\n', {"trans_type": "daily"}),
        ("MAX_TRANS_PER_CUSTOMER = 7\n", {"max_trans_per_customer": 7}),
    ],
)
def test_transaction_settings_map_to_their_new_keys(tmp_path, text, expected):
    assert read_legacy(write_legacy(tmp_path, text)).settings == expected


def test_no_dataset_flags_leave_datasets_at_default(tmp_path):
    path = write_legacy(tmp_path, "ITERATE = 10\n")
    assert "datasets" not in read_legacy(path).settings


def test_unknown_dataset_flag_is_reported_and_ignored(tmp_path):
    path = write_legacy(tmp_path, "CREATE_DS_CUSTOMERS = True\nCREATE_DS_WIDGETS = True\n")
    result = read_legacy(path)
    assert result.settings == {"datasets": ["customers"]}
    (note,) = notes_on_line(result.notes, path, 2)
    assert "CREATE_DS_WIDGETS" in note
    assert "ignored" in note


def test_dataset_flag_that_is_not_a_boolean_is_bad_input(tmp_path):
    path = write_legacy(tmp_path, 'ITERATE = 1\nCREATE_DS_CUSTOMERS = "yes"\n')
    with pytest.raises(BadInputError, match=re.escape(f"{path}:2: CREATE_DS_CUSTOMERS = 'yes'")):
        read_legacy(path)


def test_key_missing_from_this_version_is_reported_not_failed(tmp_path, monkeypatch):
    monkeypatch.setitem(legacy_module.LEGACY_NAMES, "OLD_FEATURE", Legacy("future.feature"))
    path = write_legacy(tmp_path, "ITERATE = 3\nOLD_FEATURE = 9\n")
    result = read_legacy(path)
    assert result.settings == {"customers": 3}
    assert result.notes == (
        f"{path}:2: OLD_FEATURE: not supported by this version of gensample; ignored",
    )


def test_syntax_error_names_file_and_line(tmp_path):
    path = write_legacy(tmp_path, "ITERATE = 5\nOVERALL_DUPE_RATE = = 3\n")
    with pytest.raises(BadInputError, match="^" + re.escape(f"{path}:2: not valid Python")):
        read_legacy(path)


@pytest.mark.parametrize("bad", ["-5", '"many"'])
def test_bad_value_through_the_loader_names_file_and_key(tmp_path, bad):
    path = write_legacy(tmp_path, f"ITERATE = {bad}\n")
    with pytest.raises(BadInputError) as caught:
        load(tmp_path, environ={})
    assert str(path) in str(caught.value)
    assert "customers" in str(caught.value)


def test_loader_reads_legacy_file_when_no_toml(tmp_path):
    write_legacy(tmp_path, REALISTIC)
    assert load(tmp_path, environ={}) == Settings(
        customers=5000,
        dupe_rate=20.0,
        dupe_rate_variance=2.0,
        show_timer=True,
        datasets=("customers",),
        publish=PublishSettings(s3_prefix="mdm-test/"),
    )


def test_migrate_writes_toml_that_loads_to_the_legacy_values(tmp_path):
    legacy_path = write_legacy(tmp_path / "old", REALISTIC)
    target, text, notes = migrate(legacy_path, tmp_path / "new")
    assert target == tmp_path / "new" / "gensample.toml"
    assert notes == read_legacy(legacy_path).notes
    target.parent.mkdir()
    target.write_text(text)
    assert load(tmp_path / "new", environ={}) == Settings(
        customers=5000,
        dupe_rate=20.0,
        dupe_rate_variance=2.0,
        show_timer=True,
        datasets=("customers",),
        fuzz=FuzzSettings(),
        publish=PublishSettings(s3_prefix="mdm-test/"),
    )


def test_migrate_refuses_to_overwrite(tmp_path):
    legacy_path = write_legacy(tmp_path / "old", "ITERATE = 5\n")
    existing = tmp_path / "new" / "gensample.toml"
    existing.parent.mkdir()
    existing.write_text("customers = 1\n")
    with pytest.raises(BadInputError, match="already exists"):
        migrate(legacy_path, tmp_path / "new")
    assert existing.read_text() == "customers = 1\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ITERATE = -5\n", "customers"),
        ('ITERATE = "many"\n', "customers"),
        ("OVERALL_DUPE_RATE = 90\n", "max_duplicates_per_entity"),
    ],
)
def test_migrate_bad_value_names_legacy_file_and_writes_nothing(tmp_path, text, words):
    legacy_path = write_legacy(tmp_path / "old", text)
    with pytest.raises(BadInputError) as caught:
        migrate(legacy_path, tmp_path / "new")
    assert str(caught.value).startswith(f"{legacy_path}: ")
    assert words in str(caught.value)
    assert not (tmp_path / "new").exists()


def test_docs_migration_table_lists_every_legacy_name():
    docs = (Path(__file__).parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, row in legacy_module.LEGACY_NAMES.items():
        assert f"| `{name}`" in docs
        assert f"| `{row.key}`" in docs


def test_a_tracer_file_name_turns_the_tracer_on_and_says_where_the_file_goes(tmp_path):
    path = write_legacy(tmp_path, 'TRACER_DATA = "people.csv"\nUSE_ARCHIVAL = True\n')
    legacy = read_legacy(path)
    assert legacy.settings["tracer"] is True and legacy.settings["archival"] is True
    assert any("people.csv" in note and "tracer/tracer.csv" in note for note in legacy.notes)
