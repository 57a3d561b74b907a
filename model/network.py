"""The 1-D CNN: time is the convolution axis, mel bands are channels; outputs (slice embedding, genre probabilities)."""
from __future__ import annotations

from dataclasses import dataclass

from model.tfsetup import import_tf

EMBEDDING_LAYER = "embedding"
CLASSIFIER_LAYER = "genre"


@dataclass(frozen=True)
class NetConfig:
    """Shape of the network. The defaults of the ancestor were filters (64, 128, 256), dense (256, 128), ReLU."""

    filters: tuple[int, ...] = (64, 128, 256)
    kernel: int = 3
    hidden: int = 256
    embedding_dim: int = 128
    embedding_activation: str | None = "relu"
    dropout: float = 0.5
    pooling: str = "avg"  # "avg" or "avgmax" (concatenated global average and max)
    weight_decay: float = 0.0


def build_network(config: NetConfig, n_mels: int, slice_frames: int, n_genres: int):
    """Keras model mapping (batch, frames, mels) normalised slices to [embedding, genre probabilities]."""
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
    if config.pooling == "avgmax":
        x = layers.Concatenate(name="global_pool")([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    else:
        x = layers.GlobalAveragePooling1D(name="global_pool")(x)
    x = layers.Dropout(config.dropout, name="drop1")(x)
    x = layers.Dense(config.hidden, activation="relu", kernel_regularizer=reg, name="hidden")(x)
    x = layers.Dropout(config.dropout, name="drop2")(x)
    embedding = layers.Dense(config.embedding_dim, activation=config.embedding_activation, kernel_regularizer=reg,
                             name=EMBEDDING_LAYER)(x)
    x = layers.Dropout(config.dropout, name="drop3")(embedding)
    probs = layers.Dense(n_genres, activation="softmax", name=CLASSIFIER_LAYER)(x)
    return keras.Model(inputs, [embedding, probs], name="cnn1d")
