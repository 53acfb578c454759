"""What a build saw and did, collected as it runs; becomes ``report.md`` / ``report.json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BuildLog"]


@dataclass
class BuildLog:
    """The build's record: inputs, skipped files, removals, repairs, duplicates, notes, timings, cache use."""

    inputs: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    removals: list[dict[str, Any]] = field(default_factory=list)
    structure: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=lambda: {"files_cached": 0, "files_read": 0, "hits": 0, "misses": 0})
    execution: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)

    _STAGE1 = ("inputs", "skipped", "removals", "structure", "repairs", "duplicates", "overrides", "notes")

    def stage1_state(self) -> dict[str, Any]:
        """What stage 1 logged, to keep with the token store."""
        return {name: list(getattr(self, name)) for name in self._STAGE1}

    def restore(self, state: dict[str, Any]) -> None:
        """Take over what stage 1 logged (when the token store comes from the cache, or was just built)."""
        for name in self._STAGE1:
            setattr(self, name, list(state.get(name, [])))
