"""Refuse a database on a network drive.

Why: sqlite.org (FAQ 5, "How To Corrupt An SQLite Database File" 2.1) says file
locking on network file systems is unreliable, and WAL mode does not work there at
all. A council laptop's H: drive is often a network share, so we check.
"""

from __future__ import annotations

import ctypes
import functools
import os
import subprocess
import sys
from pathlib import Path

NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "smb2", "sshfs", "fuse.sshfs", "afs", "9p",
    "ncpfs", "davfs", "fuse.davfs2", "webdav", "glusterfs", "fuse.glusterfs", "ceph",
    "lustre", "fuse.rclone", "afpfs", "nfs3",
})


def _unc(path: str) -> bool:
    return path.startswith(("\\\\", "//")) and not path.startswith(("\\\\?\\", "\\\\.\\"))


def parse_mount_table(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) pairs from /proc/mounts or macOS `mount` output."""
    result: list[tuple[str, str]] = []
    for line in text.splitlines():
        if " on " in line and "(" in line:  # macOS: "//u@srv/share on /Volumes/x (smbfs, ...)"
            _, _, rest = line.partition(" on ")
            point, _, opts = rest.rpartition(" (")
            result.append((point, opts.split(",")[0].strip(" )")))
            continue
        parts = line.split()
        if len(parts) >= 3:
            point = parts[1].replace("\\040", " ")
            result.append((point, parts[2]))
    return result


def filesystem_type(path: Path, mount_table: str) -> str | None:
    """The file system type of the mount holding ``path`` (longest matching mount point)."""
    target = str(path)
    best: tuple[int, str] | None = None
    for point, fstype in parse_mount_table(mount_table):
        prefix = point.rstrip("/") + "/"
        if (target == point or target.startswith(prefix) or point == "/") and (
            best is None or len(point) > best[0]
        ):
            best = (len(point), fstype)
    return best[1] if best else None


def _windows_remote(path: Path) -> bool:  # pragma: no cover - Windows only
    if sys.platform != "win32":  # ctypes.windll exists only there (mypy knows it)
        return False
    import ctypes

    drive = os.path.splitdrive(str(path))[0]
    if not drive:
        return False
    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # DRIVE_REMOTE


#: ``statfs`` magic numbers of file systems that are never a network share (Linux's
#: ``linux/magic.h``): ext2-4, XFS, Btrfs, tmpfs, overlayfs, F2FS, ZFS, FAT, exFAT,
#: NTFS (two drivers), ReiserFS, JFS, HFS+, SquashFS, ramfs, eCryptfs, bcachefs.
LOCAL_MAGIC = frozenset({
    0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0x794C7630, 0xF2F52010, 0x2FC12FC1,
    0x4D44, 0x2011BAB0, 0x7366746E, 0x5346544E, 0x52654973, 0x3153464A, 0x482B,
    0x73717368, 0x858458F6, 0xF15F, 0xCA451A4E,
})


@functools.cache
def _statfs() -> object | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).statfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    function.restype = ctypes.c_int
    return function


def statfs_magic(path: Path) -> int | None:
    """The Linux file system magic number of the nearest existing folder of ``path``.

    Why: one system call answers "local disk" for nearly every laptop, where reading
    and searching the mount table cost most of a millisecond of opening a store.
    ``f_type`` is the first field of ``struct statfs`` (a C long) on every Linux ABI.
    """
    function = _statfs()
    if function is None:
        return None
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    buffer = ctypes.create_string_buffer(512)  # larger than struct statfs anywhere
    if function(os.fsencode(probe), buffer) != 0:  # type: ignore[operator]
        return None
    return ctypes.c_ulong.from_buffer(buffer).value & 0xFFFFFFFF


def _mount_table() -> str:
    if sys.platform.startswith("linux"):
        try:
            return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        try:
            return subprocess.run(["mount"], capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""
    return ""


def is_network_path(path: Path, mount_table: str | None = None) -> bool:
    """True when ``path`` (or the folder it would be created in) is on a network share."""
    raw = str(path)
    if _unc(raw):
        return True
    resolved = path.expanduser().resolve()
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _unc(str(resolved)) or _windows_remote(resolved)
    if mount_table is None and sys.platform.startswith("linux") and \
            statfs_magic(resolved) in LOCAL_MAGIC:
        return False
    table = _mount_table() if mount_table is None else mount_table
    fstype = filesystem_type(resolved, table)
    return fstype is not None and fstype.lower() in NETWORK_FILESYSTEMS
