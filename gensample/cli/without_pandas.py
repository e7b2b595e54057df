"""Arrow without pandas in the command line's process: imported by ``gensample.cli`` before
any module that makes an Arrow array.

When pandas is installed, pyarrow imports it at the first array or scalar a process makes, to
recognise pandas objects it may be handed: 0.2 s of every command before it does anything (a
seventh of a run of 10,000 customers, all of it before the workers start). The command line
never hands pyarrow a pandas object, so its first array is made here with pandas hidden;
pyarrow then takes pandas for absent, and still imports it if asked for pandas output
(``Table.to_pandas``, which the command line never asks for).
"""

import sys

import pyarrow as pa


class _NoPandas:
    """An import finder (``sys.meta_path``) that fails every import of pandas, as if it were
    not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        """Raise ImportError for pandas and its modules; leave the others to the next finder."""
        if name.partition(".")[0] == "pandas":
            raise ImportError("pandas is hidden while the first Arrow array is made")
        return None


def make_the_first_array_without_pandas() -> None:
    """Make this process's first Arrow array while pandas cannot be imported (nothing to do
    once pandas is imported)."""
    if "pandas" in sys.modules:
        return
    hidden = _NoPandas()
    sys.meta_path.insert(0, hidden)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(hidden)


make_the_first_array_without_pandas()
