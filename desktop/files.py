"""Writing a file the application hands to a person: whole, owner-only, logged first.

Why one module: an export, a report PDF, a subject access file or a drafted mapping
leaves the encrypted store as a plain file, and each used to be written straight under
its final name, then logged. A store that refused the log entry, a kill or a Cancel at
the wrong moment then left a file nobody had logged, or half a file under a good name;
and ``open()`` made it 0644 under the usual umask, readable by every user of the laptop.

So every such file is written here, in this order:

1. to a temporary beside the final name (``.NAME.dipsample-part``: hidden, and plainly
   not the file), created 0600 whatever the umask, and synced to disk;
2. the caller's ``log`` runs and commits its event-log entry;
3. only then is the temporary renamed over the final name (one atomic rename).

After a kill at any moment, a file under its final name is therefore complete and its
export is in the event log; at worst an export is logged whose file never appeared
(the safe side) and a temporary is left, which the next write of that name or into
that folder removes. On any error or Cancel the temporary is removed at once.

A batch (a week's case tools) writes every temporary first, logs them all in one
transaction, then renames them one by one: a Cancel while writing leaves nothing and
logs nothing, and a kill during the renames leaves only logged, whole files.

The named pause points (``output-written``, ``output-logged``, ``output-renamed``;
desktop/sync/pause.py) let the kill tests stop a real process between the steps.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TypeVar

from desktop.errors import EnvironmentProblem
from desktop.sync.pause import test_pause

T = TypeVar("T")
#: The temporary's name ends so; a leftover is recognisable and removed on the next run.
PART_SUFFIX = ".dipsample-part"
#: Mode of a file handed out, and of a folder the application makes for a batch.
FILE_MODE = 0o600
FOLDER_MODE = 0o700

Writer = Callable[[BinaryIO], T]
Log = Callable[[], None]


def part_path(final: Path) -> Path:
    """The temporary a file is written to before it takes ``final``'s name."""
    return final.with_name(f".{final.name}{PART_SUFFIX}")


def tidy_parts(folder: Path) -> int:
    """Remove temporaries a killed run left in ``folder``; how many were removed."""
    removed = 0
    with contextlib.suppress(OSError):
        for stale in folder.glob(f".*{PART_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()
                removed += 1
    return removed


def private_folder(folder: Path) -> Path:
    """``folder``, made (with any missing parents) readable by its owner only (0700).

    A folder that already exists is the person's choice and keeps its mode.
    """
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    try:
        for made in reversed(missing):
            with contextlib.suppress(FileExistsError):
                made.mkdir(mode=FOLDER_MODE)
                made.chmod(FOLDER_MODE)  # mkdir's mode is cut by the umask
    except OSError as exc:
        raise EnvironmentProblem(f"Cannot make the folder {folder.name}: "
                                 f"{exc.strerror}") from None
    if not folder.is_dir():
        raise EnvironmentProblem(f"{folder.name} is not a folder")
    return folder


def _problem(final: Path, exc: OSError) -> EnvironmentProblem:
    return EnvironmentProblem(f"Cannot write {final.name}: {exc.strerror or exc}")


def sync_folder(folder: Path, *, strict: bool = False) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handle to sync).

    ``strict``: an error syncing the folder is raised (a sync bundle or a new store is
    not there until it is durable); otherwise it is ignored, as the file itself is synced
    and in place already.
    """
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if strict:
            raise


class HandOut:
    """Files written aside, made visible under their final names only after a log.

    Use as a context manager: leaving it by an exception (an error, Cancel) removes
    every temporary not yet renamed.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []  # (temporary, final name)
        self.delivered: list[Path] = []

    def __enter__(self) -> HandOut:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.discard()

    def write(self, final: Path, write: Writer[T]) -> T:
        """``write(handle)`` into a new 0600 temporary beside ``final``, synced to disk."""
        part = part_path(final)
        try:
            part.unlink(missing_ok=True)  # a killed run's leftover: never reuse its mode
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_BINARY", 0), FILE_MODE)
        except OSError as exc:
            raise _problem(final, exc) from None
        self.pending.append((part, final))
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, FILE_MODE)  # whatever the umask took away or left
            with os.fdopen(fd, "wb") as handle:
                result = write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise _problem(final, exc) from None
        return result

    def deliver(self, log: Log | None) -> list[Path]:
        """Run ``log`` (it commits the export's event-log entries), then rename every
        temporary into place; the final paths."""
        test_pause("output-written")
        if log is not None:
            log()
        test_pause("output-logged")
        folders = set()
        while self.pending:
            part, final = self.pending[0]
            try:
                os.replace(part, final)
            except OSError as exc:
                raise _problem(final, exc) from None
            self.pending.pop(0)
            self.delivered.append(final)
            folders.add(final.parent)
            test_pause("output-renamed")
        for folder in folders:
            sync_folder(folder)
        return list(self.delivered)

    def discard(self) -> None:
        """Remove the temporaries not yet renamed."""
        for part, _final in self.pending:
            with contextlib.suppress(OSError):
                part.unlink()
        self.pending.clear()


def hand_out(final: Path, write: Writer[T], log: Log | None) -> T:
    """Write one file for a person: aside, synced, ``log`` committed, then renamed."""
    with HandOut() as out:
        result = out.write(final, write)
        out.deliver(log)
    return result


def write_out(out: Path | BinaryIO, write: Writer[T], log: Log | None) -> T:
    """:func:`hand_out` to a path; to an open file (a preview's buffer) write, then log."""
    if isinstance(out, Path):
        return hand_out(out, write, log)
    result = write(out)
    if log is not None:
        log()
    return result


def write_text(final: Path, text: str, log: Log | None = None) -> None:
    """A text file (UTF-8) handed out as :func:`hand_out` does."""
    hand_out(final, lambda handle: handle.write(text.encode("utf-8")), log)


def batch_folder(folder: Path) -> Path:
    """A batch's folder: made 0700 when new, cleared of a killed run's temporaries."""
    private_folder(folder)
    tidy_parts(folder)
    return folder
