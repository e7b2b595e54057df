"""A Dask worker preload (``--preload tests/without_gensample.py``): the worker cannot import
gensample, as on a machine where it is not installed."""

import sys


class NoGensample:
    """An import finder that finds no gensample module."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "gensample":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoGensample())
for loaded in [name for name in sys.modules if name.split(".")[0] == "gensample"]:
    del sys.modules[loaded]
