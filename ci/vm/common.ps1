<#
.SYNOPSIS
    Shared helpers of the jminifilter VM scripts (prepare, install, uninstall, verifier) and of
    the Windows CI packaging script. Dot-source it; it defines functions only.

.DESCRIPTION
    The names (service, driver file, INF, catalog, altitude, port) are read from the files that
    define them (inf\jminifilter.inf and native-driver\include\jmf_protocol.h), never repeated
    here, so the scripts follow the INF.

    Native tools are run through Invoke-Tool, which captures standard output and standard error
    without PowerShell 5.1 turning a tool's stderr line into a terminating error under
    $ErrorActionPreference = 'Stop', and which returns the exit code for the caller to explain.

    Kept to PowerShell 5.1 syntax (no ternary, no ??, no && / ||): it runs on a stock Windows.
#>

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# Where the scripts keep what they create between runs (certificate export, staged package,
# the second volume's VHDX, the state file).
$script:JmfStateDir = Join-Path $env:ProgramData 'jminifilter\vm'
$script:JmfRepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path

function Write-JmfStep {
    param([Parameter(Mandatory)][string]$Message)
    Write-Host ''
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Write-JmfOk {
    param([Parameter(Mandatory)][string]$Message)
    Write-Host "    ok: $Message" -ForegroundColor Green
}

function Write-JmfNote {
    param([Parameter(Mandatory)][string]$Message)
    Write-Host "    note: $Message" -ForegroundColor Yellow
}

function Stop-Jmf {
    # A failure a person can act on: what went wrong, then what to do about it.
    param(
        [Parameter(Mandatory)][string]$What,
        [Parameter(Mandatory)][string]$Fix
    )
    throw "$What`r`n  What to do: $Fix"
}

function Assert-JmfAdministrator {
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
        # A 32-bit PowerShell sees SysWOW64, which has no pnputil.exe and a 32-bit view of the
        # registry: the driver's keys would be looked for in the wrong place.
        Stop-Jmf -What 'This is the 32-bit (x86) PowerShell on a 64-bit Windows.' `
                 -Fix 'Run the script from the 64-bit Windows PowerShell (C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe).'
    }
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        Stop-Jmf -What 'This script changes boot settings, certificate stores and drivers, which needs an elevated session.' `
                 -Fix 'Start PowerShell with "Run as administrator" and run the script again.'
    }
}

function Get-JmfWindowsBuild {
    $key = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    return [int]$key.CurrentBuildNumber
}

function ConvertTo-JmfArgument {
    # Quotes one argument the way CommandLineToArgvW / the C runtime parse it back.
    param([AllowEmptyString()][string]$Value)
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') {
        return $Value
    }
    $escaped = $Value -replace '(\\*)"', '$1$1\"'
    $escaped = $escaped -replace '(\\+)$', '$1$1'
    return '"' + $escaped + '"'
}

function Invoke-Tool {
    <#
    .SYNOPSIS
        Runs a native program; returns an object with ExitCode and Output (stdout then stderr).
        Never throws for a non-zero exit code: the caller says what that code means.
    #>
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [switch]$Quiet
    )
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $FilePath
    $info.Arguments = (@($ArgumentList | ForEach-Object { ConvertTo-JmfArgument $_ }) -join ' ')
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.CreateNoWindow = $true
    try {
        $process = [System.Diagnostics.Process]::Start($info)
    } catch {
        Stop-Jmf -What "Could not start $FilePath ($($_.Exception.Message))." `
                 -Fix 'Check that the program exists and that this session may run it.'
    }
    # Both streams are read concurrently: reading one to its end first can deadlock when the
    # program fills the other's pipe buffer.
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    $process.WaitForExit()
    $text = ($stdout.Result + $stderr.Result).TrimEnd()
    if (-not $Quiet -and $text.Length -gt 0) {
        $text -split "`r?`n" | ForEach-Object { Write-Host "    | $_" }
    }
    return [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $text }
}

function Get-JmfInfValue {
    # A [Strings] value or a plain "Key = value" line of the INF, without quotes and comments.
    param([Parameter(Mandatory)][string]$InfPath, [Parameter(Mandatory)][string]$Key)
    $pattern = '^\s*' + [regex]::Escape($Key) + '\s*=\s*"?([^";]*?)"?\s*(;.*)?$'
    foreach ($line in Get-Content -LiteralPath $InfPath) {
        $m = [regex]::Match($line, $pattern)
        if ($m.Success) {
            return $m.Groups[1].Value.Trim()
        }
    }
    return $null
}

function Get-JmfNames {
    <#
    .SYNOPSIS
        The names the project defines once: service (= driver name), driver file, INF, catalog,
        altitude and port, read from inf\jminifilter.inf and native-driver\include\jmf_protocol.h.
    #>
    param([string]$RepoRoot = $script:JmfRepoRoot)
    $infPath = Join-Path $RepoRoot 'inf\jminifilter.inf'
    if (-not (Test-Path -LiteralPath $infPath)) {
        Stop-Jmf -What "The INF $infPath is missing." `
                 -Fix 'Run the script from a complete checkout of the jminifilter repository (it reads the names from the INF).'
    }
    $service = Get-JmfInfValue -InfPath $infPath -Key 'ServiceName'
    $altitude = Get-JmfInfValue -InfPath $infPath -Key 'Instance1.Altitude'
    $catalog = Get-JmfInfValue -InfPath $infPath -Key 'CatalogFile'
    if (-not $service -or -not $altitude -or -not $catalog) {
        Stop-Jmf -What "Could not read ServiceName, Instance1.Altitude and CatalogFile from $infPath." `
                 -Fix 'Restore the INF from the repository (git checkout -- inf/jminifilter.inf).'
    }
    $header = Join-Path $RepoRoot 'native-driver\include\jmf_protocol.h'
    $port = $null
    if (Test-Path -LiteralPath $header) {
        $m = Select-String -LiteralPath $header -Pattern '#define\s+JMF_PORT_NAME\s+L"((?:[^"\\]|\\.)*)"' | Select-Object -First 1
        if ($m) {
            $port = $m.Matches[0].Groups[1].Value -replace '\\\\', '\'
        }
    }
    return [pscustomobject]@{
        Service    = $service
        DriverFile = "$service.sys"
        InfPath    = $infPath
        InfName    = Split-Path -Leaf $infPath
        Catalog    = $catalog
        Altitude   = $altitude
        Port       = $port
    }
}

function Find-JmfKitTool {
    <#
    .SYNOPSIS
        Finds a WDK/SDK tool (signtool.exe, Inf2Cat.exe, InfVerif.exe): first in -ToolsPath,
        then under the Windows Kits, newest version first, then on PATH.
    #>
    param(
        [Parameter(Mandatory)][string]$Name,
        [string]$ToolsPath
    )
    $roots = @()
    if ($ToolsPath) { $roots += $ToolsPath }
    $kits = Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
    if (Test-Path -LiteralPath $kits) { $roots += $kits }
    foreach ($root in $roots) {
        $found = Get-ChildItem -LiteralPath $root -Filter $Name -Recurse -File -ErrorAction SilentlyContinue |
            Sort-Object -Property @{ Expression = { $_.FullName -match '\\(x64|amd64)\\' } ; Descending = $true },
                                  @{ Expression = { $_.FullName } ; Descending = $true } |
            Select-Object -First 1
        if ($found) { return $found.FullName }
    }
    $command = Get-Command $Name -ErrorAction SilentlyContinue
    if ($command) { return $command.Source }
    return $null
}

function Get-JmfTestCertificate {
    # The test-signing certificate prepare.ps1 made, from the machine's personal store.
    param([Parameter(Mandatory)][string]$Subject)
    return Get-ChildItem -Path Cert:\LocalMachine\My |
        Where-Object { $_.Subject -eq $Subject -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date) } |
        Sort-Object -Property NotAfter -Descending |
        Select-Object -First 1
}

function Test-JmfTestSigningActive {
    # What the running kernel was booted with (bcdedit shows only the next boot's setting).
    $options = (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name SystemStartOptions).SystemStartOptions
    return ($options -match '\bTESTSIGNING\b')
}

function Get-JmfLoadedFilters {
    # Names of the minifilters loaded now (first column of "fltmc filters"; names are not localised).
    $result = Invoke-Tool -FilePath 'fltmc.exe' -ArgumentList @('filters') -Quiet
    if ($result.ExitCode -ne 0) {
        Stop-Jmf -What "fltmc filters failed (exit code $($result.ExitCode)): $($result.Output)" `
                 -Fix 'Run from an elevated session; fltmc needs administrator rights.'
    }
    $names = @()
    foreach ($line in ($result.Output -split "`r?`n")) {
        $m = [regex]::Match($line, '^\s*(\S+)\s+\d+\s+')
        if ($m.Success) { $names += $m.Groups[1].Value }
    }
    return $names
}

function Get-JmfDriverStorePackages {
    # The oemNN.inf names under which the Driver Store holds packages of this INF (third-party
    # packages only: without -All, Get-WindowsDriver skips the inbox drivers, which is faster).
    param([Parameter(Mandatory)][string]$InfName)
    $packages = @(Get-WindowsDriver -Online -ErrorAction Stop |
        Where-Object { $_.OriginalFileName -and ((Split-Path -Leaf $_.OriginalFileName) -ieq $InfName) } |
        ForEach-Object { $_.Driver })
    return $packages
}

function Get-JmfLauncher {
    # bin\jminifilter.cmd, with the jar it runs (built by "mvn -B package").
    $launcher = Join-Path $script:JmfRepoRoot 'bin\jminifilter.cmd'
    $jar = Join-Path $script:JmfRepoRoot 'java\cli\target\jminifilter.jar'
    if (-not (Test-Path -LiteralPath $launcher)) {
        Stop-Jmf -What "The command-line launcher $launcher is missing." `
                 -Fix 'Use a checkout that has the jminifilter command line (bin\jminifilter.cmd).'
    }
    if (-not (Test-Path -LiteralPath $jar)) {
        Stop-Jmf -What "The jminifilter command line is not built ($jar is missing)." `
                 -Fix "Build it once: cd $($script:JmfRepoRoot); mvn -B package -DskipTests"
    }
    return $launcher
}

function Save-JmfState {
    param([Parameter(Mandatory)][hashtable]$Values)
    if (-not (Test-Path -LiteralPath $script:JmfStateDir)) {
        New-Item -ItemType Directory -Path $script:JmfStateDir -Force | Out-Null
    }
    $path = Join-Path $script:JmfStateDir 'state.json'
    $state = @{}
    if (Test-Path -LiteralPath $path) {
        $old = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
        foreach ($p in $old.PSObject.Properties) { $state[$p.Name] = $p.Value }
    }
    foreach ($k in $Values.Keys) { $state[$k] = $Values[$k] }
    ($state | ConvertTo-Json) | Set-Content -LiteralPath $path -Encoding UTF8
}

function Read-JmfState {
    $path = Join-Path $script:JmfStateDir 'state.json'
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    return (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json)
}

function Get-JmfInf2CatOs {
    # Inf2Cat's /os: identifier for the INF's lowest decoration (10.0...19041 = Windows 10 2004,
    # "VB" in Inf2Cat's list) on this architecture.
    param([Parameter(Mandatory)][ValidateSet('x64', 'ARM64')][string]$Platform)
    if ($Platform -eq 'ARM64') { return '10_VB_ARM64' }
    return '10_VB_X64'
}

function New-JmfSignedPackage {
    <#
    .SYNOPSIS
        Stages jminifilter.sys and the INF into -Destination, signs the driver, makes the catalog
        with Inf2Cat and signs it: a test-signed driver package that pnputil can install.
    #>
    param(
        [Parameter(Mandatory)][string]$DriverPath,
        [Parameter(Mandatory)][string]$Destination,
        [Parameter(Mandatory)][ValidateSet('x64', 'ARM64')][string]$Platform,
        [Parameter(Mandatory)][string]$Thumbprint,
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$StoreLocation = 'LocalMachine',
        [string]$ToolsPath
    )
    $names = Get-JmfNames
    if (-not (Test-Path -LiteralPath $DriverPath)) {
        Stop-Jmf -What "The driver $DriverPath does not exist." `
                 -Fix "Build it (msbuild native-driver\jminifilter.vcxproj /p:Configuration=Release /p:Platform=$Platform) or pass -DriverPath / -PackagePath to a built or downloaded package."
    }
    $signtool = Find-JmfKitTool -Name 'signtool.exe' -ToolsPath $ToolsPath
    $inf2cat = Find-JmfKitTool -Name 'Inf2Cat.exe' -ToolsPath $ToolsPath
    $missing = @()
    if (-not $signtool) { $missing += 'signtool.exe' }
    if (-not $inf2cat) { $missing += 'Inf2Cat.exe' }
    if ($missing.Count -gt 0) {
        Stop-Jmf -What ('Signing needs signtool.exe and Inf2Cat.exe; not found: ' + ($missing -join ', ') + '.') `
                 -Fix 'Install the Windows Driver Kit (it brings both, under "Windows Kits\10\bin"), or pass -ToolsPath to a folder that has them (for example an extracted Microsoft.Windows.WDK.x64 NuGet package).'
    }
    if (Test-Path -LiteralPath $Destination) { Remove-Item -LiteralPath $Destination -Recurse -Force }
    New-Item -ItemType Directory -Path $Destination -Force | Out-Null
    Copy-Item -LiteralPath $DriverPath -Destination (Join-Path $Destination $names.DriverFile)
    Copy-Item -LiteralPath $names.InfPath -Destination (Join-Path $Destination $names.InfName)
    $sys = Join-Path $Destination $names.DriverFile
    $cat = Join-Path $Destination $names.Catalog
    $store = @('/s', 'My')
    if ($StoreLocation -eq 'LocalMachine') { $store = @('/sm', '/s', 'My') }
    # By thumbprint (/sha1), not by subject (/n): a VM may hold an older certificate of the same
    # name, and signtool /n would pick whichever it finds first.
    $sign = @('sign', '/v', '/fd', 'SHA256') + $store + @('/sha1', $Thumbprint)

    Write-JmfStep "Signing $($names.DriverFile) (embedded signature)"
    $r = Invoke-Tool -FilePath $signtool -ArgumentList ($sign + @($sys))
    if ($r.ExitCode -ne 0) {
        Stop-Jmf -What "signtool could not sign $sys (exit code $($r.ExitCode))." `
                 -Fix "Check that certificate $Thumbprint is in $StoreLocation\My with its private key (run ci\vm\prepare.ps1)."
    }
    Write-JmfStep "Making the catalog $($names.Catalog) (Inf2Cat /os:$(Get-JmfInf2CatOs -Platform $Platform))"
    $r = Invoke-Tool -FilePath $inf2cat -ArgumentList @("/driver:$Destination", "/os:$(Get-JmfInf2CatOs -Platform $Platform)", '/uselocaltime', '/verbose')
    if ($r.ExitCode -ne 0 -or -not (Test-Path -LiteralPath $cat)) {
        Stop-Jmf -What "Inf2Cat could not make $cat (exit code $($r.ExitCode)); its output above names the INF line it rejects." `
                 -Fix 'Fix the INF (run InfVerif /v /h inf\jminifilter.inf for details); a "DriverVer set to a date in the future" error means the VM clock is behind the INF date.'
    }
    Write-JmfStep "Signing $($names.Catalog)"
    $r = Invoke-Tool -FilePath $signtool -ArgumentList ($sign + @($cat))
    if ($r.ExitCode -ne 0) {
        Stop-Jmf -What "signtool could not sign $cat (exit code $($r.ExitCode))." `
                 -Fix "Check that certificate $Thumbprint is in $StoreLocation\My with its private key."
    }
    return [pscustomobject]@{ Folder = $Destination; Driver = $sys; Catalog = $cat; Inf = (Join-Path $Destination $names.InfName); SignTool = $signtool }
}
