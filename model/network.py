"""The 1-D CNN: time is the convolution axis, mel bands are channels.

Outputs, by name: the slice embedding (the penultimate layer, what the app searches), and three heads on it: the
teacher's 50 tags (sigmoid), GTZAN's genres (softmax) and the teacher's penultimate features (linear, training only).
"""
from __future__ import annotations

from dataclasses import dataclass

from likewise.model.tfsetup import import_tf

EMBEDDING_LAYER = "embedding"
GENRE_LAYER = "genre"
TAG_LAYER = "tags"
FEATURE_LAYER = "features"


@dataclass(frozen=True)
class NetConfig:
    """Shape of the network."""

    filters: tuple[int, ...] = (64, 128, 256)
    kernel: int = 5
    hidden: int = 256
    embedding_dim: int = 128
    dropout: float = 0.1  # 0.3 before run X1 (model card)
    weight_decay: float = 1e-4


def build_network(config: NetConfig, n_mels: int, slice_frames: int, n_genres: int, n_tags: int, n_features: int):
    """Keras model mapping (batch, frames, mels) normalised slices to a dict of embedding, tags, genre, features."""
    import_tf()
    import keras
    from keras import layers

    reg = keras.regularizers.l2(config.weight_decay) if config.weight_decay else None
    inputs = keras.Input(shape=(slice_frames, n_mels), name="slices")
    x = inputs
    for index, filters in enumerate(config.filters):
        x = layers.Conv1D(filters, config.kernel, padding="same", use_bias=False, kernel_regularizer=reg,
                          name=f"conv{index + 1}")(x)
        x = layers.BatchNormalization(name=f"bn{index + 1}")(x)
        x = layers.Activation("relu", name=f"relu{index + 1}")(x)
        x = layers.MaxPooling1D(2, name=f"pool{index + 1}")(x)
    x = layers.Concatenate(name="global_pool")([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    x = layers.Dropout(config.dropout, name="drop1")(x)
    x = layers.Dense(config.hidden, activation="relu", kernel_regularizer=reg, name="hidden")(x)
    x = layers.Dropout(config.dropout, name="drop2")(x)
    embedding = layers.Dense(config.embedding_dim, kernel_regularizer=reg, name=EMBEDDING_LAYER)(x)
    x = layers.Dropout(config.dropout, name="drop3")(layers.Activation("relu", name="relu_embedding")(embedding))
    outputs = {
        EMBEDDING_LAYER: embedding,
        TAG_LAYER: layers.Dense(n_tags, activation="sigmoid", name=TAG_LAYER)(x),
        GENRE_LAYER: layers.Dense(n_genres, activation="softmax", name=GENRE_LAYER)(x),
        FEATURE_LAYER: layers.Dense(n_features, name=FEATURE_LAYER)(x),
    }
    return keras.Model(inputs, outputs, name="cnn1d")
