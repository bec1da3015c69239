/* test_pattern.c - the case fold, the pattern language and its matcher. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"

static int
Match(const char *Pattern, const char *Text)
{
    JMF_U16 p[2048];
    JMF_U16 t[4096];
    JMF_U32 pn = Utf16(Pattern, p, 2048);
    JMF_U32 tn = Utf16(Text, t, 4096);

    return JmfPatternMatch(p, pn, t, tn);
}

/*
 * The reference: the pattern language written the obvious (exponential)
 * way, recursion and all, to cross-check the matcher on small inputs.
 */
static int
RefMatch(const JMF_U16 *p, JMF_U32 pn, const JMF_U16 *t, JMF_U32 tn)
{
    JMF_U32 k;

    if (pn == 0) {
        return tn == 0;
    }
    if (pn >= 2 && p[0] == '*' && p[1] == '*') {
        for (k = 0; k <= tn; k++) {
            if (RefMatch(p + 2, pn - 2, t + k, tn - k)) {
                return 1;
            }
        }
        return 0;
    }
    if (p[0] == '*') {
        for (k = 0; k <= tn; k++) {
            if (RefMatch(p + 1, pn - 1, t + k, tn - k)) {
                return 1;
            }
            if (k < tn && t[k] == '\\') {
                break;
            }
        }
        return 0;
    }
    if (tn == 0) {
        return 0;
    }
    if (p[0] == '?') {
        return t[0] != '\\' && RefMatch(p + 1, pn - 1, t + 1, tn - 1);
    }
    return JmfUpcase(p[0]) == JmfUpcase(t[0]) && RefMatch(p + 1, pn - 1, t + 1, tn - 1);
}

static void
TestUpcase(void)
{
    JMF_U32 c;
    unsigned long notIdempotent = 0;
    unsigned long asciiWrong = 0;

    CHECK_EQ(JmfUpcase('a'), 'A');
    CHECK_EQ(JmfUpcase('z'), 'Z');
    CHECK_EQ(JmfUpcase('A'), 'A');
    CHECK_EQ(JmfUpcase('\\'), '\\');
    CHECK_EQ(JmfUpcase('{'), '{');          /* 'z' + 1 */
    CHECK_EQ(JmfUpcase('`'), '`');          /* 'a' - 1 */
    CHECK_EQ(JmfUpcase(0xE9), 0xC9);        /* e acute */
    CHECK_EQ(JmfUpcase(0xE0), 0xC0);
    CHECK_EQ(JmfUpcase(0xFE), 0xDE);        /* thorn */
    CHECK_EQ(JmfUpcase(0xF7), 0xF7);        /* division sign is no letter */
    CHECK_EQ(JmfUpcase(0xDF), 0xDF);        /* sharp s has no simple upper case */
    CHECK_EQ(JmfUpcase(0xFF), 0x178);
    CHECK_EQ(JmfUpcase(0xB5), 0x39C);       /* micro sign folds with mu */
    CHECK_EQ(JmfUpcase(0x3BC), 0x39C);
    CHECK_EQ(JmfUpcase(0x3B1), 0x391);      /* alpha */
    CHECK_EQ(JmfUpcase(0x3C9), 0x3A9);      /* omega */
    CHECK_EQ(JmfUpcase(0x3C2), 0x3A3);      /* final sigma */
    CHECK_EQ(JmfUpcase(0x3C3), 0x3A3);
    CHECK_EQ(JmfUpcase(0x3AC), 0x386);
    CHECK_EQ(JmfUpcase(0x3CE), 0x38F);
    CHECK_EQ(JmfUpcase(0x3E3), 0x3E2);      /* Coptic shei */
    CHECK_EQ(JmfUpcase(0x390), 0x390);      /* no simple upper case */
    CHECK_EQ(JmfUpcase(0x430), 0x410);      /* Cyrillic a */
    CHECK_EQ(JmfUpcase(0x44F), 0x42F);      /* ya */
    CHECK_EQ(JmfUpcase(0x451), 0x401);      /* yo */
    CHECK_EQ(JmfUpcase(0x45F), 0x40F);
    CHECK_EQ(JmfUpcase(0x463), 0x462);      /* yat */
    CHECK_EQ(JmfUpcase(0x491), 0x490);      /* ghe with upturn */
    CHECK_EQ(JmfUpcase(0x4C2), 0x4C1);
    CHECK_EQ(JmfUpcase(0x4C1), 0x4C1);
    CHECK_EQ(JmfUpcase(0x4CF), 0x4C0);
    CHECK_EQ(JmfUpcase(0x4FF), 0x4FE);
    CHECK_EQ(JmfUpcase(0x482), 0x482);      /* thousands sign is no letter */
    CHECK_EQ(JmfUpcase(0x101), 0x101);      /* Latin Extended-A: outside the fold */
    CHECK_EQ(JmfUpcase(0xFF41), 0xFF41);    /* fullwidth: outside the fold */

    for (c = 0; c <= 0xFFFFu; c++) {
        JMF_U16 u = JmfUpcase((JMF_U16)c);

        if (JmfUpcase(u) != u) {
            notIdempotent++;
        }
        if (c < 0x80u && u != (JMF_U16)((c >= 'a' && c <= 'z') ? c - 32u : c)) {
            asciiWrong++;
        }
    }
    CHECK_EQ(notIdempotent, 0);
    CHECK_EQ(asciiWrong, 0);
}

static void
TestMatchCases(void)
{
    /* literals, case */
    CHECK(Match("", ""));
    CHECK(!Match("", "a"));
    CHECK(Match("\\Users\\Bob\\a.txt", "\\users\\BOB\\A.TXT"));
    CHECK(!Match("\\Users\\Bob\\a.txt", "\\Users\\Bob\\a.txt2"));
    CHECK(!Match("\\Users\\Bob\\a.txt", "\\Users\\Bob\\a.tx"));
    CHECK(Match("\\Документы\\Отчёт.doc", "\\ДОКУМЕНТЫ\\ОТЧЁТ.DOC"));
    CHECK(Match("\\Σίσυφος", "\\ΣΊΣΥΦΟΣ"));
    CHECK(Match("\\σισυφος*", "\\ΣΙΣΥΦΟς.txt"));   /* final sigma */
    CHECK(!Match("\\straße", "\\STRASSE"));          /* simple fold only */

    /* ? */
    CHECK(Match("a?c", "abc"));
    CHECK(Match("a?c", "aBc"));
    CHECK(!Match("a?c", "ac"));
    CHECK(!Match("a?c", "a\\c"));
    CHECK(!Match("?", ""));

    /* * stays within a component */
    CHECK(Match("*", ""));
    CHECK(Match("*", "abc"));
    CHECK(!Match("*", "a\\b"));
    CHECK(Match("\\a\\*.txt", "\\a\\x.txt"));
    CHECK(Match("\\a\\*.txt", "\\a\\.txt"));
    CHECK(!Match("\\a\\*.txt", "\\a\\b\\x.txt"));
    CHECK(Match("\\a\\*\\*.txt", "\\a\\b\\x.txt"));
    CHECK(Match("*a*b*c", "xaybzc"));
    CHECK(!Match("*a*b*c", "xaybzcd"));
    CHECK(Match("\\a*", "\\a"));
    CHECK(!Match("\\a*", "\\a\\"));

    /* ** crosses components */
    CHECK(Match("**", ""));
    CHECK(Match("**", "\\a\\b\\c"));
    CHECK(Match("**\\notepad.exe", "\\Device\\HarddiskVolume3\\Windows\\notepad.exe"));
    CHECK(!Match("**\\notepad.exe", "\\Windows\\notepad.exe2"));
    CHECK(!Match("**\\notepad.exe", "notepad.exe"));
    CHECK(Match("\\Users\\**\\*.docx", "\\Users\\bob\\Documents\\x\\report.docx"));
    CHECK(Match("\\Users\\**\\*.docx", "\\Users\\a.docx") == 0);  /* "\**\" needs two '\' */
    CHECK(Match("\\Users\\**.docx", "\\Users\\a.docx"));
    CHECK(Match("\\Users\\**.docx", "\\Users\\b\\c\\a.docx"));
    CHECK(!Match("\\Users\\**\\*.docx", "\\Users\\bob\\report.docx\\x"));
    CHECK(Match("a**b**c", "a\\b\\c"));
    CHECK(Match("a**b", "ab"));
    CHECK(Match("\\a\\**", "\\a\\"));
    CHECK(!Match("\\a\\**", "\\a"));
    CHECK(Match("*\\**\\?", "x\\\\y"));
    CHECK(Match("?**?", "ab"));
    CHECK(!Match("?**?", "a"));

    /* over-long pattern never matches */
    {
        JMF_U16 p[JMF_MAX_PATTERN_CHARS + 1];
        JMF_U32 i;

        for (i = 0; i < JMF_MAX_PATTERN_CHARS + 1; i++) {
            p[i] = '*';
        }
        CHECK(!JmfPatternMatch(p, JMF_MAX_PATTERN_CHARS + 1, p, 1));
    }
}

/*
 * The shapes that make backtracking matchers exponential must finish (and
 * be right): many "*a" (or "**a") before a letter the text lacks, with a
 * literal end that matches so the automaton has to run over the whole
 * 32767-character text. (A backtracking matcher would not finish these in
 * the lifetime of the test run.)
 */
static void
TestNoBacktracking(void)
{
    static JMF_U16 text[32767];
    JMF_U16 pattern[JMF_MAX_PATTERN_CHARS];
    JMF_U32 i;
    JMF_U32 n = 0;

    for (i = 0; i < 32766u; i++) {
        text[i] = 'a';
    }
    text[32766] = '\\';
    while (n < 1000u) {
        pattern[n++] = '*';
        pattern[n++] = 'a';
    }
    pattern[n++] = '*';
    pattern[n++] = 'b';
    pattern[n++] = '*';
    pattern[n++] = '\\';
    CHECK(!JmfPatternMatch(pattern, n, text, 32767));
    text[20000] = 'B';
    CHECK(JmfPatternMatch(pattern, n, text, 32767));
    text[20000] = 'a';
    text[200] = 'b';                /* too early: 500 'a' must come before it */
    CHECK(!JmfPatternMatch(pattern, n, text, 32767));
    text[200] = 'a';

    n = 0;
    while (n < 999u) {
        pattern[n++] = '*';
        pattern[n++] = '*';
        pattern[n++] = 'a';
    }
    pattern[n++] = '*';
    pattern[n++] = 'b';
    pattern[n++] = '*';
    pattern[n++] = '\\';
    CHECK(!JmfPatternMatch(pattern, n, text, 32767));
}

/* Random small patterns and texts over a tiny alphabet, against RefMatch. */
static void
TestAgainstReference(void)
{
    static const JMF_U16 patternAlphabet[] = { 'a', 'B', '\\', '?', '*', 0x3C3, 0x430 };
    static const JMF_U16 textAlphabet[] = { 'A', 'b', '\\', 0x3A3, 0x3C2, 0x410 };
    unsigned long disagreements = 0;
    unsigned long matches = 0;
    unsigned long trial;

    srand(1234);
    for (trial = 0; trial < 200000; trial++) {
        JMF_U16 p[10];
        JMF_U16 t[12];
        JMF_U32 pn = (JMF_U32)(rand() % 10);
        JMF_U32 tn = (JMF_U32)(rand() % 12);
        JMF_U32 i;
        int expected;

        for (i = 0; i < pn; i++) {
            p[i] = patternAlphabet[rand() % 7];
        }
        if (JmfPatternValidate(p, pn) != JMF_ERROR_NONE) {
            continue;
        }
        for (i = 0; i < tn; i++) {
            t[i] = textAlphabet[rand() % 6];
        }
        expected = RefMatch(p, pn, t, tn);
        matches += (unsigned long)expected;
        if (expected != JmfPatternMatch(p, pn, t, tn)) {
            disagreements++;
        }
    }
    CHECK_EQ(disagreements, 0);
    CHECK(matches > 1000);      /* the inputs did exercise the matching side */
}

static void
TestValidateAndKey(void)
{
    JMF_U16 p[64];
    JMF_U32 n;
    JMF_BOOL literal = 9;

    n = Utf16("\\a\\**\\*.txt", p, 64);
    CHECK_EQ(JmfPatternValidate(p, n), JMF_ERROR_NONE);
    CHECK_EQ(JmfPatternKeyChars(p, n, &literal), 3);
    CHECK_EQ(literal, 0);
    n = Utf16("\\a\\***", p, 64);
    CHECK_EQ(JmfPatternValidate(p, n), JMF_ERROR_BAD_PATTERN);
    n = Utf16("***", p, 64);
    CHECK_EQ(JmfPatternValidate(p, n), JMF_ERROR_BAD_PATTERN);
    n = Utf16("a**b**c", p, 64);
    CHECK_EQ(JmfPatternValidate(p, n), JMF_ERROR_NONE);
    p[1] = 0;
    CHECK_EQ(JmfPatternValidate(p, n), JMF_ERROR_BAD_PATTERN);

    n = Utf16("\\a\\b.txt", p, 64);
    CHECK_EQ(JmfPatternKeyChars(p, n, &literal), n);
    CHECK_EQ(literal, 1);
    n = Utf16("**\\x", p, 64);
    CHECK_EQ(JmfPatternKeyChars(p, n, &literal), 0);
    CHECK_EQ(literal, 0);
    n = Utf16("\\a?\\b", p, 64);
    CHECK_EQ(JmfPatternKeyChars(p, n, &literal), 1);
    n = Utf16("abc*", p, 64);
    CHECK_EQ(JmfPatternKeyChars(p, n, &literal), 0);
}

static JMF_BOOL
Never(const char *Pattern, JMF_U32 Kind)
{
    JMF_U16 p[256];
    JMF_U32 n = Utf16(Pattern, p, 256);

    return JmfPatternNeverMatches(p, n, Kind);
}

static JMF_BOOL
NeverVolume(const char *Name)
{
    JMF_U16 p[256];
    JMF_U32 n = Utf16(Name, p, 256);

    return JmfVolumeNameNeverMatches(p, n);
}

/* The shapes a user writes by mistake, and their corrections. */
static void
TestNeverMatchesCases(void)
{
    /* path patterns: the volume-relative path is "", "\" or "\name..." */
    CHECK(Never("secret\\**", JMF_NAME_PATH));          /* no leading '\' */
    CHECK(!Never("\\secret\\**", JMF_NAME_PATH));
    CHECK(Never("/secret/**", JMF_NAME_PATH));          /* forward slashes */
    CHECK(Never("\\secret/**", JMF_NAME_PATH));
    CHECK(Never("\\a\\\\b", JMF_NAME_PATH));            /* an empty component */
    CHECK(Never("**\\\\b", JMF_NAME_PATH));
    CHECK(!Never("\\a\\b", JMF_NAME_PATH));
    CHECK(Never("C:\\secret\\**", JMF_NAME_PATH));      /* a DOS path */
    CHECK(Never("*.txt", JMF_NAME_PATH));               /* '*' cannot consume the leading '\' */
    CHECK(Never("?\\a", JMF_NAME_PATH));                /* '?' never matches '\' */
    CHECK(!Never("*\\a", JMF_NAME_PATH));               /* '*' empty, then '\' */
    CHECK(!Never("**.txt", JMF_NAME_PATH));
    CHECK(!Never("**", JMF_NAME_PATH));
    CHECK(!Never("*", JMF_NAME_PATH));                  /* the empty path of a volume open */
    CHECK(Never("\\dir\\", JMF_NAME_PATH));             /* only the root ends in '\' */
    CHECK(Never("\\dir\\*\\", JMF_NAME_PATH));
    CHECK(!Never("\\", JMF_NAME_PATH));                 /* the root */
    CHECK(!Never("**\\", JMF_NAME_PATH));
    CHECK(!Never("*\\", JMF_NAME_PATH));
    CHECK(!Never("", JMF_NAME_PATH));                   /* no pattern: any path */
    /* image patterns: the NT path of an image is "\name...\file", never ending in '\' */
    CHECK(Never("notepad.exe", JMF_NAME_IMAGE));
    CHECK(!Never("**\\notepad.exe", JMF_NAME_IMAGE));
    CHECK(Never("C:\\Windows\\notepad.exe", JMF_NAME_IMAGE));
    CHECK(!Never("\\Device\\HarddiskVolume1\\Windows\\notepad.exe", JMF_NAME_IMAGE));
    CHECK(Never("*", JMF_NAME_IMAGE));
    CHECK(Never("*.exe", JMF_NAME_IMAGE));
    CHECK(!Never("**.exe", JMF_NAME_IMAGE));
    CHECK(Never("\\Device\\", JMF_NAME_IMAGE));
    CHECK(Never("**\\", JMF_NAME_IMAGE));
    CHECK(Never("**/notepad.exe", JMF_NAME_IMAGE));
    /* volume names: an NT device name as FltGetVolumeName gives it */
    CHECK(!NeverVolume("\\Device\\HarddiskVolume3"));
    CHECK(NeverVolume("C:"));
    CHECK(NeverVolume("C:\\"));
    CHECK(NeverVolume("HarddiskVolume3"));
    CHECK(NeverVolume("\\Device\\HarddiskVolume3\\"));
    CHECK(NeverVolume("\\"));
    CHECK(NeverVolume("\\\\?\\C:"));
    CHECK(NeverVolume("\\\\.\\C:"));
    CHECK(NeverVolume("\\??\\C:"));
    CHECK(NeverVolume("\\dosdevices\\C:"));
    CHECK(NeverVolume("/Device/HarddiskVolume3"));
    CHECK(NeverVolume("\\Device\\\\HarddiskVolume3"));
    CHECK(!NeverVolume("\\??x"));                       /* only the "\??\" directory itself */
    CHECK(!NeverVolume("\\DosDevicesX\\C:"));
}

/*
 * Soundness: a pattern said never to match does not match any name of its
 * kind, over random patterns and random well-formed names (every name the
 * kernel can see has this shape: "" or "\" or "\c\c..." for paths,
 * "\c\c..." for images, components non-empty without '\' or '/').
 */
static void
TestNeverMatchesSound(void)
{
    static const JMF_U16 patternAlphabet[] = { 'a', '.', '\\', '?', '*', '/' };
    static const JMF_U16 componentAlphabet[] = { 'a', 'A', '.' };
    unsigned long refused = 0;
    unsigned long unsound = 0;
    unsigned long trial;

    srand(4321);
    for (trial = 0; trial < 20000; trial++) {
        JMF_U16 p[8];
        JMF_U32 pn = 1u + (JMF_U32)(rand() % 7);
        JMF_U32 kind = (JMF_U32)(rand() % 2);
        JMF_U32 i;
        int names;

        for (i = 0; i < pn; i++) {
            p[i] = patternAlphabet[rand() % 6];
        }
        if (JmfPatternValidate(p, pn) != JMF_ERROR_NONE || !JmfPatternNeverMatches(p, pn, kind)) {
            continue;
        }
        refused++;
        for (names = 0; names < 200; names++) {
            JMF_U16 t[16];
            JMF_U32 tn = 0;
            int components = (kind == JMF_NAME_IMAGE ? 1 : 0) + rand() % 4;
            int c;

            if (kind == JMF_NAME_PATH && components == 0 && rand() % 2 == 0) {
                t[tn++] = '\\';            /* the root */
            }
            for (c = 0; c < components; c++) {
                int len = 1 + rand() % 2;

                t[tn++] = '\\';
                while (len-- > 0) {
                    t[tn++] = componentAlphabet[rand() % 3];
                }
            }
            if (JmfPatternMatch(p, pn, t, tn) || RefMatch(p, pn, t, tn)) {
                unsound++;
            }
        }
    }
    CHECK_EQ(unsound, 0);
    CHECK(refused > 1000);
}

void
TestPattern(void)
{
    TestNeverMatchesCases();
    TestNeverMatchesSound();
    TestUpcase();
    TestMatchCases();
    TestNoBacktracking();
    TestAgainstReference();
    TestValidateAndKey();
}
