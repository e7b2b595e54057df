"""A Dask worker preload (``--preload``): the worker runs another version of gensample, as one
installed with another release would."""

import gensample.version

gensample.version.__version__ = "0.0.1"
