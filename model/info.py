"""What a shipped model is: its id, feature parameters, tags and embedding size, read from model.json (no TensorFlow)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from likewise.audio.features import FeatureParams

MODEL_JSON = "model.json"
WEIGHTS_FILE = "model.keras"  # what training saves; the app runs TFLITE_FILE, converted from it
TFLITE_FILE = "model.tflite"
ARRAYS_FILE = "model.npz"  # input normalisation and embedding projection


@dataclass
class ModelInfo:
    """Metadata of a trained model, enough for the library store to know what produced its vectors."""

    model_id: str
    params: FeatureParams
    tags: list[str]  # what the tag head's outputs mean, in order
    embedding_dim: int
    model_dir: Path


def default_model_dir() -> Path:
    """The model shipped with the app: <repo>/assets/model."""
    return Path(__file__).resolve().parent.parent / "assets" / "model"


def read_model_info(model_dir: Path | None = None) -> ModelInfo:
    """Read model.json of a model directory (default: the shipped model)."""
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    meta = json.loads((model_dir / MODEL_JSON).read_text())
    return ModelInfo(
        model_id=meta["model_id"],
        params=FeatureParams.from_dict(meta["params"]),
        tags=list(meta["tags"]),
        embedding_dim=int(meta["embedding_dim"]),
        model_dir=model_dir,
    )


def top_tags(probabilities, tags: list[str], count: int = 3, floor: float = 0.1) -> list[tuple[str, float]]:
    """The `count` likeliest tags with their probability, leaving out any below `floor`."""
    order = sorted(range(len(tags)), key=lambda i: -float(probabilities[i]))[:count]
    return [(tags[i], float(probabilities[i])) for i in order if float(probabilities[i]) >= floor]


def format_tags(top: list[tuple[str, float]]) -> str:
    """Tags with their probability as a person reads them: "electronic 72%, dance 41%"."""
    return ", ".join(f"{tag} {p:.0%}" for tag, p in top)


def describe_tags(probabilities, tags: list[str]) -> str:
    """A song's top tags as a person reads them: "electronic 72%, dance 41%"."""
    return format_tags(top_tags(probabilities, tags))
