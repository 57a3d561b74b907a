"""The music the student learns from: GTZAN, the 4Q emotion collection, and free music from Debian packages.

Every source gives Clips: a file, its split (train/valid/test, or "none" for train-only material), and what is
known of it (a GTZAN genre, a 4Q quadrant, AllMusic genres, an artist). The audio stays where it is; features
computed from it go only to the gitignored scratch/ cache (GTZAN and 4Q are copyrighted research datasets).
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from likewise.model import gtzan

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")  # Russell: Q1 +valence +arousal, Q2 -/+, Q3 -/-, Q4 +/-
DEBIAN_SUFFIXES = {".ogg", ".mp3", ".flac", ".opus", ".wav"}


@dataclass(frozen=True)
class Clip:
    """One training or evaluation file and what is known of it."""

    key: str  # unique across sources, e.g. "gtzan/blues.00012", "4q/MT0000004637", "debian/asc-music/x.ogg"
    path: Path
    source: str  # "gtzan", "4q" or "debian"
    split: str  # "train", "valid", "test" or "none" (train only)
    genre: int = -1  # GTZAN genre index, -1 where unknown
    quadrant: int = -1  # 4Q quadrant index (0..3), -1 where unknown
    tags: tuple[str, ...] = field(default=())  # AllMusic genres (4Q)
    artist: str = ""
    of: str = ""  # a variant's original clip key ("" for an original)


def gtzan_clips(data_dir: Path) -> list[Clip]:
    """GTZAN with its artist-filtered splits and genre labels."""
    return [Clip(f"gtzan/{c.key}", c.path, "gtzan", c.split, genre=c.label) for c in gtzan.read_clips(data_dir)]


def fourq_clips(data_dir: Path) -> list[Clip]:
    """The 4Q collection with our artist-disjoint split, quadrants, AllMusic genres and artists."""
    data_dir = Path(data_dir).resolve()
    clips = []
    with open(data_dir / "metadata.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            genres = tuple(g.strip() for g in row["GenresStr"].split(";") if g.strip())
            clips.append(Clip(f"4q/{row['Song']}", data_dir / row["path"], "4q", row["split"],
                              quadrant=QUADRANTS.index(row["Quadrant"]), tags=genres, artist=row["Artist"]))
    return clips


def debian_clips(folder: Path) -> list[Clip]:
    """Every audio file below folder (unpacked Debian music packages), train only; the package is the artist."""
    folder = Path(folder).resolve()
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in DEBIAN_SUFFIXES and p.is_file())
    return [Clip(f"debian/{p.relative_to(folder)}", p, "debian", gtzan.NO_SPLIT,
                 artist=p.relative_to(folder).parts[0]) for p in files]


def variant_clip(clip: Clip, speed: float, folder: Path) -> Clip:
    """The copy of a clip at `speed` that tools/teacher/manifest.py --speed writes below folder: same labels, split."""
    name = hashlib.sha256(clip.key.encode()).hexdigest()[:24] + ".wav"
    path = Path(folder).resolve() / f"speed-{speed:g}" / name
    return dataclasses.replace(clip, key=f"{clip.key}@speed-{speed:g}", path=path, of=clip.key)


def variant_clips(clips: list[Clip], folder: Path) -> list[Clip]:
    """Every copy of the clips found below folder (at any speed tools/teacher/manifest.py --speed wrote)."""
    speeds = sorted(float(d.name.removeprefix("speed-")) for d in Path(folder).glob("speed-*") if d.is_dir())
    return [v for speed in speeds for v in (variant_clip(c, speed, folder) for c in clips) if v.path.exists()]
