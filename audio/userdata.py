"""likewise's user data folder, in the lowest layer (audio) so that every package can find it without importing
upward: the model keeps Keras' settings there, the library its stores and the last library used."""
from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "likewise"


def data_dir() -> Path:
    """The user's data folder for likewise (LIKEWISE_DATA_DIR overrides it, e.g. for tests)."""
    override = os.environ.get("LIKEWISE_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
