"""Shipped data: the model weights and card, the demo library and the icons."""
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
DEMO_DIR = ASSETS_DIR / "demo"
ICON_DIR = ASSETS_DIR / "icons"
