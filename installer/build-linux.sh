#!/bin/sh
# Build the Linux one-folder bundle (dist/dipsample/) and run its own self-test.
#
#     installer/build-linux.sh
#
# Run from anywhere; uses the repository's .venv (or $PYTHON), making it when missing,
# and installs the app with its "build" extra (PyInstaller) when either is missing.
# Takes a few minutes: not part of .ci/run. $DIST and $WORK move the bundle and
# PyInstaller's work folder (default: dist/ and build/pyinstaller/).
# Exit 0 only when the build worked, the bundle is at most $MAX_MB megabytes (200:
# issue 26) with none of the Qt parts it leaves out (installer/bundle_slim.py), and
# `dist/dipsample/dipsample --self-test` passed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}
DIST=${DIST:-"$ROOT/dist"}
WORK=${WORK:-"$ROOT/build/pyinstaller"}
MAX_MB=${MAX_MB:-200}

if [ ! -x "$PYTHON" ]; then
    echo "making the virtual environment .venv (as the README's two commands do)..."
    python3 -m venv "$ROOT/.venv"
    PYTHON="$ROOT/.venv/bin/python"
fi
if ! "$PYTHON" -c "import PyInstaller, importlib.metadata as m; m.version('dipsample')" 2>/dev/null; then
    echo "installing DipSample with PyInstaller (the 'build' extra)..."
    "$PYTHON" -m pip install -q -e ".[build]"
fi

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" installer/dipsample.spec
built=$(date +%s)
BUNDLE="$DIST/dipsample"

# What the self-test cannot see (it opens no window): the Qt parts the window needs.
missing=0
for part in _internal/PySide6/Qt/plugins/platforms/libqxcb.so \
            _internal/PySide6/Qt/plugins/platforms/libqwayland.so \
            _internal/PySide6/Qt/lib/libQt6Charts.so.6 \
            _internal/PySide6/Qt/lib/libQt6Pdf.so.6 \
            _internal/resources/templates/risk_assessment_rag.toml \
            _internal/resources/fonts/DejaVuSans.ttf \
            _internal/desktop/store/migrations/env.py \
            _internal/desktop/sync/central_schema/env.py \
            _internal/desktop/sync/central_schema/versions/0001_bundles_and_snapshots.py; do
    if [ ! -e "$BUNDLE/$part" ]; then
        echo "MISSING from the bundle: $part" >&2
        missing=1
    fi
done
# What the window never loads, left out on purpose (installer/bundle_slim.py).
for part in _internal/libgtk-3.so.0 \
            _internal/PySide6/Qt/lib/libQt6Quick.so.6 \
            _internal/PySide6/Qt/lib/libQt6Qml.so.6 \
            _internal/PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so \
            _internal/PySide6/Qt/plugins/platformthemes/libqgtk3.so \
            _internal/PySide6/Qt/translations \
            _internal/PySide6/QtOpenGL.abi3.so; do
    if [ -e "$BUNDLE/$part" ]; then
        echo "IN the bundle though the window never uses it: $part" >&2
        missing=1
    fi
done
[ "$missing" -eq 0 ] || exit 1

size_mb=$(du -sm "$BUNDLE" | cut -f1)
files=$(find "$BUNDLE" -type f | wc -l)
echo "bundle: $BUNDLE ($size_mb MB, $files files, built in $((built - started)) s)"
if [ "$size_mb" -gt "$MAX_MB" ]; then
    echo "the bundle is $size_mb MB, over its limit of $MAX_MB MB" >&2
    exit 1
fi
# From another folder and without the virtual environment, as on a deployed machine.
clean() { (cd / && env -u VIRTUAL_ENV -u PYTHONPATH -u PYTHONHOME "$@"); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
before=$(now_ms)
clean "$BUNDLE/dipsample" --version
echo "--version: answered in $(( $(now_ms) - before )) ms"
before=$(now_ms)
clean "$BUNDLE/dipsample" --self-test
echo "self-test: passed in $(( $(now_ms) - before )) ms of wall time"

# The window, which the self-test does not open: on a new store in a temporary folder
# (passphrase-keyed, no keyring), with every screen built (Qt Charts and Qt PDF
# included). Still running after 10 s with nothing in the log at ERROR: it started.
# smoke WHERE VARIABLE=VALUE...: the window with those variables; exits on failure.
smoke() {
    where=$1
    shift
    folder=$(mktemp -d)
    set +e
    (cd / && env -u VIRTUAL_ENV -u PYTHONPATH -u QT_QPA_PLATFORM -u WAYLAND_DISPLAY "$@" \
        DIPSAMPLE_HOME="$folder" DIPSAMPLE_PASSPHRASE=bundle-smoke-test \
        PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring \
        timeout 10 "$BUNDLE/dipsample" --db "$folder/smoke.db" >"$folder/out" 2>&1)
    code=$?
    set -e
    if [ "$code" -ne 124 ] || grep -q " ERROR " "$folder/logs/dipsample.log" 2>/dev/null; then
        echo "the bundled window did not keep running $where (exit $code):" >&2
        cat "$folder/out" >&2
        rm -rf "$folder"
        exit 1
    fi
    rm -rf "$folder"
    echo "window: started $where and kept running for 10 s"
}
smoke offscreen QT_QPA_PLATFORM=offscreen
# On a real X server too when Xvfb is installed: the xcb plugin and the X11 libraries
# the bundle carries (or leaves to the system) load and connect.
if command -v Xvfb >/dev/null 2>&1; then
    display=:$(( $$ % 400 + 100 ))
    Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb=$!
    sleep 2
    trap 'kill "$xvfb" 2>/dev/null || true' EXIT
    smoke "on X11 (Xvfb $display)" DISPLAY="$display"
else
    echo "window on X11: not tried (no Xvfb here)"
fi
echo "done: $size_mb MB in $((built - started)) s of PyInstaller, $(( $(date +%s) - started )) s in all"
