"""How varied and how valid a population of a million people is (issue 15).

Usage: .venv/bin/python bench/bench_population.py [PEOPLE]   (default 1,000,000; needs the test
extra for phonenumbers). Prints, for the people of ``gensample run --customers PEOPLE``:

- the share of people who share first and last name (as spelled in e-mails) with someone else,
  against the share when as many are drawn from the frequency tables alone (SSA given names by
  cohort, census family names, the 10.25 % the table leaves out never shared);
- e-mail addresses held by more than one person who does not deliberately share them;
- the share of people in each look-alike relation (twin, junior, senior, namesake);
- the largest gap between a state's share of people and its 2020 census share;
- phones that phonenumbers finds invalid, or whose area code is not of the person's state (or
  of the former state the truth labels);
- how long the people took.
"""

import collections
import datetime as dt
import sys
import time

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.generate import names, population
from gensample.settings import Settings

SEED, HOUSEHOLD_SHARE, ON = 42, 0.25, dt.date(2026, 12, 4)


def shared_name_share(first: list, last: list) -> float:
    """Share of people whose (first, last) pair another person has too."""
    counts = collections.Counter(zip(first, last, strict=True))
    return sum(count for count in counts.values() if count > 1) / len(first)


def table_expectation(n: int) -> float:
    """``shared_name_share`` of ``n`` people drawn from the frequency tables alone."""
    rng = np.random.default_rng(7)
    is_female = rng.random(n) < 0.51
    cohort = population._year(population.REFERENCE_DATE.toordinal() - population.ages(rng, n))
    first = np.empty(n, object)
    for gender, rows in (("F", is_female), ("M", ~is_female)):
        pool = reference.given_names_by_year(gender)
        first[rows] = pool.values.take(pool.draw(rng, cohort[rows])).to_numpy(zero_copy_only=False)
    census = reference.family_names_census()
    last = census.values.take(census.draw(rng, n)).to_numpy(zero_copy_only=False).astype(object)
    tail = rng.random(n) < 1 - reference.family_name_coverage()
    last[tail] = np.arange(tail.sum())
    return shared_name_share(list(first), list(last))


def email_clashes(people: pa.Table) -> int:
    """Addresses held by two or more people none of whom shares deliberately."""
    own = people.filter(pc.is_null(people["shared_email_with"]))["email"]
    return len(own) - pc.count_distinct(own).as_py()


def state_gap(people: pa.Table) -> tuple[str, float]:
    """The state whose share of people is furthest from its census share, and the gap (pp)."""
    census = reference.state_populations()
    total = sum(census.values())
    counts = collections.Counter(people["state"].to_pylist())
    gaps = {s: 100 * (counts[s] / people.num_rows - census[s] / total) for s in census}
    worst = max(gaps, key=lambda state: abs(gaps[state]))
    return worst, gaps[worst]


def phone_problems(people: pa.Table) -> tuple[int, int]:
    """Phones phonenumbers finds invalid, and phones outside the person's (labelled) state."""
    prefixes = pc.utf8_slice_codeunits(people["phone"], 0, 9)
    invalid = set()
    for prefix in pc.unique(prefixes).to_pylist():
        number = phonenumbers.parse("+1" + "".join(c for c in prefix if c.isdigit()) + "4567")
        if not phonenumbers.is_valid_number(number):
            invalid.add(prefix)
    codes = {state: set(pool.values.to_pylist()) for state, pool in reference.area_codes().items()}
    state = pc.coalesce(people["phone_state"], people["state"]).to_pylist()
    area = pc.utf8_slice_codeunits(people["phone"], 1, 4).to_pylist()
    elsewhere = sum(code not in codes[where] for code, where in zip(area, state, strict=True))
    return sum(prefix in invalid for prefix in prefixes.to_pylist()), elsewhere


def main(n: int) -> None:
    started = time.perf_counter()
    people = population.of_settings(Settings(seed=SEED, household_share=HOUSEHOLD_SHARE), 0, n, ON)
    seconds = time.perf_counter() - started
    spelled = [names.email_spelling(people[c]).to_pylist() for c in ("first_name", "last_name")]
    shared, expected = shared_name_share(*spelled), table_expectation(n)
    worst, gap = state_gap(people)
    invalid, elsewhere = phone_problems(people)
    moved = len(people) - people["phone_state"].null_count
    print(f"people                      {n:,} in {seconds:.1f} s")
    print(f"share sharing first+last    {100 * shared:.1f} % (tables: {100 * expected:.1f} %)")
    print(
        f"e-mail clashes              {email_clashes(people)} (shared in households: "
        f"{len(people) - people['shared_email_with'].null_count:,})"
    )
    relations = pc.value_counts(people["relation"].drop_null()).to_pylist()
    print(
        "look-alikes                 "
        + ", ".join(f"{e['values']} {100 * e['counts'] / n:.2f} %" for e in relations)
    )
    print(f"largest state gap           {gap:+.2f} pp ({worst})")
    print(f"invalid phones              {invalid}")
    print(f"phones outside their state  {elsewhere} (labelled with a former state: {moved:,})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
