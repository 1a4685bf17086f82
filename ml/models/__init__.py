"""GAN architectures. ``catalog`` (pure Python) names them; ``registry`` builds them with Keras."""
