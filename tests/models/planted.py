"""A synthetic corpus with planted topics, shared by the engine and seed-word tests.

Topic ``j`` puts its mass on its own block of words (weights ~ Dirichlet(1)); each document draws
θ ~ Dirichlet(0.3), then each token's topic from θ and its word from that topic (LDA's generative
process), so the right answer is known: each learned topic should be one block.
"""

from __future__ import annotations

import numpy as np
from gensim.corpora import Dictionary
from scipy.optimize import linear_sum_assignment


class Planted:
    """``phi`` (K × V over ``vocab``), the documents, and their bag of words over ``words``."""

    def __init__(self, seed: int = 0, k: int = 4, block: int = 20, n_docs: int = 400, length: int = 60):
        rng = np.random.RandomState(seed)
        self.vocab = [f"w{i:02d}" for i in range(k * block)]
        self.phi = np.zeros((k, len(self.vocab)))
        for j in range(k):
            self.phi[j, j * block:(j + 1) * block] = rng.dirichlet(np.ones(block))
        self.docs = []
        for _ in range(n_docs):
            z = rng.choice(k, size=length, p=rng.dirichlet(np.full(k, 0.3)))
            self.docs.append([self.vocab[rng.choice(len(self.vocab), p=self.phi[j])] for j in z])
        self.dictionary = Dictionary(self.docs)
        self.words = [self.dictionary[i] for i in range(len(self.dictionary))]
        self.bow = [self.dictionary.doc2bow(doc) for doc in self.docs]

    def top_block_words(self, topic: int, n: int) -> list[str]:
        """The ``n`` most probable words of planted topic ``topic``."""
        return [self.vocab[i] for i in np.argsort(-self.phi[topic], kind="stable")[:n]]

    def cosines(self, learned: np.ndarray) -> np.ndarray:
        """Cosine of every planted topic (rows) with every learned topic (columns)."""
        aligned = np.zeros((learned.shape[0], len(self.vocab)))
        for word_id, word in enumerate(self.words):
            aligned[:, self.vocab.index(word)] = learned[:, word_id]
        return (self.phi @ aligned.T) / np.outer(np.linalg.norm(self.phi, axis=1), np.linalg.norm(aligned, axis=1))

    def matched_cosines(self, learned: np.ndarray) -> np.ndarray:
        """Cosine of each planted topic with the learned topic the Hungarian method pairs it with."""
        cosine = self.cosines(learned)
        rows, cols = linear_sum_assignment(cosine, maximize=True)
        return cosine[rows, cols]
