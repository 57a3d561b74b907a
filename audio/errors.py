"""The root of likewise's errors, in the lowest layer so that every package can subclass it.

Each kind subclasses LikewiseError where it is raised: audio.decoders.AudioError (a file that cannot be analysed),
index.store.StoreError (a store that cannot be used), index.lock.StoreBusy (another run is indexing) and
cli.errors.CommandError (a command that cannot do what was asked). `except LikewiseError` catches them all; their
messages are written for the user.
"""
from __future__ import annotations


class LikewiseError(Exception):
    """An error of likewise whose message says what went wrong, for the user."""
