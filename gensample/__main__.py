"""Allow ``python -m gensample``, without importing modules from the current directory.

``python -m`` puts the current directory first on ``sys.path``, and cron runs the job from its run
directory, where testers drop files: a stray ``csv.py`` there would be imported in place of the
standard library's and run as the job's user. Only ``gensample`` itself (whose ``__init__``
imports nothing) is loaded before this module drops that entry, so nothing else can come from
there. ``python -P -m gensample`` and the ``gensample`` command never add it.
"""

import os
import sys


def _drop_current_directory() -> None:
    """Remove '' and the current directory from ``sys.path``."""
    here = os.getcwd()
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", here)]


_drop_current_directory()

from gensample.launch import entry  # noqa: E402  (only once the path is safe)

entry()
