"""The settings tree and how it is loaded.

Precedence, lowest first: built-in defaults < ``gensample.toml`` (or a legacy ``settings.py``)
< environment variables ``GENSAMPLE_*`` < command-line flags. Every layer is validated on its
own, so an error names where the bad value came from.
"""

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gensample.errors import BadInputError
from gensample.settings.catalogue import DATASET_PARENTS as DATASET_PARENTS  # re-exported
from gensample.settings.catalogue import DATASETS, check_datasets
from gensample.settings.difficulty import DifficultySettings
from gensample.settings.engine import (
    DASK_PARTS_ALLOWED,
    ENGINES,
    SCHEDULER_ALLOWED,
    check_dask_parts,
    check_scheduler,
)
from gensample.settings.fuzz import check_fields
from gensample.settings.layers import ENV_PREFIX, env_layer, merge, read_toml
from gensample.settings.load import LoadSettings
from gensample.settings.lookalikes import LookalikeSettings
from gensample.settings.publish import PublishSettings, VaultSettings
from gensample.settings.retail import RetailSettings, in_run_dir
from gensample.settings.schema import build, check_layer, optional_section, section, setting
from gensample.settings.sources import CoverageSettings, SourceDupeRateSettings
from gensample.settings.spec import SPEC_ALLOWED, check_spec, spec_in_run_dir
from gensample.settings.validity import ValiditySettings

log = logging.getLogger(__name__)

SETTINGS_FILE = "gensample.toml"
LEGACY_FILE = "settings.py"
DISTRIBUTIONS = ("uniform", "poisson", "zipf", "geometric")
"""How copies per duplicated person can be spread (``generate.duplicates`` draws each)."""
MAX_CUSTOMERS = 100_000_000
"""Most new customers of one run. The plan draws every block's row counts before anything is
written (``gensample check`` prints it): about 6 s at this bound, a minute at 1e9, and it grows
without bound beyond (a MemoryError at 1e21). A run this size writes over two billion rows
(hours on one machine); ids stay far below 2**63 after thousands of such days."""
MAX_STORES = 1_000_000
"""Most stores: the stores dataset is made whole each run (about 5 s and 400 MB at this bound)."""


@dataclass(frozen=True)
class FuzzSettings:
    """How duplicates are corrupted: the fuzz map and its limits."""

    max_fields: int = setting(
        2,
        "Most fields one fuzzed duplicate corrupts, before the difficulty preset adds its own.",
        minimum=1,
        maximum=6,
    )
    fields: Any = setting(
        None,
        "Overrides of the fuzz map per field: {weight = W, corruptions = {name = weight}}.",
        check=check_fields,
        allowed="a table of fields, each {weight = W, corruptions = {name = W}}, every W a finite "
        "number >= 0 (and the weights of a table adding up to a finite number)",
    )


@dataclass(frozen=True)
class Settings:
    """Everything one run directory's job is configured with."""

    seed: int = setting(42, "Seed of every random draw; same seed, same bytes.", minimum=0)
    customers: int = setting(
        10_000, "New customers (original records) per run.", minimum=0, maximum=MAX_CUSTOMERS
    )
    dupe_rate: float = setting(
        15.0, "Percent of customer rows that are duplicates.", minimum=0, maximum=95
    )
    dupe_rate_variance: float = setting(
        0.0, "Day-to-day wobble of dupe_rate (std. dev., percentage points).", minimum=0, maximum=50
    )
    max_duplicates_per_entity: int = setting(
        3, "Most duplicate copies of one person.", minimum=1, maximum=50
    )
    duplicates_distribution: str = setting(
        "geometric", "How copies per duplicated person are spread.", choices=DISTRIBUTIONS
    )
    exact_duplicate_share: float = setting(
        0.1,
        "Share (0-1) of duplicates that are untouched copies, before the difficulty preset's "
        "multiplier.",
        minimum=0,
        maximum=1,
    )
    household_share: float = setting(
        0.25, "Share (0-1) of people living with others (hard negatives).", minimum=0, maximum=0.9
    )
    format: str = setting("csv", "Output format of data files.", choices=("csv", "parquet"))
    load_type: str = setting(
        "truncate",
        "'truncate': a re-run replaces the day; 'append': adds a batch with fresh ids.",
        choices=("truncate", "append"),
    )
    datasets: tuple[str, ...] = setting(
        DATASETS, "Datasets to generate (each with the datasets it refers to).", choices=DATASETS
    )
    spec: tuple[str, ...] = setting(
        (),
        "Spec files declaring datasets without code (docs/spec.md), relative to the run dir.",
        check=check_spec,
        allowed=SPEC_ALLOWED,
    )
    trans_type: str = setting(
        "full",
        "'full': events spread over the five years before the day; 'daily': within the day.",
        choices=("full", "daily"),
    )
    max_trans_per_customer: int = setting(
        5, "Most orders (and till baskets) per customer record.", minimum=1, maximum=100
    )
    stores: int = setting(
        100, "Stores of the retailer (the stores dataset).", minimum=1, maximum=MAX_STORES
    )
    products: int = setting(
        2_000, "Products in the catalog (the products dataset).", minimum=1, maximum=1_000_000
    )
    tracer: bool = setting(False, "Consume tracer/tracer.csv into the day's customers.")
    archival: bool = setting(False, "Re-inject corrupted customers from archived days.")
    archival_count: int = setting(
        1, "Archived days picked per run for re-injection.", minimum=0, maximum=100
    )
    archival_share: float = setting(
        0.01, "Share (0-1) of a picked day's customer records re-injected.", minimum=0, maximum=1
    )
    archive_retention_days: int = setting(
        30,
        "Days a run's customers stay in archive/; 0 keeps them forever.",
        minimum=0,
        maximum=36_500,
    )
    drift_share: float = setting(
        0.0,
        "Share (0-1) of existing people who move, change e-mail, phone or family name per day "
        "(e.g. 0.002).",
        minimum=0,
        maximum=1,
    )
    closure_share: float = setting(
        0.0,
        "Share (0-1) of existing open customer records closed per day (e.g. 0.0005).",
        minimum=0,
        maximum=1,
    )
    show_timer: bool = setting(False, "Log per-stage timings (like --timings).", operational=True)
    workers: int = setting(
        0, "Worker processes; 0 means one per CPU. Output is the same.", minimum=0, operational=True
    )
    engine: str = setting(
        "local",
        "Where blocks run: 'local' (processes here) or 'dask' (a Dask cluster); same output.",
        choices=ENGINES,
        operational=True,
    )
    scheduler: str = setting(
        "",
        "Dask scheduler address, or local:N for N processes here; empty: one per worker.",
        check=check_scheduler,
        allowed=SCHEDULER_ALLOWED,
        operational=True,
    )
    dask_parts: str = setting(
        "",
        "Where Dask workers put part files: '' (the run directory, which every worker must "
        "see) or s3://bucket/prefix ([vault] keys, else boto3's; [publish] endpoint_url).",
        check=check_dask_parts,
        allowed=DASK_PARTS_ALLOWED,
        operational=True,
    )
    fuzz: FuzzSettings = section(FuzzSettings, "The fuzz map: which corruptions duplicates get.")
    difficulty: DifficultySettings = section(
        DifficultySettings, "How hard duplicates are to match: a preset and manual controls."
    )
    lookalikes: LookalikeSettings = section(
        LookalikeSettings, "How many people look like someone else: twins, Jr and Sr, namesakes."
    )
    coverage: CoverageSettings = section(
        CoverageSettings, "Share of the population each source system sees."
    )
    source_dupe_rates: SourceDupeRateSettings = section(
        SourceDupeRateSettings, "Duplicate rate of each identity-bearing source system."
    )
    retail: RetailSettings = section(RetailSettings, "How the retailer's customers shop.")
    validity: ValiditySettings = section(
        ValiditySettings, "What source systems validate when a record is captured."
    )
    publish: PublishSettings | None = optional_section(
        "Publishing each day to S3.", operational=True
    )
    vault: VaultSettings | None = optional_section(
        "AWS keys (publishing, streaming, Dask parts in S3) and database passwords, from Vault.",
        operational=True,
    )
    load: LoadSettings | None = optional_section(
        "How gensample load reaches its database.", operational=True
    )

    def __post_init__(self) -> None:
        most = self.max_duplicates_per_entity
        if self.dupe_rate / (100 - self.dupe_rate) > most:
            raise RuleError(
                ("dupe_rate", "max_duplicates_per_entity"),
                f"dupe_rate = {self.dupe_rate:g} is not allowed with max_duplicates_per_entity = "
                f"{most}: expected a dupe_rate of at most {100 * most / (1 + most):.4g}, or more "
                "copies per person",
            )
        try:
            check_datasets(self.datasets)
        except BadInputError as error:
            raise RuleError(("datasets",), str(error)) from None


class RuleError(BadInputError):
    """A rule between settings broken: the message, and the settings it is about (``keys``)."""

    def __init__(self, keys: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.keys = keys


Layer = tuple[str, dict]
"""Checked settings and where they come from (a file, an environment variable, a flag)."""


def load(
    run_dir: Path, environ: Mapping[str, str] | None = None, flags: Mapping[str, Any] | None = None
) -> Settings:
    """Load the settings of ``run_dir``: defaults < file < environment < ``flags``.

    ``flags`` maps setting names to values given on the command line (``None`` means not given).
    """
    environ = os.environ if environ is None else environ
    layers = [file_layer(Path(run_dir))]
    layers += [
        (f"environment variable {name}", env_layer(Settings, name, raw))
        for name, raw in sorted(environ.items())
        if name.startswith(ENV_PREFIX)
    ]
    layers += flag_layers(flags, lambda key: f"--{key.replace('_', '-')}")
    return merge_layers(layers, f"settings of {Path(run_dir).resolve()}")


def flag_layers(flags: Mapping[str, Any] | None, source: Callable[[str], str]) -> list[Layer]:
    """One checked layer per given flag (``None`` means not given), named by ``source(key)``."""
    return [
        (source(key), check_layer(Settings, {key: value}, source(key)))
        for key, value in (flags or {}).items()
        if value is not None
    ]


def merge_layers(layers: list[Layer], where: str) -> Settings:
    """The settings of checked ``layers``, each over the ones before; a rule between settings
    that they break is an error naming the layers that set those settings (``where``, when they
    are all defaults)."""
    merged: dict = {}
    given = {}  # top-level setting -> the last layer that set it
    for source, layer in layers:
        merge(merged, layer)
        given.update(dict.fromkeys(layer, source))
    try:
        return build(Settings, merged)
    except RuleError as error:
        sources = dict.fromkeys(given[key] for key in error.keys if key in given)
        raise BadInputError(f"{', '.join(sources) or where}: {error}") from error
    except BadInputError as error:
        raise BadInputError(f"{where}: {error}") from error


def file_layer(run_dir: Path) -> Layer:
    """The checked settings of ``gensample.toml`` in ``run_dir``, else of a legacy settings.py
    (none: the defaults), and the file's path."""
    path = run_dir / SETTINGS_FILE
    if path.exists():
        raw = read_toml(path)
        if "retail" in raw:  # paths in the file are relative to its run directory
            raw["retail"] = in_run_dir(raw["retail"], run_dir)
        if "spec" in raw:
            raw["spec"] = spec_in_run_dir(raw["spec"], run_dir)
        return str(path), check_layer(Settings, raw, str(path))
    legacy = run_dir / LEGACY_FILE
    if legacy.exists():
        from gensample.settings.legacy import read_legacy

        settings = read_legacy(legacy)
        for note in settings.notes:
            log.warning("%s", note)
        log.warning(
            "%s: legacy settings; `gensample init --from-legacy %s` writes %s",
            legacy,
            legacy,
            SETTINGS_FILE,
        )
        return str(legacy), check_layer(Settings, settings.settings, str(legacy))
    return "the defaults", {}


def as_dict(section: Any) -> Any:
    """What a settings section makes a run write, as plain data (for the manifest).

    Operational settings and sections (workers, timings, publishing: they never change the
    files) are left out, so the manifest depends only on what shapes the data.
    """
    if not dataclasses.is_dataclass(section):
        return section
    return {
        field.name: as_dict(getattr(section, field.name))
        for field in dataclasses.fields(section)
        if not field.metadata.get("operational")
    }
