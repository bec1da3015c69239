<#
.SYNOPSIS
    Test-signs and installs the jminifilter driver through its INF, loads it, shows its
    instances, and installs the jminifilter policy service. Safe to run again: an installed
    copy is unloaded and replaced.

.DESCRIPTION
    Needs a VM prepared by ci\vm\prepare.ps1 (test signing active, the test certificate).
    Steps:
      1. Stage jminifilter.sys and inf\jminifilter.inf, sign the driver, make the catalog with
         Inf2Cat (/os:10_VB_X64 or 10_VB_ARM64, the INF's lowest decoration, build 19041) and
         sign it (signtool sign /fd SHA256 with the test certificate).
      2. Unload a loaded copy (fltmc unload jminifilter) and remove older packages of the same
         INF from the Driver Store, so the new one is the one installed.
      3. pnputil /add-driver <staged>\jminifilter.inf /install: the INF creates the service and
         its Instances / Altitude keys. Never "sc create": that would leave the filter without
         instances, and the filter manager would not attach it.
      4. fltmc load jminifilter, then fltmc instances -f jminifilter (an instance per local
         NTFS/ReFS/FAT/exFAT volume, at the INF's altitude).
      5. jminifilter validate <policy>, then jminifilter service install --policy <policy>
         (unless -SkipService).

.PARAMETER PackagePath
    A folder with a built jminifilter.sys (for example native-driver\build\x64\Release, or the
    CI artifact's folder). Default: the Release build output for -Platform.

.PARAMETER Platform
    x64 or ARM64. Default: this machine's architecture.

.PARAMETER Policy
    The policy file the service enforces (jminifilter validate checks it first).

.PARAMETER Account
    The account the service runs as.

.PARAMETER SkipService
    Install and load the driver only.

.PARAMETER ToolsPath
    A folder with signtool.exe and Inf2Cat.exe, when the WDK is not installed.

.PARAMETER CertificateSubject
    The test-signing certificate prepare.ps1 created.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File ci\vm\install.ps1 -Policy C:\policies\demo.json
#>
[CmdletBinding()]
param(
    [string]$PackagePath,
    [ValidateSet('x64', 'ARM64')][string]$Platform,
    [string]$Policy,
    [string]$Account = 'LocalSystem',
    [switch]$SkipService,
    [string]$ToolsPath,
    [string]$CertificateSubject = 'CN=jminifilter test signing'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'common.ps1')

Write-JmfStep 'Checking the VM'
Assert-JmfAdministrator
$names = Get-JmfNames
if (-not $Platform) {
    $Platform = 'x64'
    if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') { $Platform = 'ARM64' }
}
if (-not (Test-JmfTestSigningActive)) {
    Stop-Jmf -What 'Test signing is not active in this boot, so Windows would refuse the test-signed driver (0x80070241, invalid image hash).' `
             -Fix 'Run ci\vm\prepare.ps1, reboot, and run this script again.'
}
$cert = Get-JmfTestCertificate -Subject $CertificateSubject
if (-not $cert) {
    Stop-Jmf -What "No valid certificate '$CertificateSubject' with a private key in LocalMachine\My." `
             -Fix 'Run ci\vm\prepare.ps1 (it creates and trusts the test certificate).'
}
if (-not $SkipService -and -not $Policy) {
    Stop-Jmf -What 'No -Policy given: the service needs the policy file it will enforce.' `
             -Fix 'Pass -Policy <file> (check it with: bin\jminifilter.cmd validate <file>), or -SkipService to install the driver only.'
}
$launcher = $null
if (-not $SkipService) {
    if (-not (Test-Path -LiteralPath $Policy)) {
        Stop-Jmf -What "The policy file $Policy does not exist." -Fix 'Pass the path of an existing policy file to -Policy.'
    }
    $Policy = (Resolve-Path -LiteralPath $Policy).Path
    $launcher = Get-JmfLauncher
}
Write-JmfOk "test signing active; certificate $($cert.Thumbprint); platform $Platform"

if (-not $PackagePath) {
    $PackagePath = Join-Path $script:JmfRepoRoot "native-driver\build\$Platform\Release"
}
$driver = Join-Path $PackagePath $names.DriverFile
$staged = Join-Path $script:JmfStateDir "package\$Platform"
$package = New-JmfSignedPackage -DriverPath $driver -Destination $staged -Platform $Platform -Thumbprint $cert.Thumbprint -ToolsPath $ToolsPath

Write-JmfStep 'Verifying the signatures'
$r = Invoke-Tool -FilePath $package.SignTool -ArgumentList @('verify', '/v', '/pa', '/c', $package.Catalog, $package.Driver)
if ($r.ExitCode -ne 0) {
    Stop-Jmf -What 'signtool verify does not accept the signed package against the catalog.' `
             -Fix 'The test certificate must be in LocalMachine\Root and LocalMachine\TrustedPublisher: run ci\vm\prepare.ps1 again.'
}

Write-JmfStep 'Removing an older installation'
if ((Get-JmfLoadedFilters) -contains $names.Service) {
    $r = Invoke-Tool -FilePath 'fltmc.exe' -ArgumentList @('unload', $names.Service)
    if ($r.ExitCode -ne 0) {
        Stop-Jmf -What "fltmc unload $($names.Service) failed (exit code $($r.ExitCode)); the loaded driver cannot be replaced." `
                 -Fix 'Stop the policy service first (bin\jminifilter.cmd service stop), then run this script again; if it still fails, reboot.'
    }
    Write-JmfOk "unloaded $($names.Service)"
}
foreach ($oem in (Get-JmfDriverStorePackages -InfName $names.InfName)) {
    $r = Invoke-Tool -FilePath 'pnputil.exe' -ArgumentList @('/delete-driver', $oem, '/uninstall', '/force')
    if ($r.ExitCode -ne 0 -and $r.ExitCode -ne 3010) {
        Stop-Jmf -What "pnputil could not remove the older package $oem (exit code $($r.ExitCode))." `
                 -Fix 'Run ci\vm\uninstall.ps1, reboot, and run this script again.'
    }
    Write-JmfOk "removed $oem from the Driver Store"
}

Write-JmfStep "Installing through the INF (pnputil /add-driver $($names.InfName) /install)"
$r = Invoke-Tool -FilePath 'pnputil.exe' -ArgumentList @('/add-driver', $package.Inf, '/install')
if ($r.ExitCode -eq 3010) {
    Write-JmfNote 'pnputil asks for a reboot (3010); the filter can usually still be loaded now'
} elseif ($r.ExitCode -eq 259) {
    # ERROR_NO_MORE_ITEMS: no device was updated, which is expected of a driver with no device;
    # whether the INF's service was installed is checked just below.
    Write-JmfNote 'pnputil updated no device (259), as expected for a filter; checking the service'
} elseif ($r.ExitCode -ne 0) {
    Stop-Jmf -What "pnputil /add-driver failed (exit code $($r.ExitCode)); its output above says why (often: the catalog does not match the files, or the INF has no section for this Windows build)." `
             -Fix 'Check that this is Windows build 19041 or later and re-run this script (it rebuilds and re-signs the package); C:\Windows\INF\setupapi.dev.log has the details.'
}
$serviceKey = "HKLM:\SYSTEM\CurrentControlSet\Services\$($names.Service)"
$instancesFound = (Test-Path -LiteralPath "$serviceKey\Instances") -or (Test-Path -LiteralPath "$serviceKey\Parameters\Instances")
if (-not $instancesFound) {
    Stop-Jmf -What "The INF ran but $serviceKey has no Instances key, so the filter manager would not attach the filter." `
             -Fix 'Check the INF''s AddReg sections for this Windows build (InfVerif /v /h inf\jminifilter.inf).'
}
Write-JmfOk "service $($names.Service) and its instance keys installed"

Write-JmfStep "Loading the filter (fltmc load $($names.Service))"
$r = Invoke-Tool -FilePath 'fltmc.exe' -ArgumentList @('load', $names.Service)
if ($r.ExitCode -ne 0) {
    $hint = 'Event Viewer > Windows Logs > System and Microsoft > Windows > CodeIntegrity > Operational name the cause.'
    if ($r.Output -match '0x80070241|0x241|577') {
        $hint = 'Windows rejected the signature: test signing must be active (reboot after prepare.ps1) and the certificate trusted.'
    } elseif ($r.Output -match '0x800704fb|1275') {
        $hint = 'The driver was blocked, usually by Memory integrity (HVCI): turn it off for this test VM and reboot.'
    } elseif ($r.Output -match '0x801f0011|0x801F0011') {
        $hint = 'Another filter is at the same altitude (Microsoft''s scanner sample uses 265000 too): unload it.'
    }
    Stop-Jmf -What "fltmc load $($names.Service) failed (exit code $($r.ExitCode))." -Fix $hint
}
Write-JmfOk 'loaded'

Write-JmfStep "Instances (fltmc instances -f $($names.Service))"
$r = Invoke-Tool -FilePath 'fltmc.exe' -ArgumentList @('instances', '-f', $names.Service)
if ($r.ExitCode -ne 0 -or $r.Output -notmatch [regex]::Escape($names.Altitude)) {
    Stop-Jmf -What "No instance of $($names.Service) at altitude $($names.Altitude) is attached." `
             -Fix 'The driver attaches to local NTFS, ReFS, FAT and exFAT volumes only; check the System event log for the driver''s messages and fltmc volumes for the volumes.'
}
Write-JmfOk "attached at altitude $($names.Altitude)"

if ($SkipService) {
    Write-JmfStep 'Service: skipped (-SkipService)'
} else {
    Write-JmfStep "Checking the policy ($Policy)"
    $r = Invoke-Tool -FilePath $launcher -ArgumentList @('validate', $Policy)
    if ($r.ExitCode -ne 0) {
        Stop-Jmf -What "jminifilter validate rejected $Policy (its message above names the rule and the field)." `
                 -Fix 'Fix the policy file and run this script again.'
    }
    Write-JmfStep "Installing the policy service (jminifilter service install --policy ... --account $Account)"
    $r = Invoke-Tool -FilePath $launcher -ArgumentList @('service', 'install', '--policy', $Policy, '--account', $Account)
    if ($r.ExitCode -ne 0) {
        Stop-Jmf -What "jminifilter service install failed (exit code $($r.ExitCode))." `
                 -Fix 'Its message above says why; if a service of that name exists from an earlier run, run ci\vm\uninstall.ps1 -KeepDriver first.'
    }
    $r = Invoke-Tool -FilePath $launcher -ArgumentList @('service', 'start')
    if ($r.ExitCode -ne 0) {
        Stop-Jmf -What "jminifilter service start failed (exit code $($r.ExitCode))." `
                 -Fix 'Check the service''s log and the Application event log; jminifilter service status shows its state.'
    }
    Invoke-Tool -FilePath $launcher -ArgumentList @('service', 'status') | Out-Null
    Write-JmfOk 'service installed and started'
}

Save-JmfState -Values @{ InstalledPackage = $staged; Platform = $Platform }
Write-JmfStep 'Done'
Write-JmfOk "next: bin\jminifilter.cmd service stop; bin\jminifilter.cmd selftest; bin\jminifilter.cmd service start (the driver admits one client; ci\vm\verifier.ps1 runs it under Driver Verifier)"
