"""True people: pure functions of (seed, entity_id), consistent with the reference data, as
varied as a country's (names, places, phones, ages, e-mail addresses)."""

import collections
import datetime as dt
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from phonenumbers import geocoder

from gensample import reference
from gensample.daily.state import EARLIEST_DAY, LATEST_DAY
from gensample.generate import emails, lookalikes, names, population, rare_names
from gensample.generate.population import SCHEMA
from gensample.generate.seeding import BLOCK_SIZE
from gensample.native import take as native_take
from gensample.output import table_files

SEED = 11
SHARE = 0.25
ON = dt.date(2026, 11, 23)
ADDRESS = ["address_line1", "address_line2", "city", "state", "postal_code", "county"]
PLACE = ["city", "state", "postal_code", "county"]
MANY = 4 * BLOCK_SIZE
LOOKALIKES = lookalikes.Shares(twin=0.01, junior_senior=0.01, namesake=0.02)


def people(
    seed: int, start: int, stop: int, share: float, on: dt.date = population.REFERENCE_DATE
) -> pa.Table:
    """People as a run with the default settings makes them: with look-alikes, so every
    property below holds for them too."""
    return population.people(seed, start, stop, share, on, LOOKALIKES)


@pytest.fixture(scope="module")
def block() -> pa.Table:
    """Everyone of the first block, generated on ``ON``."""
    return people(SEED, 0, BLOCK_SIZE, SHARE, ON)


@pytest.fixture(scope="module")
def many() -> pa.Table:
    """200k people: four blocks."""
    return people(SEED, 0, MANY, SHARE, ON)


def test_people_do_not_depend_on_the_request_around_them():
    def plain(start: int, stop: int) -> pa.Table:  # no look-alikes: see the test below
        return population.people(SEED, start, stop, SHARE, ON)

    alone = plain(49_990, 50_010)
    assert alone["entity_id"].to_pylist() == list(range(49_990, 50_010))
    assert alone.equals(plain(40_000, 60_000).slice(9_990, 20))
    assert alone.slice(0, 10).equals(plain(0, BLOCK_SIZE).slice(49_990))
    assert alone.slice(10).equals(plain(50_000, 50_010))


def test_a_request_keeps_its_lookalike_groups_whole_and_no_one_else_changes_but_phones(block):
    asked = people(SEED, 20_000, 22_000, SHARE, ON).to_pandas()
    grouped = asked.dropna(subset=["lookalike_group"])
    assert len(grouped) > 50 and grouped["lookalike_group"].between(20_000, 21_999).all()
    assert (grouped.groupby("lookalike_group").size() >= 2).all()
    whole = block.slice(20_000, 2_000).to_pandas()
    groups = block.to_pandas().dropna(subset=["lookalike_group"]).groupby("lookalike_group")
    span = groups["entity_id"].agg(["min", "max"])
    cut = span[(span["min"] < 20_000) | (span["max"] >= 22_000)].index
    changed = whole.ne(asked) & ~(whole.isna() & asked.isna())
    in_cut = whole["lookalike_group"].isin(cut)
    assert in_cut.sum() > 0 and changed[in_cut].any(axis=1).all()  # at least their label
    # what is drawn after the pairs, from values they set (e-mail numbers, phones: their former
    # states are drawn until they differ from the address's), may differ for others
    others = changed[~in_cut]
    assert set(others.columns[others.any()]) <= {"email", "phone", "phone_state"}
    assert others["email"].sum() <= 20


def test_another_seed_gives_other_people(block):
    other = people(SEED + 1, 0, 100, SHARE, ON)
    assert other["entity_id"].equals(block["entity_id"].slice(0, 100))
    assert other["first_name"].to_pylist() != block["first_name"].slice(0, 100).to_pylist()


def test_only_birth_dates_depend_on_the_day_people_are_generated_on():
    first = people(SEED, 0, 1000, SHARE, ON)
    later = people(SEED, 0, 1000, SHARE, ON + dt.timedelta(days=400))
    assert later.drop_columns(["birth_date"]).equals(first.drop_columns(["birth_date"]))
    shift = pc.subtract(later["birth_date"], first["birth_date"]).to_pylist()
    assert set(shift) == {dt.timedelta(days=400)}


@pytest.mark.parametrize(("start", "stop"), [(10, 10), (BLOCK_SIZE, BLOCK_SIZE)])
def test_an_empty_range_gives_an_empty_table(start, stop):
    empty = people(SEED, start, stop, SHARE)
    assert empty.num_rows == 0 and empty.schema == SCHEMA


def test_schema_ids_and_missing_values(block):
    assert block.schema == SCHEMA
    assert np.array_equal(block["entity_id"].to_numpy(), np.arange(BLOCK_SIZE))
    optional = {"address_line2", "middle_name", "suffix", "shared_email_with", "phone_state"}
    optional |= {"relation", "lookalike_group"}
    for name in set(SCHEMA.names) - optional:
        assert block[name].null_count == 0, name
    for name in optional:
        assert 0 < block[name].null_count < BLOCK_SIZE, name
    assert set(block["gender"].to_pylist()) == {"F", "M"}


def _year_share(block: pa.Table, name: str, born: tuple[int, int]) -> float:
    """Share of the people born in years ``born`` (from, to) whose first name is ``name``."""
    year = pc.year(block["birth_date"]).to_numpy()
    cohort = block.filter(pa.array((year >= born[0]) & (year < born[1])))
    return pc.mean(pc.equal(cohort["first_name"], name)).as_py()


def test_given_names_follow_gender_and_birth_year(block):
    female = set(reference.given_names_by_year("F").values.to_pylist())
    women = block.filter(pc.equal(block["gender"], "F"))
    plain = {names.email_spelling(pa.array([n])).to_pylist()[0] for n in female}
    spelled = set(names.email_spelling(women["first_name"]).to_pylist())
    assert len(spelled - {n.lower() for n in plain}) == 0
    assert _year_share(block, "Brittany", (1900, 1960)) == 0
    assert _year_share(block, "Brittany", (1985, 1995)) > 0.004
    assert _year_share(block, "Dorothy", (1930, 1950)) > 5 * _year_share(
        block, "Dorothy", (1985, 2010)
    )


def test_family_names_hold_their_census_shares_and_a_tail_of_rare_ones(many):
    last = many["last_name"]
    assert pc.mean(pc.equal(last, "Smith")).as_py() == pytest.approx(0.0088 * 0.8975, rel=0.15)
    census = reference.family_names_census().values
    outside = pc.invert(pc.is_in(last, value_set=census))
    compound = pc.match_substring_regex(last, "[- ]")
    rare = pc.and_(outside, pc.invert(compound))
    apostrophe = pc.match_substring(last, "'")
    accent = pc.match_substring_regex(last, "[^\\x00-\\x7f]")
    rare_share = pc.mean(pc.and_(rare, pc.invert(pc.or_(apostrophe, accent)))).as_py()
    assert rare_share == pytest.approx(1 - reference.family_name_coverage(), abs=0.015)
    assert pc.mean(compound).as_py() == pytest.approx(0.021, abs=0.005)
    assert 0.001 < pc.mean(apostrophe).as_py() < 0.01  # O'Brien, O'Connor, D'Angelo...
    assert 0.005 < pc.mean(accent).as_py() < 0.03  # García, Núñez...
    assert "O'Brien" in set(last.unique().to_pylist())


def test_rare_family_names_hold_only_runs_of_letters_census_names_have(many):
    census = [name.lower() for name in reference.family_names_census().values.to_pylist()]
    runs = {name[i : i + 4] for name in census for i in range(len(name) - 3)}
    last = many["last_name"].slice(0, 20_000)
    plain = pc.match_substring_regex(last, "^[A-Za-z]+$")
    rare = last.filter(pc.and_(plain, pc.invert(pc.is_in(last, value_set=pa.array(census)))))
    rare = set(pc.utf8_lower(rare).to_pylist())
    assert len(rare) > 1000
    unheard = [
        name for name in rare if any(name[i : i + 4] not in runs for i in range(len(name) - 3))
    ]
    assert not unheard


def test_some_given_names_carry_their_accent(many):
    first = many["first_name"].to_pylist()
    counts = collections.Counter(first)
    assert counts["José"] > 0 and counts["Jose"] > counts["José"]  # most drop the accent


def test_middle_names_and_suffixes_in_realistic_shares(many):
    middle = many["middle_name"]
    initial = pc.equal(pc.utf8_length(middle), 1)
    assert pc.mean(pc.is_null(middle)).as_py() == pytest.approx(0.25, abs=0.01)
    assert pc.mean(initial.fill_null(False)).as_py() == pytest.approx(0.30, abs=0.01)
    women = many.filter(pc.equal(many["gender"], "F"))
    assert women["suffix"].null_count == women.num_rows
    men = many.filter(pc.equal(many["gender"], "M"))
    men = men.filter(pc.invert(pc.is_in(men["relation"], pa.array(["junior", "senior"]))))
    shares = pc.value_counts(men["suffix"].drop_null()).to_pylist()
    share = {entry["values"]: entry["counts"] / men.num_rows for entry in shares}
    assert share["Jr"] == pytest.approx(0.025 + 0.008 * 0.35, abs=0.004)  # young Srs are Jr
    assert share["II"] == pytest.approx(0.004, abs=0.0015)
    seniors = men.filter(pc.equal(men["suffix"], "Sr"))
    age = (ON - np.array(seniors["birth_date"].to_pylist())).astype("timedelta64[D]")
    assert (age.astype(np.int64) >= 40 * 365).all()


def _load_bench():
    """bench/bench_population.py, whose measures the 1M benchmark reports."""
    path = Path(__file__).resolve().parent.parent / "bench" / "bench_population.py"
    spec = importlib.util.spec_from_file_location("bench_population", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _load_bench()


def test_sharing_first_and_last_name_as_often_as_the_census_tables_predict(many):
    spelled = [names.email_spelling(many[c]).to_pylist() for c in ("first_name", "last_name")]
    shared = BENCH.shared_name_share(*spelled)
    assert shared == pytest.approx(BENCH.table_expectation(many.num_rows), rel=0.2)
    assert BENCH.shared_name_share(["Ann", "Ann", "Bo"], ["Lee", "Lee", "Lee"]) == 2 / 3


def test_the_benchmark_finds_no_clash_gap_or_bad_phone(many):
    assert BENCH.email_clashes(many) == 0
    assert abs(BENCH.state_gap(many)[1]) < 1.0
    assert BENCH.phone_problems(many.slice(0, 20_000)) == (0, 0)
    clash = many.slice(0, 2).set_column(
        SCHEMA.get_field_index("email"), "email", pa.array(["a@x.com", "a@x.com"])
    )
    assert BENCH.email_clashes(clash) == 1


def test_places_are_drawn_by_population(many):
    states = reference.state_populations()
    total = sum(states.values())
    counts = collections.Counter(many["state"].to_pylist())
    for state in ("CA", "TX", "NY", "ND", "WY"):
        assert counts[state] / many.num_rows == pytest.approx(states[state] / total, abs=0.01)


def test_address_is_a_populated_place_on_a_street_of_a_type_it_takes(block):
    places = reference.populated_places()
    known = set(zip(*(places[c].to_pylist() for c in PLACE), strict=True))
    columns = zip(*(block[c].to_pylist() for c in PLACE), strict=True)
    assert all(place in known for place in columns)
    ordinal_types = set(reference.street_types(ordinal=True).values.to_pylist())
    for line in block["address_line1"].to_pylist()[:5000]:
        number, street = line.split(" ", 1)
        assert 1 <= int(number) <= 19999
        if re.match(r"\d+(st|nd|rd|th) ", street):
            assert street.split(" ", 1)[1] in ordinal_types, line


def _phone_region(phone: str) -> str | None:
    """The place phonenumbers names for a number, None when it is not a valid US number."""
    number = phonenumbers.parse("+1" + re.sub(r"\D", "", phone))
    if not phonenumbers.is_valid_number(number):
        return None
    return geocoder.description_for_number(number, "en")


def test_phones_are_valid_and_in_the_state_of_the_address_unless_labelled(block):
    area_states = {s: set(pool.values.to_pylist()) for s, pool in reference.area_codes().items()}
    moved = 0
    for person in block.slice(0, 5000).to_pylist():
        assert re.fullmatch(r"\([2-9]\d\d\) [2-9]\d\d-\d{4}", person["phone"])
        assert _phone_region(person["phone"]) is not None, person["phone"]
        state = person["phone_state"] or person["state"]
        assert person["phone"][1:4] in area_states[state], person
        moved += person["phone_state"] is not None
        assert person["phone_state"] != person["state"]
    assert 0.04 < moved / 5000 < 0.12


def test_every_exchange_and_area_code_pair_is_a_valid_number(block):
    pairs = set(pc.utf8_slice_codeunits(block["phone"].slice(0, 10_000), 0, 9).to_pylist())
    assert len(pairs) > 5_000
    assert all(_phone_region(pair + "-4567") is not None for pair in pairs)


def age(born: dt.date, on: dt.date = ON) -> int:
    """Whole years lived on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_ages_on_the_day_are_adult_and_follow_the_census(block):
    ages = np.array([age(born) for born in block["birth_date"].to_pylist()])
    assert ages.min() == 18 and ages.max() >= 95
    assert np.mean(ages < 20) == pytest.approx(0.034, abs=0.005)  # 18- and 19-year-olds
    assert np.mean(ages >= 85) == pytest.approx(0.026, abs=0.005)
    assert np.mean(ages >= 80) < np.mean(ages < 30)


def test_household_id_is_the_smallest_member_and_members_share_the_address(block):
    entity, household = block["entity_id"].to_numpy(), block["household_id"].to_numpy()
    assert np.all(household <= entity)
    assert np.array_equal(household[household], household)
    first_of_group = np.r_[True, household[1:] != household[:-1]]
    assert np.array_equal(household[first_of_group], entity[first_of_group])
    head = pa.array(household)
    for name in ADDRESS:
        assert block[name].equals(block[name].take(head)), name


@pytest.mark.parametrize("share", [0.0, 0.25, 0.6])
def test_share_of_people_living_with_others(share):
    household = people(SEED, 0, BLOCK_SIZE, share)["household_id"].to_numpy()
    sizes = np.bincount(household)
    assert sizes[sizes > 1].sum() / BLOCK_SIZE == pytest.approx(share, abs=0.02)


def test_households_mostly_share_the_family_name(block):
    entity, household = block["entity_id"].to_numpy(), block["household_id"].to_numpy()
    last = np.array(block["last_name"].to_pylist(), dtype=object)
    members = entity != household
    assert members.sum() > 1000
    assert np.mean(last[members] == last[household[members]]) > 0.7
    assert np.mean(last[1:] == last[:-1]) < 0.4


def test_emails_are_unique_unless_deliberately_shared_in_the_household(many):
    email = many["email"].to_numpy(zero_copy_only=False)
    shared_with = many["shared_email_with"].fill_null(-1).to_numpy()
    own = shared_with < 0
    gmail_read = [re.sub(r"\.(?=[^@]*@gmail\.com$)", "", address) for address in email[own]]
    assert len(set(email[own])) == own.sum() and len(set(gmail_read)) == own.sum()
    owner = {
        address: entity
        for address, entity in zip(email[own], many["entity_id"].to_numpy()[own], strict=True)
    }
    household = many["household_id"].to_numpy()
    for address, partner, home in zip(email[~own], shared_with[~own], household[~own], strict=True):
        assert owner[address] == partner and household[partner] == home
    assert 0.01 < (~own).mean() < 0.05


def test_email_local_parts_come_from_the_name_and_grow_numbers(block):
    domains = set(reference.email_domains().values.to_pylist())
    plain = 0
    own = block.slice(0, 5000).filter(pc.is_null(block["shared_email_with"].slice(0, 5000)))
    for person in own.to_pylist():
        local, domain = person["email"].split("@")
        assert domain in domains and re.fullmatch(
            r"[a-z][a-z._]*[a-z]([._]?[1-9]\d*)?|[a-z]", local
        )
        letters = re.sub(r"[._]?\d*$", "", local)
        first, last = (
            names.email_spelling(pa.array([person[c]])).to_pylist()[0]
            for c in ("first_name", "last_name")
        )
        assert first in letters or last in letters or letters in (first[0] + last, last + first[0])
        plain += letters == local
    assert 0.15 < plain / own.num_rows < 0.5
    later = people(SEED, 19 * BLOCK_SIZE, 19 * BLOCK_SIZE + 2000, SHARE, ON)
    own = later.filter(pc.is_null(later["shared_email_with"]))["email"].to_pylist()
    numbers = [re.search(r"(\d*)@", address).group(1) for address in own]
    assert min(int(number or 0) for number in numbers) >= 19 * 20 // 2  # the namespace filled


def test_changed_addresses_are_free_on_every_day(block, rng):
    alike = block.slice(0, 3000).to_pydict()
    alike["first_name"][:1500] = ["Jeremy"] * 1500  # many take the same letters on one day
    alike["last_name"][:1500] = ["Baker"] * 1500
    changing = names.of_people(pa.table(alike, schema=SCHEMA))
    days = [ON + dt.timedelta(days=k) for k in (-400, 0, 1, 2, 365)]
    changed = [a for day in days for a in emails.changed_addresses(rng, changing, day).to_pylist()]
    original = pc.filter(block["email"], pc.is_null(block["shared_email_with"])).to_pylist()
    every = changed + original
    gmail_read = {re.sub(r"\.(?=[^@]*@gmail\.com$)", "", address) for address in every}
    assert len(set(every)) == len(every) == len(gmail_read)
    assert all(re.fullmatch(r"[a-z][a-z._]*[a-z][._]?0\d+@[a-z.]+", a) for a in changed)
    jeremy = [a for a in changed[:1500] if re.match(r"j(eremy)?[._]?baker", a)]
    assert len(jeremy) > 300


def test_day_codes_differ_on_every_day_for_the_same_letters():
    hashes = np.array([0, 2**64 - 1, 123_456_789], np.uint64)
    codes = np.array(
        [emails.day_codes(hashes, ON + dt.timedelta(days=k)) for k in range(-20_000, 20_000)]
    )
    assert all(len(set(codes[:, column])) == len(codes) for column in range(len(hashes)))
    assert codes.min() >= 0 and codes.max() < emails.CODES
    for day in (EARLIEST_DAY, LATEST_DAY):  # every run date has its codes
        assert 0 <= emails.day_codes(hashes, day).min() <= emails.day_codes(hashes, day).max()


def test_ranks_count_earlier_rows_of_the_group():
    group = np.array([3, 1, 3, 3, 1, 2])
    counted = np.array([True, True, False, True, True, True])
    assert emails.ranks(group, counted).tolist() == [0, 0, 1, 1, 1, 0]


def test_email_numbers_are_the_same_without_the_compiled_library(block, monkeypatch):
    """The letters' ranks and hashes in one pass of the compiled library, or through Arrow."""
    letters = emails.local_letters(np.random.default_rng(5), names.of_people(block.slice(0, 8000)))
    dotless = pc.replace_substring(letters, ".", "")
    domain = np.random.default_rng(6).integers(0, 3, len(letters))
    counted = np.random.default_rng(7).random(len(letters)) < 0.9

    def numbers() -> tuple[list, list]:
        rank = emails._ranks_at_domain(dotless, domain, 3, counted)
        return rank.tolist(), emails.first_numbers(dotless, domain).tolist()

    compiled = numbers()
    monkeypatch.setattr(native_take, "_library", lambda: None)
    assert numbers() == compiled
    assert max(compiled[0]) > 2  # letters taken by several at a domain


def test_cantor_pairing_is_a_bijection():
    codes = {int(emails.cantor(b, np.array([r]))[0]) for b in range(40) for r in range(40 - b)}
    assert codes == set(range(40 * 41 // 2))


def test_household_heads_group_neighbours(rng):
    heads = population.household_heads(rng, 1000, 0.5)
    assert heads[0] == 0 and np.all(heads <= np.arange(1000))
    assert np.all(np.diff(heads) >= 0)
    assert np.all(heads[heads] == heads)


def test_people_written_before_the_new_columns_read_with_them_empty(block, tmp_path):
    old = block.slice(0, 3).drop_columns(list(population.BEFORE_VARIETY))
    path = tmp_path / "entities.csv"
    pacsv.write_csv(old, path)
    read = table_files.read(path, SCHEMA, population.BEFORE_VARIETY)
    assert read.schema == SCHEMA and read["first_name"].equals(block["first_name"].slice(0, 3))
    assert all(read[name].null_count == 3 for name in population.BEFORE_VARIETY)


def test_changes_keep_the_email_and_phone_labels_true(block):
    old = block.slice(0, 4).combine_chunks()
    old = old.set_column(
        SCHEMA.get_field_index("shared_email_with"),
        "shared_email_with",
        pa.array([None, 7, 7, None], pa.int64()),
    )
    old = old.set_column(SCHEMA.get_field_index("state"), "state", pa.array(["OH"] * 4))
    old = old.set_column(
        SCHEMA.get_field_index("phone_state"), "phone_state", pa.array([None, None, "TX", "TX"])
    )
    columns = {name: old[name] for name in SCHEMA.names}
    columns["email"] = pa.array(["new@x.com", "new2@x.com", *old["email"].to_pylist()[2:]])
    columns["state"] = pa.array(["NY", "OH", "OH", "TX"])  # the first moves, the last moves back
    columns["phone"] = pa.array(
        [*old["phone"].to_pylist()[:2], "(614) 555-0100", old["phone"][3].as_py()]
    )
    new = population.relabelled(old, pa.table(columns, schema=SCHEMA))
    assert new["shared_email_with"].to_pylist() == [None, None, 7, None]
    assert new["phone_state"].to_pylist() == ["OH", None, None, None]


def test_pieces_of_rows_come_back_in_row_order():
    pieces = [pa.array(["b", "d"]), pa.array(["a", "e", "c"]), pa.array([], pa.string())]
    rows = [np.array([1, 3]), np.array([0, 4, 2]), np.array([], np.int64)]
    assert names.in_row_order(pieces, rows).to_pylist() == ["a", "b", "c", "d", "e"]


def test_shared_rows_take_their_household_heads_value():
    values = pa.array(["a", None, "c", "d"])
    head = np.array([0, 0, 2, 2])
    shared = np.array([False, True, False, True])
    assert names.of_heads(values, head, shared).to_pylist() == ["a", "a", "c", "c"]
    assert names.of_heads(values, head, ~shared).to_pylist() == ["a", None, "c", "d"]


def test_census_family_names_are_ascii_as_rare_names_read_their_letters():
    # rare_names reads the letters of census names (and of their heads and tails) as bytes
    assert pc.all(pc.string_is_ascii(reference.family_names_census().values)).as_py()


def test_the_letters_of_census_names_read_in_a_row_break_between_names():
    values = pa.array(["Ab", "xAb", "c'D", "ef"]).slice(1)  # a slice starts after byte 0
    row = rare_names._letters_in_a_row(values)
    assert row.tolist() == [[24, 1, 2, 0, 3, 0, 4, 0, 5, 6, 0]]  # x=24, a=1...; ' and ends: 0


def test_names_are_spelled_for_email_in_ascii_lower_case_letters():
    written = ["María", "O'Brien", "ANNE-MARIE", "van Dyke", "Zoë", "Smith", "", None]
    spelled = names.email_spelling(pa.chunked_array([written[:3], written[3:]]))
    assert spelled.to_pylist() == [
        "maria",
        "obrien",
        "annemarie",
        "vandyke",
        "zoe",
        "smith",
        "",
        None,
    ]


@pytest.mark.parametrize("prepared", [True, False])
def test_people_read_no_packaged_table_once_prepared(prepared):
    script = "\n".join(  # in a new process: this one has read the tables already
        [
            "import datetime as dt",
            "from gensample import reference",
            "from gensample.generate import population",
            "from gensample.settings import Settings",
            "population.prepare()" if prepared else "",
            "def refuse(name): raise AssertionError('read ' + name)",
            "reference.read_table = refuse",
            "population.of_settings(Settings(), 0, 10, dt.date(2026, 11, 23))",
        ]
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    if prepared:
        assert result.returncode == 0, result.stderr
    else:  # the check sees a table read
        assert "AssertionError: read " in result.stderr
