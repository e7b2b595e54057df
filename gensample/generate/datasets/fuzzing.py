"""How an identity-bearing source system errs, relative to the run's fuzz map: which fields it
captures, which corruptions it makes more or less often, how often it hurries."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import arrays, dates, fuzzmap
from gensample.corruptions.fuzzmap import FieldFuzz
from gensample.corruptions.weights import DIFFICULTIES, Difficulty
from gensample.generate.datasets import systems
from gensample.native.strings import join_element_wise
from gensample.native.take import one_array, take
from gensample.settings import Settings


@dataclass(frozen=True)
class Fuzzing:
    """How a system corrupts its duplicates, relative to the run's fuzz map and settings."""

    fields: Mapping[str, float]
    """Fuzz fields the system captures -> multiplier of the field's weight."""
    corruptions: Mapping[str, float] = field(default_factory=dict)
    """Corruption -> multiplier of its weight on every field (0: never on this system)."""
    forbidden: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Field -> corruptions its format cannot hold (a 10-digit phone cannot lose a digit)."""
    extra_fields: int = 0
    """Added to ``fuzz.max_fields`` (at least one field is always corrupted)."""
    exact_copies: bool = True
    """Whether ``exact_duplicate_share`` of the duplicates are left untouched."""
    hurry: float = 1.0
    """Multiplier of the run's share of records typed in a hurry."""

    def fuzz_map(self, settings: Settings) -> dict[str, FieldFuzz]:
        """The run's fuzz map restricted to the captured fields and weighed for this system."""
        run_map = run_fuzz_map(settings)
        weighed = {}
        for name, multiplier in self.fields.items():
            corruptions = {
                corruption: weight * self.corruptions.get(corruption, 1.0)
                for corruption, weight in run_map[name].corruptions.items()
                if corruption not in self.forbidden.get(name, ())
            }
            corruptions = {c: w for c, w in corruptions.items() if w > 0}
            if corruptions and run_map[name].weight * multiplier > 0:
                weighed[name] = FieldFuzz(run_map[name].weight * multiplier, corruptions)
        return weighed

    def hurried_share(self, settings: Settings, system: str) -> float:
        """Share of this system's fuzzed records typed in a hurry (the most fields corrupted)."""
        return run_hurried_share(settings, system, self.hurry)

    def max_fields(self, settings: Settings) -> int:
        """Most fields one fuzzed duplicate of this system corrupts."""
        return max(1, run_max_fields(settings) + self.extra_fields)

    def exact_share(self, settings: Settings) -> float:
        """Share of this system's duplicates left untouched."""
        return run_exact_share(settings) if self.exact_copies else 0.0


def of_system(settings: Settings, name: str) -> Fuzzing:
    """How built-in system ``name`` errs in the run of ``settings`` (its ``systems`` entry)."""
    chosen = systems.parameters(settings, name)
    fuzz = chosen.get("fuzz", {})
    return Fuzzing(
        fields={field: entry["weight"] for field, entry in fuzz.items()},
        corruptions=chosen.get("corruptions", {}),
        forbidden={field: tuple(entry.get("forbidden", ())) for field, entry in fuzz.items()},
        extra_fields=chosen.get("extra_fields", 0),
        exact_copies=chosen.get("exact_copies", True),
        hurry=chosen.get("hurry", 1.0),
    )


def preset(settings: Settings) -> Difficulty:
    """The run's difficulty preset."""
    return DIFFICULTIES[settings.difficulty.preset]


def run_fuzz_map(settings: Settings) -> dict[str, FieldFuzz]:
    """The run's fuzz map: the default weighed by the preset, then the per-field overrides."""
    return fuzzmap.effective(settings.fuzz.fields, preset(settings))


def run_max_fields(settings: Settings) -> int:
    """Most fields one fuzzed record corrupts: ``fuzz.max_fields`` moved by the preset."""
    return max(1, settings.fuzz.max_fields + preset(settings).extra_fields)


def run_hurried_share(settings: Settings, system: str, hurry: float = 1.0) -> float:
    """Share of ``system``'s fuzzed records typed in a hurry: the setting or the preset's,
    times the system's own ``hurry`` or the ``source_hurry`` setting for it."""
    chosen = settings.difficulty
    share = preset(settings).hurried_share if chosen.hurried_share is None else chosen.hurried_share
    return min(1.0, share * (chosen.source_hurry or {}).get(system, hurry))


def run_exact_share(settings: Settings) -> float:
    """Share of duplicates left untouched: ``exact_duplicate_share`` times the preset's."""
    return min(1.0, settings.exact_duplicate_share * preset(settings).exact_share)


def run_original_share(settings: Settings) -> float:
    """Share of a person's first record in a system that carries errors: the setting or the
    preset's."""
    chosen = settings.difficulty.original_share
    return preset(settings).original_share if chosen is None else chosen


def run_request(
    settings: Settings, system: str, table: pa.Table, rows: np.ndarray, rng: np.random.Generator
) -> fuzzmap.Request:
    """A fuzz pass over ``rows`` of ``table``, ``system``'s records, as the run's settings and
    difficulty make it (fuzz map, fields per record, hurried share)."""
    return fuzzmap.Request(
        table,
        rows,
        run_fuzz_map(settings),
        run_max_fields(settings),
        rng,
        run_hurried_share(settings, system),
    )


def fuzzed_rows(
    rng: np.random.Generator, firsts: int, n: int, original_share: float, exact_share: float
) -> np.ndarray:
    """Which of ``n`` records go through the fuzz map, in order: ``original_share`` of the first
    ``firsts`` (people's first records) and all the others (duplicates) but ``exact_share`` of
    them, drawn at random."""
    clean = round(firsts * (1 - original_share))
    exact = round((n - firsts) * exact_share)
    chosen = [rng.permutation(firsts)[clean:], firsts + rng.permutation(n - firsts)[exact:]]
    return np.sort(np.concatenate(chosen))


def run_variation_shares(settings: Settings, system: str) -> dict[str, float]:
    """Share of ``system``'s records carrying each other true value: the system's default times
    the preset's ``variation_share``, replaced per variation by ``source_variations``."""
    scale = preset(settings).variation_share
    shares = systems.parameters(settings, system).get("variations", {})
    defaults = {name: share * scale for name, share in shares.items()}
    return {**defaults, **(settings.difficulty.source_variations or {}).get(system, {})}


def validated(
    written: pa.Table,
    birth_date: pa.Array,
    labels: pa.Array,
    captured: np.ndarray,
    settings: Settings,
    rng: np.random.Generator,
) -> tuple[pa.Table, pa.Array]:
    """Records whose corrupted birth date their system would have refused (after ``captured``,
    the day each record was captured, in days since 1970-01-01) with the true ``birth_date``
    mistyped by a day instead, as the person retried; or, when the settings let invalid dates
    through, kept and labelled ``birth_date:invalid_date``."""
    refused = np.flatnonzero(~dates.accepted(written["birth_date"], captured))
    if not len(refused):
        return written, labels
    labels_of_refused = take(labels, refused)
    if settings.validity.invalid_dates:
        marked = join_element_wise(labels_of_refused, INVALID_DATE, ";")
        return written, arrays.put(labels, refused, [marked])
    retyped = dates.mistype_day(take(birth_date, refused), rng)
    column = written.schema.get_field_index("birth_date")
    birth = arrays.put(one_array(written["birth_date"]), refused, [retyped])
    relabelled = pc.replace_substring_regex(
        labels_of_refused, "birth_date:[a-z_]+", "birth_date:mistype_day"
    )
    return written.set_column(column, "birth_date", birth), arrays.put(
        labels, refused, [relabelled]
    )


INVALID_DATE = "birth_date:invalid_date"
