#!/bin/sh
# Build DipSample for macOS: dist/DipSample.app, its self-test, and a disk image.
#
#     installer/build-macos.sh
#
# Needs: Python 3.11+ from python.org (universal2) or Homebrew, on the Mac that builds
# (PyInstaller does not cross-build). Makes .venv-build/ so a developer's .venv is left
# alone. Signing: set CODESIGN_IDENTITY ("Developer ID Application: ...") to sign the
# app and the image; then notarise with
#     xcrun notarytool submit dist/DipSample-<version>.dmg --keychain-profile PROFILE --wait
#     xcrun stapler staple dist/DipSample-<version>.dmg
# An unsigned app opens only after right-click > Open (Gatekeeper).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv-build"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PYTHON="$VENV/bin/python"
"$PYTHON" -m pip install -q -e ".[build]"
VERSION=$("$PYTHON" -c "import importlib.metadata as m; print(m.version('dipsample'))")

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" installer/dipsample.spec
APP="$ROOT/dist/DipSample.app"
echo "app: $APP ($(du -sh "$APP" | cut -f1), built in $(( $(date +%s) - started )) s)"

(cd / && "$APP/Contents/MacOS/dipsample" --self-test)

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$APP"
fi
DMG="$ROOT/dist/DipSample-$VERSION.dmg"
rm -f "$DMG"
hdiutil create -volname "DipSample $VERSION" -srcfolder "$APP" -ov -format UDZO "$DMG"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --sign "$CODESIGN_IDENTITY" --timestamp "$DMG"
fi
echo "disk image: $DMG (drag DipSample to Applications)"
