"""Evaluation: scores of fitted models (coherence, diversity, exclusivity, stability) and the K selection rule."""
