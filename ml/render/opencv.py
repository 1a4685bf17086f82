"""OpenCV for the renderer: imported on first use, and run on the calling thread only.

Why single-threaded: the renderer calls OpenCV thousands of times per page on
glyph-sized images, inside a worker whose TensorFlow already keeps both cores
busy. OpenCV's own thread pool then costs more in hand-offs than it saves (the
README's latency section has the figures). Why lazy: the web process imports
``ml.render`` for its options and never draws, so it never loads OpenCV.
"""

from __future__ import annotations

import functools


@functools.cache
def cv2():
    """The ``cv2`` module, set to one thread the first time it is asked for."""
    import cv2 as module

    module.setNumThreads(1)
    return module
