"""Importing TensorFlow quietly, with a fixed small thread pool (the app and training share a few CPU cores)."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

_CONFIGURED = False


@contextlib.contextmanager
def native_stderr_silenced():
    """Mute fd 2 meanwhile: TF 2.21 prints absl/oneDNN notices from C++ at import, LiteRT at its first run."""
    if sys.stderr is None:  # started without stderr (`2>&-`, a GUI launcher): fd 2 is no stderr, leave it be
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def keras_home() -> Path:
    """Where Keras keeps keras.json: inside likewise's data folder, not ~/.keras."""
    from likewise.audio.userdata import data_dir

    return data_dir() / "keras"


def import_tf(threads: int = 2):
    """Import and return tensorflow, silencing its log spam and limiting its thread pools on first call."""
    global _CONFIGURED
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("KERAS_HOME", str(keras_home()))
    if "tensorflow" not in sys.modules:
        with native_stderr_silenced():
            import tensorflow  # noqa: F401
            import keras  # noqa: F401
    import tensorflow as tf

    if not _CONFIGURED:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # already initialised by someone else in this process: keep their setting
            pass
        tf.get_logger().setLevel("ERROR")
        _CONFIGURED = True
    return tf
