"""The shared-folder target: each device appends immutable bundles to its own subfolder.

Why per-device subfolders of write-once files: no two devices ever write the same
file, so there is nothing to lock on a share (SMB locking is not to be trusted, and a
SQLite file must never live there). A bundle is written under a temporary name,
flushed and fsynced, then renamed into place, so a reader sees a whole bundle or none;
a temporary file left by a killed writer is ignored (and tidied by its owner).

Why a missing file is not an error: Windows clients cache directory listings on a
share for a while, so a bundle another laptop wrote a moment ago may not be listed
yet; it is simply picked up by a later sync, because what is applied is recorded by
name, not by position.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import EnvironmentProblem
from desktop.files import sync_folder

SUFFIX = ".dsb"
PARTIAL = ".partial"
#: A snapshot: every record of the device that wrote it, for a new laptop to start from.
SNAPSHOT = ".dss"


@dataclass
class FolderTarget:
    root: Path
    device: str

    @property
    def label(self) -> str:
        """How the log names this target (the folder's name only)."""
        return f"folder:{self.root.name}"

    @property
    def identity(self) -> str:
        """What this store records the folder's delivery under: its absolute path
        (two folders of one name are two targets)."""
        return _identity(os.fspath(self.root))

    def _own(self) -> Path:
        return self.root / self.device

    def check(self, write: bool = True) -> None:
        """Reachable: the folder is there (and writable for a push)."""
        if not self.root.is_dir():
            raise EnvironmentProblem(f"The sync folder {self.root} is not reachable.")
        if write and not os.access(self.root, os.W_OK | os.X_OK):
            raise EnvironmentProblem(f"The sync folder {self.root} is read-only for you.")

    def push(self, name: str, data: bytes, suffix: str = SUFFIX) -> str:
        """Write ``data`` as bundle ``name`` durably; its id (device/name)."""
        own = self._own()
        try:
            own.mkdir(parents=True, exist_ok=True)
            final = own / (name + suffix)
            partial = own / (name + PARTIAL)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(partial, final)
            sync_folder(own, strict=True)  # the rename itself durable
        except OSError as exc:
            raise EnvironmentProblem(
                f"Cannot write to the sync folder: {exc.strerror or exc}") from None
        return f"{self.device}/{name}"

    def target_time(self) -> dt.datetime:
        """The share's own clock: the modification time the file server gives a probe
        file written (and removed) in this device's folder (desktop/sync/skew.py)."""
        own = self._own()
        probe = own / f".clock-probe-{os.getpid()}{PARTIAL}"
        try:
            own.mkdir(parents=True, exist_ok=True)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, b"0")
                stamp = os.fstat(fd).st_mtime_ns
            finally:
                os.close(fd)
            probe.unlink()
        except OSError as exc:
            raise EnvironmentProblem(
                f"Cannot write to the sync folder: {exc.strerror or exc}") from None
        return dt.datetime.fromtimestamp(stamp / 1e9, dt.UTC)

    def own_bundles(self) -> list[str]:
        """The bundles under this device's id (to notice a copied store)."""
        try:
            names = os.listdir(self._own())
        except OSError:
            return []
        return [f"{self.device}/{n[:-len(SUFFIX)]}" for n in names if n.endswith(SUFFIX)]

    def tidy(self) -> None:
        """Remove this device's own partial files (a push killed half way, a clock
        probe cut short). Called by the sync under this store's sync lock, so none of
        them is being written; another device's folder is never touched."""
        own = self._own()
        with contextlib.suppress(OSError):  # a listing, not Path.glob: it runs every sync
            for name in os.listdir(own):
                if name.endswith(PARTIAL):
                    os.unlink(os.path.join(own, name))

    def listed(self) -> list[str]:
        """Every whole bundle of the other devices that is listed now, oldest first."""
        try:
            with os.scandir(self.root) as entries:
                devices = [e.name for e in entries if e.name != self.device and e.is_dir()]
        except OSError as exc:
            raise EnvironmentProblem(
                f"Cannot read the sync folder: {exc.strerror or exc}") from None
        root = os.fspath(self.root)
        cut = len(SUFFIX)
        found: list[tuple[str, str]] = []
        for device in devices:
            try:
                names = os.listdir(os.path.join(root, device))
            except OSError:
                continue  # vanished or not readable now: next time
            found += [(n[:-cut], device) for n in names if n.endswith(SUFFIX)]
        found.sort()  # by name (it begins with the writer's change numbers), then device
        return [f"{device}/{name}" for name, device in found]

    def push_snapshot(self, name: str, data: bytes) -> str:
        return self.push(name, data, SNAPSHOT)

    def latest_snapshot(self) -> str | None:
        """The newest snapshot any device wrote (names begin with the time), or None."""
        found = [f"{p.parent.name}/{p.name[:-len(SNAPSHOT)]}"
                 for p in self.root.glob("*/*" + SNAPSHOT)]
        return max(found, key=lambda s: (s.split("/", 1)[1], s), default=None)

    def fetch_snapshot(self, snapshot_id: str) -> bytes | None:
        return self.fetch(snapshot_id, SNAPSHOT)

    def fetch(self, bundle_id: str, suffix: str = SUFFIX) -> bytes | None:
        """The bytes of a bundle; None when it is not there (yet, or any more)."""
        device, name = bundle_id.split("/", 1)
        try:
            return (self.root / device / (name + suffix)).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise EnvironmentProblem(
                f"Cannot read the sync folder: {exc.strerror or exc}") from None


@functools.lru_cache(maxsize=64)
def _identity(root: str) -> str:
    return "folder:" + os.path.normcase(os.path.abspath(root))


