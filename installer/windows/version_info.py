"""Write the Windows version resources of dipsample.exe and dipsamplew.exe.

    python installer/windows/version_info.py [VERSION]

Writes ``build/version/dipsample.txt`` and ``build/version/dipsamplew.txt`` in
PyInstaller's version-file format (the spec gives each EXE its own) and prints the
version as Windows Installer takes it (three numbers), which build-windows.ps1 passes
to the MSI. VERSION defaults to the installed package's (pyproject.toml's), so the EXEs,
the MSI, the Inno Setup installer and ``dipsample --version`` always agree.

Why each program its own file: AppLocker's and WDAC's publisher rules, Intune's
detection rules and Explorer's Details tab read the product name, the original file
name and the file version from this resource; a windowed dipsamplew.exe claiming to be
dipsample.exe would match the wrong rule.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "build" / "version"
PROGRAMS = {
    "dipsample": "DipSample command line (self-test, imports, reports)",
    "dipsamplew": "DipSample",
}
COMPANY = "DipSample"
PRODUCT = "DipSample"
COPYRIGHT = "DipSample contributors; licence in the About dialog"


def numbers(version: str) -> tuple[int, int, int]:
    """The release numbers of a package version ("0.2.0rc1" -> (0, 2, 0)).

    Why three: Windows Installer compares the first three fields of a product version
    (major.minor.build, at most 255.255.65535) and ignores the fourth.
    """
    match = re.match(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if match is None:
        raise SystemExit(f"version_info: '{version}' does not start with a number")
    major, minor, build = (int(part or 0) for part in match.groups())
    if major > 255 or minor > 255 or build > 65535:
        raise SystemExit(f"version_info: '{version}' is beyond what Windows Installer "
                         "takes (255.255.65535)")
    return major, minor, build


def version_file(program: str, description: str, version: str) -> str:
    """The text PyInstaller reads (``EXE(version=...)``) for one program."""
    four = (*numbers(version), 0)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": description,
        "FileVersion": ".".join(map(str, four)),
        "InternalName": program,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{program}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0x0809 = English (United Kingdom), 1200 = Unicode: the council's language.
    return f"""# UTF-8
# Written by installer/windows/version_info.py; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={four},
    prodvers={four},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '080904B0',
        [{table}])
    ]),
    VarFileInfo([VarStruct('Translation', [2057, 1200])])
  ]
)
"""


def package_version() -> str:
    sys.path.insert(0, str(ROOT))
    from desktop import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    version = args[0] if args else package_version()
    FOLDER.mkdir(parents=True, exist_ok=True)
    for program, description in PROGRAMS.items():
        (FOLDER / f"{program}.txt").write_text(version_file(program, description, version),
                                               encoding="utf-8")
    print(".".join(map(str, numbers(version))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
