from __future__ import annotations

from pathlib import Path

from desktop.store.netpath import filesystem_type, is_network_path

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
