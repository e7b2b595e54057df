"""Look-alikes: twins, juniors and seniors, namesakes; different people made to look alike,
labelled in the truth and counted in the manifest."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from conftest import read_csv, run_day

from gensample import reference
from gensample.generate import lookalikes, population
from gensample.generate.seeding import BLOCK_SIZE

SEED = 23
ON = dt.date(2026, 11, 23)
SHARES = lookalikes.Shares(twin=0.01, junior_senior=0.01, namesake=0.02)
ADDRESS = ["address_line1", "address_line2", "city", "state", "postal_code"]
PEOPLE = 4 * BLOCK_SIZE


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    """Four blocks of people with look-alikes, by entity id."""
    made = population.people(SEED, 0, PEOPLE, 0.25, ON, SHARES).to_pandas()
    return made.set_index("entity_id", drop=False)


def pairs(people: pd.DataFrame, relation: str, earlier: str | None = None) -> pd.DataFrame:
    """Each person of ``relation`` beside the first person of their group (columns ``_first``),
    the first one (of relation ``earlier``, when it differs) left out."""
    members = people[people["relation"] == relation]
    members = members[members["entity_id"] != members["lookalike_group"]]
    first = people.loc[members["lookalike_group"]]
    assert (first["relation"] == (earlier or relation)).all()
    return members.join(first.add_suffix("_first").set_index(members.index))


def years(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days / 365.25


@pytest.mark.parametrize(
    ("relations", "share"),
    [
        (("twin",), SHARES.twin),
        (("junior", "senior"), SHARES.junior_senior),
        (("namesake",), SHARES.namesake),
    ],
)
def test_each_kind_comes_in_about_its_share(people, relations, share):
    assert people["relation"].isin(relations).mean() == pytest.approx(share, rel=0.15)


def test_no_shares_no_lookalikes():
    made = population.people(SEED, 0, 1000, 0.25, ON)
    assert made["relation"].null_count == made["lookalike_group"].null_count == 1000


def test_a_group_is_named_by_its_first_person_who_is_in_it(people):
    grouped = people.dropna(subset=["lookalike_group"])
    first = grouped.groupby("lookalike_group")["entity_id"].min()
    assert (first.index == first.to_numpy()).all()
    assert grouped["relation"].notna().all()
    assert people.loc[people["relation"].isna(), "lookalike_group"].isna().all()


def test_twins_share_household_family_name_birth_date_and_address_not_first_name(people):
    twins = pairs(people, "twin")
    assert len(twins) > 0
    assert people[people["relation"] == "twin"].groupby("lookalike_group").size().eq(2).all()
    for column in ["household_id", "last_name", "birth_date", *ADDRESS]:
        same = (twins[column] == twins[f"{column}_first"]) | (
            twins[column].isna() & twins[f"{column}_first"].isna()
        )
        assert same.all(), column
    assert (twins["first_name"] != twins["first_name_first"]).all()


def test_a_junior_bears_his_seniors_full_name_at_his_address_a_generation_later(people):
    juniors = pairs(people, "junior", earlier="senior")
    assert len(juniors) > 0
    for column in ["household_id", "first_name", "middle_name", "last_name", *ADDRESS]:
        same = (juniors[column] == juniors[f"{column}_first"]) | (
            juniors[column].isna() & juniors[f"{column}_first"].isna()
        )
        assert same.all(), column
    assert (juniors["gender"] == "M").all() and (juniors["gender_first"] == "M").all()
    gap = years(juniors["birth_date"], juniors["birth_date_first"])
    assert gap.between(20 - 0.01, 40 + 0.01).all()
    assert gap.std() > 3  # spread over the generation, not piled on a bound
    assert (years(pd.Series(ON, index=juniors.index), juniors["birth_date"]) >= 18).all()
    assert set(juniors["suffix"].dropna()) == {"Jr", "II"}
    assert set(juniors["suffix_first"].dropna()) == {"Sr"}
    assert 0.2 < juniors["suffix"].isna().mean() < 0.5  # many write none


def test_namesakes_share_a_common_name_and_zip_code_and_nothing_personal(people):
    namesakes = pairs(people, "namesake")
    assert len(namesakes) > 0
    for column in ["first_name", "last_name", "gender", "city", "state", "postal_code"]:
        assert (namesakes[column] == namesakes[f"{column}_first"]).all(), column
    for column in ["household_id", "address_line1", "email", "phone"]:
        assert (namesakes[column] != namesakes[f"{column}_first"]).all(), column
    assert (namesakes["birth_date"] != namesakes["birth_date_first"]).mean() > 0.99
    census = reference.family_names_census().values.to_pylist()
    rank = {name.lower(): rank for rank, name in enumerate(census)}
    plain = namesakes["last_name"].str.normalize("NFKD").str.lower()  # García: garcia
    ranks = plain.str.replace("[^a-z]", "", regex=True).map(rank)
    assert (ranks < 1000).all()
    alone = people.groupby("household_id").size()
    assert (alone.loc[namesakes["household_id"]] == 1).all()


def test_a_group_holds_one_kind_and_email_addresses_stay_unique(people):
    grouped = people.dropna(subset=["relation"]).reset_index(drop=True)
    kinds = grouped.groupby("lookalike_group")["relation"].agg(lambda r: ",".join(sorted(set(r))))
    assert set(kinds) == {"twin", "junior,senior", "namesake"}
    own = people[people["shared_email_with"].isna()]
    assert own["email"].is_unique


def test_a_day_labels_them_in_the_truth_and_counts_them_in_the_manifest(run_dir):
    run_day(run_dir, customers=3000, datasets=["customers"], load_type="append")
    run_day(run_dir, customers=1500, datasets=["customers"], load_type="append")
    day_dir = next((run_dir / "out").iterdir())
    entities = read_csv(day_dir / "truth" / "entities.csv")
    relation = pd.Series(entities["relation"].to_pylist())
    counted = relation[relation != ""].value_counts().to_dict()
    document = json.loads((day_dir / "manifest.json").read_text())
    assert document["lookalikes"] == counted
    assert set(counted) == {"twin", "junior", "senior", "namesake"}
    batches = [batch["lookalikes"] for batch in document["batches"]]
    assert sum(sum(b.values()) for b in batches) == len(relation[relation != ""])


def test_each_day_holds_its_groups_whole(run_dir):
    for day in (ON, ON + dt.timedelta(days=1)):
        run_day(run_dir, day, allow_date=True, customers=2000, datasets=["customers"])
        entities = read_csv(run_dir / "out" / day.isoformat() / "truth" / "entities.csv")
        people = entities.to_pandas().replace("", None).dropna(subset=["lookalike_group"])
        members = people.groupby("lookalike_group")["entity_id"].agg(list)
        assert len(members) > 20 and (members.str.len() >= 2).all()
        assert all(group in ids for group, ids in members.items())  # named by a member
        twins = people[people["relation"] == "twin"].groupby("lookalike_group")["birth_date"]
        assert len(twins) > 2 and (twins.nunique() == 1).all()


def test_settings_set_the_shares(run_dir):
    (run_dir / "gensample.toml").write_text("[lookalikes]\ntwin_share = 0\nnamesake_share = 0.1\n")
    run_day(run_dir, customers=2000, datasets=["customers"])
    day_dir = next((run_dir / "out").iterdir())
    document = json.loads((day_dir / "manifest.json").read_text())
    assert "twin" not in document["lookalikes"]
    assert document["lookalikes"]["namesake"] / 2000 == pytest.approx(0.1, rel=0.3)


def test_a_later_person_takes_the_value_the_earlier_one_has_by_then():
    twins = lookalikes.Pairs(later=np.array([1]), earlier=np.array([0]))
    namesakes = lookalikes.Pairs(later=np.array([3, 2]), earlier=np.array([1, 3]))
    # 3 takes 1's value, which 1 took from 0; 2 takes 3's before the namesakes took theirs
    assert lookalikes._sources(5, [twins, namesakes]).tolist() == [0, 0, 3, 0, 4]


def test_members_of_a_household_share_a_full_name_only_as_junior_and_senior(people):
    named = people.assign(
        first=people["first_name"].str.lower(), last=people["last_name"].str.lower()
    )
    alike = named[named.duplicated(["household_id", "first", "last"], keep=False)]
    assert len(alike) > 0 and set(alike["relation"]) == {"junior", "senior"}
