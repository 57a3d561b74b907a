"""The likewise desktop app (PySide6)."""
