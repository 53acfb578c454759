"""The topic-model interface: what the sweep, the scores, the analysis and the report ask of a model.

Every engine (gensim's variational LDA today; a Gibbs sampler or a dynamic model tomorrow) is a
subclass of :class:`TopicModel` registered in :mod:`topics.models`. Nothing after the fit knows
which engine made a model: the sweep calls :meth:`TopicModel.fit` and saves the result; scoring
reads :meth:`topic_word`; the analysis reads the per-unit posterior (:meth:`unit_posterior`),
whose normalised rows are θ and whose Dirichlet draws carry the model's uncertainty into the
effect estimates (stm's method of composition).

A saved model is a folder of numpy arrays and JSON (never a pickle), so opening a run folder
that someone else wrote cannot run code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ModelConfig

__all__ = ["Bow", "TopicModel"]

#: a bag-of-words corpus: per document, (word id, count) pairs
Bow = Sequence[Sequence[tuple[int, int]]]


class TopicModel(ABC):
    """A fitted topic model with ``k`` topics over a vocabulary of ``n_words`` words.

    Subclasses set :attr:`engine` (the name in ``[model] engine``) and implement every abstract
    method. Fits must be deterministic: the same bag of words, settings, K and seed give the same
    numbers in any process.
    """

    #: the registry name of the engine (``[model] engine``)
    engine: ClassVar[str] = ""

    @classmethod
    @abstractmethod
    def engine_version(cls) -> str:
        """The engine's library version; part of every fit's cache key and of the manifest."""

    @classmethod
    @abstractmethod
    def fit(cls, bow: Bow, vocabulary: Sequence[str], k: int, seed: int, config: "ModelConfig") -> "TopicModel":
        """Fit ``k`` topics on ``bow`` (word ids index ``vocabulary``) with random seed ``seed``."""

    @property
    @abstractmethod
    def k(self) -> int:
        """Number of topics."""

    @abstractmethod
    def topic_word(self) -> np.ndarray:
        """Topic–word distributions φ (K × V, float64, rows sum to 1)."""

    @abstractmethod
    def unit_posterior(self, bow: Bow, seed: int) -> np.ndarray:
        """Dirichlet parameters of each document's topic proportions (documents × K).

        θ of a document is its row normalised to sum to 1; draws of θ are Dirichlet draws.
        Inference starts from ``seed`` so that the result does not depend on earlier calls.
        """

    @abstractmethod
    def heldout_log_perplexity(self, bow: Bow, seed: int) -> float:
        """Per-word log likelihood bound of held-out documents (natural log); ``nan`` without words."""

    @abstractmethod
    def resolved_alpha(self) -> list[float]:
        """The document–topic prior actually used (learned when asked to), for the manifest."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the model into ``folder`` as arrays and JSON (no pickle)."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path) -> "TopicModel":
        """Read a model written by :meth:`save`."""
