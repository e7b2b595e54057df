"""Look-alikes: different people a matcher may take for one, labelled in the truth.

Besides households (people sharing an address, often a family name), a block holds:

- twins: the first two members of a household, born the same day, with the same family name and
  address and (as drawn) different first names;
- a senior and a junior: a household head and the next member, father and son with the same
  first, middle and family name and address, the son born 20 to 40 years later and an adult;
  one may write Jr or II, the other Sr, and often neither does;
- namesakes: people living alone who take the first and family name (one of the
  ``COMMON_FAMILY_NAMES`` most frequent) and the ZIP code of a person of their gender at most
  ``NAMESAKE_WINDOW`` ids before, with a middle name, street, birth date, e-mail and phone of
  their own.

Each pair's later person takes after its earlier one, chosen on a stream of its own, so choosing
them never moves another draw. Pairs are drawn for a whole block, then those with a person
outside the ids asked for are dropped (at the edges of a day's people): the two people of a
pair are always generated on the same day. No person is in two pairs (a namesake may have
several). The truth labels both people of a pair: ``relation`` and ``lookalike_group``, the
earlier person's entity id.
"""

import functools
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions import arrays
from gensample.generate import names
from gensample.generate.names import ADULT_DAYS, Names
from gensample.native.take import take

COMMON_FAMILY_NAMES = 1_000
"""Namesakes bear one of this many most frequent census family names (45 % of the covered
population)."""
NAMESAKE_WINDOW = 1_000
"""A namesake takes after a person at most this many ids before: earlier ones would be picked
more often than later ones, crowding the start of a block."""
GAP_YEARS = (20, 40)
"""A junior is born this many years (uniform) after his senior, and is an adult: the gap ends
at the senior's 18 years at most."""
JUNIOR_SUFFIX_SHARES = {"Jr": 0.55, "II": 0.1}
SENIOR_SUFFIX_SHARES = {"Sr": 0.35}
"""Shares of juniors and seniors who write each suffix (the rest: none)."""
ROLES = {
    "twins": ("twin", "twin"),
    "juniors": ("junior", "senior"),
    "namesakes": ("namesake", "namesake"),
}
"""Each kind of pair's ``relation`` labels: of its later person, of its earlier one."""
RELATIONS = pa.array(list(dict.fromkeys(label for pair in ROLES.values() for label in pair)))
"""Every ``relation`` label, once: twin, junior, senior, namesake."""
COPIED_NAMES = {
    "twins": ("last", "last_email"),
    "juniors": ("first", "middle", "last", "first_email", "middle_email", "last_email"),
    "namesakes": ("first", "last", "first_email", "last_email"),
}
"""The names (``Names`` fields) the later of a pair takes from the earlier."""
PLACE_COLUMNS = ("city", "state", "postal_code", "county", "area_code")
"""What a namesake takes of the earlier one's address: the town and ZIP, not the street."""


class Shares(NamedTuple):
    """Shares (0-1) of people who are a twin, one of a junior and senior pair, a namesake."""

    twin: float
    junior_senior: float
    namesake: float


NONE = Shares(0.0, 0.0, 0.0)


class Pairs(NamedTuple):
    """Positions of people who take after another (``later``) and of that one (``earlier``,
    always before it)."""

    later: np.ndarray
    earlier: np.ndarray

    def inside(self, start: int, stop: int) -> np.ndarray:
        """Which pairs have both people at positions ``start`` to ``stop - 1``."""
        return (self.earlier >= start) & (self.later < stop)

    def kept(self, keep: np.ndarray) -> "Pairs":
        """The pairs ``keep`` marks."""
        return Pairs(self.later[keep], self.earlier[keep])


class Lookalikes(NamedTuple):
    """The look-alike pairs of a block, and what is drawn for each pair of a junior and his
    senior: where in ``GAP_YEARS`` his birth falls (0-1) and the suffixes they write."""

    twins: Pairs
    juniors: Pairs
    """``later``: the junior, ``earlier``: his senior."""
    namesakes: Pairs
    junior_gap: np.ndarray
    junior_suffix: pa.Array
    senior_suffix: pa.Array

    def pairs(self) -> dict[str, Pairs]:
        """The pairs by kind (``ROLES``' keys)."""
        return {"twins": self.twins, "juniors": self.juniors, "namesakes": self.namesakes}

    def inside(self, start: int, stop: int) -> "Lookalikes":
        """The pairs whose two people are both at positions ``start`` to ``stop - 1``."""
        juniors = self.juniors.inside(start, stop)
        return Lookalikes(
            self.twins.kept(self.twins.inside(start, stop)),
            self.juniors.kept(juniors),
            self.namesakes.kept(self.namesakes.inside(start, stop)),
            self.junior_gap[juniors],
            self.junior_suffix.filter(juniors),
            self.senior_suffix.filter(juniors),
        )


def choose(
    rng: np.random.Generator,
    shares: Shares,
    head: np.ndarray,
    is_female: np.ndarray,
    age_days: np.ndarray,
    drawn: Names,
    within: tuple[int, int],
) -> Lookalikes:
    """The pairs of a block's people (``head``: household head positions; ``drawn``: their
    names), about ``shares``, each with both people at positions ``within`` (start, stop: the
    people asked for, so that a day's groups are whole in it); twins never share a first
    name. The pairs are drawn for the whole block, then those the range cuts dropped, so
    that a range moves no other pair."""
    n = len(head)
    second = np.flatnonzero(head[1:] == np.arange(n - 1)) + 1  # a head's next member
    first = second - 1
    can_be_senior = ~is_female[first] & (age_days[first] - ADULT_DAYS >= GAP_YEARS[0] * 365.25)
    junior = can_be_senior & _drawn(rng, len(second), shares.junior_senior * n / 2, can_be_senior)
    first_names = drawn.first_email
    can_be_twins = ~junior & arrays.differs(take(first_names, first), take(first_names, second))
    twin = can_be_twins & _drawn(rng, len(second), shares.twin * n / 2, can_be_twins)
    alone = (head == np.arange(n)) & (np.append(head[1:], -1) != np.arange(n))
    later = np.flatnonzero(alone & _drawn(rng, n, shares.namesake * n / 2, alone))
    in_pairs = np.zeros(n, bool)
    in_pairs[np.concatenate([first[junior | twin], second[junior | twin], later])] = True
    common = pc.is_in(drawn.last_email, value_set=_common_family_names())
    common = common.to_numpy(zero_copy_only=False)
    namesakes = _namesakes(rng, later, common & ~in_pairs, is_female)
    juniors = int(junior.sum())
    found = Lookalikes(
        twins=Pairs(second[twin], first[twin]),
        juniors=Pairs(second[junior], first[junior]),
        namesakes=namesakes,
        junior_gap=rng.random(juniors),
        junior_suffix=_suffixes(rng, juniors, JUNIOR_SUFFIX_SHARES),
        senior_suffix=_suffixes(rng, juniors, SENIOR_SUFFIX_SHARES),
    )
    return found.inside(*within)


def _drawn(rng: np.random.Generator, n: int, expected: float, eligible: np.ndarray) -> np.ndarray:
    """``n`` draws, true for about ``expected`` of the ``eligible`` ones."""
    share = min(1.0, expected / max(1, int(eligible.sum())))
    return rng.random(n) < share


def _namesakes(
    rng: np.random.Generator, later: np.ndarray, source: np.ndarray, is_female: np.ndarray
) -> Pairs:
    """For each of ``later``, a ``source`` person of the same gender before it (their middle
    names stay of their gender); those with none drop."""
    pairs = [
        _earlier_people(rng, later[is_female[later] == female], np.flatnonzero(source & same))
        for female, same in ((True, is_female), (False, ~is_female))
    ]
    return _joined(*pairs)


def _joined(*pairs: Pairs) -> Pairs:
    """The pairs of all ``pairs`` in one."""
    return Pairs(*(np.concatenate(parts) for parts in zip(*pairs, strict=True)))


def _earlier_people(rng: np.random.Generator, later: np.ndarray, sources: np.ndarray) -> Pairs:
    """For each of ``later``, one of the (sorted) ``sources`` at most ``NAMESAKE_WINDOW``
    positions before it (so that every part of a block holds as many); those with none drop."""
    before = np.searchsorted(sources, later)
    first = np.searchsorted(sources, later - NAMESAKE_WINDOW)
    pick = first + np.floor(rng.random(len(later)) * (before - first)).astype(np.int64)
    kept = before > first
    return Pairs(later[kept], sources[pick[kept]])


def prepare() -> None:
    """Make the table of common family names ``choose`` uses, once per process."""
    _common_family_names()


@functools.cache
def _common_family_names() -> pa.Array:
    """The ``COMMON_FAMILY_NAMES`` most frequent census family names, spelled for e-mail."""
    return names.email_spelling(reference.family_names_census().values[:COMMON_FAMILY_NAMES])


def take_after(
    found: Lookalikes, is_female: np.ndarray, age_days: np.ndarray, drawn: Names
) -> tuple[np.ndarray, np.ndarray, Names]:
    """Gender, ages in days and names of a block's people, the later of each pair taking
    after the earlier one (a later twin writes no suffix: a suffix names a father's name)."""
    is_female, age_days = is_female.copy(), age_days.copy()
    twins, juniors = found.twins, found.juniors
    age_days[twins.later] = age_days[twins.earlier]
    senior_age = age_days[juniors.earlier]
    gap_days = np.minimum(np.array(GAP_YEARS) * 365.25, (senior_age - ADULT_DAYS)[:, None])
    gap = _uniform(gap_days[:, 0], gap_days[:, 1], found.junior_gap).astype(np.int64)
    age_days[juniors.later] = senior_age - gap
    is_female[juniors.later] = False
    fields = drawn._asdict()
    for field in dict.fromkeys(field for copied in COPIED_NAMES.values() for field in copied):
        kinds = [pairs for kind, pairs in found.pairs().items() if field in COPIED_NAMES[kind]]
        fields[field] = take(fields[field], _sources(len(is_female), kinds))
    suffixes = (pa.nulls(len(twins.later), pa.string()), found.junior_suffix, found.senior_suffix)
    rows = np.concatenate([twins.later, juniors.later, juniors.earlier])
    fields["suffix"] = arrays.put(fields["suffix"], rows, list(suffixes))
    return is_female, age_days, Names(**fields)


def share_places(found: Lookalikes, columns: dict[str, pa.Array]) -> None:
    """Give later namesakes the town and ZIP code of their earlier one, in ``columns``."""
    source = pa.array(_sources(len(columns[PLACE_COLUMNS[0]]), [found.namesakes]))
    for name in PLACE_COLUMNS:
        columns[name] = take(columns[name], source)


def labels(found: Lookalikes, entity_id: np.ndarray) -> dict[str, pa.Array]:
    """The truth's ``relation`` and ``lookalike_group`` (the earlier person's entity id) of a
    block's people; null for people in no pair."""
    relation = np.full(len(entity_id), -1)
    group = np.full(len(entity_id), -1, np.int64)
    code = {label: number for number, label in enumerate(RELATIONS.to_pylist())}
    for kind, pairs in found.pairs().items():
        later, earlier = ROLES[kind]
        relation[pairs.later], relation[pairs.earlier] = code[later], code[earlier]
        group[pairs.later] = group[pairs.earlier] = entity_id[pairs.earlier]
    return {
        "relation": take(RELATIONS, pa.array(relation, mask=relation < 0)),
        "lookalike_group": pa.array(group, mask=group < 0),
    }


def _uniform(low: np.ndarray, high: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """``draws`` (0-1) spread between ``low`` and ``high``, as NumPy's ``uniform`` spreads its
    own (the same numbers)."""
    return low + (high - low) * draws


def _sources(n: int, kinds: list[Pairs]) -> np.ndarray:
    """The row each of ``n`` people's value comes from once the later person of each pair took
    the earlier one's, pairs of one kind after those of the kind before."""
    source = np.arange(n)
    for pairs in kinds:
        source[pairs.later] = source[pairs.earlier]
    return source


def _suffixes(rng: np.random.Generator, n: int, shares: dict[str, float]) -> pa.Array:
    """``n`` suffixes written by their ``shares`` (the rest: null)."""
    index = np.searchsorted(np.cumsum(list(shares.values())), rng.random(n), side="right")
    return take(pa.array(list(shares)), pa.array(index, mask=index == len(shares)))
