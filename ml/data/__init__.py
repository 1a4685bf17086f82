"""Character datasets: strict readers, the charset, and the training batch pipeline.

Importing this package never imports TensorFlow, so the web process may use
the readers and the charset.
"""

from ml.data.charset import Charset
from ml.data.errors import DatasetError

__all__ = ["Charset", "DatasetError"]
