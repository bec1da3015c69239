package org.jminifilter.cli.policyfile;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the names a person gives a volume (a drive letter {@code C:}, a mount-point folder
 * {@code C:\mnt\data\}, a volume GUID path {@code \\?\Volume{...}\}) into the NT device name the
 * kernel reports ({@code \Device\HarddiskVolume3}), and says which volumes are present. NT device
 * names are taken as written, without asking the resolver.
 */
public interface VolumeResolver {

    /** The NT device name of {@code written}, or empty when this machine cannot resolve it. */
    Optional<String> ntDeviceName(String written);

    /** True when a volume with NT device name {@code ntDeviceName} is present (compared without case). */
    boolean isPresent(String ntDeviceName);

    /** What this resolver can resolve, for messages ("drive letters of this Windows machine"). */
    String describe();

    /** Resolves nothing and knows of no volume: only NT device names can be used. */
    static VolumeResolver ntNamesOnly() {
        return new VolumeResolver() {
            @Override
            public Optional<String> ntDeviceName(String written) {
                return Optional.empty();
            }

            @Override
            public boolean isPresent(String ntDeviceName) {
                return true; // nothing is known, so nothing is reported missing
            }

            @Override
            public String describe() {
                return "no drive letters here (not Windows, no emulated kernel): write NT device names such as "
                        + "\\Device\\HarddiskVolume3";
            }
        };
    }

    /**
     * Drive letters and other names from a fixed table (written name, without case, to NT device
     * name), for example the emulated kernel's volumes; the table's NT names are the volumes present.
     */
    static VolumeResolver of(Map<String, String> names, String description) {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        names.forEach((k, v) -> byName.put(VolumeNames.canonicalAlias(k), v));
        Set<String> present = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        present.addAll(names.values());
        return new VolumeResolver() {
            @Override
            public Optional<String> ntDeviceName(String written) {
                return Optional.ofNullable(byName.get(VolumeNames.canonicalAlias(written)));
            }

            @Override
            public boolean isPresent(String ntDeviceName) {
                return present.contains(ntDeviceName);
            }

            @Override
            public String describe() {
                return description + " (" + String.join(", ", byName.keySet()).toUpperCase(Locale.ROOT) + ")";
            }
        };
    }
}
