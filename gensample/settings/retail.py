"""The ``[retail]`` section: where the retailer's shopping curves come from."""

from dataclasses import dataclass
from pathlib import Path

from gensample.errors import BadInputError
from gensample.reference import catalog, deals, retail, stamps, supply, user_tables
from gensample.settings.schema import setting


def check_data_dir(value: object, where: str) -> str:
    """A folder of curve files (every file in it read and checked now), or '' for none."""
    if not isinstance(value, str):
        raise BadInputError(f"{where} = {value!r} is not allowed: expected a folder path")
    if value and not Path(value).is_dir():
        raise BadInputError(f"{where} = {value[:80]!r} is not allowed: expected an existing folder")
    stamps.refresh((value,))  # read as it is now, in a process that read it before
    try:
        retail.load(value)
        catalog.load(value)
        deals.load(value)
        supply.load(value)
    except BadInputError as error:
        raise BadInputError(f"{where}: {error}") from error
    return value


def _table_checker(spec: user_tables.Spec, what: str):
    """The check of a setting naming a user's ``what`` file of ``spec``, or '' for none."""

    def check(value: object, where: str) -> str:
        if not isinstance(value, str):
            raise BadInputError(f"{where} = {value!r} is not allowed: expected a file path")
        if value and not Path(value).is_file():
            raise BadInputError(f"{where} = {value[:80]!r} is not allowed: expected a {what} file")
        if value:
            stamps.refresh((value,))  # read as it is now, in a process that read it before
            try:
                user_tables.read(value, spec)
            except BadInputError as error:
                raise BadInputError(f"{where}: {error}") from error
        return value

    return check


USER_FILE = (
    "a path to an existing CSV or .parquet file (absolute, or relative to the run directory "
    "in gensample.toml, to where the run starts elsewhere), or '' for the generated table"
)
PATHS = ("data_dir", "products_file", "stores_file")
"""The settings naming a file or folder: relative to the run directory in gensample.toml."""


def in_run_dir(section: object, run_dir: Path) -> object:
    """The ``[retail]`` table of a gensample.toml with its relative paths made relative to
    ``run_dir`` (anything but a table is left for the checks to refuse)."""
    if not isinstance(section, dict):
        return section
    moved = dict(section)
    for key in PATHS:
        value = moved.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            moved[key] = str(run_dir / value)
    return moved


@dataclass(frozen=True)
class RetailSettings:
    """How the retailer's customers shop: the curves of ``gensample/reference/data/retail``."""

    data_dir: str = setting(
        "",
        "Folder of retail curve files (categories.csv, seasonality.csv, traffic.csv, ...) "
        "replacing the packaged ones; empty for the defaults.",
        check=check_data_dir,
        allowed="a path to an existing folder (absolute, or relative to the run directory in "
        "gensample.toml, to where the run starts elsewhere), or '' for the packaged curves",
    )
    products_file: str = setting(
        "",
        "Your own products (CSV or Parquet: sku, category, price, optional weight...) instead of "
        "the generated catalog; empty for the generated one.",
        check=_table_checker(user_tables.PRODUCTS, "products"),
        allowed=USER_FILE,
    )
    stores_file: str = setting(
        "",
        "Your own stores (CSV or Parquet: store_id, state, optional weight...) instead of the "
        "generated ones; empty for the generated ones.",
        check=_table_checker(user_tables.STORES, "stores"),
        allowed=USER_FILE,
    )

    def refresh(self) -> None:
        """Forget what this process keeps of the files these settings name if one changed
        since (``stamps.refresh``)."""
        stamps.refresh(tuple(getattr(self, key) for key in PATHS))
