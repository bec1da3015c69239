<#
.SYNOPSIS
    CI: checks the INF with InfVerif and makes a test-signed driver package (jminifilter.sys,
    jminifilter.inf, jminifilter.cat, the public certificate) from a build, signed with a
    throw-away certificate made for this run.

.DESCRIPTION
    The package shows that the INF, Inf2Cat and signtool accept what the build produced. Its
    certificate is created here and its private key deleted at the end, so nobody can sign
    with it again; a VM does not trust it. To install on a VM, either trust the shipped
    jminifilter-ci.cer there (Root and TrustedPublisher), or let ci\vm\install.ps1 -PackagePath
    re-sign the .sys with the VM's own test certificate (what the README describes).
    Tools come from the restored NuGet packages (ci\windows\packages) or an installed WDK.

.PARAMETER Platform
    x64 or ARM64.

.PARAMETER Configuration
    Debug or Release.

.PARAMETER OutDir
    Where the package goes (emptied first).

.EXAMPLE
    powershell -File ci\windows\package.ps1 -Platform x64 -Configuration Release -OutDir out\package
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][ValidateSet('x64', 'ARM64')][string]$Platform,
    [Parameter(Mandatory)][ValidateSet('Debug', 'Release')][string]$Configuration,
    [Parameter(Mandatory)][string]$OutDir
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '..\vm\common.ps1')

$names = Get-JmfNames
$tools = Join-Path $PSScriptRoot 'packages'
$built = Join-Path $script:JmfRepoRoot "native-driver\build\$Platform\$Configuration"

Write-JmfStep "InfVerif /v /h $($names.InfName)"
$infverif = Find-JmfKitTool -Name 'InfVerif.exe' -ToolsPath $tools
if (-not $infverif) {
    Stop-Jmf -What 'InfVerif.exe was not found in the restored WDK packages nor in an installed WDK.' `
             -Fix 'Restore them first: nuget restore ci\windows\packages.config -PackagesDirectory ci\windows\packages'
}
# /h: the requirements for a WHQL signature, the strictest mode (the INF is a primitive driver
# INF; /h includes the Windows Driver rules /w checks).
$r = Invoke-Tool -FilePath $infverif -ArgumentList @('/v', '/h', $names.InfPath)
if ($r.ExitCode -ne 0) {
    Stop-Jmf -What "InfVerif rejects $($names.InfPath) (exit code $($r.ExitCode)); the lines above name each rule." `
             -Fix 'Fix the INF; InfVerif /code <error> explains an error code.'
}

Write-JmfStep 'A throw-away code-signing certificate for this run'
$cert = New-SelfSignedCertificate -Type CodeSigningCert -Subject "CN=jminifilter CI $([guid]::NewGuid().ToString('N').Substring(0, 8))" `
    -CertStoreLocation 'Cert:\CurrentUser\My' -KeyUsage DigitalSignature -HashAlgorithm SHA256 -NotAfter (Get-Date).AddDays(30)
try {
    $package = New-JmfSignedPackage -DriverPath (Join-Path $built $names.DriverFile) -Destination $OutDir -Platform $Platform `
        -Thumbprint $cert.Thumbprint -StoreLocation CurrentUser -ToolsPath $tools
    Export-Certificate -Cert $cert -FilePath (Join-Path $OutDir 'jminifilter-ci.cer') -Type CERT | Out-Null
    $pdb = Join-Path $built "$($names.Service).pdb"
    if (Test-Path -LiteralPath $pdb) { Copy-Item -LiteralPath $pdb -Destination $OutDir }

    Write-JmfStep 'Checking that both files carry a signature'
    foreach ($file in @($package.Driver, $package.Catalog)) {
        $signature = Get-AuthenticodeSignature -FilePath $file
        # The root is not trusted on the runner (UnknownError / NotTrusted); a missing or broken
        # signature is NotSigned / HashMismatch.
        if (@('NotSigned', 'HashMismatch', 'Incompatible') -contains [string]$signature.Status -or -not $signature.SignerCertificate) {
            Stop-Jmf -What "$file has no valid signature ($($signature.Status))." -Fix 'Read the signtool output above.'
        }
        if ($signature.SignerCertificate.Thumbprint -ne $cert.Thumbprint) {
            Stop-Jmf -What "$file is signed by $($signature.SignerCertificate.Subject), not by this run's certificate." -Fix 'Read the signtool output above.'
        }
        Write-JmfOk "$(Split-Path -Leaf $file): signed by $($cert.Subject)"
    }
} finally {
    # The private key goes with the store entry: nothing can be signed with it after this run.
    Remove-Item -LiteralPath "Cert:\CurrentUser\My\$($cert.Thumbprint)" -Force -ErrorAction SilentlyContinue
}
Get-ChildItem -LiteralPath $OutDir | ForEach-Object { Write-Host "    $($_.Name)  $($_.Length) bytes" }
