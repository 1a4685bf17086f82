"""Writes: each function is one operation, with keyword-only arguments, ``full_clean()``
before saving and one transaction."""
