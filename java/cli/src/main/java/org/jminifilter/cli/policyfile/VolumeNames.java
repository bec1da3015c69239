package org.jminifilter.cli.policyfile;

import java.util.Locale;

/** Spellings of volume names: which are NT device names, and one canonical form of the others. */
final class VolumeNames {
    private VolumeNames() {
    }

    /** True for an NT device name ({@code \Device\...}), the form the kernel compares. */
    static boolean isNtDeviceName(String written) {
        return written.regionMatches(true, 0, "\\Device\\", 0, 8) && written.length() > 8;
    }

    /** {@code c}, {@code C:}, {@code C:\} all become {@code C:}; other names lose one trailing backslash. */
    static String canonicalAlias(String written) {
        String w = written.trim();
        if (w.length() == 1 && Character.isLetter(w.charAt(0))) {
            return w.toUpperCase(Locale.ROOT) + ":";
        }
        if (w.length() == 3 && w.charAt(1) == ':' && w.charAt(2) == '\\') {
            return w.substring(0, 2).toUpperCase(Locale.ROOT);
        }
        if (w.length() > 3 && w.endsWith("\\")) {
            return w.substring(0, w.length() - 1);
        }
        return w.length() == 2 && w.charAt(1) == ':' ? w.toUpperCase(Locale.ROOT) : w;
    }
}
