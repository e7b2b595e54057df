"""Exceptions that the CLI maps to exit codes."""


class GensampleError(Exception):
    """Base of every error gensample reports to its user."""

    exit_code = 1


class BadInputError(GensampleError):
    """Bad settings, tracer file, archive file or argument: exit code 2, nothing written."""

    exit_code = 2


class RunError(GensampleError):
    """A run (or publish) that failed for a reason outside the input: exit code 1."""

    exit_code = 1


EXCERPT_CHARS = 40
"""Most characters of a file's content a message quotes: files may be anyone's (a drop folder)."""


def excerpt(value: str) -> str:
    """``value`` quoted and escaped for a message, cut after ``EXCERPT_CHARS`` characters."""
    return repr(value[:EXCERPT_CHARS]) + ("..." if len(value) > EXCERPT_CHARS else "")


def one_line(error: Exception) -> str:
    """``error``'s message on one line (a library's may span several: a log line is one)."""
    return " ".join(str(error).split())
