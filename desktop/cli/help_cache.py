"""``dipsample --help``: the text the full parser printed last time, for the same words.

Why: the help of any command needs the full parser, and building it imports every
command module and, behind them, the database stack, the reports and the sync (one to
two seconds, six on a busy laptop) only to print text that changes when DipSample
does. So the first ``--help`` (of the top level or of a command) builds the parser as
always and keeps what it printed; later ones, with the same words, terminal width and
DipSample, print the kept text and import nothing heavy (issue 23).

What "the same DipSample" means: the version and, run from source, the size and time
of every file of the ``desktop`` package and of ``resources`` (help texts quote
constants and the built-in profiles); in the bundle, the program file itself. Any
change there is a new key, so a kept text is never out of date. The texts live in the
user data folder's ``help`` folder; one that cannot be written is simply not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from desktop import __version__, paths

HELP_WORDS = frozenset({"-h", "--help"})
#: Kept texts beyond this many are removed, oldest first (each is a few kilobytes).
KEEP = 64


def asks_for_help(argv: list[str]) -> bool:
    return any(word in HELP_WORDS for word in argv)


def _sources() -> list[str]:
    """What the help text is made from, as stamps that change when any part does."""
    if getattr(sys, "frozen", False):
        program = Path(sys.executable)
        stat = program.stat()
        return [str(program), str(stat.st_size), str(stat.st_mtime_ns)]
    stamps: list[str] = []
    for root in (Path(__file__).resolve().parents[1], paths.resource()):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                stat = os.stat(os.path.join(folder, name))
                stamps.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return stamps


def _key(argv: list[str]) -> str:
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("DIPSAMPLE_"))
    width = shutil.get_terminal_size().columns  # argparse wraps to it
    parts = [__version__, sys.version, argv, width, settings, _sources()]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:32]


def _folder() -> Path:
    return paths.data_dir() / "help"


def kept(argv: list[str]) -> str | None:
    """The help text printed last time for ``argv``, or None."""
    try:
        return (_folder() / f"{_key(argv)}.txt").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def keep(argv: list[str], text: str) -> None:
    """Keep ``text`` as the help for ``argv`` (quietly not, if the folder is not writable)."""
    try:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{_key(argv)}.txt"
        part = target.with_name(target.name + ".part")
        part.write_text(text, "utf-8")
        os.replace(part, target)
        texts = sorted(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime_ns)
        for old in texts[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        return
