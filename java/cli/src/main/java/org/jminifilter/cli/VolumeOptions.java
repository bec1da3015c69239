package org.jminifilter.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jminifilter.cli.policyfile.VolumeResolver;

import picocli.CommandLine.Option;

/**
 * How drive letters and other volume names of a policy file are resolved: on Windows through the
 * machine's own volumes; anywhere through {@code --volume C:=\Device\HarddiskVolume1} options
 * (the emulated kernel's volumes, or a policy written for another machine).
 */
final class VolumeOptions {

    @Option(names = "--volume", paramLabel = "NAME=NTDEVICE", mapFallbackValue = "",
            description = "Resolve NAME (a drive letter such as C:, a mount folder or a volume GUID path) to the NT "
                    + "device name NTDEVICE, e.g. --volume C:=\\Device\\HarddiskVolume3. Repeatable. "
                    + "On Windows the machine's own volumes are used when no --volume is given.")
    Map<String, String> volumes = new LinkedHashMap<>();

    VolumeResolver resolver() {
        if (!volumes.isEmpty()) {
            return VolumeResolver.of(volumes, "the --volume options");
        }
        if (WindowsVolumes.isAvailable()) {
            return new WindowsVolumes();
        }
        VolumeResolver none = VolumeResolver.ntNamesOnly();
        return new VolumeResolver() {
            @Override
            public java.util.Optional<String> ntDeviceName(String written) {
                return none.ntDeviceName(written);
            }

            @Override
            public boolean isPresent(String ntDeviceName) {
                return none.isPresent(ntDeviceName);
            }

            @Override
            public String describe() {
                return "drive letters resolve on Windows only; here give --volume C:=\\Device\\HarddiskVolumeN, or "
                        + "write the NT device name";
            }
        };
    }
}
