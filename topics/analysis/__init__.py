"""Analysis: the researcher's questions about a finished run, in R stm's vocabulary.

* How much of each speech is each topic?               :func:`speech_topics` (:mod:`.theta`)
* How does prevalence differ by year / genre / level?  :func:`topic_prevalence` (:mod:`.prevalence`)
* Does prevalence change with year, all else equal?    :func:`estimate_effect`, :func:`year_effects`,
  :func:`contrasts`, :func:`level_effects` (:mod:`.effects`; the design: :mod:`.design`);
  a run's tables as its ``[effects]`` asks: :func:`effects_run` (:mod:`.effect_tables`)
* Which speeches resemble each other?                  :func:`speech_distances`, :func:`cluster_speeches`
* Which passages typify a topic?                       :func:`find_thoughts` (:mod:`.passages`)
* What is each topic about?                            :func:`label_topics`, :func:`topic_labels` (:mod:`.labels`)
* Do the topics come back with other seeds?            :func:`topic_stability` (:mod:`.stability`)
* What did the builder find and fix?                   :mod:`.audit`

Every function takes plain arrays and DataFrames (unit-level θ or posterior Dirichlet parameters,
the ``units`` table in model order, the ``speeches`` table); the ``*_run`` functions take a
:class:`topics.experiment.RunResult`. Speeches whose year is unknown or anonymized are never
dropped: they form the groups ``"unknown"`` and ``"anonymized"``, and ``year_source`` is a column
of every table. Randomness comes only from a seeded :class:`numpy.random.Generator`. Nothing
here imports the builder: the built corpus (:mod:`topics.corpus`) is the whole interface.
"""

from __future__ import annotations

from .design import Design, build_design
from .effect_tables import EffectsResult, effects_from, effects_run
from .effects import EffectEstimate, contrasts, estimate_effect, level_effects, predict, year_effects
from .groups import NO_YEAR_GROUPS, group_order, year_groups
from .labels import label_topics, label_topics_run, topic_labels
from .passages import find_thoughts, find_thoughts_run, unit_texts
from .prevalence import topic_prevalence, topic_prevalence_run
from .similarity import Clustering, cluster_speeches, speech_distances, speech_distances_run
from .stability import topic_stability
from .theta import aggregation_matrix, run_unit_theta, speech_proportions, speech_topics, speech_topics_run, unit_theta

__all__ = [
    "NO_YEAR_GROUPS", "Clustering", "Design", "EffectEstimate", "EffectsResult", "aggregation_matrix", "build_design",
    "cluster_speeches", "contrasts", "effects_from", "effects_run", "estimate_effect", "find_thoughts",
    "find_thoughts_run", "group_order", "label_topics", "label_topics_run", "level_effects", "predict",
    "run_unit_theta", "speech_distances", "speech_distances_run", "speech_proportions", "speech_topics",
    "speech_topics_run", "topic_labels", "topic_prevalence", "topic_prevalence_run", "topic_stability",
    "unit_texts", "unit_theta", "year_effects", "year_groups",
]
