package org.jminifilter.policy;

import org.jminifilter.protocol.Protocol;

/**
 * A path or image pattern, compared by the kernel without regard to case: {@code ?} one character
 * other than {@code \}, {@code *} any run of characters other than {@code \}, {@code **} any run
 * of characters including {@code \}. Not empty (a rule without a pattern matches any path), at
 * most JMF_MAX_PATTERN_CHARS UTF-16 code units, no NUL, and never three stars in a row.
 */
public record PathPattern(String pattern) {
    /** Checks what any pattern must be (see the class comment); what a path or an image can match is {@link Rule}'s check. */
    public PathPattern {
        if (pattern == null || pattern.isEmpty()) {
            throw new InvalidFieldException("Pattern", "empty (leave the pattern out to match anything)");
        }
        if (pattern.length() > Protocol.MAX_PATTERN_CHARS) {
            throw new InvalidFieldException("Pattern", pattern.length() + " code units is over "
                    + Protocol.MAX_PATTERN_CHARS);
        }
        int nul = pattern.indexOf('\0');
        if (nul >= 0) {
            throw new InvalidFieldException("Pattern", "NUL at index " + nul);
        }
        int stars = pattern.indexOf("***");
        if (stars >= 0) {
            throw new InvalidFieldException("Pattern", "\"***\" at index " + stars + " (use * or **)");
        }
    }

    /** The pattern {@code text}. */
    public static PathPattern of(String text) {
        return new PathPattern(text);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
