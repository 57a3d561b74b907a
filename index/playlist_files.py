"""Reading playlist files (M3U, M3U8, PLS, XSPF) into entries, each with the line it came from, and the problems met.

Nothing here raises on a bad playlist: what cannot be read is a problem ("line 7: not a path or URL"), and the
entries read before and after it are kept. Locations are returned as written (see `entry_path` for a path).
"""
from __future__ import annotations

import os
import re
import stat
import urllib.parse
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from likewise.index.text import printable

PLAYLIST_FILE_SUFFIXES = (".m3u", ".m3u8", ".pls", ".xspf")
MAX_PLAYLIST_BYTES = 10 * 1024 * 1024  # a playlist of 100,000 songs is a few MB
MAX_LOCATION = 4096  # characters: no file path is longer
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a tab may be part of a name; nothing else of these may
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")  # a URL; `C:\` is a drive, `Live: a.mp3` a file name
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CP1252 = {byte: bytes([byte]).decode("cp1252") for byte in range(0x80, 0xA0)  # Latin-1's C1 controls -> cp1252
           if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


@dataclass
class Entry:
    """One song of a playlist as written: its location, the tags the playlist gives, and where it stands."""

    line: int  # 1-based line of the file (XSPF: the line where its <track> starts)
    location: str  # a path (relative, absolute, Windows) or a file:// URL, as written
    artist: str = ""
    title: str = ""
    duration: float | None = None  # seconds


@dataclass
class ParsedPlaylist:
    """What a playlist file holds: a name (its own, or the file's), its entries in order, and its problems."""

    name: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: not a path or URL"


def is_playlist_file(name: str | Path) -> bool:
    """Whether a file name is one of the playlist formats likewise reads."""
    return Path(name).suffix.lower() in PLAYLIST_FILE_SUFFIXES


def read_playlist(path: Path) -> ParsedPlaylist:
    """Read and parse a playlist file; a file that cannot be read is one problem, never an exception."""
    path = Path(path)
    name = printable(path.stem)  # control characters escaped, undecodable bytes shown as U+FFFD
    try:  # opened without waiting (a named pipe's open waits for a writer), then refused unless a regular file
        with open(path, "rb", opener=_open_without_waiting) as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):
                return ParsedPlaylist(name, problems=["not a regular file: not read"])
            if found.st_size > MAX_PLAYLIST_BYTES:
                return ParsedPlaylist(name, problems=[f"{found.st_size // 1024 // 1024} MB is too large for a "
                                                      f"playlist (at most {MAX_PLAYLIST_BYTES // 1024 // 1024} MB): "
                                                      "not read"])
            data = handle.read(MAX_PLAYLIST_BYTES + 1)
    except OSError as error:
        return ParsedPlaylist(name, problems=[f"cannot be read: {error.strerror or error}"])
    return parse_playlist(data, path.suffix, name)


def _open_without_waiting(path: str, flags: int) -> int:
    """An `open` opener that does not wait for a named pipe's writer (O_NONBLOCK changes no regular file's reads)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def parse_playlist(data: bytes, suffix: str, name: str) -> ParsedPlaylist:
    """Parse playlist bytes by format (`suffix`: .m3u, .m3u8, .pls or .xspf), named `name` unless it names itself."""
    suffix = suffix.lower()
    if suffix == ".xspf":
        return parse_xspf(data, name)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return ParsedPlaylist(name, problems=[f"line {line}: binary data, not a text playlist: not read"])
    lines = _LINE_BREAK.split(_text(data))  # not splitlines(): \x85, \x0c, \x1c or U+2028 do not end a line
    return parse_pls(lines, name) if suffix == ".pls" else parse_m3u(lines, name)


def _text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped); else Windows-1252, the classic .m3u's ('…' is 0x85), its five undefined bytes read
    as Latin-1, so that any bytes decode."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1").translate(_CP1252)


def location_problem(location: str) -> str | None:
    """Why a location cannot name a local file, or None when it may."""
    if len(location) > MAX_LOCATION or _CONTROL.search(location):
        return "not a path or URL"
    scheme = _SCHEME.match(location)
    if scheme and scheme[1].lower() != "file":  # http://, smb://...
        return f"a {scheme[1].lower()}: address, not a local file"
    if location.lower().startswith("file:"):
        try:
            urllib.parse.urlsplit(location)  # as `entry_path` will
        except ValueError:  # file://[/a.mp3 (an unclosed IPv6 host), a host that NFKC normalisation changes
            return "not a path or URL"
    return None


def _add(playlist: ParsedPlaylist, entry: Entry) -> None:
    """Keep an entry, or note why its location cannot be one."""
    problem = location_problem(entry.location)
    if problem:
        playlist.problems.append(f"line {entry.line}: {problem}: {printable(entry.location[:80])}")
    else:
        playlist.entries.append(entry)


def _seconds(text: str, scale: float = 1.0) -> float | None:
    """A positive duration from a number (-1 and garbage: unknown)."""
    try:
        value = float(text) / scale
    except ValueError:
        return None
    return value if 0 < value < 1e7 else None


def split_label(label: str) -> tuple[str, str]:
    """'Artist - Title' -> (artist, title); a label without ' - ' is a title."""
    artist, dash, title = label.partition(" - ")
    return (artist.strip(), title.strip()) if dash else ("", label.strip())


def parse_m3u(lines: list[str], name: str) -> ParsedPlaylist:
    """M3U and M3U8: one location per line; #EXTINF:seconds,Artist - Title tags the next one; other # lines are
    comments (#PLAYLIST: names the playlist)."""
    playlist = ParsedPlaylist(name)
    info: tuple[float | None, str, str] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            directive, _, value = line.partition(":")
            if directive.upper() == "#EXTINF":
                seconds, comma, label = value.partition(",")
                if not comma:
                    playlist.problems.append(f"line {number}: #EXTINF without a comma before the title")
                info = (_seconds(seconds.strip()), *split_label(label)) if comma else None
            elif directive.upper() == "#PLAYLIST" and value.strip():
                playlist.name = printable(value.strip())
            continue
        duration, artist, title = info or (None, "", "")
        _add(playlist, Entry(number, line, artist, title, duration))
        info = None
    return playlist


_PLS_KEY = re.compile(r"(file|title|length)(\d{1,9})", re.IGNORECASE)  # a longer index is an unknown key


def parse_pls(lines: list[str], name: str) -> ParsedPlaylist:
    """PLS: a [playlist] section of FileN=, TitleN=, LengthN= and NumberOfEntries=; entries in the order of N."""
    playlist = ParsedPlaylist(name)
    files: dict[int, Entry] = {}
    tags: dict[int, dict[str, str]] = {}
    declared: tuple[int, str] | None = None  # (line, NumberOfEntries value)
    section = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not equals:
            playlist.problems.append(f"line {number}: not a key=value line")
            continue
        if section != "playlist":
            playlist.problems.append(f"line {number}: outside the [playlist] section")
            continue
        keyed = _PLS_KEY.fullmatch(key)
        if keyed and keyed[1].lower() == "file":
            files[int(keyed[2])] = Entry(number, value)
        elif keyed:
            tags.setdefault(int(keyed[2]), {})[keyed[1].lower()] = value
        elif key.lower() == "numberofentries":
            declared = (number, value)
        elif key.lower() not in ("version", "x-gapless"):
            playlist.problems.append(f"line {number}: unknown key {printable(key[:40])}")
    for index in sorted(files):
        entry = files[index]
        entry.artist, entry.title = split_label(tags.get(index, {}).get("title", ""))
        entry.duration = _seconds(tags.get(index, {}).get("length", ""))
        _add(playlist, entry)
    if declared and declared[1] != str(len(files)):
        playlist.problems.append(f"line {declared[0]}: NumberOfEntries={printable(declared[1][:20])}, "
                                 f"but {len(files)} File entries were found")
    return playlist


class _DeclarationRefused(Exception):
    """An XSPF with a DTD or an entity declaration: refused before anything is expanded."""


def parse_xspf(data: bytes, name: str) -> ParsedPlaylist:
    """XSPF (XML): every <track>'s first <location>, <creator>, <title> and <duration> (milliseconds). A DTD or
    entity declaration is refused; damaged XML keeps the tracks read before the damage."""
    playlist = ParsedPlaylist(name)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[str] = []
    text: list[str] = []
    track: dict[str, str] | None = None
    track_line = 0

    def refuse(*_args: object) -> None:
        raise _DeclarationRefused()

    def start(tag: str, _attributes: dict) -> None:
        nonlocal track, track_line
        local = tag.rpartition(" ")[2]
        stack.append(local)
        text.clear()
        if local == "track" and stack[-2:-1] == ["trackList"]:
            track, track_line = {}, parser.CurrentLineNumber

    def end(tag: str) -> None:
        nonlocal track
        local = stack.pop()
        value = "".join(text).strip()
        text.clear()
        if local == "track" and track is not None:
            _add_xspf_track(playlist, track, track_line)
            track = None
        elif track is not None and stack[-1:] == ["track"]:
            track.setdefault(local, value)
        elif local == "title" and stack == ["playlist"] and value:
            playlist.name = printable(value)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(data, True)
    except _DeclarationRefused:
        playlist.problems.append(f"line {parser.CurrentLineNumber}: a DTD or entity declaration, which likewise "
                                 "does not read (it can expand without end): not read")
        playlist.entries.clear()
    except (ValueError, LookupError) as error:  # pyexpat reads no multi-byte encoding (Shift_JIS), nor an unknown one
        playlist.problems.append(f"line {parser.CurrentLineNumber}: a text encoding likewise does not read "
                                 f"({printable(str(error)[:80])}): not read")
        playlist.entries.clear()
    except xml.parsers.expat.ExpatError as error:
        playlist.problems.append(f"line {error.lineno}: damaged XML ({xml.parsers.expat.errors.messages[error.code]})"
                                 + (f": the {len(playlist.entries)} songs before it are kept" if playlist.entries
                                    else ""))
    return playlist


def _add_xspf_track(playlist: ParsedPlaylist, track: dict[str, str], line: int) -> None:
    location = track.get("location", "")
    if not location:
        if track.get("title"):  # no location: the tags may still find it
            playlist.entries.append(Entry(line, "", track.get("creator", ""), track["title"],
                                          _seconds(track.get("duration", ""), 1000.0)))
        else:
            playlist.problems.append(f"line {line}: a track with neither location nor title")
        return
    if not (_SCHEME.match(location) or location.lower().startswith("file:")):  # a URI reference: %-escaped
        location = urllib.parse.unquote(location)
    _add(playlist, Entry(line, location, track.get("creator", ""), track.get("title", ""),
                         _seconds(track.get("duration", ""), 1000.0)))


def entry_path(location: str) -> tuple[list[str], bool]:
    """The components of a location's path, separators normalised, and whether it is absolute: POSIX `/a/b`,
    Windows `C:\\a\\b` or `\\\\server\\share\\b`, or a file:// URL with %-escapes; otherwise relative."""
    if location.lower().startswith("file:"):
        parsed = urllib.parse.urlsplit(location)
        path = urllib.parse.unquote(parsed.path, errors="surrogateescape")
        if parsed.netloc and parsed.netloc.lower() != "localhost":
            path = f"//{parsed.netloc}{path}"  # file://server/share/a.mp3
        location = path
    text = location.replace("\\", "/")
    if re.match(r"^/[A-Za-z]:/", text):  # file:///C:/Music/a.mp3
        text = text[1:]
    absolute = text.startswith("/") or bool(re.match(r"^[A-Za-z]:/", text))
    return [part for part in text.split("/") if part and part != "."], absolute
