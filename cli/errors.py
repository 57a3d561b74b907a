"""The error of a command that cannot do what was asked."""
from __future__ import annotations

from likewise.audio.errors import LikewiseError


class CommandError(LikewiseError):
    """A failure to report as one line on stderr, exit code 1."""
