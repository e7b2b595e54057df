"""Packaged reference data: equal to a fresh extraction, and internally consistent."""

import csv
import importlib.util
import re
from pathlib import Path

import numpy as np
import phonenumbers
import pyarrow as pa
import pytest
from file_edits import same_size_and_time
from phonenumbers import geocoder

from gensample import reference
from gensample.reference import stamps

ROOT = Path(__file__).resolve().parent.parent
STATES_AND_DC = set(  # the 50 states and DC, written out independently of the extractor
    re.findall(
        "[A-Z]{2}",
        """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
        NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC""",
    )
)
POOLS = {
    "given_names_f": lambda: reference.given_names("F"),
    "given_names_m": lambda: reference.given_names("M"),
    "family_names": reference.family_names,
    "street_names": reference.street_names,
    "street_suffixes": reference.street_suffixes,
    "email_domains": reference.email_domains,
}


def _load_extractor():
    spec = importlib.util.spec_from_file_location(
        "extract_reference", ROOT / "tools" / "extract_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXTRACTOR = _load_extractor()


def csv_rows(name: str) -> list[dict[str, str]]:
    """A packaged file read with the standard library, every cell as text."""
    with (reference.DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_extractor_and_package_agree_on_the_data_folder():
    assert EXTRACTOR.DATA.resolve() == reference.DATA.resolve()
    assert EXTRACTOR.STATES == STATES_AND_DC


@pytest.mark.parametrize("name", sorted(EXTRACTOR.TABLES))
def test_packaged_file_equals_a_fresh_extraction(name):
    header, extract = EXTRACTOR.TABLES[name]
    packaged = EXTRACTOR.read(reference.DATA / name)
    assert packaged == EXTRACTOR.render(header, extract())


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pool_probabilities_are_positive_and_sum_to_one(name):
    pool = POOLS[name]()
    assert len(pool.values) == len(pool.probabilities) > 0
    assert pool.values.null_count == 0
    assert np.all(pool.probabilities > 0)
    assert pool.probabilities.sum() == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("pool", "name", "value", "weight", "gender"),
    [
        ("given_names_f", "given_names.csv", "name", "frequency", "F"),
        ("given_names_m", "given_names.csv", "name", "frequency", "M"),
        ("family_names", "family_names.csv", "name", "frequency", None),
        ("street_names", "street_names.csv", "name", "weight", None),
        ("street_suffixes", "street_suffixes.csv", "suffix", "weight", None),
        ("email_domains", "email_domains.csv", "domain", "weight", None),
    ],
)
def test_pool_probabilities_are_the_normalised_file_weights(pool, name, value, weight, gender):
    rows = [row for row in csv_rows(name) if gender in (None, row.get("gender"))]
    weights = np.array([float(row[weight]) for row in rows])
    loaded = POOLS[pool]()
    assert loaded.values.to_pylist() == [row[value] for row in rows]
    np.testing.assert_allclose(loaded.probabilities, weights / weights.sum(), rtol=1e-12)


def test_pool_draw_follows_the_probabilities(rng):
    pool = reference.street_suffixes()
    counts = np.bincount(pool.draw(rng, 40_000), minlength=len(pool.probabilities))
    np.testing.assert_allclose(counts / 40_000, pool.probabilities, atol=0.01)


def test_pool_sample_follows_the_probabilities(rng):
    pool = reference.place_weights()
    drawn = pool.sample(rng, 200_000)
    state = reference.populated_places()["state"].to_numpy(zero_copy_only=False)
    shares = {s: np.mean(state[drawn] == s) for s in ("CA", "TX", "WY")}
    expected = {s: pool.probabilities[state == s].sum() for s in shares}
    assert shares == pytest.approx(expected, abs=0.003)


def test_every_place_has_a_zip_a_state_and_an_area_code():
    places = reference.places().to_pylist()
    assert len(places) > 20_000
    for place in places:
        assert re.fullmatch(r"\d{5}", place["postal_code"]), place
        assert place["state"] in STATES_AND_DC, place
        assert re.fullmatch(r"\d{3}", place["area_code"]), place
        assert place["city"] and place["county"], place
    assert {place["state"] for place in places} == STATES_AND_DC
    assert len({place["postal_code"] for place in places}) == len(places)


def test_places_keep_leading_zeros_as_packaged():
    assert reference.places().to_pylist() == csv_rows("places.csv")


def test_nicknames_are_keyed_by_lower_case_given_names_from_the_pool():
    given = {
        name.lower() for gender in "FM" for name in reference.given_names(gender).values.to_pylist()
    }
    nicknames = reference.nicknames()
    assert nicknames
    for name, nicks in nicknames.items():
        assert name == name.lower() and name in given, name
        assert nicks and all(nick and nick == nick.lower() for nick in nicks), (name, nicks)


def test_nicknames_read_back_exactly_as_packaged():
    """Nicknames like 'nan' must stay text, never become missing values."""
    expected: dict[str, list[str]] = {}
    for row in csv_rows("nicknames.csv"):
        expected.setdefault(row["name"], []).append(row["nickname"])
    assert reference.nicknames() == {name: tuple(nicks) for name, nicks in expected.items()}
    assert "nan" in reference.nicknames()["nancy"]


def test_abbreviations_cover_every_suffix_of_the_pool():
    abbreviations = reference.street_abbreviations()
    suffixes = reference.street_suffixes().values.to_pylist()
    assert set(suffixes) <= set(abbreviations)
    for suffix in suffixes:
        assert 0 < len(abbreviations[suffix]) <= len(suffix)
        assert abbreviations[suffix][0] == suffix[0]


def test_census_scale_pools_are_large():
    assert len(reference.family_names_census().values) >= 30_000
    for gender in "FM":
        assert len(reference.given_names_by_year(gender).values) >= 3_000
    assert reference.populated_places().num_rows > 25_000


def test_smith_holds_the_census_share_of_people():
    pool = reference.family_names_census()
    assert pool.values[0].as_py() == "Smith"
    share_of_people = pool.probabilities[0] * reference.family_name_coverage()
    assert 0.0075 < share_of_people < 0.0095  # 0.88 % in the 2000 census
    assert 0.85 < reference.family_name_coverage() < 0.95


def test_given_names_follow_the_birth_year(rng):
    names = reference.given_names_by_year("F")
    years = np.repeat([1945, 1990], 20_000)
    drawn = np.asarray(names.values.take(pa.array(names.draw(rng, years))).to_pylist())
    assert (drawn[years == 1990] == "Brittany").mean() > 0.005
    assert (drawn[years == 1945] == "Brittany").mean() == 0
    assert (drawn[years == 1945] == "Mary").mean() > 0.03


def test_given_name_cumulative_weights_are_one_per_year():
    for gender in "FM":
        names = reference.given_names_by_year(gender)
        assert np.all(np.diff(names.cumulative) > 0)
        ends = np.searchsorted(names.cumulative, np.arange(1, len(names.years) + 1))
        np.testing.assert_array_equal(names.cumulative[ends], np.arange(1, len(names.years) + 1))


def test_state_populations_are_the_2020_census():
    populations = reference.state_populations()
    assert set(populations) == STATES_AND_DC
    assert sum(populations.values()) == 331_449_281
    assert populations["CA"] == 39_538_223


def test_places_give_each_state_its_census_share():
    places = reference.populated_places()
    weights = reference.place_weights().probabilities
    census = reference.state_populations()
    total = sum(census.values())
    states = np.asarray(places["state"].to_pylist())
    for state, people in census.items():
        assert abs(weights[states == state].sum() - people / total) < 0.01, state


def test_populated_places_are_consistent():
    places = reference.populated_places().to_pylist()
    old = {row["postal_code"]: row for row in csv_rows("places.csv")}
    for place in places:
        assert re.fullmatch(r"\d{5}", place["postal_code"]), place
        assert place["state"] in STATES_AND_DC and place["population"] > 0, place
        assert place["city"] and place["county"], place
        known = old.get(place["postal_code"])
        assert known is None or (known["state"], known["county"]) == (
            place["state"],
            place["county"],
        )
    assert len({place["postal_code"] for place in places}) == len(places)


def _phone_state(area_code: str, exchange: int) -> str | None:
    """The state phonenumbers names for a number, or None when it is not a valid US number."""
    number = phonenumbers.parse(f"+1{area_code}{exchange}4567")
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "US"
    ):
        return None
    where = geocoder.description_for_number(number, "en")
    names = {row["name"]: row["state"] for row in csv_rows("state_populations.csv")}
    names |= {"Washington D.C.": "DC", "Washington State": "WA"}
    return where[-2:] if where[-4:-2] == ", " else names.get(where)


def test_every_area_code_is_valid_in_its_state():
    codes = {(row["state"], row["area_code"]) for row in csv_rows("area_codes.csv")}
    places = reference.populated_places()
    pairs = zip(places["state"].to_pylist(), places["area_code"].to_pylist(), strict=True)
    assert set(pairs) == codes
    assert set(reference.area_codes()) == STATES_AND_DC
    for state, code in codes:
        for exchange in (234, 567, 890):
            assert _phone_state(code, exchange) == state, (state, code, exchange)


def test_exchanges_can_be_assigned():
    exchanges = reference.exchanges()
    assert len(exchanges) > 700 and exchanges.min() >= 200 and exchanges.max() <= 999
    assert not np.isin(exchanges, [211, 311, 411, 511, 611, 711, 811, 911, 555]).any()
    for exchange in exchanges[::37]:
        assert _phone_state("212", exchange) == "NY", exchange


def test_ordinal_streets_take_only_street_like_types():
    ordinal = reference.streets(ordinal=True).values.to_pylist()
    named = reference.streets(ordinal=False).values.to_pylist()
    assert ordinal and all(re.fullmatch(r"\d+(st|nd|rd|th)", name) for name in ordinal)
    assert not any(re.fullmatch(r"\d+\w*", name) for name in named)
    assert len(named) > 1_000 and {"Nguyen", "Patel", "Kim"}.isdisjoint(named)
    assert set(reference.street_types(ordinal=True).values.to_pylist()) <= {
        "Street",
        "Avenue",
        "Road",
        "Place",
        "Court",
        "Terrace",
    }
    assert set(reference.street_types(ordinal=False).values.to_pylist()) <= set(
        reference.street_abbreviations()
    ) | {row["suffix"] for row in csv_rows("street_types.csv")}
    assert 0.05 < reference.ordinal_street_share() < 0.3


def test_every_data_file_is_listed_in_sources():
    sources = (reference.DATA / "SOURCES.md").read_text(encoding="utf-8")
    for path in reference.DATA.iterdir():
        if path.name != "SOURCES.md":
            assert f"`{path.name}`" in sources, path.name


def test_a_cache_kept_while_files_are_unchanged_is_emptied_when_one_changes(tmp_path, monkeypatch):
    folder, file = tmp_path / "curves", tmp_path / "stores.csv"
    folder.mkdir()
    file.write_text("store_id\n1\n")
    monkeypatch.setattr(stamps, "_CLEARS", [])  # this test's cache alone
    emptied = []
    stamps.forget_on_change(lambda: emptied.append(True))
    seen = (str(folder), str(file), "")

    def emptied_by(change) -> bool:
        emptied.clear()
        change()
        stamps.refresh(seen)
        return bool(emptied)

    assert emptied_by(lambda: None)  # paths new to this process
    assert not emptied_by(lambda: None)
    assert emptied_by(lambda: file.write_text("store_id\n1\n2\n"))
    assert emptied_by(lambda: same_size_and_time(file, "store_id\n3\n4\n"))  # as cp -p may
    assert emptied_by(lambda: (folder / "tiers.csv").write_text("tier\n"))  # a file added
    assert emptied_by(lambda: same_size_and_time(folder / "tiers.csv", "tie2\n"))
    assert not emptied_by(lambda: (folder / "sub").mkdir())  # folders in it are not read
    assert emptied_by(lambda: (folder / "tiers.csv").unlink())
    assert emptied_by(file.unlink)
