"""Topic-model engines behind one interface (:class:`topics.models.base.TopicModel`).

The registry maps ``[model] engine`` names to engine classes. Adding an engine is one module
holding a :class:`TopicModel` subclass, plus its line in :data:`ENGINES`.
"""

from __future__ import annotations

from .base import Bow, TopicModel
from .gensim_lda import GensimLda
from .tomotopy_lda import TomotopyLda

#: ``[model] engine`` name → engine class
ENGINES: dict[str, type[TopicModel]] = {GensimLda.engine: GensimLda, TomotopyLda.engine: TomotopyLda}


def engine(name: str) -> type[TopicModel]:
    """The engine class registered as ``name`` (KeyError naming the registered ones otherwise)."""
    try:
        return ENGINES[name]
    except KeyError:
        raise KeyError(f"unknown topic-model engine {name!r}; registered: {', '.join(ENGINES)}") from None


__all__ = ["Bow", "ENGINES", "GensimLda", "TomotopyLda", "TopicModel", "engine"]
