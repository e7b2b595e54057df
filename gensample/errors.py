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
