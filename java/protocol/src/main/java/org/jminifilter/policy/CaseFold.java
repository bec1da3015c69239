package org.jminifilter.policy;

/**
 * The driver's case fold (JmfUpcase in native-driver/src/jmf_pattern.c): simple upper-case
 * mappings for Basic Latin, Latin-1, Greek and Coptic, and Cyrillic; every other code unit is its
 * own fold. Java's own case rules fold more (Latin Extended, the Kelvin sign, ...), so comparing
 * names "without regard to case" the kernel's way needs this table; a test checks it against the
 * C function for all 65536 code units.
 */
public final class CaseFold {
    private CaseFold() {
    }

    /** The fold of one UTF-16 code unit. */
    public static char upcase(char ch) {
        int c = ch;
        if (c < 0x80) {
            return (char) (c >= 'a' && c <= 'z' ? c - 0x20 : c);
        }
        if (c < 0x100) {
            if (c >= 0xE0 && c <= 0xFE && c != 0xF7) {
                return (char) (c - 0x20);
            }
            if (c == 0xB5) {
                return '\u039C'; // MICRO SIGN -> GREEK CAPITAL MU
            }
            return c == 0xFF ? '\u0178' : ch;
        }
        if (c >= 0x370 && c <= 0x3FF) {
            return (char) greek(c);
        }
        if (c >= 0x400 && c <= 0x4FF) {
            return (char) cyrillic(c);
        }
        return ch;
    }

    private static int greek(int c) {
        if (c >= 0x3B1 && c <= 0x3CB) {
            return c == 0x3C2 ? 0x3A3 : c - 0x20; // final sigma folds with sigma
        }
        if (c >= 0x3D8 && c <= 0x3EF) {
            return c & ~1; // archaic letters and Coptic: pairs, capital even
        }
        switch (c) {
            case 0x371: return 0x370;
            case 0x373: return 0x372;
            case 0x377: return 0x376;
            case 0x37B: return 0x3FD;
            case 0x37C: return 0x3FE;
            case 0x37D: return 0x3FF;
            case 0x3AC: return 0x386;
            case 0x3AD: return 0x388;
            case 0x3AE: return 0x389;
            case 0x3AF: return 0x38A;
            case 0x3CC: return 0x38C;
            case 0x3CD: return 0x38E;
            case 0x3CE: return 0x38F;
            case 0x3D0: return 0x392;
            case 0x3D1: return 0x398;
            case 0x3D5: return 0x3A6;
            case 0x3D6: return 0x3A0;
            case 0x3D7: return 0x3CF;
            case 0x3F0: return 0x39A;
            case 0x3F1: return 0x3A1;
            case 0x3F2: return 0x3F9;
            case 0x3F3: return 0x37F;
            case 0x3F5: return 0x395;
            case 0x3F8: return 0x3F7;
            case 0x3FB: return 0x3FA;
            default: return c;
        }
    }

    private static int cyrillic(int c) {
        if (c >= 0x430 && c <= 0x44F) {
            return c - 0x20;
        }
        if (c >= 0x450 && c <= 0x45F) {
            return c - 0x50;
        }
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF)) {
            return c & ~1; // pairs, capital even
        }
        if (c >= 0x4C1 && c <= 0x4CE) {
            return (c & 1) != 0 ? c : c - 1; // pairs, capital odd
        }
        return c == 0x4CF ? 0x4C0 : c; // PALOCHKA
    }

    /** True when {@code a} and {@code b} are equal without regard to case, as the kernel compares. */
    public static boolean equal(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && upcase(x) != upcase(y)) {
                return false;
            }
        }
        return true;
    }
}
