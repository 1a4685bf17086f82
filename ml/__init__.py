"""HandGen machine-learning code: data, models, training, metrics and rendering (no Django)."""
