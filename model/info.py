"""What a shipped model is: its id, feature parameters, tags and embedding size, read from model.json (no TensorFlow)."""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

from likewise.audio.errors import LikewiseError
from likewise.audio.features import DEFAULT_PARAMS, FeatureParams

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
    centre: bool  # whether each input slice is centred before the network (model/prep.py normalise)
    model_dir: Path


NP_LOAD_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)  # np.load's ways to fail on damage


class ModelError(LikewiseError):
    """A model file that is damaged or not what it should be, said in one line."""

    def __init__(self, path: Path, problem: object):
        super().__init__(f"{path} cannot be used ({' '.join(str(problem).split())}): the model is damaged; "
                         "install likewise again, or train it again")


def default_model_dir() -> Path:
    """The model shipped with the app: <repo>/assets/model."""
    return Path(__file__).resolve().parent.parent / "assets" / "model"


def read_model_info(model_dir: Path | None = None) -> ModelInfo:
    """Read model.json of a model directory (default: the shipped model); ModelError when it is damaged or holds a
    value of the wrong kind."""
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    path = model_dir / MODEL_JSON
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        params = _typed(meta, "params", dict)
        for field in fields(FeatureParams):  # those it names: the others keep their defaults
            if field.name in params:
                _typed(params, field.name, type(getattr(DEFAULT_PARAMS, field.name)))
        tags = _typed(meta, "tags", list)
        if not all(isinstance(tag, str) for tag in tags):
            raise ValueError("tags must be text")
        return ModelInfo(model_id=_typed(meta, "model_id", str), params=FeatureParams.from_dict(params), tags=tags,
                         embedding_dim=_typed(meta, "embedding_dim", int), centre=_typed(meta, "centre", bool),
                         model_dir=model_dir)
    except (ValueError, TypeError) as error:  # JSONDecodeError, UnicodeDecodeError; TypeError: an unknown param
        raise ModelError(path, error) from error


def _typed(meta: dict, name: str, kind: type) -> object:
    """meta[name] when it is of `kind` (an int will do for a float, a bool for nothing else); ValueError else."""
    value = meta.get(name)
    kinds = (int, float) if kind is float else kind
    if not isinstance(value, kinds) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{name} must be {kind.__name__}, not {value!r}")
    return value


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
