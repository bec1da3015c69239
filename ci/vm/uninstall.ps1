<#
.SYNOPSIS
    Reverses ci\vm\install.ps1: uninstalls the policy service, unloads the filter, removes the
    driver package from the Driver Store (and with it the service and its instance keys), and
    optionally removes the test certificate, the second volume and test signing. Safe to run
    again: each step checks first.

.DESCRIPTION
    Steps, the reverse of install.ps1:
      1. jminifilter service stop and service uninstall (unless -KeepService).
      2. fltmc unload jminifilter, if loaded.
      3. pnputil /delete-driver <oemNN.inf> /uninstall /force for every Driver Store package
         whose original INF is jminifilter.inf (unless -KeepDriver).
      4. With -RemoveCertificate: the test certificate from LocalMachine\My, Root and
         TrustedPublisher.
      5. With -RemoveVolume: the second volume's startup task, detach, delete the VHDX.
      6. With -DisableTestSigning: bcdedit /set testsigning off (takes effect after a reboot).
    Every step runs even if an earlier one failed; the script then exits with an error that
    lists what is left.

.PARAMETER KeepService
    Leave the policy service installed.

.PARAMETER KeepDriver
    Leave the driver installed (for example to reinstall only the service).

.PARAMETER RemoveCertificate
    Also remove the test-signing certificate from the machine's stores.

.PARAMETER RemoveVolume
    Also detach and delete the second volume prepare.ps1 made.

.PARAMETER DisableTestSigning
    Also turn test signing off.

.PARAMETER CertificateSubject
    The test-signing certificate prepare.ps1 created.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File ci\vm\uninstall.ps1 -RemoveCertificate
#>
[CmdletBinding()]
param(
    [switch]$KeepService,
    [switch]$KeepDriver,
    [switch]$RemoveCertificate,
    [switch]$RemoveVolume,
    [switch]$DisableTestSigning,
    [string]$CertificateSubject = 'CN=jminifilter test signing'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'common.ps1')

Assert-JmfAdministrator
$names = Get-JmfNames
$left = New-Object System.Collections.Generic.List[string]

if (-not $KeepService) {
    Write-JmfStep 'Uninstalling the policy service (jminifilter service stop / service uninstall)'
    $launcher = Join-Path $script:JmfRepoRoot 'bin\jminifilter.cmd'
    $jar = Join-Path $script:JmfRepoRoot 'java\cli\target\jminifilter.jar'
    if ((Test-Path -LiteralPath $launcher) -and (Test-Path -LiteralPath $jar)) {
        # Stopping a service that is not running is not an error here; its uninstall decides.
        Invoke-Tool -FilePath $launcher -ArgumentList @('service', 'stop') | Out-Null
        $r = Invoke-Tool -FilePath $launcher -ArgumentList @('service', 'uninstall')
        if ($r.ExitCode -ne 0) {
            $left.Add("the policy service (jminifilter service uninstall exit code $($r.ExitCode); see its message above)")
        } else {
            Write-JmfOk 'service uninstalled'
        }
    } else {
        $left.Add("the policy service could not be checked: $launcher or $jar is missing (build with mvn -B package -DskipTests, then run this script again)")
    }
}

if (-not $KeepDriver) {
    Write-JmfStep "Unloading the filter (fltmc unload $($names.Service))"
    if ((Get-JmfLoadedFilters) -contains $names.Service) {
        $r = Invoke-Tool -FilePath 'fltmc.exe' -ArgumentList @('unload', $names.Service)
        if ($r.ExitCode -ne 0) {
            $left.Add("the loaded filter (unloading it failed with exit code $($r.ExitCode): a client may still be connected; stop the service or reboot)")
        } else {
            Write-JmfOk 'unloaded'
        }
    } else {
        Write-JmfOk 'not loaded'
    }

    Write-JmfStep "Removing the driver package ($($names.InfName)) from the Driver Store"
    $packages = @(Get-JmfDriverStorePackages -InfName $names.InfName)
    if ($packages.Count -eq 0) {
        Write-JmfOk 'no package in the Driver Store'
    }
    foreach ($oem in $packages) {
        $r = Invoke-Tool -FilePath 'pnputil.exe' -ArgumentList @('/delete-driver', $oem, '/uninstall', '/force')
        if ($r.ExitCode -eq 0 -or $r.ExitCode -eq 3010) {
            Write-JmfOk "removed $oem"
            if ($r.ExitCode -eq 3010) { $left.Add("a reboot, which pnputil asked for to finish removing $oem") }
        } else {
            $left.Add("the Driver Store package $oem (pnputil exit code $($r.ExitCode); reboot and run this script again)")
        }
    }
    $serviceKey = "HKLM:\SYSTEM\CurrentControlSet\Services\$($names.Service)"
    if (Test-Path -LiteralPath $serviceKey) {
        $left.Add("the service key $serviceKey (it goes at the next reboot once the package is removed; if it stays, run this script again after rebooting)")
    } else {
        Write-JmfOk 'service key removed'
    }
    $staged = Join-Path $script:JmfStateDir 'package'
    if (Test-Path -LiteralPath $staged) { Remove-Item -LiteralPath $staged -Recurse -Force }
}

if ($RemoveCertificate) {
    Write-JmfStep "Removing the test certificate '$CertificateSubject'"
    foreach ($store in @('My', 'Root', 'TrustedPublisher')) {
        $found = @(Get-ChildItem -Path "Cert:\LocalMachine\$store" | Where-Object { $_.Subject -eq $CertificateSubject })
        foreach ($c in $found) {
            Remove-Item -LiteralPath "Cert:\LocalMachine\$store\$($c.Thumbprint)" -Force
            Write-JmfOk "removed $($c.Thumbprint) from LocalMachine\$store"
        }
    }
    $cer = Join-Path $script:JmfStateDir 'jminifilter-test.cer'
    if (Test-Path -LiteralPath $cer) { Remove-Item -LiteralPath $cer -Force }
}

if ($RemoveVolume) {
    Write-JmfStep 'Removing the second volume'
    $taskName = 'jminifilter attach redirect volume'
    if (Get-ScheduledTask -TaskName $taskName -ErrorAction SilentlyContinue) {
        Unregister-ScheduledTask -TaskName $taskName -Confirm:$false
        Write-JmfOk "startup task '$taskName' removed"
    }
    $state = Read-JmfState
    $vhd = $null
    if ($state -and ($state.PSObject.Properties.Name -contains 'VhdPath')) { $vhd = $state.VhdPath }
    if ($vhd -and (Test-Path -LiteralPath $vhd)) {
        $image = Get-DiskImage -ImagePath $vhd
        if ($image.Attached) { Dismount-DiskImage -ImagePath $vhd | Out-Null }
        Remove-Item -LiteralPath $vhd -Force
        Write-JmfOk "detached and deleted $vhd"
    } else {
        Write-JmfOk 'no VHDX recorded or it is already gone'
    }
}

if ($DisableTestSigning) {
    Write-JmfStep 'Turning test signing off'
    $r = Invoke-Tool -FilePath 'bcdedit.exe' -ArgumentList @('/set', 'testsigning', 'off')
    if ($r.ExitCode -ne 0) {
        $left.Add("test signing (bcdedit exit code $($r.ExitCode))")
    } else {
        Write-JmfOk 'off from the next boot (reboot to apply)'
    }
}

Write-JmfStep 'Summary'
if ($left.Count -gt 0) {
    foreach ($line in $left) { Write-Host "    left: $line" -ForegroundColor Yellow }
    Stop-Jmf -What "$($left.Count) step(s) could not be completed (listed above)." `
             -Fix 'Follow the advice on each line, then run this script again; it only redoes what is left.'
}
Write-JmfOk 'everything install.ps1 did has been undone'
