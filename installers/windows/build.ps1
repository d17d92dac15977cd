# Builds the Windows .msi of Nexus Services with jlink and jpackage (JDK 17+, WiX Toolset 3 on PATH for
# jpackage's msi), from the jar and target\lib of `mvn package` (built first when missing). Not run in CI
# (Linux only); installers\README.md says what differs from Linux and why.
#
#   powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1 [-BuildDir DIR] [-Out DIR]
#
# Output: OUT\Nexus Services-VERSION.msi (default OUT: BUILD_DIR\installers\windows). A per-user install
# (no administrator) into %LOCALAPPDATA%\Nexus Services, with a Start menu entry and a desktop shortcut.
#  - "Nexus Services.exe" (the shortcuts) is the tray: no console window, `tray` by default, tray flags.
#  - nexus-services.exe is the CLI: a console program with the CLI's flags plus the long runners' caps.
#  - Class-data sharing: the runtime's default archive only (an app archive is tied to the install path).
# The flags are bin/nexus-services' (keep them equal; the Linux and macOS builds read them from it).
param(
    [string]$BuildDir = "",
    [string]$Out = ""
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version 3

$Repo = (Resolve-Path "$PSScriptRoot\..\..").Path
if (-not $BuildDir) { $BuildDir = Join-Path $Repo "target" }
# Fixed for the life of the product: Windows Installer upgrades an installed version by this code.
$UpgradeUuid = "2065fe62-c446-4f8d-aad4-81f5ad6a541e"

$CliFlags = @("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k")
$LongRunCaps = @("-Xmx64m", "-XX:MaxMetaspaceSize=64m", "-XX:CICompilerCount=1")
$TrayFlags = $CliFlags + @("-Xms12m", "-Xmx64m", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=24m",
    "-XX:CICompilerCount=1", "-Djava.awt.headless=false")
# Both launchers name the CLI as the launcher the app starts itself with (the engine): no space in its name.
$AppOptions = @('-Dnexus.launcher=$BINDIR\nexus-services.exe', '-Djna.boot.library.path=$APPDIR\lib')

function Invoke-Tool([string]$Tool, [string[]]$Arguments) {
    & $Tool @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Tool failed (exit $LASTEXITCODE): $($Arguments -join ' ')" }
}

foreach ($tool in "jdeps", "jlink", "jpackage") {
    if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool not found: a JDK 17+ bin directory must be on PATH" }
}
if (-not (Get-Command "candle.exe" -ErrorAction SilentlyContinue)) { throw "WiX Toolset 3 (candle.exe, light.exe) must be on PATH for jpackage --type msi" }

$Jar = Join-Path $BuildDir "nexus-services.jar"
if (-not (Test-Path $Jar)) {
    Push-Location $Repo
    try { Invoke-Tool "mvn" @("-B", "-ntp", "-q", "-DskipTests", "-Dnexus.buildDir=$BuildDir", "package") } finally { Pop-Location }
}
$BuildDir = (Resolve-Path $BuildDir).Path
$Jar = Join-Path $BuildDir "nexus-services.jar"
if (-not $Out) { $Out = Join-Path $BuildDir "installers\windows" }
New-Item -ItemType Directory -Force -Path $Out | Out-Null
$Out = (Resolve-Path $Out).Path
$Work = Join-Path $Out "work"
if (Test-Path $Work) { Remove-Item -Recurse -Force $Work }
New-Item -ItemType Directory -Force -Path $Work | Out-Null

Add-Type -AssemblyName System.IO.Compression.FileSystem
function Get-ZipEntries([string]$ZipPath) {
    $zip = [System.IO.Compression.ZipFile]::OpenRead($ZipPath)
    try { return @($zip.Entries | ForEach-Object { $_.FullName }) } finally { $zip.Dispose() }
}
function Expand-ZipEntries([string]$ZipPath, [scriptblock]$Filter, [string]$Destination) {
    $zip = [System.IO.Compression.ZipFile]::OpenRead($ZipPath)
    try {
        foreach ($entry in $zip.Entries) {
            if (& $Filter $entry.FullName) {
                [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entry, (Join-Path $Destination $entry.Name), $true)
            }
        }
    } finally { $zip.Dispose() }
}

# The version in the jar's manifest.
$zip = [System.IO.Compression.ZipFile]::OpenRead($Jar)
try {
    $reader = New-Object System.IO.StreamReader($zip.GetEntry("META-INF/MANIFEST.MF").Open())
    $Version = ($reader.ReadToEnd() -split "`r?`n" | Where-Object { $_ -like "Implementation-Version: *" }) -replace "Implementation-Version: ", ""
    $reader.Dispose()
} finally { $zip.Dispose() }
if (-not $Version) { throw "no Implementation-Version in $Jar" }

# Modules: what jdeps finds, plus jdk.crypto.ec (TLS providers are found through ServiceLoader).
$Libs = @(Get-ChildItem (Join-Path $BuildDir "lib") -Filter *.jar | ForEach-Object { $_.FullName })
$Found = (& jdeps --print-module-deps --ignore-missing-deps --multi-release 17 $Jar @Libs | Select-Object -Last 1)
if ($LASTEXITCODE -ne 0 -or $Found -notmatch '^java\.base(,[a-z0-9.]+)*$') { throw "jdeps printed no module list: $Found" }
$Modules = "$Found,jdk.crypto.ec"

# The trimmed runtime with its default class-data archive.
$Runtime = Join-Path $Work "runtime"
Invoke-Tool "jlink" @("--add-modules", $Modules, "--strip-debug", "--no-header-files", "--no-man-pages", "--compress=2", "--output", $Runtime)
Invoke-Tool (Join-Path $Runtime "bin\java.exe") @("-Xshare:dump", "-Xlog:cds=off")

# Input: the jar, its libraries, and the native parts of JavaFX and JNA next to them (loaded from there,
# not unpacked into the user's profile).
$Staging = Join-Path $Work "input"
$InputLib = Join-Path $Staging "lib"
New-Item -ItemType Directory -Force -Path $InputLib | Out-Null
Copy-Item $Jar $Staging
Copy-Item $Libs $InputLib
foreach ($fx in Get-ChildItem $InputLib -Filter "javafx-*-win.jar") {
    Expand-ZipEntries $fx.FullName { param($n) $n -notmatch "/" -and $n -like "*.dll" } $InputLib
}
$Jna = (Get-ChildItem $InputLib -Filter "jna-[0-9]*.jar" | Select-Object -First 1).FullName
Expand-ZipEntries $Jna { param($n) $n -like "com/sun/jna/win32-x86-64/*.dll" } $InputLib
if (-not (Get-ChildItem $InputLib -Filter "glass.dll")) { throw "no JavaFX glass.dll in the -win JavaFX jars of $BuildDir\lib" }

# The CLI as an additional launcher: a console program, no default argument but --help, and no shortcut
# (the shortcuts are the tray's).
$CliProps = Join-Path $Work "nexus-services.properties"
@(
    "win-console=true",
    "win-shortcut=false",
    "win-menu=false",
    "arguments=--help",
    ("java-options=" + (($CliFlags + $LongRunCaps + $AppOptions) -join " "))
) | Set-Content -Encoding ascii $CliProps

$JavaOptions = @()
foreach ($o in $TrayFlags + $AppOptions) { $JavaOptions += @("--java-options", $o) }
$Common = @("--name", "Nexus Services", "--app-version", $Version, "--vendor", "Nexus",
    "--description", "Keeps the Nexus services running and visible: engine, CLI and tray app.",
    "--copyright", "Copyright the Nexus Services authors; Apache License 2.0")
$Image = Join-Path $Work "image"
Invoke-Tool "jpackage" (@("--type", "app-image") + $Common + @("--dest", $Image, "--input", $Staging,
    "--main-jar", "nexus-services.jar", "--main-class", "dev.nexus.services.cli.Main",
    "--runtime-image", $Runtime, "--arguments", "tray", "--add-launcher", "nexus-services=$CliProps",
    "--icon", (Join-Path $Repo "installers\icons\nexus-services.ico")) + $JavaOptions)

Get-ChildItem $Out -Filter "Nexus Services-*.msi" | Remove-Item -Force
Invoke-Tool "jpackage" (@("--type", "msi") + $Common + @("--dest", $Out,
    "--app-image", (Join-Path $Image "Nexus Services"), "--license-file", (Join-Path $Repo "LICENSE"),
    "--win-per-user-install", "--win-menu", "--win-menu-group", "Nexus Services", "--win-shortcut",
    "--win-upgrade-uuid", $UpgradeUuid))
Remove-Item -Recurse -Force $Work
Write-Host "msi: $(Join-Path $Out "Nexus Services-$Version.msi")"
