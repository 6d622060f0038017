# Build DipSample for Windows: the one-folder bundle, its self-test, then the installer.
#
#     powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1
#
# Needs: Python 3.11+ (64-bit) on PATH as `py`, and Inno Setup 6 (iscc.exe on PATH, or
# in its default folder). Makes .venv-build\ beside the repository's files, so a
# developer's .venv is left alone.
# Result: dist\dipsample\ (the bundle) and dist\DipSample-<version>-setup.exe.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

$Venv = Join-Path $Root ".venv-build"
if (-not (Test-Path (Join-Path $Venv "Scripts\python.exe"))) {
    py -3 -m venv $Venv
}
$Python = Join-Path $Venv "Scripts\python.exe"
# tzdata: Windows has no time zone database of its own, and the deadlines are computed
# in Europe/London (zoneinfo).
& $Python -m pip install -q -e ".[build]" tzdata
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

$Version = & $Python -c "import importlib.metadata as m; print(m.version('dipsample'))"
$Started = Get-Date
& $Python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath (Join-Path $Root "dist") --workpath (Join-Path $Root "build\pyinstaller") `
    installer\dipsample.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$Seconds = [int]((Get-Date) - $Started).TotalSeconds
$Bundle = Join-Path $Root "dist\dipsample"
$Size = (Get-ChildItem $Bundle -Recurse | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Host ("bundle: {0} ({1:N0} MB, built in {2} s)" -f $Bundle, $Size, $Seconds)

& (Join-Path $Bundle "dipsample.exe") --self-test
if ($LASTEXITCODE -ne 0) { throw "the bundle's self-test failed" }

$Iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $Iscc "/DAppVersion=$Version" installer\dipsample.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "installer: dist\DipSample-$Version-setup.exe"
