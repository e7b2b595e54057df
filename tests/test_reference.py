"""Packaged reference data: equal to a fresh extraction, and internally consistent."""

import csv
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from gensample import reference

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
    packaged = (reference.DATA / name).read_text(encoding="utf-8")
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
