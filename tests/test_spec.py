"""Declarative datasets: a spec file read, checked and generated (gensample.generate.spec)."""

import datetime as dt
import json
import re
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow.compute as pc
import pytest
import yaml

from gensample.cli import main
from gensample.errors import BadInputError
from gensample.generate.spec import arrow_types, columns, engine, model
from gensample.generate.spec.schema import SCHEMA
from gensample.settings import Settings

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

DAY = dt.date(2026, 1, 1)
SPEC = """
[tables.regions]
file = "regions.csv"
key = "region_id"

[datasets.crm]
population = 0.6
id = {column = "crm_id", start = 1000, prefix = "CRM-", width = 7}
duplicates = {rate = 0.2, max_per_entity = 3}
fuzz.first_name = {weight = 2, corruptions = {make_typo = 1}}
fuzz.born = {weight = 1, corruptions = {swap_day_month = 1}}

[datasets.crm.columns]
first_name = {person = "first_name", format = "upper"}
born = {person = "birth_date"}
company = {faker = "company"}
tier = {choice = {values = ["gold", "silver"], weights = [1, 3]}}
spend = {number = {distribution = "lognormal", mean = 4, sd = 1, min = 10, max = 500, decimals = 2}}
joined = {date = {from = "2020-01-01", to = "2020-12-31"}, format = "%d/%m/%Y"}
code = {pattern = "PR-####-??"}
label = {expr = "upper(tier) + '-' + code"}
region = {ref = {dataset = "regions", column = "region_id", weights = "size"}}
store = {ref = {dataset = "stores", column = "store_id"}}

[datasets.orders]
rows = {per = "crm", distribution = "poisson", mean = 2}
id = {column = "order_id"}

[datasets.orders.columns]
crm_id = {ref = {dataset = "crm", column = "crm_id"}}
quantity = {number = {distribution = "poisson", mean = 2, min = 1, max = 9}}
price = {number = {distribution = "uniform", min = 1, max = 100, decimals = 2}}
total = {expr = "quantity * price"}
"""


def write_spec(folder: Path, raw: dict | None = None, name: str = "systems.toml") -> Path:
    """A spec file (the example, or ``raw`` as YAML) beside its regions table."""
    (folder / "regions.csv").write_text("region_id,name,size\nN,North,5\nS,South,1\n")
    path = folder / name
    path.write_text(SPEC if raw is None else yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    """The example spec's datasets for 4,000 people."""
    spec = model.load(write_spec(tmp_path_factory.mktemp("spec")))
    return engine.generate(spec, Settings(customers=4_000), DAY)


def test_same_seed_same_rows_other_seed_other_rows(tmp_path, made):
    spec = model.load(write_spec(tmp_path))
    again = engine.generate(spec, Settings(customers=4_000), DAY)
    other = engine.generate(spec, Settings(customers=4_000, seed=7), DAY)
    assert all(again[name].data.equals(made[name].data) for name in made)
    assert again["crm"].truth.equals(made["crm"].truth)
    assert not other["crm"].data.equals(made["crm"].data)


def test_schemas_are_known_before_any_row(made, tmp_path):
    spec = model.load(write_spec(tmp_path))
    expected = arrow_types.schemas(spec)
    assert all(made[name].data.schema.equals(expected[name]) for name in made)
    empty = engine.generate(spec, Settings(customers=0), DAY)
    assert all(empty[name].data.schema.equals(expected[name]) for name in made)


def test_whether_a_person_is_seen_depends_on_the_person_only(tmp_path):
    spec = model.load(write_spec(tmp_path))
    whole = engine.generate(spec, Settings(customers=3_000), DAY)["crm"].truth
    later = engine.generate(spec, Settings(customers=2_000), DAY, entity_start=1_000)["crm"].truth
    seen = {e for e in whole["entity_id"].to_pylist() if e >= 1_000}
    assert set(later["entity_id"].to_pylist()) == seen


def test_foreign_keys_point_at_parent_keys(made):
    crm, orders = made["crm"].data, made["orders"].data
    assert pc.all(pc.is_in(orders["crm_id"], crm["crm_id"])).as_py()
    assert set(crm["region"].to_pylist()) <= {"N", "S"}
    assert pc.min(crm["store"]).as_py() >= 1
    assert orders["order_id"].to_pylist() == list(range(1, orders.num_rows + 1))


def test_weights_of_choices_and_parents_are_followed(made):
    crm = made["crm"].data
    assert 0.7 < pc.mean(pc.equal(crm["tier"], "silver")).as_py() < 0.8  # 3 of 4
    assert 0.78 < pc.mean(pc.equal(crm["region"], "N")).as_py() < 0.88  # 5 of 6


def test_values_keep_their_bounds_patterns_and_formats(made):
    crm, orders = made["crm"].data, made["orders"].data
    assert all(re.fullmatch(r"PR-\d{4}-[A-Z]{2}", code) for code in crm["code"].to_pylist())
    assert all(re.fullmatch(r"CRM-\d{7}", key) for key in crm["crm_id"].to_pylist())
    assert pc.min(crm["spend"]).as_py() >= 10 and pc.max(crm["spend"]).as_py() <= 500
    days = [dt.datetime.strptime(d, "%d/%m/%Y").date() for d in crm["joined"].to_pylist()]
    assert min(days) >= dt.date(2020, 1, 1) and max(days) <= dt.date(2020, 12, 31)
    assert len(set(crm["company"].to_pylist())) > 100
    tiers, codes, labels = (crm[c].to_pylist() for c in ("tier", "code", "label"))
    assert labels == [f"{t.upper()}-{c}" for t, c in zip(tiers, codes, strict=True)]
    totals = np.array(orders["quantity"]) * np.array(orders["price"])
    assert np.allclose(orders["total"], totals)


def test_people_seen_once_as_originals_and_duplicates_copy_them(made):
    records = made["crm"].truth.to_pandas()
    originals = records[records["kind"] == "original"]
    assert originals["entity_id"].is_unique
    assert 0.55 < len(originals) / 4_000 < 0.65
    assert 0.15 < (records["kind"] == "duplicate").mean() < 0.25
    entity = dict(zip(records["record_id"], records["entity_id"], strict=True))
    copies = records[records["kind"] == "duplicate"]
    assert all(
        entity[int(o)] == e
        for o, e in zip(copies["duplicate_of"], copies["entity_id"], strict=True)
    )
    assert (copies["corruptions"] != "").mean() > 0.9


def test_yaml_spec_makes_the_same_rows(tmp_path, made):
    raw = tomllib.loads(SPEC)
    spec = model.load(write_spec(tmp_path, raw, "systems.yaml"))
    again = engine.generate(spec, Settings(customers=4_000), DAY)
    assert again["orders"].data.equals(made["orders"].data)


def test_a_yaml_syntax_error_is_one_line_naming_where(tmp_path):
    path = tmp_path / "systems.yaml"
    path.write_text("datasets:\n  x: [1, 2\n  y: 3\n")
    with pytest.raises(BadInputError) as raised:
        model.load(path)
    expected = f"{path}: cannot read the spec: expected ',' or ']', but got ':' (line 3, column 4)"
    assert str(raised.value) == expected


def test_dates_written_without_quotes_are_taken(tmp_path):
    path = write_spec(tmp_path)
    path.write_text(
        SPEC.replace('from = "2020-01-01", to = "2020-12-31"', "from = 2020-01-01, to = 2020-12-31")
    )
    assert model.load(path).datasets["crm"]["columns"]["joined"]["date"]["from"] == "2020-01-01"


def test_a_reference_to_a_parent_without_rows_is_bad_input(tmp_path):
    spec = model.load(write_spec(tmp_path))
    spec.datasets["orders"]["rows"] = 5  # rows of their own, referring to an empty crm
    with pytest.raises(
        BadInputError,
        match=r"systems\.toml: datasets\.orders\.columns\.crm_id\.ref: crm has no rows",
    ):
        engine.generate(spec, Settings(customers=0), DAY)


def test_ids_past_the_largest_64_bit_integer_are_refused_once_counted(tmp_path):
    spec = model.load(write_spec(tmp_path))
    spec.datasets["crm"]["id"]["start"] = 2**63 - 10  # fine for check: its rows are not known
    with pytest.raises(BadInputError) as error:
        engine.generate(spec, Settings(customers=1_000), DAY)
    assert re.fullmatch(
        r"systems\.toml: datasets\.crm\.id\.start: 9223372036854775798 is not allowed for "
        r"[\d,]+ rows: expected at most \d+ \(the last id at most 9223372036854775807\)",
        str(error.value),
    )


def test_numbers_stay_within_their_largest_size():
    lognormal = {"number": {"distribution": "lognormal", "mean": 100, "sd": 1}}
    values = columns.number(lognormal, columns.Context(5, 0), np.random.default_rng(1))
    assert values.to_pylist() == [10**15] * 5


@pytest.fixture
def without_faker_and_yaml(monkeypatch):
    """Faker and PyYAML not installed (the ``spec`` extra left out)."""
    monkeypatch.setitem(sys.modules, "faker", None)
    monkeypatch.setitem(sys.modules, "yaml", None)
    columns.faker_for.cache_clear()
    columns.faker_providers.cache_clear()
    yield
    columns.faker_for.cache_clear()
    columns.faker_providers.cache_clear()


def test_optional_packages_missing_are_named(tmp_path, without_faker_and_yaml):
    with pytest.raises(BadInputError, match=r"columns\.company\.faker: needs Faker: pip install"):
        model.load(write_spec(tmp_path))
    (tmp_path / "systems.yaml").write_text("datasets: {}\n")
    with pytest.raises(BadInputError, match=r"YAML spec files need PyYAML: pip install"):
        model.load(tmp_path / "systems.yaml")


def test_spec_schema_is_printed_and_valid(capsys):
    assert main(["spec-schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed == json.loads(json.dumps(SCHEMA))


def _broken(change) -> dict:
    raw = tomllib.loads(SPEC)
    change(raw["datasets"])
    return raw


BROKEN = {
    "unknown generator": (
        lambda d: d["crm"]["columns"].update(tier={"dice": 6}),
        "datasets.crm.columns.tier: Additional properties are not allowed",
    ),
    "unknown Faker provider": (
        lambda d: d["crm"]["columns"].update(company={"faker": "no_such_thing"}),
        "datasets.crm.columns.company.faker: unknown Faker provider",
    ),
    "Faker arguments refused": (
        lambda d: d["crm"]["columns"]["company"].update(args={"colour": "red"}),
        "datasets.crm.columns.company.args: company refuses them",
    ),
    "date format without a directive": (
        lambda d: d["crm"]["columns"]["born"].update(format="upper"),
        "datasets.crm.columns.born.format: expected a strftime pattern",
    ),
    "choice values of two types": (
        lambda d: d["crm"]["columns"]["tier"]["choice"].update(values=["gold", 2]),
        "datasets.crm.columns.tier.choice.values: expected values of one type",
    ),
    "name of a built-in dataset": (
        lambda d: d.update(stores=d.pop("orders")),
        "datasets.stores: already names a built-in dataset or a table",
    ),
    "missing dataset": (
        lambda d: d["orders"]["columns"]["crm_id"]["ref"].update(dataset="erp"),
        "datasets.orders.columns.crm_id.ref: no dataset or table 'erp'",
    ),
    "missing column": (
        lambda d: d["orders"]["columns"]["crm_id"]["ref"].update(column="crm_key"),
        "datasets.orders.columns.crm_id.ref: no column 'crm_key' in crm",
    ),
    "probability above 1": (
        lambda d: d["crm"].update(population=1.5),
        "datasets.crm.population: 1.5 is greater than the maximum of 1",
    ),
    "weights not one per value": (
        lambda d: d["crm"]["columns"]["tier"]["choice"].update(weights=[1]),
        "datasets.crm.columns.tier.choice.weights: expected 2 weights",
    ),
    "cycle of datasets": (
        lambda d: d["crm"]["columns"].update(
            last={"ref": {"dataset": "orders", "column": "order_id"}}
        ),
        "datasets: a cycle of references",
    ),
    "cycle of expressions": (
        lambda d: d["crm"]["columns"].update(a={"expr": "b"}, b={"expr": "a + 1"}),
        "datasets.crm.columns: a cycle of expressions",
    ),
    "unsafe expression": (
        lambda d: d["crm"]["columns"].update(label={"expr": "__import__('os')"}),
        "datasets.crm.columns.label.expr: unknown function",
    ),
    "corruption of another kind": (
        lambda d: d["crm"]["fuzz"].update(born={"weight": 1, "corruptions": {"make_typo": 1}}),
        "datasets.crm.fuzz.born.corruptions.make_typo: not a corruption of date values",
    ),
    "duplicates beyond their copies": (
        lambda d: d["crm"]["duplicates"].update(rate=0.9),
        "datasets.crm.duplicates.rate: above 0.75",
    ),
    "a day that does not exist": (
        lambda d: d["crm"]["columns"]["joined"]["date"].update({"from": "2020-02-30"}),
        "datasets.crm.columns.joined.date.from: '2020-02-30' is no day of the calendar: expected",
    ),
    "negative Poisson mean": (
        lambda d: d["orders"]["columns"]["quantity"]["number"].update(mean=-2),
        "datasets.orders.columns.quantity.number.mean: expected a mean >= 0 for a poisson",
    ),
    "huge Poisson mean": (
        lambda d: d["orders"]["columns"]["quantity"]["number"].update(mean=1e300),
        "datasets.orders.columns.quantity.number.mean: 1e+300 is greater than the maximum",
    ),
    "rounding to 400 digits": (
        lambda d: d["crm"]["columns"].update(label={"expr": "round(spend, 400)"}),
        "datasets.crm.columns.label.expr: 'round(spend, 400)' is not allowed: round takes a "
        "number, then whole-number digits from -15 to 15",
    ),
    "rounding to a column's digits": (
        lambda d: d["crm"]["columns"].update(label={"expr": "round(spend, tier)"}),
        "datasets.crm.columns.label.expr: 'round(spend, tier)' is not allowed: round takes",
    ),
    "a function given too many values": (
        lambda d: d["crm"]["columns"].update(label={"expr": "upper(tier, code)"}),
        "datasets.crm.columns.label.expr: 'upper(tier, code)' is not allowed: upper takes a text",
    ),
    "population seeing nobody": (
        lambda d: d["crm"].update(population=0),
        "datasets.crm.population: 0 is less than or equal to the minimum of 0",
    ),
    "ids past the largest 64-bit integer": (
        lambda d: d["orders"].update(rows=5, id={"column": "order_id", "start": 2**63 - 2}),
        "datasets.orders.id.start: 9223372036854775806 is not allowed for 5 rows: expected at "
        "most 9223372036854775803 (the last id at most 9223372036854775807)",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_impossible_spec_is_refused_with_file_path_and_reason(tmp_path, case):
    change, message = BROKEN[case]
    with pytest.raises(BadInputError, match=re.escape(f"systems.yaml: {message}")):
        model.load(write_spec(tmp_path, _broken(change), "systems.yaml"))


def test_check_explains_a_spec_of_the_run_directory(tmp_path, capsys):
    write_spec(tmp_path)
    (tmp_path / "gensample.toml").write_text('customers = 2000\nspec = ["systems.toml"]\n')
    assert main(["check", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dataset crm: about 1,500 rows: 1,200 people seen" in out
    assert "dataset orders: about 2 rows per crm row" in out


def test_check_refuses_an_impossible_spec_and_writes_nothing(tmp_path, caplog):
    write_spec(tmp_path, _broken(BROKEN["missing column"][0]), "systems.yaml")
    (tmp_path / "gensample.toml").write_text('spec = ["systems.yaml"]\n')
    before = sorted(tmp_path.iterdir())
    assert main(["check", "--dir", str(tmp_path)]) == 2
    assert "no column 'crm_key' in crm" in caplog.text
    assert sorted(tmp_path.iterdir()) == before


def test_a_dataset_declared_in_two_spec_files_is_refused(tmp_path, caplog):
    write_spec(tmp_path)
    write_spec(tmp_path, tomllib.loads(SPEC), "more.yaml")
    (tmp_path / "gensample.toml").write_text('spec = ["systems.toml", "more.yaml"]\n')
    assert main(["check", "--dir", str(tmp_path)]) == 2
    assert "more.yaml: datasets.crm: also declared in systems.toml" in caplog.text


def test_an_expression_on_the_wrong_type_is_refused_by_check(tmp_path, caplog):
    raw = tomllib.loads(SPEC)
    raw["datasets"]["orders"]["columns"]["total"]["expr"] = "upper(quantity)"
    write_spec(tmp_path, raw, "systems.yaml")
    (tmp_path / "gensample.toml").write_text('spec = ["systems.yaml"]\n')
    assert main(["check", "--dir", str(tmp_path)]) == 2
    assert (
        "systems.yaml: datasets.orders.columns.total.expr: 'upper(quantity)' is not allowed on a "
        "whole number: expected a text"
    ) in caplog.text


REFUSED_BY_CHECK = {
    "weights of text": (
        (
            "crm",
            "region",
            {"ref": {"dataset": "regions", "column": "region_id", "weights": "name"}},
        ),
        "N,North,5",
        "datasets.crm.columns.region.ref.weights: weights column name holds string: expected a "
        "column of numbers",
    ),
    "negative weights in a table": (
        None,
        "N,North,-5",
        "datasets.crm.columns.region.ref.weights: weights column size needs finite values >= 0",
    ),
    "infinite weights in a table": (
        None,
        "N,North,inf",
        "datasets.crm.columns.region.ref.weights: weights column size needs finite values >= 0",
    ),
    "year of a text": (
        ("crm", "label", {"expr": "year(code)"}),
        "N,North,5",
        "datasets.crm.columns.label.expr: 'year(code)' is not allowed on a text: expected a date",
    ),
    "division of a text": (
        ("crm", "label", {"expr": "code / 2"}),
        "N,North,5",
        "datasets.crm.columns.label.expr: 'code / 2' is not allowed on a text and a whole number: "
        "expected numbers (+ also joins texts)",
    ),
    "a choice of a number or a text": (
        ("orders", "total", {"expr": "price if quantity > 2 else 'few'"}),
        "N,North,5",
        "datasets.orders.columns.total.expr: \"price if quantity > 2 else 'few'\" is not "
        "allowed on a true/false value, a number and a text: expected a true/false condition, "
        "then two values of one kind",
    ),
}


@pytest.mark.parametrize("case", REFUSED_BY_CHECK)
def test_check_refuses_what_the_run_would_naming_the_spec_path(tmp_path, caplog, case):
    column, north, message = REFUSED_BY_CHECK[case]
    raw = tomllib.loads(SPEC)
    if column is not None:
        raw["datasets"][column[0]]["columns"][column[1]] = column[2]
    write_spec(tmp_path, raw, "systems.yaml")
    (tmp_path / "regions.csv").write_text(f"region_id,name,size\n{north}\nS,South,1\n")
    (tmp_path / "gensample.toml").write_text('spec = ["systems.yaml"]\n')
    assert main(["check", "--dir", str(tmp_path)]) == 2
    assert f"systems.yaml: {message}" in caplog.text


def test_settings_refuse_a_missing_spec_file(tmp_path, caplog):
    (tmp_path / "gensample.toml").write_text('spec = ["nowhere.toml"]\n')
    assert main(["check", "--dir", str(tmp_path)]) == 2
    assert "spec = " in caplog.text and "expected an existing spec file" in caplog.text


def test_the_docs_worked_example_runs(tmp_path, capsys):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "spec.md").read_text()
    for name, text in re.findall(r"```\w+ file=(\S+)\n(.*?)```", doc, re.S):
        (tmp_path / name).write_text(text)
    assert main(["check", "--dir", str(tmp_path)]) == 0
    explained = re.findall(r"```text\n(.*?)```", doc, re.S)[0]
    assert capsys.readouterr().out.endswith(explained)
    made = engine.generate(model.load(tmp_path / "systems.toml"), Settings(customers=2000), DAY)
    assert made["orders"].data.num_rows > made["crm"].data.num_rows > 1000
