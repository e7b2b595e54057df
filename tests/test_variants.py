"""A person's other true values, and duplicates that carry them, labelled."""

import re

import numpy as np
import pyarrow as pa
import pytest

from gensample import reference
from gensample.corruptions.weights import SOURCE_VARIATIONS, VARIATIONS
from gensample.generate import population, variants

N = 2_000


@pytest.fixture(scope="module")
def people() -> pa.Table:
    return population.people(9, 0, N, 0.25)


def every_value(others: variants.OtherValues) -> pa.Table:
    """Every person's value of every variation's columns, named ``<variation>/<column>``."""
    everyone = np.arange(others.people.num_rows)
    return pa.table(
        {
            f"{variation}/{column}": others.values(variation, column, everyone)
            for variation, columns in variants.COLUMNS.items()
            for column in columns
        }
    )


@pytest.fixture(scope="module")
def others(people) -> list[dict]:
    return every_value(variants.OtherValues(9, people)).to_pylist()


def test_other_values_are_a_pure_function_of_the_seed_and_the_people(people):
    again = every_value(variants.OtherValues(9, people))
    assert again.equals(every_value(variants.OtherValues(9, people)))
    assert not again.equals(every_value(variants.OtherValues(10, people)))


def test_the_values_of_some_people_are_theirs_among_everyone_s(people):
    others = variants.OtherValues(9, people)
    everyone = every_value(others)
    some = np.random.default_rng(4).integers(0, N, 300)  # any order, some twice
    for variation, columns in variants.COLUMNS.items():
        for column in columns:
            made = others.values(variation, column, some)
            assert made.equals(everyone[f"{variation}/{column}"].take(some).combine_chunks())
    assert others.values("email:work", "email", some[:0]).to_pylist() == []


def test_each_person_gets_plausible_other_values(people, others):
    names = set(reference.family_names().values.to_pylist())
    for person, other in zip(people.to_pylist(), others, strict=True):
        work = other["email:work/email"]
        assert work.split("@")[0].startswith(person["first_name"][0].lower()), work
        assert work.split("@")[1] != person["email"].split("@")[1]
        assert re.fullmatch(r"[a-z]+\.com", work.split("@")[1]), work
        assert re.fullmatch(r"\(\d{3}\) [2-9]\d{2}-\d{4}", other["phone:landline/phone"])
        assert other["phone:landline/phone"][:5] == person["phone"][:5]
        assert other["phone:landline/phone"] != person["phone"]
        maiden = other["last_name:maiden/last_name"]
        assert (maiden is None) == (person["gender"] != "F") and (maiden is None or maiden in names)
    moved = [
        o["address:previous/address_line1"] != p["address_line1"]
        for p, o in zip(people.to_pylist(), others, strict=True)
    ]
    assert np.mean(moved) > 0.95


def test_a_preferred_name_is_the_full_middle_name_or_a_nickname(people, others):
    nicknames = reference.nicknames()
    for person, other in zip(people.to_pylist(), others, strict=True):
        preferred, middle = other["first_name:preferred/first_name"], person["middle_name"]
        if middle and len(middle.replace(".", "")) > 1:
            assert preferred == middle
        elif preferred is not None:
            assert preferred.lower() in nicknames[person["first_name"].lower()]


def test_carry_replaces_values_by_share_and_labels_what_changed(people):
    copies = people.select(["first_name", "last_name", "email", "phone", *variants.ADDRESS])
    others = variants.OtherValues(9, people)
    shares = {variation: 2 * share for variation, share in SOURCE_VARIATIONS["customers"].items()}
    carried, labels = variants.carry(copies, others, np.arange(N), shares, np.random.default_rng(1))
    labels = labels.to_pylist()
    for variation, columns in variants.COLUMNS.items():
        marked = np.array([variation in label for label in labels])
        changed = np.zeros(N, bool)
        for column in columns:
            changed |= np.array(
                [
                    a != b
                    for a, b in zip(
                        carried[column].to_pylist(), copies[column].to_pylist(), strict=True
                    )
                ]
            )
        assert np.array_equal(marked, changed), variation  # only this variation sets them
        wanted = shares[variation]  # fewer where the person has no such value
        assert 0.3 * wanted < marked.mean() < 1.2 * wanted, variation
    in_order = [";".join(v for v in variants.COLUMNS if v in label.split(";")) for label in labels]
    assert labels == in_order and any(";" in label for label in labels)
    none, labels = variants.carry(copies, others, np.arange(N), {}, np.random.default_rng(1))
    assert none.equals(copies) and set(labels.to_pylist()) == {""}


def test_carry_leaves_a_value_the_system_does_not_hold_blank(people):
    copies = people.select(["email", "phone"])
    blank = pa.nulls(N, pa.string())
    copies = copies.set_column(0, "email", blank)
    every = dict.fromkeys(VARIATIONS, 1.0)
    carried, labels = variants.carry(
        copies, variants.OtherValues(9, people), np.arange(N), every, np.random.default_rng(1)
    )
    assert carried["email"].null_count == N
    assert set(labels.to_pylist()) == {"phone:landline"}


def test_each_copy_carries_the_other_values_of_its_own_person(people):
    person = np.array([7, 3, 7, 0])
    copies = people.select(["email", "last_name"]).take(person)
    others = variants.OtherValues(9, people)
    carried, labels = variants.carry(
        copies, others, person, {"email:work": 1.0}, np.random.default_rng(1)
    )
    work = every_value(others)["email:work/email"]
    assert carried["email"].to_pylist() == work.take(person).to_pylist()
    assert carried["last_name"].equals(copies["last_name"])
    assert labels.to_pylist() == ["email:work"] * len(person)


def test_the_settings_know_every_variation():
    assert tuple(variants.COLUMNS) == VARIATIONS
    assert all(set(shares) <= set(VARIATIONS) for shares in SOURCE_VARIATIONS.values())
