"""Which dataset a form offers first."""

from generator_app.models import Dataset

# Real data first, MNIST before letters (the quickest to train and to judge).
PREFERRED_FORMATS = ("mnist", "emnist-pool-cased", "emnist-pool", "emnist-letters")


def default_training_dataset():
    """The dataset the New training run form selects: a real imported one, else any imported one, else None."""
    for source_format in PREFERRED_FORMATS:
        dataset = Dataset.objects.filter(source_format=source_format).order_by("created_at", "pk").first()
        if dataset is not None:
            return dataset
    return Dataset.objects.exclude(source_format="").order_by("created_at", "pk").first()
