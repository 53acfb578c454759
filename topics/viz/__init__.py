"""Figures (:mod:`.figures`, Chinese fonts from :mod:`.fonts`) and the offline LDAvis page (:mod:`.ldavis`)."""
