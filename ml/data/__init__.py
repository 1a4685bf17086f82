"""Character datasets: strict readers, the charset, and the training batch pipeline.

Importing this package never imports TensorFlow, so the web process may use
the readers and the charset.

- ``idx``, ``sources``: the real MNIST/EMNIST files (official layouts, the letters pool)
  and ``LOADERS``, the names a training config's ``dataset`` may take.
- ``download``: the official archives into var/datasets, resumable, verified.
- ``archive``, ``normalise``, ``folders``, ``fonts``, ``augment``: folders and ZIPs of
  pictures (a user's handwriting, notMNIST) and font files, made MNIST-like.
- ``importers``, ``stored``: what registering a dataset reads, and the checksummed
  folder an imported dataset is kept in (loader "imported").
- ``splits``, ``union``, ``pipeline``: train/test splits, unions of datasets, batches.
- ``report``, ``preview``: class balance and a montage per class, for people.
"""

from ml.data.charset import Charset
from ml.data.errors import DatasetError

__all__ = ["Charset", "DatasetError"]
