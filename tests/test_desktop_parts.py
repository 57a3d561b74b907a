"""The window's parts on their own: settings declared once, and background work whose every error comes back."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from likewise.desktop import settings as options
from likewise.desktop.tasks import TaskRunner, wait_for_background
from likewise.index.store import StoreError


def test_an_option_reads_its_default_until_set_and_survives_a_hand_edited_file(tmp_path: Path) -> None:
    stored = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert options.RECOMMEND_COUNT.get(stored) == 10 and options.RADIO_LENGTH.get(stored) == 20
    options.RECOMMEND_COUNT.set(stored, 7)
    assert options.RECOMMEND_COUNT.get(stored) == 7
    stored.setValue(options.RADIO_LENGTH.key, "many")  # as a person may write it in the file
    stored.sync()
    assert options.RADIO_LENGTH.get(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)) == 20


def test_a_task_result_or_any_error_comes_back_on_the_gui_thread_as_one_line(qtbot) -> None:
    runner = TaskRunner("test-tasks")
    results: list[object] = []
    errors: list[str] = []
    unhandled: list[str] = []
    runner.error.connect(unhandled.append)

    def crash() -> None:
        raise RuntimeError("bad\nstate")

    def store_error() -> None:
        raise StoreError("the store is damaged")

    runner.submit(lambda: 6 * 7, results.append, errors.append)
    runner.submit(crash, results.append, errors.append)
    runner.submit(store_error, results.append, errors.append)
    runner.submit(crash)  # no handler: the runner's error signal says it
    qtbot.waitUntil(lambda: len(results) + len(errors) == 3 and bool(unhandled), timeout=5000)
    assert results == [42]
    assert errors == ["RuntimeError: bad state", "the store is damaged"]
    assert unhandled == ["RuntimeError: bad state"]
    closed: list[bool] = []
    runner.stop(lambda: closed.append(True))
    runner.submit(lambda: results.append("too late"))
    assert wait_for_background(5) and closed == [True] and results == [42]
