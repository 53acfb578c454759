"""Helpers every stage uses, written once: atomic files and folders, hashing, Markdown tables,
text clipping, topic matching."""
