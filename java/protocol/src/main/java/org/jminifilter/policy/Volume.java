package org.jminifilter.policy;

import org.jminifilter.protocol.Protocol;

/**
 * A volume by its NT device name as FltGetVolumeName returns it, for example
 * {@code \Device\HarddiskVolume3}: 1 to JMF_MAX_VOLUME_CHARS UTF-16 code units, no NUL. The kernel
 * compares names without regard to case.
 */
public record Volume(String name) {
    public Volume {
        if (name == null || name.isEmpty()) {
            throw new InvalidFieldException("Name", "a volume name is empty");
        }
        if (name.length() > Protocol.MAX_VOLUME_CHARS) {
            throw new InvalidFieldException("Name", "volume name of " + name.length()
                    + " code units is over " + Protocol.MAX_VOLUME_CHARS);
        }
        if (name.indexOf('\0') >= 0) {
            throw new InvalidFieldException("Name", "a volume name holds a NUL");
        }
    }

    /** True when {@code other} names the same volume (without regard to case, the kernel's {@link CaseFold}). */
    public boolean sameAs(Volume other) {
        return CaseFold.equal(name, other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
