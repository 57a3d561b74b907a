"""Shipped data: the model weights and card, the demo library and the icons."""
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
DEMO_DIR = ASSETS_DIR / "demo"
ICON_DIR = ASSETS_DIR / "icons"


def installed_version() -> str:
    """The installed version of likewise ("unknown" when it runs from a folder that was never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("likewise")
    except PackageNotFoundError:
        return "unknown"
