"""First run: the bootstrap step of the README's commands, the check of Qt's system libraries, and CLI details."""
from __future__ import annotations

import shutil
import subprocess
import struct
import sys
import zipfile
from pathlib import Path

import pytest

from likewise.desktop.system_libraries import (SystemLibrary, display_problem, missing, package_list, platform_problem,
                                               system_libraries)
from likewise.cli.main import build_parser, main
from tests.conftest import tone, write_audio

REPO = Path(__file__).resolve().parents[1]
BOOTSTRAP = Path("tools/bootstrap.sh")
needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="a Debian/Ubuntu system")


def test_the_wheel_installs_one_package_likewise(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so that building leaves nothing in the repository
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for folder in ("audio", "model", "index", "desktop", "cli", "assets"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(tmp_path / "wheel"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheel").glob("likewise-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/")[0] for name in archive.namelist()}
        assert top == {"likewise", wheel.name.split("-py")[0] + ".dist-info"}
        assert {"likewise/cli/main.py", "likewise/cli/commands/index.py", "likewise/assets/model/model.tflite",
                "likewise/desktop/system-libraries.txt"} <= set(archive.namelist())


BASE_SYSTEM = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libz.so.1"}


def _needed(library: Path) -> list[str]:
    """The sonames an ELF64 little-endian shared library names as DT_NEEDED (read from its dynamic section)."""
    data = library.read_bytes()
    section_offset, = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQII", data, section_offset + n * entry_size) for n in range(count)]
    dynamic = next(section for section in sections if section[1] == 6)  # SHT_DYNAMIC
    strings = sections[dynamic[6]][4]  # the offset of its string table (sh_link)
    names = []
    for at in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, at)
        if tag == 1:  # DT_NEEDED
            names.append(data[strings + value:data.index(b"\0", strings + value)].decode())
    return names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the listing is for Debian/Ubuntu")
def test_the_listing_names_every_system_library_that_playback_loads() -> None:
    """QtMultimedia's FFmpeg backend fails to load ("No QtMultimedia backends found") when one library it links is
    missing: a bare Debian 12 root lacked libXrandr.so.2."""
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    bundled = {path.name for path in (qt / "lib").iterdir()}
    listed = {library.soname for library in system_libraries() if library.needed_by in ("audio", "qt")}
    for library in (qt / "plugins" / "multimedia" / "libffmpegmediaplugin.so", qt / "lib" / "libQt6Multimedia.so.6",
                    qt / "qml" / "QtMultimedia" / "libquickmultimediaplugin.so"):  # desktop/player.py's QML
        assert set(_needed(library)) - bundled - BASE_SYSTEM - listed == set(), library.name


def _not_installed(packages: list[str]) -> list[str]:
    """The packages dpkg does not list as installed (under their own name or Ubuntu's t64 name)."""
    def installed(name: str) -> bool:
        found = subprocess.run(["dpkg-query", "-W", "-f=${Status}\n", name, f"{name}t64"],
                               capture_output=True, text=True).stdout
        return any(line.endswith(" installed") for line in found.splitlines())

    return [name for name in packages if not installed(name)]


def _print_mode(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(BOOTSTRAP), "--print"], cwd=repo, capture_output=True, text=True, timeout=60)


@needs_dpkg
def test_bootstrap_print_names_exactly_the_missing_packages_here() -> None:
    missing_here = _not_installed(package_list())
    shown = _print_mode(REPO)
    assert shown.returncode == 0, shown.stderr
    if missing_here:
        assert "apt-get install -y" in shown.stdout and shown.stdout.split()[-len(missing_here):] == missing_here
    else:
        assert shown.stdout == ""


@needs_dpkg
def test_bootstrap_print_gives_the_apt_get_command_for_a_missing_package(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "desktop").mkdir()
    shutil.copy(REPO / BOOTSTRAP, tmp_path / BOOTSTRAP)
    listing = (REPO / "desktop/system-libraries.txt").read_text()
    (tmp_path / "desktop/system-libraries.txt").write_text(listing + "likewise-no-such-package  libnosuch.so.9  xcb\n")
    shown = _print_mode(tmp_path)
    assert shown.returncode == 0, shown.stderr
    command = shown.stdout.strip().splitlines()[-1]
    assert "apt-get update" in command and "apt-get install -y" in command
    assert command.split()[-1] == "likewise-no-such-package"
    assert not (tmp_path / ".venv").exists()  # --print changes nothing


def test_ci_runs_the_readme_test_command_and_both_commands_bootstrap() -> None:
    readme = (REPO / "README.md").read_text()
    blocks = readme.split("## Two commands")[1].split("## Everyday use")[0].split("```sh\n")[1:]
    app, test = (block.split("\n```")[0] for block in blocks)
    assert app.startswith("sh tools/bootstrap.sh && ") and test.startswith("sh tools/bootstrap.sh test && ")
    assert (REPO / ".ci/run").read_text().strip().splitlines()[-1] == test


def test_the_library_check_names_a_missing_library_and_its_package() -> None:
    absent = SystemLibrary("likewise-no-such-package", "libnosuch-likewise.so.9", "xcb")
    present = SystemLibrary("libc6", "libc.so.6", "xcb")
    assert missing([absent, present]) == [absent]
    problem = platform_problem("xcb", [absent, present])
    assert problem is not None
    assert "libnosuch-likewise.so.9" in problem and "apt-get install -y likewise-no-such-package" in problem


def test_the_library_check_skips_the_xcb_libraries_off_xcb() -> None:
    absent_xcb = SystemLibrary("likewise-no-such-package", "libnosuch-likewise.so.9", "xcb")
    assert platform_problem("offscreen", [absent_xcb]) is None
    absent_qt = SystemLibrary("likewise-no-such-package", "libnosuch-likewise.so.9", "qt")
    assert platform_problem("offscreen", [absent_qt]) is not None


def test_the_libraries_qt_needs_are_present_here() -> None:
    assert platform_problem("offscreen") is None


def test_no_x11_display_is_named_instead_of_qt_aborting() -> None:
    assert "DISPLAY is not set" in display_problem("xcb", {})
    assert display_problem("xcb", {"DISPLAY": ":0"}) is None
    assert display_problem("offscreen", {}) is None


def test_likewise_desktop_reports_errors_under_the_name_it_was_run_by(tmp_path: Path, capsys) -> None:
    from likewise.desktop.cli import main as desktop_main

    assert main(["desktop", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("likewise: not a folder:")
    assert desktop_main([str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("likewise-desktop: not a folder:")


def _playlist_help() -> str:
    commands = next(action for action in build_parser()._actions if action.dest == "command")
    return commands.choices["playlist"].format_help()


def test_playlist_n_counts_the_songs_after_the_seed(demo_library: tuple[Path, Path], demo_store_copy: Path,
                                                    tmp_path: Path, capsys) -> None:
    (root, _), db = demo_library, demo_store_copy  # -o keeps the playlist in the store
    seed = sorted(root.rglob("*.mp3"))[0]
    out = tmp_path / "radio.m3u8"
    assert main(["playlist", str(seed), "-n", "5", "-o", str(out), "--db", str(db)]) == 0
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert lines[0].split()[0] == "seed" and [line.split()[0] for line in lines[1:]] == ["1", "2", "3", "4", "5"]
    assert len([line for line in out.read_text().splitlines() if not line.startswith("#")]) == 6
    assert "the seed and 5 songs after it" in printed.err
    assert "songs after the seed" in " ".join(_playlist_help().split())


def test_the_failures_hint_gives_db_only_when_the_user_did(tmp_path: Path, capsys) -> None:
    root = tmp_path / "music"
    write_audio(root / "blip.wav", tone(1.0))
    assert main(["index", str(root), "--jobs", "1"]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert hint.endswith("see `likewise index --failures`"), hint
    db = tmp_path / "given.sqlite"
    assert main(["index", str(root), "--jobs", "1", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(f"see `likewise index --failures --db {db}`")


def test_unavailable_playback_shows_a_banner_with_the_fix_at_each_try(qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from likewise.desktop.main_window import MainWindow
    from likewise.desktop.system_libraries import audio_libraries, install_command

    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), index_jobs=1)
    qtbot.addWidget(window)
    window.show()
    window.player.unavailable = f"Playback is not available: Install with: {install_command(audio_libraries())}"
    for _ in range(2):
        window.notice.hide()
        window.player.play(tmp_path / "song.mp3")
        assert window.notice.isVisible() and "apt-get install -y libpulse0" in window.notice.text()
