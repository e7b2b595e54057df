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

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Pool:
    """Values to draw from, with the probability of each."""

    values: pa.Array
    probabilities: np.ndarray

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Indices of ``size`` values drawn by probability (Walker's alias method)."""
        column = rng.integers(0, len(self.probabilities), size)
        keep = rng.random(size) < self._alias[0][column]
        return np.where(keep, column, self._alias[1][column])

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
    """USPS abbreviation of each street type: 'Street' -> 'St'."""
    table = read_table("street_suffixes.csv")
    return dict(zip(table["suffix"].to_pylist(), table["abbreviation"].to_pylist(), strict=True))


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
