"""Audio input for likewise: finding files, decoding excerpts, log-mel features and tags."""
