"""What IT deploys, checked where it can be without Windows or a Mac: the MSI's WiX
source, the order of the Windows and macOS build steps (signing before packaging, one
line when signing is off), the version resources, the icons, and the README's commands
and policy example. Nothing here pretends to run WiX, signtool, codesign or iscc."""

from __future__ import annotations

import ast
import plistlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from desktop import __version__
from desktop.services.policy import read_policy

ROOT = Path(__file__).resolve().parents[3]
INSTALLER = ROOT / "installer"
WXS = INSTALLER / "wix" / "DipSample.wxs"
WIX = "{http://wixtoolset.org/schemas/v4/wxs}"
#: Never to change: how a newer MSI finds the installed one, and what detection names.
UPGRADE_CODE = "{D5B6F99F-AB48-4565-BC0D-89C9062CA0C1}"
#: The Inno Setup installer's AppId (its uninstall key is "{AppId}_is1").
INNO_APP_ID = "{A593A64C-FB96-46CD-8D52-4B3CBE425AA5}"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def position(script: str, needle: str) -> int:
    """Where ``needle`` first is in ``script``; fails the test when it is missing."""
    found = script.find(needle)
    assert found >= 0, f"missing: {needle}"
    return found


def holds(script: str, *needles: str) -> None:
    missing = [n for n in needles if n not in script]
    assert not missing, f"missing: {missing}"


@pytest.fixture(scope="module")
def wix() -> ET.Element:
    return ET.parse(WXS).getroot()  # well-formed, or this raises


def test_the_msi_is_per_machine_upgraded_by_a_fixed_code(wix: ET.Element) -> None:
    assert wix.tag == f"{WIX}Wix"
    package = wix.find(f"{WIX}Package")
    assert package is not None
    assert package.get("UpgradeCode") == UPGRADE_CODE
    assert package.get("Scope") == "perMachine"
    assert package.get("ProductCode") is None  # a new one per build: a major upgrade
    assert package.get("Version") == "$(var.Version)"  # no version written in the source
    upgrade = package.find(f"{WIX}MajorUpgrade")
    assert upgrade is not None and upgrade.get("DowngradeErrorMessage")
    assert upgrade.get("AllowSameVersionUpgrades") == "yes"
    # The Inno Setup copy is found by its uninstall key and refused, not installed over.
    search = package.find(f"{WIX}Property/{WIX}RegistrySearch")
    assert search is not None and search.get("Key", "").endswith(f"{INNO_APP_ID}_is1")
    assert search.get("Bitness") == "always64"
    assert text(WXS).count("<?ifndef Version?>") == 1


def test_the_msi_harvests_the_bundle_folder(wix: ET.Element) -> None:
    files = wix.find(f".//{WIX}Files")
    assert files is not None and files.get("Include") == "!(bindpath.Bundle)\\**"
    excluded = {e.get("Files") for e in files.findall(f"{WIX}Exclude")}
    named = {f.get("Source") for f in wix.iter(f"{WIX}File")}
    # The two programs are named once each (the shortcut and detection point at them)
    # and left out of the harvest, so no file is installed twice.
    assert named == excluded == {"!(bindpath.Bundle)\\dipsample.exe",
                                 "!(bindpath.Bundle)\\dipsamplew.exe"}
    shortcut = wix.find(f".//{WIX}Shortcut")
    assert shortcut is not None and shortcut.get("Target") == "[INSTALLFOLDER]dipsamplew.exe"
    start_menu = next(d for d in wix.iter(f"{WIX}StandardDirectory")
                      if d.get("Id") == "ProgramMenuFolder")
    assert start_menu.find(f".//{WIX}Shortcut") is shortcut
    program_files = next(d for d in wix.iter(f"{WIX}StandardDirectory")
                         if d.get("Id") == "ProgramFiles64Folder")
    assert program_files.find(f"{WIX}Directory").get("Name") == "DipSample"


def test_uninstalling_the_msi_keeps_the_policy_and_touches_no_profile(wix: ET.Element
                                                                       ) -> None:
    folders = {d.get("Id") for d in wix.iter(f"{WIX}StandardDirectory")}
    assert folders == {"ProgramFiles64Folder", "ProgramMenuFolder", "CommonAppDataFolder"}
    assert not {"LocalAppDataFolder", "AppDataFolder", "PersonalFolder"} & folders
    policy = next(c for c in wix.iter(f"{WIX}Component") if c.get("Id") == "PolicyFolder")
    assert policy.get("Permanent") == "yes"
    sddl = policy.find(f"{WIX}CreateFolder/{WIX}PermissionEx")
    assert sddl is not None and "(A;OICI;FA;;;BA)" in sddl.get("Sddl", "")
    assert "FA;;;BU" not in sddl.get("Sddl", "")  # users read, never write


def test_the_windows_build_signs_before_it_packages() -> None:
    script = text(INSTALLER / "build-windows.ps1")
    pyinstaller = position(script, "-m PyInstaller")
    sign_programs = position(script, "Invoke-Sign $Programs")
    self_test = position(script, '"dipsample.exe") --self-test')
    wix_build = position(script, "& $Wix build")
    sign_msi = position(script, "Invoke-Sign @($Msi)")
    iscc = position(script, "& $Iscc @IsccArgs")
    assert pyinstaller < sign_programs < self_test < wix_build < sign_msi < iscc
    # One line when no certificate is named, and nothing signed then.
    skipped = re.findall(r'Write-Host "signing: skipped \(([^)]*)\)', script)
    assert skipped == ["DIPSAMPLE_SIGN_THUMBPRINT or DIPSAMPLE_SIGN_PFX is not set"]
    assert "if (-not $Signing) { return }" in script
    holds(script,
          # Timestamped SHA-256 signatures, verified; the setup signed by iscc's SignTool.
          "sign /fd sha256 /tr $TimestampUrl /td sha256", "verify /pa",
          '"/DSign", "/Sdipsample=',
          # The MSI's version and files: the package version, the bundle folder.
          '& $Python installer\\windows\\version_info.py $Version',
          '-d "Version=$MsiVersion" -bindpath "Bundle=$Bundle"',
          'installer\\wix\\DipSample.wxs',
          "$WixMajor -lt 5")  # <Files> harvesting is WiX v5's


def test_the_setup_signs_its_uninstaller_and_carries_the_icon() -> None:
    iss = text(INSTALLER / "dipsample.iss")
    sign = iss[position(iss, "#ifdef Sign"):]
    sign = sign[:position(sign, "#endif")]
    assert "SignTool=dipsample" in sign and "SignedUninstaller=yes" in sign
    assert f"AppId={{{INNO_APP_ID}" in iss
    icon = re.search(r"^SetupIconFile=(.+)$", iss, re.MULTILINE)
    assert icon is not None
    assert (INSTALLER / icon.group(1).strip().replace("\\", "/")).resolve() == (
        ROOT / "resources" / "icons" / "dipsample.ico")
    assert "VersionInfoVersion={#AppVersionNumber}" in iss


def _read_version_file(path: Path) -> dict[str, object]:
    """PyInstaller's version file is one Python expression of its classes; evaluated
    here with stand-ins that record their arguments (PyInstaller reads it on Windows)."""
    found: dict[str, object] = {}

    def record(name: str):
        def make(*args: object, **kwargs: object) -> tuple[str, tuple[object, ...], dict]:
            if name == "StringStruct":
                found[str(args[0])] = args[1]
            if name == "FixedFileInfo":
                found.update(kwargs)
            return name, args, kwargs
        return make

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable",
             "StringStruct", "VarFileInfo", "VarStruct")
    tree = ast.parse(text(path), mode="eval")
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name)}
    assert calls <= set(names)
    eval(compile(tree, str(path), "eval"), {"__builtins__": {}},
         {n: record(n) for n in names})
    return found


def test_each_program_gets_its_own_version_resource(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    module = runpy.run_path(str(INSTALLER / "windows" / "version_info.py"))
    monkeypatch.setitem(module["main"].__globals__, "FOLDER", tmp_path)
    assert module["main"]([]) == 0  # the package version, as the build passes it
    for program in ("dipsample", "dipsamplew"):
        found = _read_version_file(tmp_path / f"{program}.txt")
        assert found["OriginalFilename"] == f"{program}.exe"
        assert found["ProductName"] == "DipSample"
        assert found["ProductVersion"] == __version__
        assert found["filevers"] == (*module["numbers"](__version__), 0)
    assert module["numbers"]("0.2.0rc1") == (0, 2, 0)
    assert module["numbers"]("1.4") == (1, 4, 0)
    spec = text(INSTALLER / "dipsample.spec")
    assert 'VERSIONS = ROOT / "build" / "version"' in spec
    assert 'version=(str(VERSIONS / f"{name}.txt")' in spec


def test_the_icons_exist_in_every_size_the_installers_use() -> None:
    icons = ROOT / "resources" / "icons"
    with Image.open(icons / "dipsample.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(icons / "dipsample.icns") as icns:
        assert icns.size == (1024, 1024)
    spec = text(INSTALLER / "dipsample.spec")
    assert 'icon=str(ICONS / "dipsample.icns")' in spec  # the app bundle
    assert 'ICONS / ("dipsample.icns" if MACOS else "dipsample.ico")' in spec  # the EXEs


def test_the_macos_build_signs_notarises_and_staples_before_it_ships() -> None:
    script = text(INSTALLER / "build-macos.sh")
    entitlements = plistlib.loads((INSTALLER / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
    assert 'ENTITLEMENTS="$ROOT/installer/macos/entitlements.plist"' in script
    assert "--options runtime" in script and "--timestamp" in script
    assert 'sign --entitlements "$ENTITLEMENTS" "$MAIN"' in script
    assert "codesign --force --deep" not in script  # inside out, never --deep to sign
    sign_app = position(script, 'sign --entitlements "$ENTITLEMENTS" "$APP"')
    signed_self_test = script.index('"$MAIN" --self-test', sign_app)
    notarise_app = position(script, 'notarise "$WORK/DipSample.zip"')
    staple_app = position(script, 'xcrun stapler staple "$APP"')
    dmg = position(script, "hdiutil create")
    pkg = position(script, "pkgbuild --root")
    notarise_dmg = position(script, 'notarise "$DMG"')
    assert sign_app < signed_self_test < notarise_app < staple_app < dmg < pkg < notarise_dmg
    assert 'xcrun notarytool submit "$1" --keychain-profile "$NOTARY_PROFILE" --wait' in script
    # One line when no identity is named.
    assert len(re.findall(r'echo "signing: skipped \(', script)) == 1
    holds(script, 'xcrun stapler staple "$DMG"', 'xcrun stapler staple "$PKG"',
          # The image: the app beside an Applications link. The package: productbuild,
          # signed with the installer identity. The architecture in both names.
          'ln -s /Applications "$WORK/dmg/Applications"', '-srcfolder "$WORK/dmg"',
          '--sign "$INSTALLER_IDENTITY"',
          'DMG="$ROOT/dist/DipSample-$VERSION-macos-$ARCH.dmg"',
          'PKG="$ROOT/dist/DipSample-$VERSION-macos-$ARCH.pkg"',
          'ARCH=$(lipo -archs "$MAIN")')


def test_the_readme_gives_it_the_msi_lines_and_the_detection_rules() -> None:
    readme = " ".join(text(INSTALLER / "README.md").split())  # lines wrap anywhere
    holds(readme, "msiexec /i DipSample-0.1.0-x64.msi /qn /norestart",
          "msiexec /x DipSample-0.1.0-x64.msi /qn /norestart",
          "msiexec /x {PRODUCT-CODE} /qn /norestart", UPGRADE_CODE,
          f"\\Uninstall\\{INNO_APP_ID}_is1", "HKEY_LOCAL_MACHINE\\SOFTWARE\\DipSample",
          "Line-of-", "Software installation", "DIPSAMPLE_SIGN_THUMBPRINT",
          "CODESIGN_IDENTITY", "NOTARY_PROFILE", "macos-<arch>.pkg")


def test_the_readmes_policy_example_is_a_policy_without_problems(tmp_path: Path) -> None:
    readme = text(INSTALLER / "README.md")
    example = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    path = tmp_path / "policy.toml"
    path.write_text(example.group(1), encoding="utf-8")
    policy = read_policy(path)
    assert policy.problems == ()
    assert policy.sync_target == "folder:\\\\fileserver\\DipSample$\\sync"
    assert policy.idle_minutes == 10
    assert policy.values_for("standards.json")["visit_days.red"] == 7
    assert policy.values_for("sampling.json")["quotas.green"] == 5
    assert policy.count == 14
