<#
.SYNOPSIS
    Prepares a Windows test VM for the test-signed jminifilter driver: test signing on, a test
    certificate created and trusted, a second NTFS volume (a VHDX) for the redirect scenarios,
    and Java 17+ located. Safe to run again: each step checks first and does only what is missing.

.DESCRIPTION
    Steps, in order:
      1. Windows 10 2004 (build 19041) or later, an elevated session.
      2. Secure Boot must be off: Windows ignores "bcdedit /set testsigning on" while UEFI
         Secure Boot is on ("The value is protected by Secure Boot policy"). Checked with
         Confirm-SecureBootUEFI where the firmware is UEFI.
      3. Memory integrity (HVCI) is reported: it enforces its own rules on every kernel driver;
         if "fltmc load jminifilter" later fails with 0x800704FB (driver blocked) or a Code
         Integrity event appears, turn Memory integrity off for the test VM.
      4. Test signing on (bcdedit /set testsigning on); it takes effect at the next boot.
         BitLocker: changing boot settings can make BitLocker ask for its recovery key at the
         next boot; suspend it first (Suspend-BitLocker -MountPoint C: -RebootCount 1).
      5. A code-signing certificate (New-SelfSignedCertificate, LocalMachine\My) trusted as a
         root (LocalMachine\Root) and as a publisher (LocalMachine\TrustedPublisher).
      6. The second volume: a dynamically expanding VHDX (New-VHD with Hyper-V, otherwise
         diskpart "create vdisk" through a temporary script), attached, partitioned, formatted
         NTFS and given a drive letter; a startup task re-attaches it after each reboot.
      7. Java 17 or later (JAVA_HOME, then PATH), which the jminifilter command line needs.
    At the end a summary says what changed and whether a reboot is needed.

.PARAMETER CertificateSubject
    Subject of the test-signing certificate (install.ps1 signs with it).

.PARAMETER VhdPath
    Where the second volume's VHDX lives.

.PARAMETER VhdSizeMB
    Maximum size of the VHDX (it grows on demand).

.PARAMETER DriveLetter
    Drive letter of the second volume.

.PARAMETER SkipVolume
    Do not create or attach the second volume.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File ci\vm\prepare.ps1
    Then reboot if the summary says so, and run it again (it then only checks).
#>
[CmdletBinding()]
param(
    [string]$CertificateSubject = 'CN=jminifilter test signing',
    [string]$VhdPath = (Join-Path $env:ProgramData 'jminifilter\vm\redirect-target.vhdx'),
    [ValidateRange(64, 65536)][int]$VhdSizeMB = 1024,
    [ValidatePattern('^[D-Zd-z]$')][string]$DriveLetter = 'R',
    [switch]$SkipVolume
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'common.ps1')

$summary = New-Object System.Collections.Generic.List[string]
$rebootNeeded = $false

Write-JmfStep 'Checking the session and the Windows build'
Assert-JmfAdministrator
$build = Get-JmfWindowsBuild
if ($build -lt 19041) {
    Stop-Jmf -What "This is Windows build $build; jminifilter.sys needs build 19041 (Windows 10 2004) or later (ExAllocatePool2, KeQuerySystemTimePrecise), and the INF installs on nothing older." `
             -Fix 'Use a VM with Windows 10 2004 or later, or Windows 11.'
}
$names = Get-JmfNames
Write-JmfOk "Windows build $build; driver $($names.DriverFile), service $($names.Service), altitude $($names.Altitude)"

Write-JmfStep 'Checking Secure Boot'
$secureBoot = $null
try {
    $secureBoot = Confirm-SecureBootUEFI
} catch [System.PlatformNotSupportedException] {
    Write-JmfOk 'legacy BIOS firmware: no Secure Boot'
} catch {
    # "Cmdlet not supported on this platform" on BIOS VMs, or access to the variable refused.
    Write-JmfNote "could not read the Secure Boot state ($($_.Exception.Message)); assuming it is off"
}
if ($secureBoot -eq $true) {
    Stop-Jmf -What 'UEFI Secure Boot is on. While it is on, Windows refuses test signing, so a test-signed driver cannot load.' `
             -Fix 'Turn Secure Boot off in the VM firmware (Hyper-V, on the host: Set-VMFirmware -VMName <vm> -EnableSecureBoot Off; VMware/VirtualBox: the VM''s EFI settings), start the VM and run this script again.'
} elseif ($secureBoot -eq $false) {
    Write-JmfOk 'Secure Boot is off'
}

Write-JmfStep 'Checking Memory integrity (HVCI)'
$hvciKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\DeviceGuard\Scenarios\HypervisorEnforcedCodeIntegrity'
$hvciEnabled = $false
if (Test-Path -LiteralPath $hvciKey) {
    $value = Get-ItemProperty -LiteralPath $hvciKey -Name Enabled -ErrorAction SilentlyContinue
    if ($value -and $value.Enabled -eq 1) { $hvciEnabled = $true }
}
if ($hvciEnabled) {
    Write-JmfNote ('Memory integrity is ON (' + $hvciKey + '\Enabled = 1). It applies its own code-integrity rules to every kernel driver. ' +
        'If "fltmc load ' + $names.Service + '" fails with 0x800704FB (driver blocked) or Event Viewer shows a Code Integrity error for ' + $names.DriverFile +
        ', turn it off for this test VM: Windows Security > Device security > Core isolation > Memory integrity: Off, and reboot.')
    $summary.Add('Memory integrity is on (see the note above)')
} else {
    Write-JmfOk 'Memory integrity is off'
}

Write-JmfStep 'Turning test signing on'
if (Test-JmfTestSigningActive) {
    Write-JmfOk 'test signing is active in this boot'
} else {
    $result = Invoke-Tool -FilePath 'bcdedit.exe' -ArgumentList @('/set', 'testsigning', 'on')
    if ($result.ExitCode -ne 0) {
        if ($result.Output -match 'Secure Boot') {
            Stop-Jmf -What 'bcdedit refused: the value is protected by Secure Boot policy.' `
                     -Fix 'Turn Secure Boot off in the VM firmware and run this script again.'
        }
        Stop-Jmf -What "bcdedit /set testsigning on failed (exit code $($result.ExitCode))." `
                 -Fix 'Run from an elevated session; if BitLocker or a group policy locks boot settings, suspend or lift it first.'
    }
    $rebootNeeded = $true
    $summary.Add('test signing turned on (takes effect after a reboot)')
    Write-JmfNote 'test signing is set for the next boot. If BitLocker protects the system drive, suspend it before rebooting: Suspend-BitLocker -MountPoint $env:SystemDrive -RebootCount 1'
}

Write-JmfStep "Test-signing certificate '$CertificateSubject'"
$cert = Get-JmfTestCertificate -Subject $CertificateSubject
if ($cert) {
    Write-JmfOk "found in LocalMachine\My, thumbprint $($cert.Thumbprint), valid until $($cert.NotAfter.ToString('yyyy-MM-dd'))"
} else {
    $cert = New-SelfSignedCertificate -Type CodeSigningCert -Subject $CertificateSubject `
        -CertStoreLocation 'Cert:\LocalMachine\My' -KeyUsage DigitalSignature -KeyAlgorithm RSA -KeyLength 3072 `
        -HashAlgorithm SHA256 -NotAfter (Get-Date).AddYears(2)
    Write-JmfOk "created, thumbprint $($cert.Thumbprint)"
    $summary.Add("test-signing certificate created ($($cert.Thumbprint))")
}
$cerPath = Join-Path $script:JmfStateDir 'jminifilter-test.cer'
if (-not (Test-Path -LiteralPath $script:JmfStateDir)) { New-Item -ItemType Directory -Path $script:JmfStateDir -Force | Out-Null }
Export-Certificate -Cert $cert -FilePath $cerPath -Type CERT | Out-Null
foreach ($store in @('Root', 'TrustedPublisher')) {
    $trusted = Get-ChildItem -Path "Cert:\LocalMachine\$store" | Where-Object { $_.Thumbprint -eq $cert.Thumbprint }
    if ($trusted) {
        Write-JmfOk "trusted in LocalMachine\$store"
    } else {
        Import-Certificate -FilePath $cerPath -CertStoreLocation "Cert:\LocalMachine\$store" | Out-Null
        Write-JmfOk "added to LocalMachine\$store"
        $summary.Add("certificate trusted in LocalMachine\$store")
    }
}
Save-JmfState -Values @{ CertificateSubject = $CertificateSubject; CertificateThumbprint = $cert.Thumbprint }

if (-not $SkipVolume) {
    Write-JmfStep "Second volume for the redirect scenarios ($VhdPath, ${DriveLetter}:)"
    $letter = $DriveLetter.ToUpperInvariant()
    $folder = Split-Path -Parent $VhdPath
    if (-not (Test-Path -LiteralPath $folder)) { New-Item -ItemType Directory -Path $folder -Force | Out-Null }
    if (-not (Test-Path -LiteralPath $VhdPath)) {
        if (Get-Command -Name New-VHD -ErrorAction SilentlyContinue) {
            New-VHD -Path $VhdPath -SizeBytes ([int64]$VhdSizeMB * 1048576) -Dynamic | Out-Null
            Write-JmfOk 'created with New-VHD'
        } else {
            # No Hyper-V module: diskpart creates the file (a script file is its only batch input).
            $script = Join-Path $env:TEMP ('jminifilter-vdisk-' + [guid]::NewGuid().ToString('N') + '.txt')
            Set-Content -LiteralPath $script -Encoding ASCII -Value "create vdisk file=`"$VhdPath`" maximum=$VhdSizeMB type=expandable"
            try {
                $result = Invoke-Tool -FilePath 'diskpart.exe' -ArgumentList @('/s', $script)
            } finally {
                Remove-Item -LiteralPath $script -Force -ErrorAction SilentlyContinue
            }
            if ($result.ExitCode -ne 0 -or -not (Test-Path -LiteralPath $VhdPath)) {
                Stop-Jmf -What "diskpart could not create $VhdPath (exit code $($result.ExitCode))." `
                         -Fix 'Check free space on that drive and that the Virtual Disk service (vds) can start; or pass -VhdPath elsewhere.'
            }
            Write-JmfOk 'created with diskpart (Hyper-V module not installed)'
        }
        $summary.Add("VHDX created at $VhdPath")
    } else {
        Write-JmfOk 'VHDX exists'
    }
    $image = Get-DiskImage -ImagePath $VhdPath
    if (-not $image.Attached) {
        $image = Mount-DiskImage -ImagePath $VhdPath -NoDriveLetter -PassThru
        $image = Get-DiskImage -ImagePath $VhdPath
        Write-JmfOk 'attached'
    }
    $disk = $image | Get-Disk
    if ($disk.PartitionStyle -eq 'RAW') {
        Initialize-Disk -Number $disk.Number -PartitionStyle GPT | Out-Null
        Write-JmfOk 'initialised (GPT)'
    }
    $partition = Get-Partition -DiskNumber $disk.Number -ErrorAction SilentlyContinue | Where-Object { $_.Type -eq 'Basic' } | Select-Object -First 1
    if (-not $partition) {
        $partition = New-Partition -DiskNumber $disk.Number -UseMaximumSize
        Format-Volume -Partition $partition -FileSystem NTFS -NewFileSystemLabel 'JMFREDIRECT' -Confirm:$false | Out-Null
        $partition = Get-Partition -DiskNumber $disk.Number -PartitionNumber $partition.PartitionNumber
        Write-JmfOk 'partitioned and formatted NTFS'
        $summary.Add('second volume formatted NTFS')
    }
    if ([string]$partition.DriveLetter -ne $letter) {
        $taken = Get-Volume -DriveLetter $letter -ErrorAction SilentlyContinue
        if ($taken) {
            Stop-Jmf -What "Drive letter ${letter}: is already used by another volume." `
                     -Fix 'Run again with -DriveLetter <a free letter>.'
        }
        Set-Partition -DiskNumber $disk.Number -PartitionNumber $partition.PartitionNumber -NewDriveLetter $letter
        Write-JmfOk "drive letter ${letter}: assigned"
    } else {
        Write-JmfOk "mounted as ${letter}:"
    }
    # A VHDX attached by hand is detached at shutdown; a startup task attaches it again so the
    # redirect target is there after every reboot (Windows remembers the drive letter).
    $taskName = 'jminifilter attach redirect volume'
    $command = "Mount-DiskImage -ImagePath '$VhdPath' -ErrorAction SilentlyContinue"
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -NonInteractive -Command `"$command`""
    $trigger = New-ScheduledTaskTrigger -AtStartup
    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
    Register-ScheduledTask -TaskName $taskName -Action $action -Trigger $trigger -Principal $principal -Force | Out-Null
    Write-JmfOk "startup task '$taskName' re-attaches it after a reboot"
    Save-JmfState -Values @{ VhdPath = $VhdPath; RedirectDriveLetter = $letter }
}

Write-JmfStep 'Java 17 or later'
$candidates = @()
if ($env:JAVA_HOME) { $candidates += (Join-Path $env:JAVA_HOME 'bin\java.exe') }
$onPath = Get-Command -Name 'java.exe' -ErrorAction SilentlyContinue
if ($onPath) { $candidates += $onPath.Source }
$java = $null
foreach ($candidate in $candidates) {
    if (-not (Test-Path -LiteralPath $candidate)) { continue }
    $result = Invoke-Tool -FilePath $candidate -ArgumentList @('-version') -Quiet
    $m = [regex]::Match($result.Output, 'version "(\d+)(?:\.(\d+))?')
    if (-not $m.Success) { continue }
    $major = [int]$m.Groups[1].Value
    if ($major -eq 1 -and $m.Groups[2].Success) { $major = [int]$m.Groups[2].Value }
    if ($major -ge 17) {
        $java = $candidate
        Write-JmfOk "$candidate (Java $major)"
        break
    }
    Write-JmfNote "$candidate is Java $major; jminifilter needs 17 or later"
}
if (-not $java) {
    Stop-Jmf -What 'No Java 17 or later was found (JAVA_HOME, then PATH). The jminifilter command line and service run on Java 17+.' `
             -Fix 'Install a 64-bit JDK 17 or later (for example: winget install Microsoft.OpenJDK.17), open a new elevated PowerShell so PATH is refreshed, and run this script again.'
}
Save-JmfState -Values @{ Java = $java }

Write-JmfStep 'Summary'
if ($summary.Count -eq 0) {
    Write-JmfOk 'nothing to change: the VM was already prepared'
} else {
    foreach ($line in $summary) { Write-Host "    - $line" }
}
if ($rebootNeeded) {
    Write-Host ''
    Write-Host '    REBOOT NEEDED: test signing takes effect at the next boot. Restart-Computer, then run this script again to confirm.' -ForegroundColor Yellow
} else {
    Write-JmfOk 'no reboot needed; next: ci\vm\install.ps1'
}
