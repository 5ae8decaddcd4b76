; Inno Setup 6 script: a per-user installer for Runway Desktop (no administrator rights).
;
;   iscc /DAppVersion=0.1.0 packaging\windows\runway-desktop.iss
;
; Input: dist\runway-desktop\ (python packaging\build_app.py) and build\icons\runway-desktop.ico
; (python packaging\make_icons.py). Output: dist\RunwayDesktop-<version>-setup.exe.
; Installs into %LOCALAPPDATA%\Programs\Runway Desktop, adds Start-menu entries (the app and
; its practice mode) and an uninstaller (Settings > Apps, or the Start-menu folder).
; Silent install for CI/IT: RunwayDesktop-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef RepoDir
  #define RepoDir AddBackslash(SourcePath) + "..\.."
#endif
#define AppName "Runway Desktop"
#define AppExe "runway-desktop.exe"
#define AppDir RepoDir + "\dist\runway-desktop"
#define IconFile RepoDir + "\build\icons\runway-desktop.ico"

[Setup]
; The AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{EA96D313-17BE-49B8-8678-CDD51ECCE07D}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Runway Desktop developers
; Per user: {autopf} is %LOCALAPPDATA%\Programs when running without elevation.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#RepoDir}\dist
OutputBaseFilename=RunwayDesktop-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
; Upgrading while the app runs: ask it to close (Restart Manager) instead of failing on locked DLLs.
CloseApplications=yes
RestartApplications=no
#if FileExists(IconFile)
SetupIconFile={#IconFile}
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: files dropped by a newer PyInstaller must not linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#AppDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Send assessment files to Runway"
Name: "{autoprograms}\{#AppName} (practice mode)"; Filename: "{app}\{#AppExe}"; Parameters: "--sandbox"; Comment: "Try Runway Desktop with a local practice server; no account needed"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
