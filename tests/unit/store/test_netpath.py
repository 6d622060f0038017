from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop.store.netpath import (
    LOCAL_MAGIC,
    NETWORK_FILESYSTEMS,
    filesystem_type,
    is_network_path,
    statfs_magic,
)

LINUX_MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
//srv/users /home/alex/H\\040drive cifs rw,vers=3.0 0 0
srv:/export /mnt/nfs nfs4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""

MAC_MOUNTS = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//alex@fileserver/qa on /Volumes/qa (smbfs, nodev, nosuid, mounted by alex)
"""


def test_unc_paths_are_network() -> None:
    assert is_network_path(Path("//server/share/db.sqlite"), mount_table="")
    assert is_network_path(Path("\\\\server\\share\\db.sqlite"), mount_table="")


def test_linux_mount_table() -> None:
    assert is_network_path(Path("/mnt/nfs/qa/db.sqlite"), mount_table=LINUX_MOUNTS)
    assert is_network_path(Path("/home/alex/H drive/db.sqlite"), mount_table=LINUX_MOUNTS)
    assert not is_network_path(Path("/home/alex/db.sqlite"), mount_table=LINUX_MOUNTS)
    assert not is_network_path(Path("/mnt/nfsother/db.sqlite"), mount_table=LINUX_MOUNTS)


def test_macos_mount_output() -> None:
    assert filesystem_type(Path("/Volumes/qa/x.db"), MAC_MOUNTS) == "smbfs"
    assert is_network_path(Path("/Volumes/qa/x.db"), mount_table=MAC_MOUNTS)
    assert not is_network_path(Path("/Users/alex/x.db"), mount_table=MAC_MOUNTS)


def test_this_machine_tmp_is_local(tmp_path: Path) -> None:
    assert not is_network_path(tmp_path / "db.sqlite")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="statfs is Linux's")
def test_a_local_folder_is_known_local_from_one_statfs_call(tmp_path: Path) -> None:
    """The fast answer agrees with the mount table's, also for a file not made yet."""
    magic = statfs_magic(tmp_path / "not-yet" / "db.sqlite")
    assert magic == statfs_magic(tmp_path)
    assert magic in LOCAL_MAGIC  # the test machines' disks are ext4/overlay/tmpfs
    fstype = filesystem_type(tmp_path.resolve(), Path("/proc/mounts").read_text())
    assert fstype is not None and fstype not in NETWORK_FILESYSTEMS
