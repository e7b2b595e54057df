"""True people: pure functions of (seed, entity_id), consistent with the reference data."""

import collections
import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gensample import reference
from gensample.generate import population
from gensample.generate.population import REFERENCE_DATE, SCHEMA, people
from gensample.generate.seeding import BLOCK_SIZE

SEED = 11
SHARE = 0.25
ADDRESS = ["address_line1", "address_line2", "city", "state", "postal_code", "county"]
PLACE = ["city", "state", "postal_code", "county"]


@pytest.fixture(scope="module")
def block() -> pa.Table:
    """Everyone of the first block."""
    return people(SEED, 0, BLOCK_SIZE, SHARE)


@pytest.fixture(scope="module")
def rows(block: pa.Table) -> list[dict]:
    """The first 5000 people as Python rows, for per-person checks."""
    return block.slice(0, 5000).to_pylist()


def test_people_do_not_depend_on_the_request_around_them(block):
    alone = people(SEED, 49_990, 50_010, SHARE)
    assert alone["entity_id"].to_pylist() == list(range(49_990, 50_010))
    assert alone.equals(people(SEED, 40_000, 60_000, SHARE).slice(9_990, 20))
    assert alone.slice(0, 10).equals(block.slice(49_990))
    assert alone.slice(10).equals(people(SEED, 50_000, 50_010, SHARE))
    assert alone.equals(people(SEED, 49_990, 50_010, SHARE))


def test_another_seed_gives_other_people(block):
    other = people(SEED + 1, 0, 100, SHARE)
    assert other["entity_id"].equals(block["entity_id"].slice(0, 100))
    assert other["first_name"].to_pylist() != block["first_name"].slice(0, 100).to_pylist()


@pytest.mark.parametrize(("start", "stop"), [(10, 10), (BLOCK_SIZE, BLOCK_SIZE)])
def test_an_empty_range_gives_an_empty_table(start, stop):
    empty = people(SEED, start, stop, SHARE)
    assert empty.num_rows == 0 and empty.schema == SCHEMA


def test_schema_ids_and_missing_values(block):
    assert block.schema == SCHEMA
    assert np.array_equal(block["entity_id"].to_numpy(), np.arange(BLOCK_SIZE))
    for name in SCHEMA.names:
        if name != "address_line2":  # only the apartment is optional
            assert block[name].null_count == 0, name
    assert 0 < block["address_line2"].null_count < BLOCK_SIZE
    assert set(block["gender"].to_pylist()) == {"F", "M"}


@pytest.mark.parametrize("gender", ["F", "M"])
def test_given_name_is_from_the_pool_of_the_gender(block, gender):
    names = block.filter(pc.equal(block["gender"], gender))["first_name"]
    assert len(names) > BLOCK_SIZE / 3
    assert pc.all(pc.is_in(names, value_set=reference.given_names(gender).values)).as_py()


def test_address_is_a_real_place_and_phone_uses_its_area_code(block):
    places = reference.places()
    known = set(zip(*(places[c].to_pylist() for c in PLACE), strict=True))
    area_code = dict(
        zip(places["postal_code"].to_pylist(), places["area_code"].to_pylist(), strict=True)
    )
    columns = [block[c].to_pylist() for c in [*PLACE, "phone"]]
    for city, state, postal_code, county, phone in zip(*columns, strict=True):
        assert (city, state, postal_code, county) in known
        assert phone[1:4] == area_code[postal_code]


def test_phone_format(block):
    pattern = r"^\([0-9]{3}\) [2-9][0-9]{2}-[0-9]{4}$"
    assert pc.all(pc.match_substring_regex(block["phone"], pattern)).as_py()


def age(born: dt.date, on: dt.date = REFERENCE_DATE) -> int:
    """Whole years lived on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_ages_on_the_reference_date_are_adult(block):
    ages = np.array([age(born) for born in block["birth_date"].to_pylist()])
    assert ages.min() >= 18 and ages.max() <= 95
    assert ages.min() <= 19 and ages.max() >= 85  # the whole range is used
    assert np.mean(ages >= 80) < np.mean(ages < 30)  # fewer of the very old


def test_household_id_is_the_smallest_member_and_members_share_the_address(block):
    entity, household = block["entity_id"].to_numpy(), block["household_id"].to_numpy()
    assert np.all(household <= entity)
    assert np.array_equal(household[household], household)  # the head is in its own household
    first_of_group = np.r_[True, household[1:] != household[:-1]]
    assert np.array_equal(household[first_of_group], entity[first_of_group])  # contiguous groups
    head = pa.array(household)  # positions of the heads, ids start at 0
    for name in ADDRESS:
        assert block[name].equals(block[name].take(head)), name


@pytest.mark.parametrize("share", [0.0, 0.25, 0.6])
def test_share_of_people_living_with_others(share):
    household = people(SEED, 0, BLOCK_SIZE, share)["household_id"].to_numpy()
    sizes = np.bincount(household)
    living_with_others = sizes[sizes > 1].sum() / BLOCK_SIZE
    assert living_with_others == pytest.approx(share, abs=0.02)


def test_households_mostly_share_the_family_name(block):
    entity, household = block["entity_id"].to_numpy(), block["household_id"].to_numpy()
    last = np.array(block["last_name"].to_pylist(), dtype=object)
    members = entity != household
    same_as_head = np.mean(last[members] == last[household[members]])
    strangers = np.mean(last[1:] == last[:-1])  # neighbours, mostly of other households
    assert members.sum() > 1000
    assert same_as_head > 0.7
    assert strangers < same_as_head / 2


def _spelling(name: str) -> str:
    return re.sub("[^a-z]", "", name.lower())


def test_emails_are_built_from_the_name_at_a_known_domain(rows):
    domains = set(reference.email_domains().values.to_pylist())
    for person in rows:
        local, domain = person["email"].split("@")
        assert domain in domains
        assert re.fullmatch(r"[a-z]+[._]?[a-z]*[0-9]{0,2}", local), person["email"]
        first, last = _spelling(person["first_name"]), _spelling(person["last_name"])
        letters = _spelling(local)
        assert letters in {first, first + last, first[0] + last, last + first[0]}, person


def test_emails_use_several_patterns_and_domains(rows):
    emails = [person["email"] for person in rows]
    assert len({email.split("@")[1] for email in emails}) >= 5
    assert any("." in email.split("@")[0] for email in emails)
    assert any(re.search("[0-9]@", email) for email in emails)
    assert len(set(emails)) > 0.9 * len(emails)


@pytest.mark.parametrize("gender", ["F", "M"])
def test_given_names_follow_reference_frequencies(block, gender):
    names = block.filter(pc.equal(block["gender"], gender))["first_name"].to_pylist()
    pool = reference.given_names(gender)
    by_frequency = np.argsort(-pool.probabilities)
    top10 = set(pool.values.take(by_frequency[:10]).to_pylist())
    top30 = set(pool.values.take(by_frequency[:30]).to_pylist())
    counts = collections.Counter(names)
    assert {name for name, _ in counts.most_common(10)} <= top30
    top10_share = sum(counts[name] for name in top10) / len(names)
    assert top10_share == pytest.approx(pool.probabilities[by_frequency[:10]].sum(), abs=0.015)


def test_household_heads_group_neighbours(rng):
    heads = population.household_heads(rng, 1000, 0.5)
    assert heads[0] == 0 and np.all(heads <= np.arange(1000))
    assert np.all(np.diff(heads) >= 0)
    assert np.all(heads[heads] == heads)
