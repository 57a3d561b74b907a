"""The shape of the code: one root error, and no package importing a package above it."""
from __future__ import annotations

import pytest

from audio.decode import AudioError
from audio.errors import LikewiseError
from index.cli import CommandError
from index.lock import StoreBusy
from index.store import StoreError


@pytest.mark.parametrize("kind", [AudioError, StoreError, StoreBusy, CommandError])
def test_every_error_of_likewise_is_a_likewise_error(kind: type[Exception]) -> None:
    assert issubclass(kind, LikewiseError)
    with pytest.raises(LikewiseError, match="the message as given"):
        raise kind("the message as given")
