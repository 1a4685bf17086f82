"""The one training loop for every architecture, its config, checkpoints and sinks.

``ml.train.schema`` and ``ml.train.config`` are pure Python (no Keras) so the web
process can build its forms from the options and validate a run before it is queued;
everything else here imports Keras lazily.
"""
