"""The Python API, for notebooks and test suites: a day's corpus in memory, without a run
directory.

:func:`generate` makes a day from settings (the same values a run writes), :func:`read_day`
reads a written day back, and a :class:`Corpus` holds every dataset and truth table as pyarrow
tables or pandas DataFrames and writes them as a run would. See docs/api.md.
"""

from gensample.api.corpus import Corpus, Truth
from gensample.api.generation import MAX_CUSTOMERS, generate
from gensample.api.reading import read_day

__all__ = ["MAX_CUSTOMERS", "Corpus", "Truth", "generate", "read_day"]
