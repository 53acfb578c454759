"""topics: topic modelling of Chinese policy speeches.

The package tree is the pipeline (see docs/ARCHITECTURE.md):

    build/       raw files → a clean, speech-level corpus (topics.corpus is what it writes)
    models/      topic-model engines behind one interface
    evaluate/    coherence, diversity, exclusivity, stability; the K selection rule
    experiment/  settings, the sweep, the run folder, reproduce
    analysis/    speeches and years: prevalence, effects, similarity, passages, labels, audit
    viz/         figures and the LDAvis page
    report/      report.md
    config, executor, common, errors, cli

The four places where the toolkit grows: the reader registry (topics.build.readers), the
topic-model interface (topics.models), the coherence-measure registry (topics.evaluate.coherence)
and the executor shared by build and sweep (topics.executor).
"""

__version__ = "0.1.0"
