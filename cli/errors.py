"""The error of a command that cannot do what was asked."""
from __future__ import annotations

from likewise.audio.errors import LikewiseError


class CommandError(LikewiseError):
    """A failure to report as one line on stderr, exit code 1."""


class UsageError(CommandError):
    """A command given without what it needs (or with options that do not go together): exit code 2, as for the
    usage errors argparse finds."""
