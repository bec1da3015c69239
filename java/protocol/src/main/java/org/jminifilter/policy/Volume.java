package org.jminifilter.policy;

import org.jminifilter.protocol.Protocol;

/**
 * A volume by its NT device name as FltGetVolumeName returns it, for example
 * {@code \Device\HarddiskVolume3}: 1 to JMF_MAX_VOLUME_CHARS UTF-16 code units, no NUL. The kernel
 * compares names without regard to case. A name FltGetVolumeName never returns is refused, with
 * what to write instead: a drive letter ({@code C:}, {@code C:\}, {@code \\?\C:}, {@code \??\C:}: a
 * symbolic link, not the device), a name not starting with {@code \}, ending with {@code \}, or
 * holding {@code /} or an empty component.
 *
 * @param name the NT device name
 */
public record Volume(String name) {
    /** Validates the name (see the class comment); fails with what to write instead. */
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
        String problem = NeverMatches.volumeProblem(name);
        if (problem != null) {
            throw new InvalidFieldException("Name", NeverMatches.quote(name) + " " + problem);
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
