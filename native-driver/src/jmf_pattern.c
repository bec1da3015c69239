/*++

Module Name:

    jmf_pattern.c

Abstract:

    The case fold and the path/image pattern language of jminifilter:

      ?    one character other than '\'
      *    any run of characters other than '\'
      **   any run of characters, '\' included

    Matching is a simulation of the pattern's automaton over its positions
    (one bit per position, advanced one text character at a time), so its
    worst case is O(text x pattern) with no backtracking, no recursion and a
    fixed ~300 bytes of stack, whatever the input.

    Environment: any IRQL; touches only its arguments.

--*/

#include "jmf_policy_internal.h"

/*
 * JmfUpcase
 *
 * Unicode simple upper-case mappings for Basic Latin, Latin-1 Supplement,
 * Greek and Coptic (U+0370..U+03FF) and Cyrillic (U+0400..U+04FF); every
 * other code unit is its own fold. A fixed table in code rather than
 * RtlUpcaseUnicodeChar so that the kernel and the host fold identically.
 */
JMF_U16
JmfUpcase(
    JMF_U16 Char
    )
{
    JMF_U32 c = Char;

    if (c < 0x80u) {
        return (JMF_U16)((c >= 0x61u && c <= 0x7Au) ? c - 0x20u : c);
    }
    if (c < 0x100u) {
        if (c >= 0xE0u && c <= 0xFEu && c != 0xF7u) {
            return (JMF_U16)(c - 0x20u);
        }
        if (c == 0xB5u) {
            return 0x039Cu;     /* MICRO SIGN -> GREEK CAPITAL MU */
        }
        if (c == 0xFFu) {
            return 0x0178u;     /* y with diaeresis -> U+0178 */
        }
        return (JMF_U16)c;
    }
    if (c >= 0x370u && c <= 0x3FFu) {
        if (c >= 0x3B1u && c <= 0x3CBu) {
            return (JMF_U16)(c == 0x3C2u ? 0x3A3u : c - 0x20u);  /* final sigma folds with sigma */
        }
        if (c >= 0x3D8u && c <= 0x3EFu) {
            return (JMF_U16)(c & ~1u);  /* archaic letters and Coptic: pairs, capital even */
        }
        switch (c) {
        case 0x371u: return 0x370u;
        case 0x373u: return 0x372u;
        case 0x377u: return 0x376u;
        case 0x37Bu: return 0x3FDu;
        case 0x37Cu: return 0x3FEu;
        case 0x37Du: return 0x3FFu;
        case 0x3ACu: return 0x386u;
        case 0x3ADu: return 0x388u;
        case 0x3AEu: return 0x389u;
        case 0x3AFu: return 0x38Au;
        case 0x3CCu: return 0x38Cu;
        case 0x3CDu: return 0x38Eu;
        case 0x3CEu: return 0x38Fu;
        case 0x3D0u: return 0x392u;
        case 0x3D1u: return 0x398u;
        case 0x3D5u: return 0x3A6u;
        case 0x3D6u: return 0x3A0u;
        case 0x3D7u: return 0x3CFu;
        case 0x3F0u: return 0x39Au;
        case 0x3F1u: return 0x3A1u;
        case 0x3F2u: return 0x3F9u;
        case 0x3F3u: return 0x37Fu;
        case 0x3F5u: return 0x395u;
        case 0x3F8u: return 0x3F7u;
        case 0x3FBu: return 0x3FAu;
        default: return (JMF_U16)c;
        }
    }
    if (c >= 0x400u && c <= 0x4FFu) {
        if (c >= 0x430u && c <= 0x44Fu) {
            return (JMF_U16)(c - 0x20u);
        }
        if (c >= 0x450u && c <= 0x45Fu) {
            return (JMF_U16)(c - 0x50u);
        }
        if ((c >= 0x460u && c <= 0x481u) || (c >= 0x48Au && c <= 0x4BFu) || (c >= 0x4D0u && c <= 0x4FFu)) {
            return (JMF_U16)(c & ~1u);  /* pairs, capital even */
        }
        if (c >= 0x4C1u && c <= 0x4CEu) {
            return (JMF_U16)((c & 1u) ? c : c - 1u);  /* pairs, capital odd */
        }
        if (c == 0x4CFu) {
            return 0x4C0u;      /* PALOCHKA */
        }
        return (JMF_U16)c;
    }
    return (JMF_U16)c;
}

JMF_BOOL
JmfFoldEqual(
    const JMF_U16 *A,
    const JMF_U16 *B,
    JMF_U32 Chars
    )
{
    JMF_U32 i;

    for (i = 0; i < Chars; i++) {
        if (A[i] != B[i] && JmfFold(A[i]) != JmfFold(B[i])) {
            return 0;
        }
    }
    return 1;
}

JMF_U32
JmfPatternValidate(
    const JMF_U16 *Pattern,
    JMF_U32 Chars
    )
{
    JMF_U32 i;
    JMF_U32 stars = 0;

    for (i = 0; i < Chars; i++) {
        if (Pattern[i] == 0) {
            return JMF_ERROR_BAD_PATTERN;
        }
        if (Pattern[i] == JMF_CHAR_STAR) {
            if (++stars > 2) {
                return JMF_ERROR_BAD_PATTERN;
            }
        } else {
            stars = 0;
        }
    }
    return JMF_ERROR_NONE;
}

JMF_U32
JmfPatternKeyChars(
    const JMF_U16 *Pattern,
    JMF_U32 Chars,
    JMF_BOOL *Literal
    )
{
    JMF_U32 i;
    JMF_U32 key = 0;

    for (i = 0; i < Chars; i++) {
        if (Pattern[i] == JMF_CHAR_STAR || Pattern[i] == JMF_CHAR_QUESTION) {
            *Literal = 0;
            return key;
        }
        if (Pattern[i] == JMF_CHAR_BACKSLASH) {
            key = i + 1;
        }
    }
    *Literal = 1;
    return Chars;
}

JMF_U32
JmfPatternTailKey(
    const JMF_U16 *Pattern,
    JMF_U32 Chars,
    JMF_U32 *KeyStart
    )
{
    JMF_U32 tail = Chars;       /* where the literal tail starts */
    JMF_U32 i;

    *KeyStart = Chars;
    while (tail > 0 && Pattern[tail - 1] != JMF_CHAR_STAR && Pattern[tail - 1] != JMF_CHAR_QUESTION) {
        tail--;
    }
    if (tail == 0) {
        return 0;               /* no wildcard: a literal, keyed whole on the prefix side */
    }
    for (i = Chars; i > tail; i--) {
        if (Pattern[i - 1] == JMF_CHAR_BACKSLASH) {
            *KeyStart = i - 1;
            return Chars - (i - 1);
        }
    }
    for (i = tail; i < Chars; i++) {
        if (Pattern[i] == JMF_CHAR_DOT) {
            *KeyStart = i;
            return Chars - i;
        }
    }
    return 0;
}

/* One bit per pattern position 0 .. JMF_MAX_PATTERN_CHARS. */
#define JMF_STATE_WORDS ((JMF_MAX_PATTERN_CHARS + 1u + 63u) / 64u)
#define JMF_BIT_GET(s, j) (((s)[(j) >> 6] >> ((j) & 63u)) & 1u)
#define JMF_BIT_SET(s, j) ((s)[(j) >> 6] |= (JMF_U64)1 << ((j) & 63u))

/*
 * True when the '*' at Pattern[k] crosses '\': it is part of a run of
 * stars ("**"). Two stars that may each cross '\' match any run, exactly
 * like "**", so every star of a run can be treated alike.
 */
static JMF_BOOL
JmfStarCrosses(
    const JMF_U16 *Pattern,
    JMF_U32 PatternChars,
    JMF_U32 k
    )
{
    return (JMF_BOOL)((k > 0 && Pattern[k - 1] == JMF_CHAR_STAR) ||
                      (k + 1 < PatternChars && Pattern[k + 1] == JMF_CHAR_STAR));
}

/*
 * JmfMatchWild
 *
 * The automaton over a pattern that starts and ends with a wildcard. State
 * bit j set means Pattern[0..j) matches the text consumed so far.
 * Positions below the lowest live one can never come back to life, and past
 * the highest live one only a chain of stars can carry a match, so each
 * step touches only the live window.
 */
static JMF_BOOL
JmfMatchWild(
    const JMF_U16 *Pattern,
    JMF_U32 PatternChars,
    const JMF_U16 *Text,
    JMF_U32 TextChars
    )
{
    JMF_U64 cur[JMF_STATE_WORDS];
    JMF_U64 next[JMF_STATE_WORDS];
    JMF_U32 i;
    JMF_U32 j;
    JMF_U32 lo;
    JMF_U32 hi;
    JMF_U32 words;

    /* Only stars: "**" (or longer) matches anything, "*" anything without '\'. */
    for (j = 0; j < PatternChars && Pattern[j] == JMF_CHAR_STAR; j++) {
    }
    if (j == PatternChars) {
        if (PatternChars >= 2) {
            return 1;
        }
        for (i = 0; i < TextChars; i++) {
            if (Text[i] == JMF_CHAR_BACKSLASH) {
                return 0;
            }
        }
        return 1;
    }

    words = (PatternChars + 1u + 63u) / 64u;
    memset(cur, 0, words * sizeof(JMF_U64));
    JMF_BIT_SET(cur, 0);
    hi = 0;
    for (j = 1; j <= PatternChars && Pattern[j - 1] == JMF_CHAR_STAR; j++) {
        JMF_BIT_SET(cur, j);            /* leading stars match the empty text */
        hi = j;
    }
    lo = 0;

    for (i = 0; i < TextChars; i++) {
        JMF_U16 t = JmfFold(Text[i]);
        JMF_U32 newLo = 0xFFFFFFFFu;
        JMF_U32 newHi = 0;
        JMF_U32 live = 0;              /* bit j-1 of next, carried along the row */

        memset(next, 0, words * sizeof(JMF_U64));
        for (j = (lo == 0 ? 1u : lo); j <= PatternChars; j++) {
            JMF_U16 p = Pattern[j - 1];
            JMF_U32 on;

            if (p == JMF_CHAR_STAR) {
                if (JmfStarCrosses(Pattern, PatternChars, j - 1)) {
                    on = live | (JMF_U32)JMF_BIT_GET(cur, j);
                } else {
                    on = live | ((JMF_U32)JMF_BIT_GET(cur, j) & (JMF_U32)(t != JMF_CHAR_BACKSLASH));
                }
            } else if (p == JMF_CHAR_QUESTION) {
                on = (JMF_U32)JMF_BIT_GET(cur, j - 1) & (JMF_U32)(t != JMF_CHAR_BACKSLASH);
            } else {
                on = (JMF_U32)JMF_BIT_GET(cur, j - 1) & (JMF_U32)(JmfFold(p) == t);
            }
            if (on) {
                JMF_BIT_SET(next, j);
                if (newLo == 0xFFFFFFFFu) {
                    newLo = j;
                }
                newHi = j;
            } else if (j > hi) {
                break;                  /* nothing live at or after j in cur, and the star chain broke */
            }
            live = on;
        }
        if (newLo == 0xFFFFFFFFu) {
            return 0;
        }
        memcpy(cur, next, words * sizeof(JMF_U64));
        lo = newLo;
        hi = newHi;
    }
    return (JMF_BOOL)JMF_BIT_GET(cur, PatternChars);
}

/*
 * JmfPatternMatch
 *
 * The literal text before the first wildcard and after the last one must
 * match the start and the end of the text exactly (they consume a fixed
 * number of characters), which rejects most texts at the cost of a
 * comparison; the automaton runs only on what lies between. Patterns longer
 * than JMF_MAX_PATTERN_CHARS never match (a compiled policy holds none).
 */
JMF_BOOL
JmfPatternMatch(
    const JMF_U16 *Pattern,
    JMF_U32 PatternChars,
    const JMF_U16 *Text,
    JMF_U32 TextChars
    )
{
    JMF_U32 first = PatternChars;
    JMF_U32 last = 0;
    JMF_U32 suffix;
    JMF_U32 j;

    if (PatternChars > JMF_MAX_PATTERN_CHARS) {
        return 0;
    }
    for (j = 0; j < PatternChars; j++) {
        if (Pattern[j] == JMF_CHAR_STAR || Pattern[j] == JMF_CHAR_QUESTION) {
            if (first == PatternChars) {
                first = j;
            }
            last = j;
        }
    }
    if (first == PatternChars) {
        return (JMF_BOOL)(PatternChars == TextChars && JmfFoldEqual(Pattern, Text, TextChars));
    }
    suffix = PatternChars - last - 1u;
    if (TextChars < first + suffix ||
        !JmfFoldEqual(Pattern, Text, first) ||
        !JmfFoldEqual(Pattern + last + 1u, Text + TextChars - suffix, suffix)) {
        return 0;
    }
    return JmfMatchWild(Pattern + first, last - first + 1u, Text + first, TextChars - first - suffix);
}

/*
 * JmfPatternNeverMatches
 *
 * Tells whether a validated pattern can never match a name of Kind, so the
 * policy is refused instead of holding a rule that silently does nothing.
 * Only what the names provably never show counts (normalized names as
 * FltGetFileNameInformation gives them, image names as
 * SeLocateProcessImageName gives them, on the file systems the driver
 * attaches to, which allow neither '/' nor an empty component in a name):
 *
 *   - a '/' anywhere, or "\\" (an empty component): never in a name;
 *   - a start that cannot be '\': a volume-relative path is empty (the
 *     volume itself), "\" (the root) or "\name...", and an image path is
 *     "\name..."; a leading single '*' cannot consume the '\' and a '?'
 *     never matches it, so after them the pattern must go on with '\'
 *     (a lone "*" still matches the empty path of a volume open);
 *   - a trailing '\': only the root's path ends with one, so a path pattern
 *     ending in '\' must be able to match exactly "\" (only stars before
 *     it), and an image pattern never ends in '\'.
 *
 * Any IRQL; touches only its arguments.
 */
JMF_BOOL
JmfPatternNeverMatches(
    const JMF_U16 *Pattern,
    JMF_U32 Chars,
    JMF_U32 Kind
    )
{
    JMF_U32 i;
    JMF_U32 stars;

    if (Chars == 0) {
        return 0;
    }
    for (i = 0; i < Chars; i++) {
        if (Pattern[i] == JMF_CHAR_SLASH ||
            (Pattern[i] == JMF_CHAR_BACKSLASH && i + 1 < Chars && Pattern[i + 1] == JMF_CHAR_BACKSLASH)) {
            return 1;
        }
    }
    for (stars = 0; stars < Chars && Pattern[stars] == JMF_CHAR_STAR; stars++) {
    }
    if (stars < 2) {
        /* No "**" in front: the first character after a single star must be '\'. */
        if (stars == Chars) {
            if (Kind == JMF_NAME_IMAGE) {
                return 1;       /* "*": an image path always holds a '\' */
            }
        } else if (Pattern[stars] != JMF_CHAR_BACKSLASH) {
            return 1;
        }
    }
    if (Pattern[Chars - 1] == JMF_CHAR_BACKSLASH) {
        if (Kind == JMF_NAME_IMAGE) {
            return 1;
        }
        for (i = 0; i + 1 < Chars; i++) {
            if (Pattern[i] != JMF_CHAR_STAR) {
                return 1;
            }
        }
    }
    return 0;
}

/* "\??\" and "\DosDevices\": symbolic-link names, never a device's own name. */
static const JMF_U16 JmfDosDevicesAlias[] = { '\\', '?', '?', '\\' };
static const JMF_U16 JmfDosDevicesLink[] = { '\\', 'D', 'O', 'S', 'D', 'E', 'V', 'I', 'C', 'E', 'S', '\\' };

/*
 * JmfVolumeNameNeverMatches
 *
 * Tells whether Name can never be what FltGetVolumeName returns for a
 * volume: the NT name of the volume's device object
 * ("\Device\HarddiskVolume3"), an object-manager path through real directories. It
 * starts with '\', holds no '/', no empty component and no trailing '\', and
 * does not go through "\??" or the "\DosDevices" symbolic link, where drive
 * letters live ("\??\C:"). "C:", "C:\" and "\\?\C:" fail the first checks.
 *
 * Any IRQL; touches only its arguments.
 */
JMF_BOOL
JmfVolumeNameNeverMatches(
    const JMF_U16 *Name,
    JMF_U32 Chars
    )
{
    JMF_U32 i;

    if (Chars == 0 || Name[0] != JMF_CHAR_BACKSLASH || Name[Chars - 1] == JMF_CHAR_BACKSLASH) {
        return 1;
    }
    for (i = 0; i < Chars; i++) {
        if (Name[i] == JMF_CHAR_SLASH ||
            (Name[i] == JMF_CHAR_BACKSLASH && i + 1 < Chars && Name[i + 1] == JMF_CHAR_BACKSLASH)) {
            return 1;
        }
    }
    if (Chars >= 4u && JmfFoldEqual(Name, JmfDosDevicesAlias, 4u)) {
        return 1;
    }
    if (Chars >= 12u && JmfFoldEqual(Name, JmfDosDevicesLink, 12u)) {
        return 1;
    }
    return 0;
}
