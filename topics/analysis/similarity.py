"""Which speeches resemble each other? Jensen–Shannon distances between topic mixtures, and clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import jensenshannon, squareform

from .theta import speech_topics_run

__all__ = ["Clustering", "cluster_speeches", "speech_distances", "speech_distances_run"]


def speech_distances(theta: np.ndarray, doc_ids=None) -> pd.DataFrame:
    """Jensen–Shannon distance between every pair of speeches' topic proportions.

    Uses :func:`scipy.spatial.distance.jensenshannon` with ``base=2``, so distances lie in
    [0, 1]: 0 for identical mixtures, 1 for mixtures with no topic in common (Lin 1991,
    "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37(1);
    Endres & Schindelin 2003 for the square root being a metric).

    Parameters
    ----------
    theta : (n_speeches, K) speech proportions (rows sum to 1).
    doc_ids : row and column labels (default 0…n-1).
    """
    p = np.asarray(theta, dtype=float)
    n = len(p)
    out = np.empty((n, n))
    block = max(1, int(4e6 // max(n * p.shape[1], 1)))  # bound the (block, n, K) temporary
    for start in range(0, n, block):
        out[start:start + block] = jensenshannon(p[start:start + block, None, :], p[None, :, :], axis=2, base=2)
    out = np.nan_to_num(out, nan=0.0)  # all-zero rows give 0/0
    np.fill_diagonal(out, 0.0)
    labels = list(doc_ids) if doc_ids is not None else list(range(n))
    return pd.DataFrame(out, index=labels, columns=labels)


@dataclass(frozen=True)
class Clustering:
    """Hierarchical clustering of speeches: scipy ``linkage`` matrix and leaf order."""

    linkage: np.ndarray
    order: np.ndarray       # row positions in dendrogram order
    doc_ids: list


def cluster_speeches(distances: pd.DataFrame, method: str = "average") -> Clustering:
    """Agglomerative clustering (UPGMA by default: Sokal & Michener 1958) on a distance table.

    ``optimal_ordering`` (Bar-Joseph et al. 2001) orders leaves so that neighbours are similar,
    which makes the heatmap readable; it does not change the tree.
    """
    condensed = squareform(distances.to_numpy(), checks=False)
    tree = linkage(condensed, method=method, optimal_ordering=len(distances) > 2)
    return Clustering(linkage=tree, order=leaves_list(tree), doc_ids=list(distances.index))


def speech_distances_run(run) -> pd.DataFrame:
    """:func:`speech_distances` between the speeches of a run."""
    table = speech_topics_run(run)
    return speech_distances(table[[c for c in table if c.startswith("topic_")]].to_numpy(), table["doc_id"])
