"""Reads that need more than ``.get()``: list pages, filters, per-user views."""
