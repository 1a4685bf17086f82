"""Admin pages for every model, one module per concern."""

from . import datasets, generations, generators, runs, sweeps  # noqa: F401  (registers the ModelAdmins)
