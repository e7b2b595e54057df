"""The spec files a run's settings name (``spec``), read and checked together."""

from pathlib import Path

from gensample.errors import BadInputError
from gensample.generate.spec import model
from gensample.generate.spec.arrow_types import schemas
from gensample.settings import Settings


def load_all(settings: Settings) -> list[model.Spec]:
    """The checked spec files of ``settings``, their columns' types too; a dataset declared
    in two of them is refused."""
    loaded = [model.load(Path(path)) for path in settings.spec]
    for spec in loaded:
        schemas(spec)
    seen: dict[str, str] = {}
    for spec in loaded:
        for name in spec.datasets:
            if name in seen:
                raise BadInputError(f"{spec.file}: datasets.{name}: also declared in {seen[name]}")
            seen[name] = spec.file
    return loaded
