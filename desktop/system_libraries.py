"""The system libraries Qt loads, checked before Qt starts: a missing one is named with the command that installs it.

Qt aborts the process (exit 134) when its platform plugin cannot load, and says little about why. The list is
desktop/system-libraries.txt, which tools/bootstrap.sh installs from. Imports nothing from Qt.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LISTING = Path(__file__).with_name("system-libraries.txt")


@dataclass(frozen=True)
class SystemLibrary:
    """A Debian/Ubuntu package, the library (soname) it provides, and what needs it: venv, qt, xcb or audio."""

    package: str
    soname: str
    needed_by: str


def _entries() -> list[list[str]]:
    """The listing's lines as fields (package, soname or -, needed by), comments and blank lines left out."""
    lines = LISTING.read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def system_libraries() -> list[SystemLibrary]:
    """Every entry of the listing that provides a library."""
    return [SystemLibrary(*fields[:3]) for fields in _entries() if fields[1] != "-"]


def package_list() -> list[str]:
    """Every package of the listing, in its order: what tools/bootstrap.sh installs."""
    return [fields[0] for fields in _entries()]


def _loads(soname: str) -> bool:
    """Whether the dynamic loader finds and loads `soname`, as Qt's own loading would."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing(libraries: list[SystemLibrary]) -> list[SystemLibrary]:
    """The libraries that do not load here."""
    return [library for library in libraries if not _loads(library.soname)]


def install_command(libraries: list[SystemLibrary]) -> str:
    """The command that installs the packages of `libraries`."""
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install -y " + " ".join(dict.fromkeys(library.package for library in libraries))


def qt_platform() -> str:
    """The Qt platform plugin the app will try first: QT_QPA_PLATFORM's, else Wayland in a Wayland session, else xcb."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    if chosen:
        return chosen
    return "wayland" if os.environ.get("XDG_SESSION_TYPE") == "wayland" else "xcb"


def _problem(needed: list[SystemLibrary], consequence: str) -> str | None:
    """A message naming the libraries of `needed` that are missing, the consequence and the fix; None if none is."""
    absent = missing(needed)
    if not absent:
        return None
    names = ", ".join(library.soname for library in absent)
    return f"{consequence}: missing {names}. Install with: {install_command(absent)}"


def platform_problem(platform: str, libraries: list[SystemLibrary] | None = None) -> str | None:
    """Why Qt cannot start on `platform` here (the libraries missing and how to install them); None when it can.

    Only Linux is checked: elsewhere Qt brings what it needs.
    """
    if not sys.platform.startswith("linux"):
        return None
    groups = {"qt", "xcb"} if platform == "xcb" else {"qt"}
    needed = [library for library in libraries or system_libraries() if library.needed_by in groups]
    return _problem(needed, f"Qt cannot start on its {platform} platform")


def display_problem(platform: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """Why Qt cannot open a window on `platform` here (xcb with no X11 display, where Qt would abort); None if it can."""
    if sys.platform.startswith("linux") and platform == "xcb" and not environ.get("DISPLAY"):
        return ("no X11 display to open the window on (DISPLAY is not set): start it in a desktop session, "
                "or with QT_QPA_PLATFORM=offscreen to run it without a window")
    return None


def audio_problem() -> str | None:
    """Why playback cannot work here (QtMultimedia's audio library is missing, and how to install it); None if it can."""
    if not sys.platform.startswith("linux"):
        return None
    return _problem(audio_libraries(), "Playback is not available")


def audio_libraries() -> list[SystemLibrary]:
    """The libraries QtMultimedia's playback needs."""
    return [library for library in system_libraries() if library.needed_by == "audio"]
