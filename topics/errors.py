"""User-facing error types. Every message says where (file, line, key) and what to do.

The CLI catches :class:`TopicsError` and prints its message without a traceback; anything
else reaching the CLI is a bug in this package.
"""

from __future__ import annotations

from pathlib import Path


class TopicsError(Exception):
    """Base class for errors a user can fix (bad input, bad config)."""


class InputFileError(TopicsError):
    """A raw input file cannot be used.

    The message has the shape ``path[:line]: what is wrong — what to do``.
    """

    def __init__(self, path: str | Path, problem: str, advice: str, line: int | None = None):
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem} — {advice}")


class ConfigError(TopicsError):
    """A configuration value is unknown or invalid; names the key, value and allowed values."""


class ReproductionError(TopicsError):
    """A run directory cannot be reproduced (missing manifest, changed inputs)."""


class EngineError(TopicsError):
    """A model engine's own process failed (killed, out of memory, a library error); names the cause."""
