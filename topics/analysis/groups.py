"""Groups of speeches: by year (with the undated kept as their own groups), genre or level.

Speeches whose year is unknown or anonymized are never dropped: they form the groups
``"unknown"`` and ``"anonymized"``, kept apart because the two may differ systematically.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["NO_YEAR_GROUPS", "group_labels", "group_order", "source_mix", "year_groups"]

NO_YEAR_GROUPS = ("anonymized", "unknown")


def year_groups(speeches: pd.DataFrame) -> pd.Series:
    """Year group of each speech: ``"2005"`` when the year is known, else ``"anonymized"`` or ``"unknown"``.

    A speech whose year was hidden as ``20xx`` (``year_source == "anonymized"``) is kept apart
    from one whose year simply could not be found, because the two may differ systematically.
    """
    labels = []
    for year, source in zip(speeches["year"], speeches["year_source"]):
        if not pd.isna(year):
            labels.append(str(int(year)))
        elif source == "anonymized":
            labels.append("anonymized")
        else:
            labels.append("unknown")
    return pd.Series(labels, index=speeches.index, name="year_group", dtype="string")


def group_order(labels) -> list[str]:
    """Display order of group labels: numbers (years) ascending, then words, ``unknown`` last."""
    labels = list(dict.fromkeys(str(x) for x in labels))
    years = sorted((x for x in labels if x.isdigit()), key=int)
    words = sorted(x for x in labels if not x.isdigit() and x not in NO_YEAR_GROUPS)
    return years + words + [x for x in NO_YEAR_GROUPS if x in labels]


def group_labels(speeches: pd.DataFrame, by: str) -> pd.Series:
    if by in ("year", "year_group"):
        return year_groups(speeches)
    if by not in speeches:
        raise KeyError(f"speeches has no column {by!r}; choose one of {list(speeches.columns)}")
    return speeches[by].astype("string").fillna("unknown")


def source_mix(sources: pd.Series) -> str:
    """``"explicit 12; implied 3"`` — how the years in a group were established."""
    counts = sources.fillna("unknown").value_counts()
    return "; ".join(f"{name} {counts[name]}" for name in sorted(counts.index))
