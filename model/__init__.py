"""The genre CNN: network, training, evaluation and the slice embedder used by the app."""
