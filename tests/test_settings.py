"""Loading settings: precedence, validation errors that name their source, the example file."""

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from gensample.cli import main
from gensample.corruptions import fuzzmap
from gensample.errors import BadInputError
from gensample.settings import Settings, load
from gensample.settings.schema import section_type

EXAMPLE = Path(__file__).resolve().parent.parent / "settings" / "gensample.toml"


def write_settings(run_dir: Path, text: str) -> Path:
    """Write ``gensample.toml`` into ``run_dir``."""
    path = run_dir / "gensample.toml"
    path.write_text(text)
    return path


def test_no_file_gives_the_built_in_defaults(run_dir):
    assert load(run_dir, environ={}) == Settings()


def test_file_then_environment_then_flags_win(run_dir):
    write_settings(run_dir, "customers = 100\nseed = 5\ndupe_rate = 10\n")
    environ = {"GENSAMPLE_SEED": "6", "GENSAMPLE_DUPE_RATE": "12.5", "HOME": "/root"}
    loaded = load(run_dir, environ=environ, flags={"dupe_rate": 30.0, "seed": None})
    assert (loaded.customers, loaded.seed, loaded.dupe_rate) == (100, 6, 30.0)


def test_environment_reaches_sections_and_lists(run_dir):
    environ = {
        "GENSAMPLE_PUBLISH__S3_BUCKET": "feeds",
        "GENSAMPLE_DATASETS": "customers",
        "GENSAMPLE_FUZZ__MAX_FIELDS": "3",
    }
    loaded = load(run_dir, environ=environ)
    assert loaded.publish.s3_bucket == "feeds"
    assert loaded.datasets == ("customers",)
    assert loaded.fuzz.max_fields == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("custmers = 10\n", "unknown setting custmers; allowed: "),
        ("customers = -1\n", "customers = -1 is not allowed: expected a whole number from 0"),
        ("seed = -1\n", "seed = -1 is not allowed: expected a whole number >= 0"),
        ("customers = 1.5\n", "customers = 1.5 is not allowed"),
        ('format = "xml"\n', "format = 'xml' is not allowed: expected one of 'csv', 'parquet'"),
        ('datasets = ["customers", "pets"]\n', "datasets = ['customers', 'pets'] is not allowed"),
        ("dupe_rate = 120\n", "dupe_rate = 120 is not allowed: expected a number from 0 to 95"),
        ("[fuzz]\nmax_feilds = 2\n", "unknown setting fuzz.max_feilds"),
        (
            "[fuzz.fields.email]\ncorruptions = { swap_day_month = 1 }\n",
            "'swap_day_month' does not apply to email",
        ),
        ("[fuzz.fields.shoe_size]\nweight = 1\n", "unknown field; allowed: first_name"),
        ("[publish]\ns3_bucket = 3\n", "publish.s3_bucket = 3 is not allowed"),
        ('[publish]\ns3_bucket = "My_Bucket!"\n', "expected '' or an S3 bucket name"),
        ('[publish]\nendpoint_url = "not a url"\n', "expected '' or an http:// or https://"),
        ('[publish]\nregion = "eu west 1"\n', "publish.region = 'eu west 1' is not allowed"),
        ("customers = \n", "not valid TOML"),
        ("\ufeffcustomers = 5\n", "starts with a byte order mark: save it as UTF-8 without"),
        ("x = " + "[" * 800 + "]" * 800 + "\n", "not valid TOML: nested too deeply"),
        ("dupe_rate = nan\n", "dupe_rate = nan is not allowed"),
        ("archive_retention_days = 800000\n", "expected a whole number from 0 to 36500"),
        ('trans_type = "weekly"\n', "trans_type = 'weekly' is not allowed: expected one of"),
        ("max_trans_per_customer = 0\n", "max_trans_per_customer = 0 is not allowed"),
        ("[coverage]\npos_customers = 1.5\n", "coverage.pos_customers = 1.5 is not allowed"),
        ("[source_dupe_rates]\nloyalty_members = -1\n", "source_dupe_rates.loyalty_members"),
        (
            "customers = 1000000000000000000000\n",
            "customers = 1000000000000000000000 is not allowed: expected a whole number from 0 "
            "to 100_000_000",
        ),
        ("stores = 1000000000000000\n", "expected a whole number from 1 to 1_000_000"),
        ("seed = inf\n", "seed = inf is not allowed: expected a whole number >= 0"),
        ("household_share = -inf\n", "household_share = -inf is not allowed"),
        (
            "[lookalikes]\ntwin_share = 0.7\n",
            "lookalikes.twin_share = 0.7 is not allowed: expected a number from 0 to 0.5",
        ),
        ("[publish]\nmultipart_threshold_mib = inf\n", "expected a number from 0.01 to 5120"),
        (
            "[fuzz.fields.email]\nweight = inf\n",
            "fuzz.fields.email.weight = inf is not allowed: expected a finite number >= 0",
        ),
        (
            "[fuzz.fields.email]\nweight = nan\n",
            "fuzz.fields.email.weight = nan is not allowed: expected a finite number >= 0",
        ),
        (
            "[fuzz.fields.phone]\ncorruptions = { make_typo = nan }\n",
            "fuzz.fields.phone.corruptions.make_typo = nan is not allowed",
        ),
        (
            "[fuzz.fields.phone]\ncorruptions = { make_typo = 1e308, reformat_phone = 1e308 }\n",
            "fuzz.fields.phone.corruptions = {'make_typo': 1e+308, 'reformat_phone': 1e+308} is "
            "not allowed: expected weights adding up to a finite number",
        ),
        (
            "[fuzz.fields.email]\nweight = 1e308\n[fuzz.fields.phone]\nweight = 1e308\n",
            "fuzz.fields.*.weight = {'email': 1e+308, 'phone': 1e+308} is not allowed: expected "
            "field weights adding up to a finite number",
        ),
    ],
)
def test_a_bad_file_names_the_file_key_value_and_what_is_allowed(run_dir, text, expected):
    path = write_settings(run_dir, text)
    with pytest.raises(BadInputError) as error:
        load(run_dir, environ={})
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_a_bad_environment_variable_is_named(run_dir):
    with pytest.raises(BadInputError, match="environment variable GENSAMPLE_CUSTOMERS: customers"):
        load(run_dir, environ={"GENSAMPLE_CUSTOMERS": "lots"})
    with pytest.raises(BadInputError, match="GENSAMPLE_COLOUR: no setting colour"):
        load(run_dir, environ={"GENSAMPLE_COLOUR": "red"})


def test_a_bad_flag_is_named(run_dir):
    with pytest.raises(BadInputError, match="--dupe-rate: dupe_rate = -3"):
        load(run_dir, environ={}, flags={"dupe_rate": -3.0})
    with pytest.raises(BadInputError, match="--customers: customers = 10000000000 is not"):
        load(run_dir, environ={}, flags={"customers": 10**10})


def number_settings(cls: type = Settings, prefix: str = "") -> list[str]:
    """The dotted name of every whole-number and number setting."""
    found = []
    for field in dataclasses.fields(cls):
        if section_type(field) is not None:
            found += number_settings(section_type(field), f"{prefix}{field.name}.")
        elif field.type in (int, float):
            found.append(prefix + field.name)
    return found


@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "1e400"])
def test_no_number_setting_takes_inf_or_nan(run_dir, raw):
    names = number_settings()
    assert len(names) > 20 and "publish.multipart_threshold_mib" in names
    for name in names:
        variable = "GENSAMPLE_" + name.replace(".", "__").upper()
        with pytest.raises(BadInputError, match=f"{variable}: {name} = .* is not allowed"):
            load(run_dir, environ={variable: raw})


def test_settings_that_contradict_each_other_are_refused(run_dir):
    write_settings(run_dir, "dupe_rate = 90\nmax_duplicates_per_entity = 2\n")
    with pytest.raises(BadInputError, match="max_duplicates_per_entity = 2"):
        load(run_dir, environ={})


def test_a_broken_rule_names_where_its_settings_come_from(run_dir):
    path = write_settings(run_dir, 'datasets = ["customers", "pos_customers"]\n')
    with pytest.raises(BadInputError, match=f"^{re.escape(str(path))}: datasets = "):
        load(run_dir, environ={})
    with pytest.raises(BadInputError, match=r"^environment variable GENSAMPLE_DATASETS: datasets"):
        load(run_dir, environ={"GENSAMPLE_DATASETS": "[]"})
    write_settings(run_dir, "max_duplicates_per_entity = 2\n")
    with pytest.raises(BadInputError, match=f"^--dupe-rate, {re.escape(str(path))}: dupe_rate"):
        load(run_dir, environ={}, flags={"dupe_rate": 90})


def test_datasets_must_include_the_customer_master(run_dir):
    write_settings(run_dir, "datasets = []\n")
    with pytest.raises(BadInputError, match="expected a list that includes 'customers'"):
        load(run_dir, environ={})


def test_a_dataset_needs_the_datasets_it_refers_to(run_dir):
    write_settings(run_dir, 'datasets = ["customers", "pos_transactions"]\n')
    with pytest.raises(BadInputError) as error:
        load(run_dir, environ={})
    message = str(error.value)
    parents = "['stores', 'products', 'bundles', 'promotions', 'pos_customers']"
    assert f"pos_transactions refers to {parents}" in message
    assert "or pos_transactions left out" in message


def test_fuzz_overrides_replace_only_the_fields_they_name(run_dir):
    write_settings(run_dir, "[fuzz.fields.phone]\ncorruptions = { leave_blank = 1 }\n")
    effective = fuzzmap.effective(load(run_dir, environ={}).fuzz.fields)
    assert dict(effective["phone"].corruptions) == {"leave_blank": 1.0}
    assert effective["phone"].weight == fuzzmap.DEFAULT_FUZZ_MAP["phone"].weight
    assert effective["email"] == fuzzmap.DEFAULT_FUZZ_MAP["email"]


def test_the_example_settings_file_loads(run_dir):
    shutil.copy(EXAMPLE, run_dir / "gensample.toml")
    loaded = load(run_dir, environ={})
    assert loaded.format == "parquet" and loaded.fuzz.max_fields == 3
    assert loaded.publish.s3_bucket and loaded.vault.auth == "approle"


@pytest.mark.parametrize(
    "text",
    [
        "customers = 1000000000000000000000\n",
        "[fuzz.fields.email]\nweight = inf\n",
        "[fuzz.fields.email]\nweight = nan\n",
        "[fuzz.fields.email]\nweight = 1e308\n[fuzz.fields.phone]\nweight = 1e308\n",
    ],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_settings_that_used_to_crash_are_exit_2_before_anything_is_written(
    run_dir, text, command, caplog
):
    path = write_settings(run_dir, text)
    assert main([command, "--dir", str(run_dir), "--date", "2026-11-23"]) == 2
    assert f"{path}: " in caplog.text and "is not allowed" in caplog.text
    assert not (run_dir / "out").exists()
