package org.jminifilter.cli.answers;

import java.util.Arrays;

import org.jminifilter.policy.CaseFold;
import org.jminifilter.protocol.Protocol;

/**
 * The driver's path and image pattern matcher (JmfPatternMatch in native-driver/src/jmf_pattern.c),
 * step for step in Java, so an answer's {@code path:} and {@code image:} match exactly what a rule's
 * would: {@code ?} one character other than {@code \}, {@code *} any run without {@code \},
 * {@code **} any run, compared with the kernel's case fold ({@link CaseFold}). The literal text
 * before the first wildcard and after the last must match the ends of the text; a simulation of
 * the pattern's automaton (one state per position, no backtracking) decides the middle. A test
 * holds it to the C matcher, compiled from the driver's source, over the C unit test's cases and
 * random inputs.
 */
public final class PatternMatcher {
    private static final char STAR = '*';
    private static final char QUESTION = '?';
    private static final char BACKSLASH = '\\';

    private PatternMatcher() {
    }

    /** True when {@code pattern} matches {@code text}; a pattern over JMF_MAX_PATTERN_CHARS never matches. */
    public static boolean matches(String pattern, String text) {
        int patternChars = pattern.length();
        int textChars = text.length();
        if (patternChars > Protocol.MAX_PATTERN_CHARS) {
            return false;
        }
        int first = patternChars;
        int last = 0;
        for (int j = 0; j < patternChars; j++) {
            char c = pattern.charAt(j);
            if (c == STAR || c == QUESTION) {
                if (first == patternChars) {
                    first = j;
                }
                last = j;
            }
        }
        if (first == patternChars) {
            return patternChars == textChars && foldEqual(pattern, 0, text, 0, textChars);
        }
        int suffix = patternChars - last - 1;
        if (textChars < first + suffix || !foldEqual(pattern, 0, text, 0, first)
                || !foldEqual(pattern, last + 1, text, textChars - suffix, suffix)) {
            return false;
        }
        return matchWild(pattern.substring(first, last + 1), text.substring(first, textChars - suffix));
    }

    private static boolean foldEqual(String a, int aFrom, String b, int bFrom, int chars) {
        for (int i = 0; i < chars; i++) {
            char x = a.charAt(aFrom + i);
            char y = b.charAt(bFrom + i);
            if (x != y && CaseFold.upcase(x) != CaseFold.upcase(y)) {
                return false;
            }
        }
        return true;
    }

    /** JmfStarCrosses: the star at {@code k} is part of a run of stars, so it crosses {@code \}. */
    private static boolean starCrosses(String p, int k) {
        return (k > 0 && p.charAt(k - 1) == STAR) || (k + 1 < p.length() && p.charAt(k + 1) == STAR);
    }

    /**
     * JmfMatchWild: the automaton over a pattern that starts and ends with a wildcard; state
     * {@code j} on means {@code p[0..j)} matches the text read so far, and each step looks only at
     * the live window, as the C code does.
     */
    private static boolean matchWild(String p, String t) {
        int m = p.length();
        int j;
        for (j = 0; j < m && p.charAt(j) == STAR; j++) {
            // leading stars
        }
        if (j == m) {
            if (m >= 2) {
                return true;
            }
            return t.indexOf(BACKSLASH) < 0;
        }
        boolean[] cur = new boolean[m + 1];
        boolean[] next = new boolean[m + 1];
        cur[0] = true;
        int hi = 0;
        for (j = 1; j <= m && p.charAt(j - 1) == STAR; j++) {
            cur[j] = true; // leading stars match the empty text
            hi = j;
        }
        int lo = 0;
        for (int i = 0; i < t.length(); i++) {
            char ch = CaseFold.upcase(t.charAt(i));
            int newLo = -1;
            int newHi = 0;
            boolean live = false;
            Arrays.fill(next, false);
            for (j = lo == 0 ? 1 : lo; j <= m; j++) {
                char pc = p.charAt(j - 1);
                boolean on;
                if (pc == STAR) {
                    on = starCrosses(p, j - 1) ? live || cur[j] : live || (cur[j] && ch != BACKSLASH);
                } else if (pc == QUESTION) {
                    on = cur[j - 1] && ch != BACKSLASH;
                } else {
                    on = cur[j - 1] && CaseFold.upcase(pc) == ch;
                }
                if (on) {
                    next[j] = true;
                    if (newLo < 0) {
                        newLo = j;
                    }
                    newHi = j;
                } else if (j > hi) {
                    break; // nothing live at or after j, and the star chain broke
                }
                live = on;
            }
            if (newLo < 0) {
                return false;
            }
            boolean[] swap = cur;
            cur = next;
            next = swap;
            lo = newLo;
            hi = newHi;
        }
        return cur[m];
    }
}
