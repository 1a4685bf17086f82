"""Synthetic training sets drawn by a generator: plan the class counts, draw, write, read back.

``plan`` and ``files`` are pure numpy (the web process may import them to validate a
request or read a manifest); only ``draw`` runs a model.
"""
