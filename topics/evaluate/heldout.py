"""The held-out design of a sweep: whole speeches left out of training, to score held-out perplexity."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["heldout_split"]


def heldout_split(doc_ids: Sequence[str], fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of held-out units: whole speeches, drawn with ``RandomState(seed)``.

    Speeches (not single chunks) are held out so that no paragraph of a held-out speech is seen
    in training. Speeches are taken in a seeded random order until at least ``fraction`` of the
    units are held out; at least one speech always stays in training, and a corpus of a single
    speech gets no held-out part.

    >>> heldout_split(["a#0", "a#0", "b#0", "c#0"], 0.25, seed=0).tolist()
    [False, False, False, True]
    """
    doc_ids = np.asarray([str(d) for d in doc_ids])
    mask = np.zeros(len(doc_ids), dtype=bool)
    speeches = list(dict.fromkeys(doc_ids))
    if fraction <= 0 or len(speeches) < 2:
        return mask
    target = fraction * len(doc_ids)
    for index in np.random.RandomState(seed).permutation(len(speeches))[: len(speeches) - 1]:
        if mask.sum() >= target:
            break
        mask |= doc_ids == speeches[index]
    return mask
