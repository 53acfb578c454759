"""topics: topic modelling of Chinese policy speeches.

Pipeline (one module per stage, see docs/ARCHITECTURE.md):
ingest -> boilerplate -> segment -> repair -> metadata -> dedup -> tokenize -> corpus
-> model -> evaluate -> experiment -> compare -> plots / ldavis / report
"""

__version__ = "0.1.0"
