<#
.SYNOPSIS
    Turns Driver Verifier on (or off, with -Disable) for jminifilter.sys, makes sure a kernel
    crash dump will be written, and says how to read one. Safe to run again.

.DESCRIPTION
    verifier /flags 0x209BB /driver jminifilter.sys: the standard settings spelled out bit by
    bit, so the two checks a minifilter needs most are named, not implied:
        0x00000001  special pool
        0x00000002  force IRQL checking (pageable code and data touched at DISPATCH_LEVEL)
        0x00000008  pool tracking (leaks reported at unload, by tag)
        0x00000010  I/O verification
        0x00000020  deadlock detection
        0x00000080  DMA checking
        0x00000100  security checks
        0x00000800  miscellaneous checks
        0x00020000  DDI compliance checking
    -LowResources adds 0x00000004 (randomized low resources simulation): allocations fail at
    random, which exercises the driver's fail-open paths. Verifying a minifilter also turns on
    the filter manager's own verification of its calls (FltXxx misuse, unbalanced references,
    contexts left at unload).

    Settings take effect at the next boot. -Disable runs verifier /reset, which clears every
    Driver Verifier setting of the machine (this is a test VM).

    When Driver Verifier finds a violation the machine stops with bug check 0xC4
    (DRIVER_VERIFIER_DETECTED_VIOLATION) or another code naming the driver, and writes
    %SystemRoot%\MEMORY.DMP. Read it with WinDbg (winget install Microsoft.WinDbg):
        windbg -z C:\Windows\MEMORY.DMP
        .sympath srv*C:\symbols*https://msdl.microsoft.com/download/symbols;<repo>\native-driver\build\x64\Release
        .reload /f
        !analyze -v                  the bug check, its parameters, the faulting stack
        !verifier 3 jminifilter.sys  what Driver Verifier tracked for the driver (pool, IRQL log)
        !fltkd.filters               the filters, their frames and altitudes
        !fltkd.filter <address>      one filter: instances, contexts, callbacks
        !pool <address> / !poolfind <tag>   a block and who allocated it
        lm m jminifilter             the loaded driver's image and whether its symbols matched

.PARAMETER Disable
    Turn Driver Verifier off (verifier /reset).

.PARAMETER LowResources
    Also simulate low resources (0x4).

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File ci\vm\verifier.ps1
    Restart-Computer, then: bin\jminifilter.cmd service stop; bin\jminifilter.cmd selftest
#>
[CmdletBinding()]
param(
    [switch]$Disable,
    [switch]$LowResources
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'common.ps1')

Assert-JmfAdministrator
$names = Get-JmfNames

# The standard flags, named in the help above; 0x4 on request.
$flags = 0x1 -bor 0x2 -bor 0x8 -bor 0x10 -bor 0x20 -bor 0x80 -bor 0x100 -bor 0x800 -bor 0x20000
if ($LowResources) { $flags = $flags -bor 0x4 }
$flagsText = '0x{0:X8}' -f $flags

Write-JmfStep 'Current Driver Verifier settings (verifier /querysettings)'
$current = Invoke-Tool -FilePath 'verifier.exe' -ArgumentList @('/querysettings')
$verified = $current.Output -match ('(?im)^\s*' + [regex]::Escape($names.DriverFile) + '\s*$')
$sameFlags = $current.Output -match [regex]::Escape($flagsText)

if ($Disable) {
    Write-JmfStep 'Turning Driver Verifier off (verifier /reset)'
    if (-not $verified) {
        # Not ours to reset: verifier /reset would also clear settings made for other drivers.
        Write-JmfOk "$($names.DriverFile) is not verified; nothing to turn off"
        return
    }
    $r = Invoke-Tool -FilePath 'verifier.exe' -ArgumentList @('/reset')
    if ($r.ExitCode -ne 0 -and $r.ExitCode -ne 2) {
        Stop-Jmf -What "verifier /reset failed (exit code $($r.ExitCode))." -Fix 'Run from an elevated session.'
    }
    Write-Host '    REBOOT NEEDED: Driver Verifier stays on until the next boot.' -ForegroundColor Yellow
    return
}

if ($verified -and $sameFlags) {
    Write-JmfOk "$($names.DriverFile) is already verified with flags $flagsText"
} else {
    Write-JmfStep "Turning Driver Verifier on (verifier /flags $flagsText /driver $($names.DriverFile))"
    $r = Invoke-Tool -FilePath 'verifier.exe' -ArgumentList @('/flags', $flagsText, '/driver', $names.DriverFile)
    # The exit code of verifier.exe is not documented as success/failure; what it stored is.
    $after = Invoke-Tool -FilePath 'verifier.exe' -ArgumentList @('/querysettings') -Quiet
    $listed = $after.Output -match ('(?im)^\s*' + [regex]::Escape($names.DriverFile) + '\s*$')
    if (-not $listed -or $after.Output -notmatch [regex]::Escape($flagsText)) {
        Stop-Jmf -What "verifier /flags $flagsText /driver $($names.DriverFile) did not take (exit code $($r.ExitCode)); verifier /querysettings does not show it." `
                 -Fix 'Run from an elevated session; read verifier''s message above.'
    }
    Write-Host '    REBOOT NEEDED: Driver Verifier settings take effect at the next boot.' -ForegroundColor Yellow
}

Write-JmfStep 'Crash dump settings'
$crash = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\CrashControl'
if ([int]$crash.CrashDumpEnabled -eq 0) {
    # 2 = kernel memory dump: enough for !analyze, !verifier and !fltkd, much smaller than a full dump.
    Set-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\CrashControl' -Name CrashDumpEnabled -Value 2
    Write-JmfOk 'crash dumps were off; kernel memory dump turned on'
} else {
    $dumpFile = '%SystemRoot%\MEMORY.DMP'
    if ($crash.PSObject.Properties.Name -contains 'DumpFile') { $dumpFile = $crash.DumpFile }
    Write-JmfOk "crash dumps on (CrashDumpEnabled = $($crash.CrashDumpEnabled)), written to $dumpFile"
}
if ($crash.PSObject.Properties.Name -contains 'AutoReboot' -and [int]$crash.AutoReboot -eq 1) {
    Write-JmfNote 'the VM restarts by itself after a bug check; the dump is kept at the path above'
}

Write-JmfStep 'After the reboot'
Write-Host "    1. ci\vm\install.ps1 (if the driver is not installed), then: bin\jminifilter.cmd service stop; bin\jminifilter.cmd selftest"
Write-Host "    2. verifier /query shows live counters for $($names.DriverFile) (allocations, IRQL raises)."
Write-Host '    3. On a bug check, after the restart: windbg -z C:\Windows\MEMORY.DMP, then'
Write-Host '       .reload /f ; !analyze -v ; !verifier 3 jminifilter.sys ; !fltkd.filters'
Write-Host '       (Get-Help ci\vm\verifier.ps1 -Full lists the commands and what each shows.)'
Write-Host "    4. ci\vm\verifier.ps1 -Disable, reboot, when done."
