"""Reference data (names, places, nicknames, domains), loaded once per process from packaged files.

The files are extracted from field-made libraries by ``tools/extract_reference.py`` and versioned
with the code, so a release always draws from the same lists. Pools are Arrow arrays with
probabilities: generation samples indices into them, never per-row library calls.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from gensample.native.search import alias_pick
from gensample.reference.search import Sorted

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Pool:
    """Values to draw from, with the probability of each."""

    values: pa.Array
    probabilities: np.ndarray

    @functools.cached_property
    def cumulative(self) -> np.ndarray:
        """Cumulative probabilities ending at exactly 1, for ``np.searchsorted`` sampling."""
        cumulative = np.cumsum(self.probabilities)
        cumulative[-1] = 1.0
        return cumulative

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Indices of ``size`` values drawn by probability (inverse of the cumulative weights)."""
        return self._sorted_cumulative.right(rng.random(size))

    @functools.cached_property
    def _sorted_cumulative(self) -> Sorted:
        return Sorted(self.cumulative)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Indices of ``size`` values drawn by probability (Walker's alias method)."""
        column = rng.integers(0, len(self.probabilities), size)
        uniform, (keep, alias) = rng.random(size), self._alias
        picked = alias_pick(column, uniform, keep, alias)  # compiled, when installed
        if picked is None:
            picked = np.where(uniform < keep[column], column, alias[column])
        return picked

    @functools.cached_property
    def _alias(self) -> tuple[np.ndarray, np.ndarray]:
        """Vose's alias table: column i keeps i with probability ``keep[i]``, else ``alias[i]``."""
        n = len(self.probabilities)
        scaled = self.probabilities * n
        keep, alias = np.ones(n), np.arange(n)
        small = [i for i in range(n) if scaled[i] < 1]
        large = [i for i in range(n) if scaled[i] >= 1]
        while small and large:
            low, high = small.pop(), large.pop()
            keep[low], alias[low] = scaled[low], high
            scaled[high] -= 1 - scaled[low]
            (small if scaled[high] < 1 else large).append(high)
        return keep, alias


def read_table(name: str) -> pa.Table:
    """One packaged reference table; every column read as text except weights."""
    options = pacsv.ConvertOptions(
        column_types={
            "postal_code": pa.string(),
            "area_code": pa.string(),
            "name": pa.string(),
            "nickname": pa.string(),
            "state": pa.string(),
            "county": pa.string(),
            "city": pa.string(),
            "written": pa.string(),
        },
    )
    return pacsv.read_csv(DATA / name, convert_options=options)


def _pool(values: pa.Array, weights: pa.Array) -> Pool:
    weights = weights.to_numpy().astype(np.float64)
    return Pool(values, weights / weights.sum())


@functools.cache
def given_names(gender: str) -> Pool:
    """Given names of ``gender`` ('F' or 'M') by their frequency in the US census."""
    table = read_table("given_names.csv")
    table = table.filter(pc.equal(table["gender"], gender))
    return _pool(table["name"].combine_chunks(), table["frequency"])


@functools.cache
def family_names() -> Pool:
    """Family names by their frequency in the US census."""
    table = read_table("family_names.csv")
    return _pool(table["name"].combine_chunks(), table["frequency"])


@functools.cache
def places() -> pa.Table:
    """Active standard US ZIP codes with their city, state, county and phone area code."""
    return read_table("places.csv")


@functools.cache
def street_names() -> Pool:
    """Street names (without their type) weighted by how common they are."""
    table = read_table("street_names.csv")
    return _pool(table["name"].combine_chunks(), table["weight"])


@functools.cache
def street_suffixes() -> Pool:
    """Street types spelled out ('Street', 'Avenue') weighted by how common they are."""
    table = read_table("street_suffixes.csv")
    return _pool(table["suffix"].combine_chunks(), table["weight"])


@functools.cache
def street_abbreviations() -> dict[str, str]:
    """USPS abbreviation of each street type of both lists: 'Street' -> 'St'."""
    tables = [read_table(name) for name in ("street_suffixes.csv", "street_types.csv")]
    pairs = (
        zip(t["suffix"].to_pylist(), t["abbreviation"].to_pylist(), strict=True) for t in tables
    )
    return {suffix: abbreviation for listed in pairs for suffix, abbreviation in listed}


@functools.cache
def email_domains() -> Pool:
    """Email domains weighted by their approximate share of US consumer addresses."""
    table = read_table("email_domains.csv")
    return _pool(table["domain"].combine_chunks(), table["weight"])


@functools.cache
def nicknames() -> dict[str, tuple[str, ...]]:
    """Known nicknames per given name, both in lower case: 'robert' -> ('bob', 'rob', ...)."""
    table = read_table("nicknames.csv")
    table_by_name: dict[str, list[str]] = {}
    for name, nickname in zip(
        table["name"].to_pylist(), table["nickname"].to_pylist(), strict=True
    ):
        table_by_name.setdefault(name, []).append(nickname)
    return {name: tuple(nicks) for name, nicks in table_by_name.items()}


@functools.cache
def nickname_lists() -> tuple[pa.Array, np.ndarray, pa.Array]:
    """:func:`nicknames` as arrays: the names; where each name's nicknames start, and after
    the last name where they end; the nicknames, name after name."""
    table = nicknames()
    starts = np.cumsum([0, *(len(nicks) for nicks in table.values())])
    flat = [nick for nicks in table.values() for nick in nicks]
    return pa.array(list(table), pa.string()), starts, pa.array(flat, pa.string())


# People the 2000 census counted with a reported surname (the base of the file's prop100k):
# the listed names (100 or more bearers each) cover 89.75 % of them, rarer names the rest.
CENSUS_2000_SURNAME_PEOPLE = 269_762_087


@dataclass(frozen=True)
class NamesByYear:
    """Given names of one gender with SSA counts for each birth year, drawn by birth year.

    Rows are ordered by year; ``cumulative`` is the row's year position plus the cumulative share
    of that year's births, so one search of it draws names for people of many years.
    """

    values: pa.Array
    years: np.ndarray
    name_index: np.ndarray
    cumulative: np.ndarray

    def draw(self, rng: np.random.Generator, birth_years: np.ndarray) -> np.ndarray:
        """Indices into ``values`` of one name per birth year (clipped to the years covered)."""
        position = np.clip(birth_years, self.years[0], self.years[-1]) - self.years[0]
        keys = position + rng.random(len(position))
        return self.name_index[self._sorted_cumulative.right(keys)]

    @functools.cached_property
    def _sorted_cumulative(self) -> Sorted:
        return Sorted(self.cumulative)


@functools.cache
def family_names_census() -> Pool:
    """Surnames of the 2000 US census held by 100 or more people, by their count."""
    table = _family_names_table()
    return _pool(table["name"].combine_chunks(), table["count"])


@functools.cache
def family_name_coverage() -> float:
    """Share of the census population whose surname is in ``family_names_census`` (~0.8975)."""
    counts = _family_names_table()["count"].combine_chunks().to_numpy()
    return float(counts.sum()) / CENSUS_2000_SURNAME_PEOPLE


@functools.cache
def _family_names_table() -> pa.Table:
    """The census surnames' table, read once (0.13 s) for both of the above."""
    return read_table("family_names_census.csv.gz")


def given_names_by_year(gender: str) -> NamesByYear:
    """SSA baby names of ``gender`` ('F' or 'M') given to 50+ babies a year, 1910-2017."""
    return _given_names_by_year()[gender]


@functools.cache
def _given_names_by_year() -> dict[str, NamesByYear]:
    """``given_names_by_year`` of both genders, from one reading of the table."""
    table = read_table("given_names_by_year.csv.gz")
    return {
        gender: _names_by_year(table.filter(pc.equal(table["gender"], gender)))
        for gender in ("F", "M")
    }


def _names_by_year(table: pa.Table) -> NamesByYear:
    """The names of one gender's rows of the SSA table, ready to draw by birth year."""
    encoded = pc.dictionary_encode(table["name"]).combine_chunks()  # hashing: no string sort
    names, name_index = encoded.dictionary, encoded.indices.to_numpy()
    year = table["year"].to_numpy()
    years = np.arange(year[0], year[-1] + 1)
    counts = table["count"].to_numpy().astype(np.float64)
    totals = np.bincount(year - years[0], weights=counts, minlength=len(years))
    cumulative = np.cumsum(counts / totals[year - years[0]])
    starts = np.searchsorted(year, years)
    cumulative -= np.repeat(
        cumulative[starts - 1] * (starts > 0), np.diff(np.r_[starts, len(year)])
    )
    cumulative += year - years[0]
    ends = np.r_[starts[1:], len(year)] - 1
    cumulative[ends] = np.arange(1, len(years) + 1)  # each year ends at exactly its next position
    return NamesByYear(names, years, name_index.astype(np.int32), cumulative)


@functools.cache
def populated_places() -> pa.Table:
    """Inhabited standard ZIP codes with city, state, county, area code and 2020 population."""
    return read_table("populated_places.csv.gz")


@functools.cache
def place_weights() -> Pool:
    """Postal codes of ``populated_places`` by population: draws are row indices of that table."""
    table = populated_places()
    return _pool(table["postal_code"].combine_chunks(), table["population"])


@functools.cache
def state_populations() -> dict[str, int]:
    """Resident population of the 50 states and DC in the 2020 census."""
    table = read_table("state_populations.csv")
    return dict(zip(table["state"].to_pylist(), table["population"].to_pylist(), strict=True))


@functools.cache
def area_codes() -> dict[str, Pool]:
    """Each state's phone area codes weighted by the population of the ZIPs that use them."""
    table = read_table("area_codes.csv")
    pools = {}
    for state in sorted(set(table["state"].to_pylist())):
        rows = table.filter(pc.equal(table["state"], state))
        pools[state] = _pool(rows["area_code"].combine_chunks(), rows["population"])
    return pools


def exchanges() -> np.ndarray:
    """Central office codes (NXX) that can be assigned: 200-999 without N11, 555, 950, 958, 959."""
    codes = np.arange(200, 1000)
    reserved = (codes % 100 == 11) | np.isin(codes, [555, 950, 958, 959])
    return codes[~reserved]


@functools.cache
def streets(ordinal: bool) -> Pool:
    """Street names without their type, ordinal ('5th') or named ('Oak'), by how common."""
    table = read_table("streets.csv")
    table = table.filter(pc.equal(table["ordinal"], int(ordinal)))
    return _pool(table["name"].combine_chunks(), table["weight"])


@functools.cache
def ordinal_street_share() -> float:
    """Share of streets that are numbered rather than named."""
    table = read_table("streets.csv")
    weight = table["weight"].to_numpy().astype(np.float64)
    return float(weight[table["ordinal"].to_numpy() == 1].sum() / weight.sum())


@functools.cache
def street_types(ordinal: bool) -> Pool:
    """Street types ('Street', 'Drive') by how common; for ordinals only Street-like ones."""
    table = read_table("street_types.csv")
    if ordinal:
        table = table.filter(pc.equal(table["ordinal"], 1))
    return _pool(table["suffix"].combine_chunks(), table["weight"])


@functools.cache
def name_spellings(part: str) -> pa.Table:
    """How people write names of ``part`` ('given' or 'family') that the plain tables hold
    without their accent or apostrophe: name, written form, and the share who write it so."""
    table = read_table("name_spellings.csv")
    return table.filter(pc.equal(table["part"], part)).select(["name", "written", "share"])


@functools.cache
def built_in_systems() -> dict[str, dict]:
    """The built-in source systems' parameters as ``systems.toml`` (a spec file) declares them,
    by dataset name."""
    with (DATA / "systems.toml").open("rb") as file:
        return tomllib.load(file)["datasets"]
