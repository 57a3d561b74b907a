#!/usr/bin/env python3
"""Regenerate the bundled "likewise" demo library (``assets/demo/``).

The demo library is a set of short *excerpts* of two freely licensed video game
soundtracks that Debian ships as ``Architecture: all`` packages:

* ``singularity-music`` -- music for *Endgame: Singularity* by Max McCracken
  ("Maxstack"), CC BY-SA 3.0.
* ``hyperrogue-music`` -- music for *HyperRogue* by Shawn Parrotte
  ("Neon Corridor"), Will Savino and Lincoln Domina, CC BY-SA 3.0.

This script is a *build-time* helper only; the application never runs it and
never needs apt, dpkg or the Debian packages at runtime.  The generated audio
files, ``CREDITS.md`` and this script are what get committed.

What it does
------------
1. ``apt-get download`` both packages into a scratch directory (outside the
   repository) and unpack them with ``dpkg -x``.  The package lists must be
   current (run ``apt-get update`` once beforehand); a Debian/Ubuntu host with
   the ``bookworm`` versions (``singularity-music 007-2``, ``hyperrogue-music
   12.0q-1``) reproduces the shipped files exactly (Vorbis streams differ in
   their random Ogg serial numbers only).
2. For every entry in :data:`TRACKS`, decode the original Ogg Vorbis file with
   ``soundfile``, cut a window of ``length`` seconds centred on the middle of
   the track, resample to the target rate (``scipy.signal.resample_poly``),
   optionally down-mix to mono, and apply a short fade-in / fade-out.
3. Encode with ``soundfile`` (libsndfile >= 1.1 with LAME/mpg123 support):
   MP3 96 kbit/s CBR (64 kbit/s for the mono one), Ogg Vorbis (~q1), or
   16-bit FLAC.
4. Tag every file with ``mutagen`` (title, artist, album, album artist, track
   number/total, year, genre, copyright and licence).
5. Write ``CREDITS.md`` (attribution, licence link, modification notice with
   the exact excerpt start/end times, copied upstream copyright notices).
6. Verify every file decodes, lasts 30-45 s and carries the expected tags.

Usage::

    apt-get update            # once, as root
    .venv/bin/python assets/demo/make_demo.py            # regenerate + verify
    .venv/bin/python assets/demo/make_demo.py --verify   # verify only

Requirements: Python >= 3.10, numpy, scipy, soundfile (libsndfile >= 1.1.0 for
MP3), mutagen; plus ``apt-get`` and ``dpkg`` (any Debian-like host).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
from mutagen.flac import FLAC
from mutagen.id3 import (
    COMM,
    ID3,
    TALB,
    TCON,
    TCOP,
    TDRC,
    TIT2,
    TPE1,
    TPE2,
    TRCK,
    WCOP,
)
from mutagen.mp3 import MP3
from mutagen.oggvorbis import OggVorbis
from scipy.signal import resample_poly

HERE: Path = Path(__file__).resolve().parent
DEFAULT_WORKDIR: Path = Path("/tmp/likewise-demo-src")

LICENCE_NAME: str = "CC BY-SA 3.0"
LICENCE_URL: str = "https://creativecommons.org/licenses/by-sa/3.0/"
GENRE: str = "Soundtrack"

MIN_SECONDS: float = 30.0
MAX_SECONDS: float = 45.0
FADE_IN_S: float = 0.5
FADE_OUT_S: float = 1.5
OGG_COMPRESSION: float = 0.9  # libsndfile scale 0 (best) .. 1; ~Vorbis q1


@dataclass(frozen=True)
class Package:
    """A Debian package that provides original tracks."""

    name: str
    expected_version: str  # version the shipped files were made from
    folder: str  # sub-folder of assets/demo/
    album: str
    album_artist: str
    copyright_file: str  # path inside the unpacked package


@dataclass(frozen=True)
class Track:
    """One excerpt to produce."""

    package: str  # Package.name
    source: str  # path of the original file inside the unpacked package
    number: int  # track number inside the demo album
    title: str
    artist: str
    year: str | None  # as tagged upstream; None when unknown
    fmt: str = "mp3"  # "mp3" | "ogg" | "flac"
    length: float = 32.0  # excerpt length in seconds (30..45)
    samplerate: int = 44100
    mono: bool = False
    kbps: int = 96  # MP3 only: constant bit rate


PACKAGES: dict[str, Package] = {
    "singularity-music": Package(
        name="singularity-music",
        expected_version="007-2",
        folder="singularity",
        album="Singularity (soundtrack)",
        album_artist="Max McCracken",
        copyright_file="usr/share/doc/singularity-music/copyright",
    ),
    "hyperrogue-music": Package(
        name="hyperrogue-music",
        expected_version="12.0q-1",
        folder="hyperrogue",
        album="HyperRogue (soundtrack)",
        album_artist="Various Artists",
        copyright_file="usr/share/doc/hyperrogue-music/copyright",
    ),
}

_SING = "usr/share/games/singularity/music/"
_HYPR = "usr/share/hyperrogue/music/"
_MAX = "Max McCracken"
_SHAWN = "Shawn Parrotte"
_WILL = "Will Savino"
_LINC = "Lincoln Domina"

# Titles/years come from the upstream Vorbis comments, cross-checked against
# the Debian copyright file and usr/share/hyperrogue/hyperrogue-music.txt.
TRACKS: list[Track] = [
    # --- Endgame: Singularity (all by Max McCracken, tagged 2012) ----------
    Track("singularity-music", _SING + "A New Journey.ogg", 1, "A New Journey", _MAX, "2012", length=34),
    Track("singularity-music", _SING + "Aberrations.ogg", 2, "Aberrations", _MAX, "2012", length=32),
    Track("singularity-music", _SING + "Advanced Simulacra.ogg", 3, "Advanced Simulacra", _MAX, "2012", length=33),
    Track("singularity-music", _SING + "Awakening.ogg", 4, "Awakening", _MAX, "2012", fmt="ogg", length=32),
    Track("singularity-music", _SING + "By-Product.ogg", 5, "By-Product", _MAX, "2012", length=31),
    Track("singularity-music", _SING + "Coherence.ogg", 6, "Coherence", _MAX, "2012", length=30, mono=True, kbps=64),
    Track("singularity-music", _SING + "Deprecation.ogg", 7, "Deprecation", _MAX, "2012", length=32),
    Track("singularity-music", _SING + "Enemy Unknown.ogg", 8, "Enemy Unknown", _MAX, "2012", length=31),
    Track("singularity-music", _SING + "Media Threat.ogg", 9, "Media Threat", _MAX, "2012",
          fmt="flac", length=30, samplerate=22050, mono=True),
    Track("singularity-music", _SING + "Nebula.ogg", 10, "Nebula", _MAX, "2012", length=33),
    # --- HyperRogue -------------------------------------------------------
    Track("hyperrogue-music", _HYPR + "hr3-crossroads.ogg", 1, "Crossroads", _SHAWN, "2013", length=30),
    Track("hyperrogue-music", _HYPR + "hr3-desert.ogg", 2, "Desert", _SHAWN, "2013", length=32),
    Track("hyperrogue-music", _HYPR + "hr3-icyland.ogg", 3, "Icy Lands", _SHAWN, "2013", fmt="ogg", length=31),
    Track("hyperrogue-music", _HYPR + "hr3-caves.ogg", 4, "Living Caves", _SHAWN, "2013", length=31),
    Track("hyperrogue-music", _HYPR + "hr3-hell.ogg", 5, "Hell", _SHAWN, "2013", length=34),
    Track("hyperrogue-music", _HYPR + "hr3-rlyeh.ogg", 6, "R'Lyeh", _SHAWN, "2013", length=32),
    Track("hyperrogue-music", _HYPR + "hr-savino-caribbean.ogg", 7, "Caribbean", _WILL, "2018", length=31),
    Track("hyperrogue-music", _HYPR + "hr-savino-ivory.ogg", 8, "Ivory Tower", _WILL, "2018", fmt="ogg", length=30),
    Track("hyperrogue-music", _HYPR + "hr-domina-hunting.ogg", 9, "Hunting Grounds", _LINC, None, length=32),
    Track("hyperrogue-music", _HYPR + "hr-domina-mountain.ogg", 10, "Lost Mountain", _LINC, None,
          fmt="flac", length=30, samplerate=22050, mono=True),
]


# ---------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------
def fetch_packages(workdir: Path) -> tuple[Path, dict[str, str]]:
    """Download (if needed) and unpack both packages; return root and versions."""
    workdir.mkdir(parents=True, exist_ok=True)
    root = workdir / "root"
    versions: dict[str, str] = {}
    for pkg in PACKAGES.values():
        debs = sorted(workdir.glob(f"{pkg.name}_*_all.deb"))
        if not debs:
            subprocess.run(["apt-get", "download", pkg.name], cwd=workdir, check=True)
            debs = sorted(workdir.glob(f"{pkg.name}_*_all.deb"))
        deb = debs[-1]
        version = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        if version != pkg.expected_version:
            print(f"warning: {pkg.name} is {version}, shipped files were made "
                  f"from {pkg.expected_version}", file=sys.stderr)
        versions[pkg.name] = version
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return root, versions


# ---------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------
def safe_name(text: str) -> str:
    """ASCII-only, shell-friendly file name component."""
    text = text.replace("'", "")
    text = re.sub(r"[^A-Za-z0-9 ._-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def output_path(track: Track) -> Path:
    pkg = PACKAGES[track.package]
    name = f"{track.number:02d} - {safe_name(track.artist)} - {safe_name(track.title)}.{track.fmt}"
    return HERE / pkg.folder / name


def cut_excerpt(track: Track, source: Path) -> tuple[np.ndarray, float, float, float]:
    """Return (samples, start_s, end_s, original_duration_s) for ``track``."""
    info = sf.info(str(source))
    total = info.frames / info.samplerate
    if total < track.length + 4:
        raise ValueError(f"{source} is only {total:.1f} s long")
    start = float(round((total - track.length) / 2))  # centred, whole seconds
    end = start + track.length
    data, rate = sf.read(
        str(source),
        start=int(start * info.samplerate),
        stop=int(end * info.samplerate),
        dtype="float64",
        always_2d=True,
    )
    if track.mono:
        data = data.mean(axis=1, keepdims=True)
    if rate != track.samplerate:
        ratio = Fraction(track.samplerate, rate)
        data = resample_poly(data, ratio.numerator, ratio.denominator, axis=0)
    n_in = int(FADE_IN_S * track.samplerate)
    n_out = int(FADE_OUT_S * track.samplerate)
    data[:n_in] *= np.linspace(0.0, 1.0, n_in)[:, None]
    data[-n_out:] *= np.linspace(1.0, 0.0, n_out)[:, None]
    return np.clip(data, -1.0, 1.0).astype(np.float32), start, end, total


def encode(track: Track, data: np.ndarray, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if track.fmt == "mp3":
        # libsndfile maps compression_level linearly onto 320..32 kbit/s.
        level = (320 - track.kbps) / (320 - 32)
        sf.write(str(dest), data, track.samplerate, format="MP3",
                 subtype="MPEG_LAYER_III", compression_level=level,
                 bitrate_mode="CONSTANT")
    elif track.fmt == "ogg":
        sf.write(str(dest), data, track.samplerate, format="OGG",
                 subtype="VORBIS", compression_level=OGG_COMPRESSION)
    elif track.fmt == "flac":
        sf.write(str(dest), data, track.samplerate, format="FLAC",
                 subtype="PCM_16", compression_level=1.0)
    else:
        raise ValueError(track.fmt)


def tag(track: Track, dest: Path, total: int, version: str) -> None:
    pkg = PACKAGES[track.package]
    copyright_ = f"{track.artist}, {LICENCE_NAME}"
    if track.year:
        copyright_ = f"{track.year} {copyright_}"
    comment = (f"Excerpt from {pkg.name} {version} (Debian). "
               f"Licence: {LICENCE_NAME} {LICENCE_URL}. See CREDITS.md.")
    if track.fmt == "mp3":
        audio = MP3(str(dest))
        if audio.tags is None:
            audio.add_tags()
        tags: ID3 = audio.tags
        tags.add(TIT2(encoding=3, text=track.title))
        tags.add(TPE1(encoding=3, text=track.artist))
        tags.add(TPE2(encoding=3, text=pkg.album_artist))
        tags.add(TALB(encoding=3, text=pkg.album))
        tags.add(TRCK(encoding=3, text=f"{track.number}/{total}"))
        tags.add(TCON(encoding=3, text=GENRE))
        tags.add(TCOP(encoding=3, text=copyright_))
        tags.add(WCOP(url=LICENCE_URL))
        tags.add(COMM(encoding=3, lang="eng", desc="", text=comment))
        if track.year:
            tags.add(TDRC(encoding=3, text=track.year))
        audio.save(v2_version=3)
        return
    audio = OggVorbis(str(dest)) if track.fmt == "ogg" else FLAC(str(dest))
    if audio.tags is None:
        audio.add_tags()
    vc = audio.tags
    vc.clear()  # drop libsndfile's defaults
    vc["TITLE"] = track.title
    vc["ARTIST"] = track.artist
    vc["ALBUMARTIST"] = pkg.album_artist
    vc["ALBUM"] = pkg.album
    vc["TRACKNUMBER"] = str(track.number)
    vc["TRACKTOTAL"] = str(total)
    vc["GENRE"] = GENRE
    vc["COPYRIGHT"] = copyright_
    vc["LICENSE"] = LICENCE_URL
    vc["COMMENT"] = comment
    if track.year:
        vc["DATE"] = track.year
    audio.save()


# ---------------------------------------------------------------------------
# CREDITS.md
# ---------------------------------------------------------------------------
def _mmss(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _format_label(track: Track) -> str:
    ch = "mono" if track.mono else "stereo"
    if track.fmt == "mp3":
        return f"MP3 {track.kbps} kbit/s CBR, {track.samplerate} Hz {ch}"
    if track.fmt == "ogg":
        return f"Ogg Vorbis, {track.samplerate} Hz {ch}"
    return f"FLAC 16-bit, {track.samplerate} Hz {ch}"


def _quote(text: str) -> str:
    return "\n".join(f"    {line}".rstrip() for line in text.rstrip().splitlines())


def _copyright_excerpts(root: Path) -> tuple[str, str, str]:
    """The upstream notices that concern the music files."""
    sing = (root / PACKAGES["singularity-music"].copyright_file).read_text()
    sing_head = sing.split("\nLicense\n", 1)[0]
    hypr = (root / PACKAGES["hyperrogue-music"].copyright_file).read_text()
    stanzas = [s for s in hypr.split("\n\n") if s.startswith("Files: music/")]
    hypr_txt = (root / "usr/share/hyperrogue/hyperrogue-music.txt").read_text()
    hypr_credit = hypr_txt[hypr_txt.index("HyperRogue soundtrack under"):].strip()
    return sing_head, "\n\n".join(stanzas), hypr_credit


def write_credits(rows: list[tuple[Track, float, float, float]],
                  versions: dict[str, str], root: Path) -> None:
    sing_head, hypr_stanzas, hypr_credit = _copyright_excerpts(root)
    out: list[str] = []
    w = out.append
    w("# Demo library credits\n")
    w("The audio files in this folder are **excerpts** of music from two free "
      "game soundtracks packaged by Debian. They are licensed under the "
      f"[Creative Commons Attribution-ShareAlike 3.0 Unported licence]({LICENCE_URL}) "
      f"({LICENCE_NAME}), like the originals. This licence applies to the audio "
      "files in `assets/demo/` only, not to the rest of *likewise*.\n")
    w("## Modification notice\n")
    w("These are modified versions of the original works (CC BY-SA 3.0 §4(b), §4(c)). "
      "For each file a single continuous excerpt (the time span given below, "
      "taken from the middle of the original track) was cut, resampled "
      "(originals: Singularity 48 kHz, HyperRogue 44.1 kHz), down-mixed to "
      f"mono where stated, given a {FADE_IN_S:g} s fade-in and a {FADE_OUT_S:g} s "
      "fade-out, re-encoded in the format listed, and re-tagged. No other "
      "changes were made. The excerpts were produced with `make_demo.py` in "
      "this folder. Neither the composers nor Debian endorse *likewise*.\n")
    w("## Files\n")
    w("| File | Title | Author | Excerpt of original (start–end / original length) | Format | Source package | Licence |")
    w("|---|---|---|---|---|---|---|")
    for track, start, end, total in rows:
        rel = output_path(track).relative_to(HERE).as_posix()
        orig = Path(track.source).name
        pkg = f"`{track.package}` {versions[track.package]} (`{orig}`)"
        w(f"| `{rel}` | {track.title} | {track.artist} | "
          f"{_mmss(start)}–{_mmss(end)} of {_mmss(total)} ({start:g}–{end:g} s) | "
          f"{_format_label(track)} | {pkg} | [{LICENCE_NAME}]({LICENCE_URL}) |")
    w("")
    w("## Authors\n")
    w("* **Max McCracken** (credited as \"Maxstack\" in the original file tags) — "
      "all *Endgame: Singularity* tracks. Copyright (C) 2007-2008, 2012 Max "
      "McCracken. <http://emhsoft.com/singularity/>")
    w("* **Shawn Parrotte** (credited as \"NeonCorridor\" in the original file "
      "tags) — HyperRogue: Crossroads, Desert, Icy Lands, Living Caves, Hell, "
      "R'Lyeh. <http://www.shawnparrotte.com>")
    w("* **Will Savino** — HyperRogue: Caribbean, Ivory Tower. <http://www.willsavino.net>")
    w("* **Lincoln Domina** — HyperRogue: Hunting Grounds, Lost Mountain.")
    w("")
    w("Album names in the tags (\"Singularity (soundtrack)\", \"HyperRogue "
      "(soundtrack)\") are descriptive labels chosen for this demo; the "
      "originals are tagged \"Endgame: Singularity Original Soundtrack\" / "
      "\"Endgame: Singularity (Advanced Research)\" and \"HyperRogue\". Years "
      "are those in the original tags; Lincoln Domina's tracks carry none.\n")
    w("## Upstream copyright notices (verbatim)\n")
    w(f"From `/usr/share/doc/singularity-music/copyright` "
      f"(singularity-music {versions['singularity-music']}); the licence text "
      "that follows it there is the CC BY-SA 3.0 Unported legal code:\n")
    w(_quote(sing_head) + "\n")
    w("From `/usr/share/doc/singularity-music/README`:\n")
    w(_quote("Thanks to Max McCracken for providing these tunes!  They are\n"
             "released under the same BY-SA 3.0 license as the Psycle and Renoise\n"
             "source files for the tracks, which can be found in the main Endgame:\n"
             "Singularity distribution.\n\nSee http://emhsoft.com/singularity/ for more.") + "\n")
    w(f"From `/usr/share/doc/hyperrogue-music/copyright` "
      f"(hyperrogue-music {versions['hyperrogue-music']}), the stanzas for the "
      "music files (the rest of that package is code, sounds and data under "
      "other licences and is not used here):\n")
    w(_quote(hypr_stanzas) + "\n")
    w("From `/usr/share/hyperrogue/hyperrogue-music.txt`:\n")
    w(_quote(hypr_credit) + "\n")
    (HERE / "CREDITS.md").write_text("\n".join(out))


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------
def verify() -> bool:
    """Check every expected file decodes, has a sane length and readable tags."""
    import mutagen

    ok = True
    total_bytes = 0
    for track in TRACKS:
        path = output_path(track)
        if not path.exists():
            print(f"MISSING {path}")
            ok = False
            continue
        info = sf.info(str(path))
        audio = mutagen.File(str(path), easy=True)
        title = (audio.tags or {}).get("title", ["?"])[0] if audio else "?"
        artist = (audio.tags or {}).get("artist", ["?"])[0] if audio else "?"
        album = (audio.tags or {}).get("album", ["?"])[0] if audio else "?"
        good = (MIN_SECONDS <= info.duration <= MAX_SECONDS
                and title == track.title and artist == track.artist
                and album == PACKAGES[track.package].album)
        ok &= good
        total_bytes += path.stat().st_size
        print(f"{'ok ' if good else 'BAD'} {path.relative_to(HERE)}: "
              f"{info.duration:.2f} s {info.samplerate} Hz {info.channels} ch "
              f"{path.stat().st_size / 1024:.0f} KiB | {artist} / {title} / {album}")
    print(f"{len(TRACKS)} files, {total_bytes / 1024 / 1024:.2f} MiB of audio")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help="scratch directory for the .deb files (outside the repo)")
    parser.add_argument("--verify", action="store_true",
                        help="only verify the existing files")
    args = parser.parse_args(argv)
    if args.verify:
        return 0 if verify() else 1

    root, versions = fetch_packages(args.workdir)
    for pkg in PACKAGES.values():  # start clean, keep this script + CREDITS
        shutil.rmtree(HERE / pkg.folder, ignore_errors=True)
    rows: list[tuple[Track, float, float, float]] = []
    for track in TRACKS:
        data, start, end, total = cut_excerpt(track, root / track.source)
        dest = output_path(track)
        encode(track, data, dest)
        n_album = sum(1 for t in TRACKS if t.package == track.package)
        tag(track, dest, n_album, versions[track.package])
        rows.append((track, start, end, total))
        print(f"wrote {dest.relative_to(HERE)}")
    write_credits(rows, versions, root)
    return 0 if verify() else 1


if __name__ == "__main__":
    sys.exit(main())
