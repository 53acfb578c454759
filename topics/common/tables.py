"""Text for people: one-line excerpts and GitHub Markdown tables (build report, run report, notebooks)."""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["clip", "markdown_cell", "markdown_rows", "markdown_table"]


def clip(text: Any, width: int = 60) -> str:
    """One-line excerpt: whitespace collapsed, cut to ``width`` characters with an ellipsis.

    >>> clip("人口和计划生育工作", 6)
    '人口和计划…'
    >>> clip("同志们：\\n  今天", 20)
    '同志们： 今天'
    >>> clip(None)
    ''
    """
    if text is None or (isinstance(text, float) and text != text):  # None or NaN
        return ""
    try:
        import pandas as pd

        if not isinstance(text, str) and pd.isna(text):
            return ""
    except (ImportError, TypeError, ValueError):
        pass
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown_cell(value: Any, floats: str = "{:.4f}") -> str:
    """A value as a Markdown table cell: blanks for missing values, ``|`` escaped, one line."""
    kind = type(value)
    if kind is str:  # most cells (a build report has ~40,000): skip the checks below
        return value.replace("|", "\\|").replace("\n", " ")
    if kind is int or kind is bool:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return floats.format(value)
    try:
        import numpy as np

        if isinstance(value, np.floating):
            return "" if np.isnan(value) else floats.format(float(value))
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(value, (str, list, tuple, dict)):
        try:
            import pandas as pd

            if pd.isna(value):
                return ""
        except (ImportError, TypeError, ValueError):
            pass
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_rows(headers: Sequence[Any], rows: Sequence[Sequence[Any]], floats: str = "{:.4f}") -> list[str]:
    """Lines of a GitHub Markdown table."""
    lines = ["| " + " | ".join(str(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(markdown_cell(v, floats) for v in row) + " |" for row in rows]
    return lines


def markdown_table(frame, floats: str = "{:.4f}") -> list[str]:
    """Lines of a GitHub Markdown table for a DataFrame (index left out)."""
    return markdown_rows(list(frame.columns), list(frame.itertuples(index=False)), floats)
