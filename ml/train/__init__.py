"""The one training loop for every architecture, its config, checkpoints and sinks.

``ml.train.config`` is pure Python (no Keras) so the web process can validate
hyperparameters in forms; everything else here imports Keras lazily.
"""
