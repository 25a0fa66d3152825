"""Deterministic demo data (江州市) for ``flask --app app seed-demo``."""
