"""Synthetic training sets drawn by a generator: plan the class counts, draw, write, read back.

``plan`` and ``files`` need numpy (and Pillow for PNGs) only, so the web process may
import them to validate a request or read a manifest; ``draw`` and ``build`` run a model
and belong in workers and CLIs.
"""
