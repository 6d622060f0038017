#!/bin/sh
# Build the Linux one-folder bundle (dist/dipsample/) and run its own self-test.
#
#     installer/build-linux.sh
#
# Run from anywhere; uses the repository's .venv (or $PYTHON), making it when missing,
# and installs the app with its "build" extra (PyInstaller) when either is missing.
# Takes a minute or two: not part of .ci/run.
# Exit 0 only when the build worked and `dist/dipsample/dipsample --self-test` passed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}

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
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" installer/dipsample.spec
built=$(date +%s)
BUNDLE="$ROOT/dist/dipsample"

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
[ "$missing" -eq 0 ] || exit 1

echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1), built in $((built - started)) s)"
"$BUNDLE/dipsample" --version
# From another folder and without the virtual environment, as on a deployed machine.
(cd / && env -u VIRTUAL_ENV -u PYTHONPATH -u PYTHONHOME "$BUNDLE/dipsample" --self-test)

# The window, which the self-test does not open: offscreen, on a new store in a temporary
# folder (passphrase-keyed, no keyring), with every screen built (Qt Charts and Qt PDF
# included). Still running after 10 s with nothing in the log at ERROR: it started.
smoke=$(mktemp -d)
set +e
(cd / && env -u VIRTUAL_ENV -u PYTHONPATH DIPSAMPLE_HOME="$smoke" \
    DIPSAMPLE_PASSPHRASE=bundle-smoke-test PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring \
    QT_QPA_PLATFORM=offscreen timeout 10 "$BUNDLE/dipsample" --db "$smoke/smoke.db" \
    >"$smoke/out" 2>&1)
code=$?
set -e
if [ "$code" -ne 124 ] || grep -q " ERROR " "$smoke/logs/dipsample.log" 2>/dev/null; then
    echo "the bundled window did not keep running (exit $code):" >&2
    cat "$smoke/out" >&2
    rm -rf "$smoke"
    exit 1
fi
rm -rf "$smoke"
echo "window: started offscreen and kept running for 10 s"
