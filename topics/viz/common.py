"""What every figure shares: a ``Figure`` with the Chinese font, byte-reproducible saving, colours,
panel grids without empty panels, year ticks, and the warning line of a figure."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..common.fileio import atomic_path
from .fonts import use_chinese_font

__all__ = ["ACCENT", "WARNING_COLOUR", "YEAR_SOURCE_COLOURS", "figure", "panel_grid", "save_figure", "shorten",
           "source_legend", "source_strip", "warn", "year_ticks"]

# How a speech's year was established; stronger evidence gets the stronger colour.
YEAR_SOURCE_COLOURS = {"explicit": "#1b7837", "implied": "#7fbf7b", "metadata": "#4393c3", "filename": "#92c5de",
                       "anonymized": "#f1a340", "unknown": "#bababa"}
ACCENT = "#b2182b"
WARNING_COLOUR = "#b35806"


def figure(width: float, height: float) -> Figure:
    """A constrained-layout ``Figure`` (not pyplot: nothing is shown twice in a notebook)."""
    use_chinese_font()
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Figure, path_without_suffix: str | Path, dpi: int = 200) -> dict[str, Path]:
    """Write ``fig`` to ``<path>.png`` (``dpi``) and ``<path>.svg``; return both paths.

    Files are written atomically; the SVG carries no date and a fixed id salt, so the same
    figure gives the same bytes on every run.
    """
    base = Path(path_without_suffix)
    out = {}
    with mpl.rc_context({"svg.hashsalt": "topics", "svg.fonttype": "path"}):
        for fmt in ("png", "svg"):
            target = base.with_name(base.name + f".{fmt}")
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
            out[fmt] = target
    return out


def panel_grid(fig: Figure, n: int, ncols: int, **kwargs) -> np.ndarray:
    """``n`` panels in rows of at most ``ncols``; cells of the last row beyond ``n`` are removed,
    so no empty panel is drawn (three topics make one row of three, not four)."""
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, **kwargs)).ravel()
    for ax in axes[n:]:
        ax.remove()
    return axes[:n]


def grid_shape(n: int, ncols: int) -> tuple[int, int]:
    """(rows, columns) of :func:`panel_grid`."""
    ncols = max(1, min(ncols, n))
    return int(np.ceil(n / ncols)), ncols


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_title(text: str, width_inches: float, fontsize: float) -> str:
    """``text`` broken at spaces into lines that fit ``width_inches`` at ``fontsize`` (a constrained
    layout does not shrink a suptitle: a line wider than the figure is cut at both edges).
    Widths are estimated: a CJK character 1 em, anything else 0.55 em."""
    room = 0.95 * width_inches * 72 / fontsize  # ems per line

    def ems(part: str) -> float:
        return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in part)

    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if line and ems(f"{line} {word}") > room:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "\n".join(lines)


def spread_labels(values, gap: float, low: float | None = None) -> np.ndarray:
    """Positions for labels at ``values`` (same order): each as close to its value as it can be,
    at least ``gap`` from its neighbours, none below ``low``. Labels that would overlap are set as
    a group centred on their values (pool-adjacent-violators on the sorted values)."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    groups: list[list] = []  # [first index into order, size, base position]
    for i, value in enumerate(values[order]):
        groups.append([i, 1, value])
        while len(groups) > 1 and groups[-2][2] + groups[-2][1] * gap > groups[-1][2]:
            last = groups.pop()
            first, size, _ = groups[-1]
            size += last[1]
            targets = values[order[first:first + size]]
            groups[-1] = [first, size, float(targets.mean() - gap * (size - 1) / 2)]
    positions = np.empty(len(values))
    floor = -np.inf if low is None else low
    for first, size, base in groups:
        base = max(base, floor)  # pushed up off the floor, and everything above with it
        positions[order[first:first + size]] = base + gap * np.arange(size)
        floor = base + gap * size
    return positions


def year_ticks(first: int, last: int, most: int = 12) -> list[int]:
    """At most ~``most`` round years (1, 2, 5, 10, 20 or 50 apart) from ``first`` to ``last``."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (last - first) / s <= most)
    ticks = [t for t in range(first - first % step, last + 1, step) if t >= first]
    return ticks or [first]


def warn(fig: Figure, text: str | None, title: str) -> None:
    """The figure's title, and under it the warning ``text`` (if any) in the warning colour, both
    broken into lines that fit the figure's width."""
    if text:
        fig.suptitle(fit_title(f"{title}\n⚠ {text}", fig.get_figwidth(), 10), fontsize=10, color=WARNING_COLOUR)
    else:
        fig.suptitle(fit_title(title, fig.get_figwidth(), 10), fontsize=10)


def source_strip(ax, sources) -> None:
    """A column of colours, one per row: how each speech's year is known."""
    colours = [mpl.colors.to_rgb(YEAR_SOURCE_COLOURS.get(s, "#000000")) for s in sources]
    ax.imshow(np.array(colours)[:, None, :], aspect="auto", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def source_legend(fig: Figure, sources) -> None:
    present = [s for s in YEAR_SOURCE_COLOURS if s in set(sources)]
    handles = [Patch(color=YEAR_SOURCE_COLOURS[s], label=s) for s in present]
    fig.legend(handles=handles, title="year source", loc="outside lower center", ncols=max(1, len(handles)),
               fontsize=8, title_fontsize=8, frameon=False)
