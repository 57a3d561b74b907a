"""Every subcommand of `likewise`, in the order that `likewise --help` lists them."""
from __future__ import annotations

from likewise.cli.commands.desktop import DESKTOP
from likewise.cli.commands.forget import FORGET
from likewise.cli.commands.index import INDEX
from likewise.cli.commands.listing import INFO, LIST
from likewise.cli.commands.model import EVALUATE, TRAIN
from likewise.cli.commands.mood import MOOD
from likewise.cli.commands.playlists import PLAYLISTS
from likewise.cli.commands.make import MIX, PATH, PLAYLIST
from likewise.cli.commands.repair import REPAIR
from likewise.cli.commands.similar import SIMILAR
from likewise.cli.subcommand import Subcommand

SUBCOMMANDS: tuple[Subcommand, ...] = (INDEX, INFO, SIMILAR, LIST, PLAYLIST, MOOD, MIX, PATH, PLAYLISTS, FORGET,
                                       REPAIR, TRAIN, EVALUATE, DESKTOP)
