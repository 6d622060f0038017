#!/bin/sh
# Build DipSample for macOS: dist/DipSample.app and its self-test, then a disk image
# (the app beside an Applications link, to drag) and an installer package for Jamf,
# Intune or Munki; signed, notarised and stapled when the certificates are named.
#
#     installer/build-macos.sh
#
# Needs: Python 3.11+ from python.org or Homebrew on the Mac that builds (PyInstaller
# does not cross-build), and Xcode's command line tools (codesign, notarytool, stapler,
# pkgbuild, productbuild). Makes .venv-build/ so a developer's .venv is left alone.
#
# Architecture: the build's is that of the Python running it: arm64 on Apple silicon,
# x86_64 on an Intel Mac (or under Rosetta: arch -x86_64 python3), universal2 when the
# Python and every compiled package are universal2. It is read from the built program
# and said in the file names: DipSample-<version>-macos-<arch>.dmg and .pkg.
#
# Signing, switched on by the environment (without it the build says so in one line):
#   CODESIGN_IDENTITY   "Developer ID Application: <Council> (<TEAMID>)": the app (every
#                       library inside out, hardened runtime, the program with
#                       installer/macos/entitlements.plist) and the disk image
#   INSTALLER_IDENTITY  "Developer ID Installer: <Council> (<TEAMID>)": the .pkg
#   NOTARY_PROFILE      a notarytool keychain profile, made once with
#                       xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...
#                       then the app, the image and the package are notarised
#                       (notarytool submit --wait) and stapled (stapler staple)
# Entitlements: only com.apple.security.cs.allow-unsigned-executable-memory, which the
# bundled Python's libffi (ctypes, cffi: the keyring, SQLCipher, Qt's bindings) needs to
# run its call trampolines under the hardened runtime. No JIT (Qt Widgets, no QML), no
# disabled library validation (every library is signed here with the same identity), no
# sandbox. The signed app's self-test runs again, so a missing entitlement stops the build.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv-build"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PYTHON="$VENV/bin/python"
"$PYTHON" -m pip install -q -e ".[build]"
VERSION=$("$PYTHON" -c "import importlib.metadata as m; print(m.version('dipsample'))")
ENTITLEMENTS="$ROOT/installer/macos/entitlements.plist"
WORK="$ROOT/build/macos"
rm -rf "$WORK"
mkdir -p "$WORK"

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" installer/dipsample.spec
APP="$ROOT/dist/DipSample.app"
MAIN="$APP/Contents/MacOS/dipsample"
ARCH=$(lipo -archs "$MAIN")
case "$ARCH" in
    *x86_64*arm64* | *arm64*x86_64*) ARCH=universal2 ;;
esac
echo "app: $APP ($(du -sh "$APP" | cut -f1), $ARCH, built in $(( $(date +%s) - started )) s)"

(cd / && "$MAIN" --self-test)

sign() {
    codesign --force --timestamp --options runtime --sign "$CODESIGN_IDENTITY" "$@"
}

notarise() {
    # Submit one file and wait for Apple's answer; stop unless it is Accepted.
    answer=$(xcrun notarytool submit "$1" --keychain-profile "$NOTARY_PROFILE" --wait 2>&1) || true
    printf '%s\n' "$answer"
    case "$answer" in
        *"status: Accepted"*) ;;
        *) echo "notarisation of $(basename "$1") was not accepted; see: xcrun notarytool log <id> --keychain-profile $NOTARY_PROFILE" >&2
           exit 1 ;;
    esac
}

SIGNING=${CODESIGN_IDENTITY:+yes}
NOTARISING=
if [ -n "$SIGNING" ]; then
    # Inside out: every Mach-O file but the program (Python, Qt, the extension modules),
    # then each framework bundle (deepest first), then the program with its
    # entitlements, then the app. Never --deep to sign: it would give the libraries the
    # program's entitlements and skip what it does not recognise.
    find "$APP/Contents" -type f ! -path "$MAIN" -print | while IFS= read -r path; do
        case "$(file -b "$path")" in *Mach-O*) printf '%s\n' "$path" ;; esac
    done > "$WORK/binaries.txt"
    echo "signing: $(wc -l < "$WORK/binaries.txt" | tr -d ' ') libraries and programs with $CODESIGN_IDENTITY"
    tr '\n' '\0' < "$WORK/binaries.txt" | xargs -0 codesign --force --timestamp \
        --options runtime --sign "$CODESIGN_IDENTITY"
    find "$APP/Contents" -depth -type d -name "*.framework" -print | while IFS= read -r framework; do
        sign "$framework"
    done
    sign --entitlements "$ENTITLEMENTS" "$MAIN"
    sign --entitlements "$ENTITLEMENTS" "$APP"
    codesign --verify --strict --deep --verbose=2 "$APP"
    # The signed app under the hardened runtime, as a laptop will run it.
    (cd / && "$MAIN" --self-test)
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        NOTARISING=yes
        # The app itself first, so a copy taken out of the image or the package opens
        # offline too (its ticket stapled inside it).
        ditto -c -k --keepParent "$APP" "$WORK/DipSample.zip"
        notarise "$WORK/DipSample.zip"
        xcrun stapler staple "$APP"
    else
        echo "notarisation: skipped (NOTARY_PROFILE is not set); Gatekeeper will ask before the first start"
    fi
else
    echo "signing: skipped (CODESIGN_IDENTITY is not set); the app, disk image and package are unsigned and not notarised"
fi

# The disk image: the app and a link to /Applications to drag it onto.
DMG="$ROOT/dist/DipSample-$VERSION-macos-$ARCH.dmg"
mkdir -p "$WORK/dmg"
ditto "$APP" "$WORK/dmg/DipSample.app"
ln -s /Applications "$WORK/dmg/Applications"
rm -f "$DMG"
hdiutil create -volname "DipSample $VERSION" -srcfolder "$WORK/dmg" -ov -format UDZO "$DMG"
if [ -n "$SIGNING" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
fi

# The installer package: DipSample.app into /Applications, for management tools. Its
# preinstall removes an earlier DipSample.app first (a new build's files differ, and a
# file left from an older one would break the app's signature); nobody's data is in it.
PKG="$ROOT/dist/DipSample-$VERSION-macos-$ARCH.pkg"
mkdir -p "$WORK/pkgroot" "$WORK/scripts"
ditto "$APP" "$WORK/pkgroot/DipSample.app"
cat > "$WORK/scripts/preinstall" <<'PREINSTALL'
#!/bin/sh
# $2 is the install location (/Applications). Only DipSample's own bundle is removed.
app="$2/DipSample.app"
if [ -d "$app" ] && [ "$(/usr/bin/defaults read "$app/Contents/Info" CFBundleIdentifier 2>/dev/null)" = "org.dipsample.DipSample" ]; then
    /bin/rm -rf "$app"
fi
exit 0
PREINSTALL
chmod 755 "$WORK/scripts/preinstall"
pkgbuild --analyze --root "$WORK/pkgroot" "$WORK/component.plist"
# Installed where it says, never "relocated" onto a copy found elsewhere (a build folder).
plutil -replace 0.BundleIsRelocatable -bool NO "$WORK/component.plist"
pkgbuild --root "$WORK/pkgroot" --component-plist "$WORK/component.plist" \
    --scripts "$WORK/scripts" --identifier org.dipsample.DipSample --version "$VERSION" \
    --install-location /Applications "$WORK/DipSample-component.pkg"
case "$ARCH" in
    universal2) HOSTS="arm64,x86_64" ;;
    *) HOSTS="$ARCH" ;;
esac
cat > "$WORK/distribution.xml" <<DISTRIBUTION
<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
    <title>DipSample $VERSION</title>
    <options customize="never" hostArchitectures="$HOSTS"/>
    <domains enable_localSystem="true" enable_anywhere="false" enable_currentUserHome="false"/>
    <volume-check><allowed-os-versions><os-version min="12.0"/></allowed-os-versions></volume-check>
    <choices-outline><line choice="org.dipsample.DipSample"/></choices-outline>
    <choice id="org.dipsample.DipSample" visible="false"><pkg-ref id="org.dipsample.DipSample"/></choice>
    <pkg-ref id="org.dipsample.DipSample" version="$VERSION" onConclusion="none">DipSample-component.pkg</pkg-ref>
</installer-gui-script>
DISTRIBUTION
rm -f "$PKG"
if [ -n "${INSTALLER_IDENTITY:-}" ]; then
    productbuild --distribution "$WORK/distribution.xml" --package-path "$WORK" \
        --sign "$INSTALLER_IDENTITY" --timestamp "$PKG"
else
    productbuild --distribution "$WORK/distribution.xml" --package-path "$WORK" "$PKG"
    [ -z "$SIGNING" ] || echo "package signing: skipped (INSTALLER_IDENTITY is not set); the .pkg is unsigned"
fi

if [ -n "$NOTARISING" ]; then
    notarise "$DMG"
    xcrun stapler staple "$DMG"
    if [ -n "${INSTALLER_IDENTITY:-}" ]; then
        notarise "$PKG"
        xcrun stapler staple "$PKG"
    fi
fi
echo "disk image: $DMG (open it and drag DipSample onto Applications)"
echo "package:    $PKG (installs /Applications/DipSample.app; for Jamf, Intune, Munki)"
