"""MPRIS: a private dbus-daemon, the player registered on it, and real calls through the bus with dbus-send."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection

from likewise.desktop.mpris import BUS_NAME, OBJECT_PATH, MprisPlayer, register_mpris

pytestmark = pytest.mark.skipif(not (shutil.which("dbus-daemon") and shutil.which("dbus-send")),
                                reason="needs dbus-daemon and dbus-send (Debian/Ubuntu package dbus)")


@pytest.fixture
def bus(tmp_path: Path):
    """The address of a private session bus, for this test only."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    address = daemon.stdout.readline().strip()
    yield address
    daemon.terminate()
    daemon.wait(10)


@pytest.fixture
def player(qtbot, bus: str):
    connection = QDBusConnection.connectToBus(bus, "likewise-mpris-test")
    mpris = MprisPlayer()
    assert register_mpris(mpris, connection)
    yield mpris
    connection.unregisterService(BUS_NAME)
    connection.unregisterObject(OBJECT_PATH)
    QDBusConnection.disconnectFromBus("likewise-mpris-test")


def bus_call(qtbot, bus: str, member: str, *arguments: str) -> str:
    """Run dbus-send against the player while the Qt event loop answers it; its printed reply."""
    command = ["dbus-send", f"--bus={bus}", "--print-reply", f"--dest={BUS_NAME}", OBJECT_PATH, member, *arguments]
    call = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: call.poll() is not None, timeout=10_000)
    out, err = call.communicate()
    assert call.returncode == 0, err
    return out


def get(qtbot, bus: str, interface: str, name: str) -> str:
    return bus_call(qtbot, bus, "org.freedesktop.DBus.Properties.Get", f"string:{interface}", f"string:{name}")


def test_media_keys_reach_the_player_through_the_bus(qtbot, bus: str, player: MprisPlayer) -> None:
    for member, signal in (("PlayPause", player.play_pause_requested), ("Play", player.play_requested),
                           ("Pause", player.pause_requested), ("Stop", player.stop_requested),
                           ("Next", player.next_requested), ("Previous", player.previous_requested)):
        with qtbot.waitSignal(signal, timeout=10_000):
            bus_call(qtbot, bus, f"org.mpris.MediaPlayer2.Player.{member}")
    with qtbot.waitSignal(player.raise_requested, timeout=10_000):
        bus_call(qtbot, bus, "org.mpris.MediaPlayer2.Raise")


def test_the_desktop_reads_what_plays(qtbot, bus: str, player: MprisPlayer) -> None:
    interface = "org.mpris.MediaPlayer2.Player"
    assert 'string "Stopped"' in get(qtbot, bus, interface, "PlaybackStatus")
    assert 'string "likewise"' in get(qtbot, bus, "org.mpris.MediaPlayer2", "Identity")
    player.set_song(7, "Crossroads", "Shawn Parrotte", "HyperRogue", 3000.5)
    player.set_playing(True)
    assert 'string "Playing"' in get(qtbot, bus, interface, "PlaybackStatus")
    metadata = get(qtbot, bus, interface, "Metadata")
    assert 'string "Crossroads"' in metadata and 'string "Shawn Parrotte"' in metadata
    assert 'object path "/org/likewise/track/7"' in metadata and "3000500000" in metadata
    player.set_playing(False)
    assert 'string "Paused"' in get(qtbot, bus, interface, "PlaybackStatus")


def test_without_a_bus_nothing_is_registered(qtbot) -> None:
    nowhere = QDBusConnection.connectToBus("unix:path=/nonexistent/likewise-bus", "likewise-no-bus")
    try:
        assert not register_mpris(MprisPlayer(), nowhere)
    finally:
        QDBusConnection.disconnectFromBus("likewise-no-bus")
