"""Generation-quality metrics: evaluator classifiers, IS/BCIS/WCIS, FID, conditioning accuracy.

Pure metric functions live in ``core`` (numpy only); ``evaluator`` loads the
shipped classifiers; ``scoring`` turns images + requested labels into the metric
dict; ``epoch`` is the trainer's cheap per-epoch hook; ``report`` is the full
evaluation behind ``python -m ml.evaluate``. See README.md for formulas and sources.
"""
