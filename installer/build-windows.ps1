# Build DipSample for Windows: the one-folder bundle, its self-test, the MSI and the
# Inno Setup installer, signed when a certificate is named.
#
#     powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1
#
# Needs: Python 3.11+ (64-bit) on PATH as `py`; the WiX Toolset v5 or later as the `wix`
# command (`dotnet tool install --global wix`); Inno Setup 6 (iscc.exe on PATH, or in its
# default folder). Signing also needs signtool.exe (the Windows SDK). Makes .venv-build\
# beside the repository's files, so a developer's .venv is left alone.
#
# Signing, switched on by the environment (nothing is signed without it, and the build
# says so in one line):
#   DIPSAMPLE_SIGN_THUMBPRINT  SHA-1 thumbprint of the code-signing certificate in the
#                              current user's certificate store (an EV token's too)
#   DIPSAMPLE_SIGN_PFX         or a .pfx file, with DIPSAMPLE_SIGN_PFX_PASSWORD
#   DIPSAMPLE_TIMESTAMP_URL    RFC 3161 timestamp server (default: DigiCert's), so the
#                              signatures outlive the certificate
# What is signed, in this order: dipsample.exe and dipsamplew.exe (before anything
# packages them, so the MSI and the setup carry signed programs), the MSI, then the
# Inno Setup installer and its uninstaller (iscc signs both through SignTool=).
#
# Result: dist\dipsample\ (the bundle), dist\DipSample-<version>-x64.msi and
# dist\DipSample-<version>-setup.exe.
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
# The version resources of both programs (build\version\*.txt, read by the spec) and the
# version as Windows Installer takes it (major.minor.build), from the package version.
$MsiVersion = & $Python installer\windows\version_info.py $Version
if ($LASTEXITCODE -ne 0) { throw "the version resources could not be written" }

# -- signing: on when a certificate is named, else one line and nothing signed --------
$TimestampUrl = if ($env:DIPSAMPLE_TIMESTAMP_URL) { $env:DIPSAMPLE_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
$SignIdentity = @()
$InnoIdentity = ""
if ($env:DIPSAMPLE_SIGN_THUMBPRINT) {
    $SignIdentity = @("/sha1", $env:DIPSAMPLE_SIGN_THUMBPRINT)
    $InnoIdentity = "/sha1 $env:DIPSAMPLE_SIGN_THUMBPRINT"
} elseif ($env:DIPSAMPLE_SIGN_PFX) {
    $SignIdentity = @("/f", $env:DIPSAMPLE_SIGN_PFX)
    $InnoIdentity = "/f `$q$env:DIPSAMPLE_SIGN_PFX`$q"
    if ($env:DIPSAMPLE_SIGN_PFX_PASSWORD) {
        $SignIdentity += @("/p", $env:DIPSAMPLE_SIGN_PFX_PASSWORD)
        $InnoIdentity += " /p $env:DIPSAMPLE_SIGN_PFX_PASSWORD"
    }
}
$Signing = $SignIdentity.Count -gt 0
$SignTool = $null
if ($Signing) {
    $SignTool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
    if (-not $SignTool) {
        $SignTool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" -ErrorAction SilentlyContinue |
            Sort-Object FullName -Descending | Select-Object -First 1 -ExpandProperty FullName
    }
    if (-not $SignTool) { throw "a certificate is named but signtool.exe was not found: install the Windows SDK's signing tools" }
    Write-Host "signing: with $($SignIdentity[0]) $($SignIdentity[1]), timestamps from $TimestampUrl"
} else {
    Write-Host "signing: skipped (DIPSAMPLE_SIGN_THUMBPRINT or DIPSAMPLE_SIGN_PFX is not set); the programs and installers are unsigned"
}

function Invoke-Sign([string[]]$Files) {
    # Sign and verify; a no-op when signing is off (the line above said so once).
    if (-not $Signing) { return }
    & $SignTool sign /fd sha256 /tr $TimestampUrl /td sha256 /d "DipSample" @SignIdentity @Files
    if ($LASTEXITCODE -ne 0) { throw "signtool could not sign $($Files -join ', ')" }
    & $SignTool verify /pa /q @Files
    if ($LASTEXITCODE -ne 0) { throw "the signature of $($Files -join ', ') does not verify" }
}

# -- the bundle ------------------------------------------------------------------------
$Started = Get-Date
& $Python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath (Join-Path $Root "dist") --workpath (Join-Path $Root "build\pyinstaller") `
    installer\dipsample.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$Seconds = [int]((Get-Date) - $Started).TotalSeconds
$Bundle = Join-Path $Root "dist\dipsample"
$Size = (Get-ChildItem $Bundle -Recurse | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Host ("bundle: {0} ({1:N0} MB, built in {2} s)" -f $Bundle, $Size, $Seconds)
$Programs = @((Join-Path $Bundle "dipsample.exe"), (Join-Path $Bundle "dipsamplew.exe"))
foreach ($Program in $Programs) {
    # AppLocker publisher rules and detection rules read these: a build without them
    # stops here rather than ship.
    $Info = (Get-Item $Program).VersionInfo
    if ($Info.ProductName -ne "DipSample" -or $Info.ProductVersion -ne $Version) {
        throw "$Program has no DipSample $Version version resource (see installer\windows\version_info.py)"
    }
}

# 1. The programs are signed before anything packages them.
Invoke-Sign $Programs

& (Join-Path $Bundle "dipsample.exe") --self-test
if ($LASTEXITCODE -ne 0) { throw "the bundle's self-test failed" }

# 2. The MSI (WiX v5+), harvesting the bundle folder, then signed.
$Wix = (Get-Command wix -ErrorAction SilentlyContinue).Source
if (-not $Wix) { throw "the WiX Toolset is missing: dotnet tool install --global wix" }
$WixMajor = [int]((& $Wix --version) -replace '^(\d+).*$', '$1')
if ($WixMajor -lt 5) { throw "WiX $WixMajor is too old: the MSI's <Files> harvesting needs WiX v5 or later" }
$Msi = Join-Path $Root "dist\DipSample-$Version-x64.msi"
& $Wix build -arch x64 -d "Version=$MsiVersion" -bindpath "Bundle=$Bundle" `
    -o $Msi installer\wix\DipSample.wxs
if ($LASTEXITCODE -ne 0) { throw "wix build failed" }
Invoke-Sign @($Msi)

function Get-MsiProperty([string]$Path, [string]$Name) {
    # Read one property of the built MSI (the product code changes with every build).
    $Installer = New-Object -ComObject WindowsInstaller.Installer
    $Database = $Installer.GetType().InvokeMember("OpenDatabase", "InvokeMethod", $null, $Installer, @($Path, 0))
    $View = $Database.GetType().InvokeMember("OpenView", "InvokeMethod", $null, $Database, @("SELECT Value FROM Property WHERE Property = '$Name'"))
    $View.GetType().InvokeMember("Execute", "InvokeMethod", $null, $View, $null) | Out-Null
    $Record = $View.GetType().InvokeMember("Fetch", "InvokeMethod", $null, $View, $null)
    $Value = $Record.GetType().InvokeMember("StringData", "GetProperty", $null, $Record, 1)
    $View.GetType().InvokeMember("Close", "InvokeMethod", $null, $View, $null) | Out-Null
    return $Value
}
$ProductCode = Get-MsiProperty $Msi "ProductCode"
$UpgradeCode = Get-MsiProperty $Msi "UpgradeCode"
Write-Host "MSI: $Msi (ProductVersion $MsiVersion, ProductCode $ProductCode, UpgradeCode $UpgradeCode)"

# 3. The Inno Setup installer; iscc signs it and its uninstaller (SignTool= in the .iss).
$Iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
$IsccArgs = @("/DAppVersion=$Version", "/DAppVersionNumber=$MsiVersion")
if ($Signing) {
    # $q and $f are Inno Setup's: a quote, and the quoted file to sign.
    $IsccArgs += @("/DSign", "/Sdipsample=`$q$SignTool`$q sign /fd sha256 /tr $TimestampUrl /td sha256 /d DipSample $InnoIdentity `$f")
}
& $Iscc @IsccArgs installer\dipsample.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "installer: dist\DipSample-$Version-setup.exe"
