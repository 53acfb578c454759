"""Small numpy helpers used on hot paths.

``np.unique`` of numpy 2.3+ goes through a hash table before sorting; on the short integer
arrays the build and the coherence counts make (one per speech or document) it costs 20–35×
a plain sort (1.7 ms vs 0.05 ms for 6,000 values, 160 µs vs 5 µs for 10, numpy 2.4 here).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_unique"]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array in ascending order: ``np.unique(values)``, by sorting.

    Examples
    --------
    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(np.asarray(values).ravel())
    if ordered.size < 2:
        return ordered
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
