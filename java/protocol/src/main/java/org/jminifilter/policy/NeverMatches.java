package org.jminifilter.policy;

import java.util.regex.Pattern;

/**
 * The patterns and volume names no name the kernel sees can ever match, refused with
 * JMF_ERROR_NEVER_MATCHES: the same rules as the driver's JmfPatternNeverMatches and
 * JmfVolumeNameNeverMatches (jmf_pattern.c), each problem explained with a suggestion of what
 * would match.
 *
 * <p>What the names look like: a path is the volume-relative part of the normalized name
 * FltGetFileNameInformation gives ({@code ""} for the volume itself, {@code \} for the root,
 * otherwise {@code \dir\file.txt}, never a trailing {@code \}); an image is the NT path
 * SeLocateProcessImageName gives ({@code \Device\HarddiskVolume2\Windows\notepad.exe}); a volume
 * is the NT device name FltGetVolumeName gives ({@code \Device\HarddiskVolume2}). None holds
 * {@code /} (the file systems the driver attaches to refuse it in a name) or an empty component.
 */
final class NeverMatches {
    private static final Pattern DOS_PATH = Pattern.compile("^[A-Za-z]:");
    private static final Pattern DRIVE_LETTER = Pattern.compile(
            "(?i)^(\\\\\\\\[?.]\\\\|\\\\\\?\\?\\\\|\\\\DosDevices\\\\)?[A-Z]:\\\\?$");
    private static final String DEVICE_HINT = "name the volume's device as FltGetVolumeName gives it, such as"
            + " \\Device\\HarddiskVolumeN (QueryDosDevice or mountvol tells which N a drive letter points to)";

    private NeverMatches() {
    }

    /** Why no volume-relative path can match {@code p} (a well-formed pattern), or null when one can. */
    static String pathProblem(String p) {
        return problem(p, false);
    }

    /** Why no image path can match {@code p} (a well-formed pattern), or null when one can. */
    static String imageProblem(String p) {
        return problem(p, true);
    }

    private static String problem(String p, boolean image) {
        if (p.isEmpty()) {
            return null;
        }
        String what = image ? "an image's NT path (\\Device\\HarddiskVolume2\\Windows\\notepad.exe)"
                : "a volume-relative path (\\dir\\file.txt)";
        if (p.indexOf('/') >= 0) {
            return "holds '/', which " + what + " never does (the separator is '\\'): did you mean "
                    + suggest(p, image) + "?";
        }
        if (p.contains("\\\\")) {
            return "holds an empty component (\"\\\\\"), which " + what + " never does: did you mean "
                    + suggest(p, image) + "?";
        }
        if (!canStart(p, image)) {
            if (DOS_PATH.matcher(p).find()) {
                return image ? "is a DOS path, but an image is named by its NT path"
                        + " (\\Device\\HarddiskVolumeN\\Windows\\notepad.exe): did you mean " + suggest(p, true) + "?"
                        : "is a DOS path, but a path pattern is relative to its volume (match the volume with"
                        + " volume(\"\\Device\\HarddiskVolumeN\")): did you mean " + suggest(p, false) + "?";
            }
            if (p.charAt(0) == '*') {
                return "cannot match: " + what + " starts with '\\', which a single leading '*' never crosses:"
                        + " did you mean " + suggest(p, image) + (image ? "" : " (at any depth) or \\" + p + " (in the root)")
                        + "?";
            }
            return "does not start with '\\', and " + what + " always does: did you mean " + suggest(p, image) + "?";
        }
        if (p.endsWith("\\") && (image || !allStars(p.substring(0, p.length() - 1)))) {
            String s = suggest(p, image);
            return image ? "ends with '\\', which an image's path never does: did you mean " + s + "?"
                    : "ends with '\\', which only the root's path does (a normalized name has no trailing '\\'):"
                    + " did you mean " + s + " (the directory itself) or " + s + "\\** (what is inside it)?";
        }
        return null;
    }

    /** The start the driver requires: '\', "**", or a single '*' then '\' (a lone '*' matches a volume open's empty path). */
    private static boolean canStart(String p, boolean image) {
        int stars = 0;
        while (stars < p.length() && p.charAt(stars) == '*') {
            stars++;
        }
        if (stars >= 2) {
            return true;
        }
        if (stars == p.length()) {
            return !image;
        }
        return p.charAt(stars) == '\\';
    }

    private static boolean allStars(String s) {
        return s.chars().allMatch(c -> c == '*');
    }

    /** A pattern that can match and is probably what {@code p} meant. */
    static String suggest(String p, boolean image) {
        String s = p.replace('/', '\\').replaceAll("\\\\{2,}", "\\\\");
        if (DOS_PATH.matcher(s).find()) {
            s = s.substring(2);
            if (image) {
                s = "**" + (s.startsWith("\\") ? "" : "\\") + s;
            }
        }
        if (!canStart(s, image)) {
            s = (image || s.startsWith("*") ? "**\\" : "\\") + s;
        }
        while (s.length() > 1 && s.endsWith("\\") && (image || !allStars(s.substring(0, s.length() - 1)))) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** Why FltGetVolumeName can never return {@code name} (not empty, no NUL), or null when it can. */
    static String volumeProblem(String name) {
        if (DRIVE_LETTER.matcher(name).find()) {
            return "is a drive letter, a symbolic link to a volume, not its NT device name: " + DEVICE_HINT;
        }
        // Folded as the driver folds (CaseFold), not with toLowerCase, so both sides refuse the same names.
        if (startsWithFolded(name, "\\??\\") || startsWithFolded(name, "\\DosDevices\\")
                || name.startsWith("\\\\?\\") || name.startsWith("\\\\.\\")) {
            return "is a symbolic link (\\??\\..., \\\\?\\...), not a device name: " + DEVICE_HINT;
        }
        if (name.indexOf('/') >= 0 || name.contains("\\\\")) {
            return "holds '/' or an empty component, which an NT device name never does: did you mean "
                    + suggestVolume(name) + "?";
        }
        if (name.charAt(0) != '\\') {
            return "is not an NT device name (they start with '\\'): did you mean " + suggestVolume(name) + "?";
        }
        if (name.endsWith("\\")) {
            return name.length() == 1 ? "is the root of the object namespace, not a volume: " + DEVICE_HINT
                    : "ends with '\\', which FltGetVolumeName's name never does: did you mean " + suggestVolume(name) + "?";
        }
        return null;
    }

    /** {@code s} in quotes, cut to its first 80 characters when longer (messages stay readable). */
    static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "...\" (" + s.length() + " characters)" : s + "\"");
    }

    private static boolean startsWithFolded(String s, String prefix) {
        return s.length() >= prefix.length() && CaseFold.equal(s.substring(0, prefix.length()), prefix);
    }

    private static String suggestVolume(String name) {
        String s = name.replace('/', '\\').replaceAll("\\\\{2,}", "\\\\");
        while (s.endsWith("\\")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.startsWith("\\")) {
            s = (s.regionMatches(true, 0, "Device\\", 0, 7) ? "\\" : "\\Device\\") + s;
        }
        return s.equals("\\Device\\") || s.isEmpty() ? "\\Device\\HarddiskVolumeN" : s;
    }
}
