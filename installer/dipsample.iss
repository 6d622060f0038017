; Inno Setup 6 script: DipSample for every user of a Windows machine.
;
; Built by installer\build-windows.ps1, which first makes dist\dipsample\ with PyInstaller
; (its programs signed when a certificate is named) and passes the version from
; pyproject.toml:
;     iscc /DAppVersion=0.1.0 /DAppVersionNumber=0.1.0 installer\dipsample.iss
; and, to sign the setup and its uninstaller, /DSign with the signing command:
;     iscc ... /DSign "/Sdipsample=$qC:\...\signtool.exe$q sign /fd sha256 /tr URL /td sha256 /sha1 THUMBPRINT $f"
; Result: dist\DipSample-<version>-setup.exe
; The same folder as an MSI (Intune, Group Policy): installer\wix\DipSample.wxs. Use one
; or the other on a machine; the MSI refuses to install over this one.
;
; Silent deployment (Intune, SCCM/ConfigMgr, Group Policy start-up script), as an
; administrator or SYSTEM:
;     DipSample-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="%TEMP%\dipsample-setup.log"
; then prove the installation works (exit code 0, one line):
;     "C:\Program Files\DipSample\dipsample.exe" --self-test
; Silent removal (leaves every user's data, logs and settings where they are):
;     "C:\Program Files\DipSample\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;
; Why per machine: council laptops are shared and managed; one copy in Program Files,
; writable only by administrators, updated in place by the next installer (same AppId).
; Each person's encrypted database, logs and settings stay in their own profile
; (%LOCALAPPDATA%\DipSample\DipSample), never in the program folder.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z installer\dipsample.iss
#endif
#ifndef AppVersionNumber
  ; The version resource takes numbers only ("0.2.0rc1" would not do).
  #define AppVersionNumber AppVersion
#endif

[Setup]
; Never change the AppId: it is how a newer installer finds the installed copy to replace.
AppId={{A593A64C-FB96-46CD-8D52-4B3CBE425AA5}
AppName=DipSample
AppVersion={#AppVersion}
AppVerName=DipSample {#AppVersion}
AppPublisher=DipSample
DefaultDirName={autopf}\DipSample
DisableDirPage=auto
DefaultGroupName=DipSample
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=DipSample-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=DipSample {#AppVersion}
UninstallDisplayIcon={app}\dipsamplew.exe
SetupIconFile=..\resources\icons\dipsample.ico
; The setup's own version resource: what Explorer, AppLocker and Intune read.
VersionInfoVersion={#AppVersionNumber}
VersionInfoProductName=DipSample
VersionInfoProductVersion={#AppVersionNumber}
VersionInfoCompany=DipSample
VersionInfoDescription=DipSample {#AppVersion} setup
#ifdef Sign
; build-windows.ps1 defines the "dipsample" sign tool (/S) when a certificate is named:
; the setup and the uninstaller it writes (unins000.exe) are signed with it.
SignTool=dipsample
SignedUninstaller=yes
#endif
; A running DipSample holds its files open: ask it to close (silently: close it).
CloseApplications=force
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Dirs]
; The folder IT's machine-wide policy goes in (policy.toml; installer\README.md). Kept on
; removal, with IT's policy in it; its permissions are set by icacls below.
Name: "{commonappdata}\DipSample"; Flags: uninsneveruninstall

[InstallDelete]
; The previous version's bundle, so no stale module of an older build is left beside it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\dipsample\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; {autoprograms} is the all-users Start menu, as the install is per machine.
Name: "{autoprograms}\DipSample"; Filename: "{app}\dipsamplew.exe"; Comment: "Dip-sample audits of children's social care case records"

[Run]
; Only administrators and SYSTEM may write the policy folder (ProgramData would let any
; user add a file, and so a policy of their own); every user may read it. By SID, so it
; works in every language of Windows.
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\DipSample"" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX"; Flags: runhidden waituntilterminated; StatusMsg: "Securing the policy folder..."
Filename: "{app}\dipsamplew.exe"; Description: "Start DipSample"; Flags: nowait postinstall skipifsilent unchecked
