"""Crash points, for the tests that kill a real run at chosen moments.

With the environment variable ``_GENSAMPLE_CRASH_AT`` set to a point's name, the run kills
itself there with SIGKILL, as a power cut or the OOM killer would. Unset, a point does nothing.
"""

import os
import signal

CRASH_AT = "_GENSAMPLE_CRASH_AT"
POINTS = (
    "staged",
    "manifest-written",
    "committed",
    "tracer-consumed",
    "state-saved",
    "archived",
    "current-staged",
)


def crash_point(name: str) -> None:
    """Die here with SIGKILL if the environment asks for a crash at ``name``."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
