"""MFCC-statistics baseline: 20 MFCCs from the same log-mel frames, mean and standard deviation over time."""
from __future__ import annotations

import numpy as np

N_MFCC = 20


def mfcc_stats(frames: np.ndarray) -> np.ndarray:
    """(frames, mels) log-mel dB -> 2*N_MFCC vector of MFCC means and standard deviations."""
    import librosa

    mfcc = librosa.feature.mfcc(S=np.asarray(frames, dtype=np.float32).T, n_mfcc=N_MFCC)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)]).astype(np.float32)


def fit_classifier(features: np.ndarray, labels: np.ndarray):
    """Standardised logistic regression on MFCC statistics, classes weighted by inverse frequency."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, class_weight="balanced", C=1.0)).fit(
        features, labels)
