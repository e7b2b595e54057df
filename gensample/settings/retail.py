"""The ``[retail]`` section: where the retailer's shopping curves come from."""

from dataclasses import dataclass
from pathlib import Path

from gensample.errors import BadInputError
from gensample.reference import catalog, deals, retail
from gensample.settings.schema import setting


def check_data_dir(value: object, where: str) -> str:
    """A folder of curve files (every file in it read and checked now), or '' for none."""
    if not isinstance(value, str):
        raise BadInputError(f"{where} = {value!r} is not allowed: expected a folder path")
    if value and not Path(value).is_dir():
        raise BadInputError(f"{where} = {value[:80]!r} is not allowed: expected an existing folder")
    try:
        retail.load(value)
        catalog.load(value)
        deals.load(value)
    except BadInputError as error:
        raise BadInputError(f"{where}: {error}") from error
    return value


@dataclass(frozen=True)
class RetailSettings:
    """How the retailer's customers shop: the curves of ``gensample/reference/data/retail``."""

    data_dir: str = setting(
        "",
        "Folder of retail curve files (categories.csv, seasonality.csv, traffic.csv, ...) "
        "replacing the packaged ones; empty for the defaults.",
        check=check_data_dir,
        allowed="a path to an existing folder (absolute, or relative to where the run starts), "
        "or '' for the packaged curves",
    )
