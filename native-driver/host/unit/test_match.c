/*
 * test_match.c - JmfPolicyMatch and JmfPolicyInterested: first match in
 * policy order within a phase, every match field, the path index (against
 * a plain linear reference, and the number of candidates it examines), and
 * what JmfPolicyInterested asks the caller to fetch.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"

typedef struct _FIXTURE {
    TEST_POLICY Tp;
    TEST_ALLOC Alloc;
    JMF_POLICY *Policy;
} FIXTURE;

static void
FixtureCompile(FIXTURE *F)
{
    JMF_RESULT result;

    TestAllocInit(&F->Alloc, -1);
    F->Policy = NULL;
    CHECK_EQ(TpCompile(&F->Tp, &F->Alloc, &F->Policy, &result), JMF_ERROR_NONE);
}

static void
FixtureFree(FIXTURE *F)
{
    JmfPolicyFree(F->Policy);
    CHECK_EQ(TestAllocLive(&F->Alloc), 0);
    TpFree(&F->Tp);
}

static JMF_U32
MatchPath(FIXTURE *F, JMF_U32 Phase, JMF_U32 Operation, const char *Path)
{
    TEST_FACTS tf;

    TfInit(&tf, Phase, Operation, Path);
    return JmfPolicyMatch(F->Policy, &tf.Facts);
}

static void
TestFirstMatch(void)
{
    FIXTURE f;
    JMF_U32 r;

    TpInit(&f.Tp);
    r = TpRule(&f.Tp, 100, JMF_OP_CREATE, JMF_ACTION_ALLOW);       /* 0 */
    TpPath(&f.Tp, r, "\\docs\\public\\**");
    r = TpRule(&f.Tp, 101, JMF_OP_CREATE, JMF_ACTION_DENY);        /* 1 */
    TpPath(&f.Tp, r, "\\docs\\**");
    r = TpRule(&f.Tp, 102, JMF_OP_CREATE | JMF_OP_WRITE, JMF_ACTION_AUDIT); /* 2: unindexed */
    TpPath(&f.Tp, r, "**\\*.log");
    r = TpRule(&f.Tp, 103, JMF_OP_CREATE, JMF_ACTION_DENY);        /* 3: literal */
    TpPath(&f.Tp, r, "\\docs\\public\\x.log");
    r = TpRule(&f.Tp, 104, JMF_OP_ALL, JMF_ACTION_AUDIT);          /* 4: no path at all */
    FixtureCompile(&f);

    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\docs\\public\\a.txt"), 0);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\DOCS\\Public\\x.log"), 0);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\docs\\private\\a.txt"), 1);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\docs\\private\\a.log"), 1);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\other\\a.log"), 2);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\docs\\private\\a.log"), 2);  /* 0, 1 are CREATE only */
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\docs\\private\\a.txt"), 4);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\other\\a.txt"), 4);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_DELETE, NULL), 4);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, NULL), 4);   /* patterns need a path */
    CHECK_EQ(MatchPath(&f, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, "\\docs\\x"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, 3, JMF_OP_CREATE, "\\docs\\x"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE | JMF_OP_READ, "\\docs\\x"), JMF_INDEX_NONE);
    FixtureFree(&f);

    /* an unindexed rule before indexed ones wins, and an indexed one before it wins too */
    TpInit(&f.Tp);
    r = TpRule(&f.Tp, 1, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\a\\b\\c\\*");
    r = TpRule(&f.Tp, 2, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "*\\**");
    r = TpRule(&f.Tp, 3, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\a\\**");
    FixtureCompile(&f);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\a\\b\\c\\d"), 0);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\a\\b\\c\\d\\e"), 1);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "x"), JMF_INDEX_NONE);
    FixtureFree(&f);
}

static void
TestPhases(void)
{
    FIXTURE f;
    JMF_U32 r;

    TpInit(&f.Tp);
    r = TpRule(&f.Tp, 1, JMF_OP_CREATE, JMF_ACTION_DENY);           /* post-create by its flag */
    TpAt(&f.Tp, r)->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    TpPath(&f.Tp, r, "\\p\\*");
    r = TpRule(&f.Tp, 2, JMF_OP_CREATE, JMF_ACTION_AUDIT);          /* post-create by its match flag */
    TpAt(&f.Tp, r)->MatchFlags = JMF_MATCH_DIRECTORY;
    r = TpRule(&f.Tp, 3, JMF_OP_CREATE, JMF_ACTION_ALLOW);          /* pre */
    TpPath(&f.Tp, r, "\\p\\**");
    FixtureCompile(&f);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_CREATE, "\\p\\x"), 2);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, "\\p\\x"), 0);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, "\\q\\x"), JMF_INDEX_NONE); /* not a directory */
    {
        TEST_FACTS tf;

        TfInit(&tf, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, "\\q\\x");
        tf.Facts.Observed = JMF_MATCH_DIRECTORY;
        CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 1);
        tf.Facts.Observed = JMF_MATCH_NON_DIRECTORY | JMF_MATCH_CREATED;
        CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), JMF_INDEX_NONE);
    }
    FixtureFree(&f);
}

static void
TestFields(void)
{
    FIXTURE f;
    TEST_FACTS tf;
    JMF_U32 r;

    TpInit(&f.Tp);
    TpVolume(&f.Tp, "\\Device\\HarddiskVolume2");
    TpVolume(&f.Tp, "\\Device\\HarddiskVolume3");
    r = TpRule(&f.Tp, 1, JMF_OP_CREATE, JMF_ACTION_DENY);           /* 0: volume 1 */
    TpAt(&f.Tp, r)->Volume = 1;
    r = TpRule(&f.Tp, 2, JMF_OP_CREATE, JMF_ACTION_DENY);           /* 1: pid 42 */
    TpAt(&f.Tp, r)->ProcessId = 42;
    r = TpRule(&f.Tp, 3, JMF_OP_CREATE, JMF_ACTION_DENY);           /* 2: write access */
    TpAt(&f.Tp, r)->DesiredAccess = 0x2 | 0x4;
    r = TpRule(&f.Tp, 4, JMF_OP_CREATE, JMF_ACTION_DENY);           /* 3: creating dispositions */
    TpAt(&f.Tp, r)->Dispositions = (1u << JMF_FILE_CREATE) | (1u << JMF_FILE_OVERWRITE_IF);
    r = TpRule(&f.Tp, 5, JMF_OP_CREATE, JMF_ACTION_DENY);           /* 4: image */
    TpImage(&f.Tp, r, "**\\notepad.exe");
    r = TpRule(&f.Tp, 6, JMF_OP_CREATE, JMF_ACTION_AUDIT);          /* 5: everything else */
    TpPath(&f.Tp, r, "\\**");
    r = TpRule(&f.Tp, 7, JMF_OP_CREATE, JMF_ACTION_AUDIT);          /* 6: post-create, created files */
    TpAt(&f.Tp, r)->MatchFlags = JMF_MATCH_CREATED | JMF_MATCH_NON_DIRECTORY;
    FixtureCompile(&f);

    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, "\\f.txt");
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);
    tf.Facts.Volume = 1;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 0);
    tf.Facts.Volume = 0;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);
    tf.Facts.Volume = 7;                       /* not in the table: only ANY rules */
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);

    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, "\\f.txt");
    tf.Facts.ProcessId = 42;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 1);
    tf.Facts.ProcessId = 43;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);

    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, "\\f.txt");
    tf.Facts.DesiredAccess = 0x4 | 0x100000;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 2);
    tf.Facts.DesiredAccess = 0x1 | 0x100000;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);

    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, "\\f.txt");
    tf.Facts.CreateDisposition = JMF_FILE_OVERWRITE_IF;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 3);
    tf.Facts.CreateDisposition = JMF_FILE_OPEN_IF;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);
    tf.Facts.CreateDisposition = 31;           /* out of range: matches no disposition set */
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);
    tf.Facts.CreateDisposition = 0xFFFFFFFFu;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);

    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, "\\f.txt");
    TfImage(&tf, "\\Device\\HarddiskVolume2\\Windows\\System32\\NOTEPAD.EXE");
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 4);
    TfImage(&tf, "\\Device\\HarddiskVolume2\\Windows\\System32\\notepad.exe.bak");
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);
    tf.Facts.ImageChars = 0;                   /* not fetched: no match */
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 5);

    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, "f.txt");     /* no leading '\': "\**" fails */
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), JMF_INDEX_NONE);

    TfInit(&tf, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, "\\f.txt");
    tf.Facts.Observed = JMF_MATCH_CREATED;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), JMF_INDEX_NONE);
    tf.Facts.Observed = JMF_MATCH_CREATED | JMF_MATCH_NON_DIRECTORY;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), 6);
    tf.Facts.Observed = JMF_MATCH_NON_DIRECTORY;
    CHECK_EQ(JmfPolicyMatch(f.Policy, &tf.Facts), JMF_INDEX_NONE);
    FixtureFree(&f);
}

static void
TestIndexCases(void)
{
    FIXTURE f;
    JMF_U32 r;

    TpInit(&f.Tp);
    r = TpRule(&f.Tp, 1, JMF_OP_WRITE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\Документы\\*.doc");
    r = TpRule(&f.Tp, 2, JMF_OP_WRITE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\a\\b.txt");                 /* literal: keyed on the whole path */
    r = TpRule(&f.Tp, 3, JMF_OP_WRITE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\");                         /* the root: the one path ending in '\' */
    r = TpRule(&f.Tp, 4, JMF_OP_WRITE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\a?\\x");                    /* key "\" */
    r = TpRule(&f.Tp, 5, JMF_OP_WRITE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "*\\rel\\*");                  /* no key: a leading '*' (it matches only the empty run) */
    FixtureCompile(&f);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\ДОКУМЕНТЫ\\отчёт.DOC"), 0);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\A\\B.TXT"), 1);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\a\\b.txt\\c"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\a\\b.tx"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\"), 2);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\a\\c"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\ab\\x"), 3);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\REL\\y"), 4);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_WRITE, "\\x\\rel\\y"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\a\\b.txt"), JMF_INDEX_NONE);
    FixtureFree(&f);
}

static void
TestInterested(void)
{
    FIXTURE f;
    JMF_U32 needs = 99;
    JMF_U32 r;

    TpInit(&f.Tp);
    TpVolume(&f.Tp, "\\Device\\HarddiskVolume2");
    TpVolume(&f.Tp, "\\Device\\HarddiskVolume3");
    r = TpRule(&f.Tp, 1, JMF_OP_WRITE, JMF_ACTION_AUDIT);       /* volume 1, path */
    TpAt(&f.Tp, r)->Volume = 1;
    TpPath(&f.Tp, r, "\\x\\*");
    r = TpRule(&f.Tp, 2, JMF_OP_WRITE | JMF_OP_READ, JMF_ACTION_AUDIT);  /* any volume, image */
    TpImage(&f.Tp, r, "**\\a.exe");
    r = TpRule(&f.Tp, 3, JMF_OP_DELETE, JMF_ACTION_DENY);       /* volume 0, nothing to fetch */
    TpAt(&f.Tp, r)->Volume = 0;
    r = TpRule(&f.Tp, 4, JMF_OP_CREATE, JMF_ACTION_DENY);       /* post-create */
    TpAt(&f.Tp, r)->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    TpPath(&f.Tp, r, "**");
    FixtureCompile(&f);

    CHECK(JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_WRITE, 1, &needs));
    CHECK_EQ(needs, JMF_NEED_PATH | JMF_NEED_IMAGE);
    CHECK(JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_WRITE, 0, &needs));
    CHECK_EQ(needs, JMF_NEED_IMAGE);
    CHECK(JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_WRITE, JMF_VOLUME_ANY, &needs));
    CHECK_EQ(needs, JMF_NEED_IMAGE);
    CHECK(JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_READ, 1, &needs));
    CHECK_EQ(needs, JMF_NEED_IMAGE);
    CHECK(JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_DELETE, 0, &needs));
    CHECK_EQ(needs, 0);
    needs = 99;
    CHECK(!JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_DELETE, 1, &needs));
    CHECK_EQ(needs, 0);
    CHECK(!JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_DELETE, JMF_VOLUME_ANY, &needs));
    CHECK(!JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_RENAME, 0, &needs));
    CHECK(!JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_CREATE, 0, &needs));
    CHECK(JmfPolicyInterested(f.Policy, JMF_PHASE_POST_CREATE, JMF_OP_CREATE, 0, &needs));
    CHECK_EQ(needs, JMF_NEED_PATH);
    CHECK(!JmfPolicyInterested(f.Policy, JMF_PHASE_POST_CREATE, JMF_OP_WRITE, 0, &needs));
    CHECK(!JmfPolicyInterested(f.Policy, 0, JMF_OP_WRITE, 0, &needs));
    CHECK(!JmfPolicyInterested(f.Policy, JMF_PHASE_PRE, JMF_OP_WRITE | JMF_OP_READ, 0, &needs));
    CHECK(!JmfPolicyInterested(NULL, JMF_PHASE_PRE, JMF_OP_WRITE, 0, &needs));
    FixtureFree(&f);
}

/* ---- the index against a plain linear reference ---- */

static int
RefRuleMatches(const TEST_POLICY *Tp, const JMF_RULE *Rule, const JMF_OPERATION_FACTS *F)
{
    JMF_U32 phase = ((Rule->Action.Flags & JMF_ACTION_FLAG_POST_CREATE) || Rule->MatchFlags)
        ? JMF_PHASE_POST_CREATE : JMF_PHASE_PRE;

    if (phase != F->Phase || (Rule->Operations & F->Operation) == 0) return 0;
    if (Rule->Volume != JMF_VOLUME_ANY && Rule->Volume != F->Volume) return 0;
    if (Rule->ProcessId != 0 && Rule->ProcessId != F->ProcessId) return 0;
    if (Rule->DesiredAccess != 0 && (Rule->DesiredAccess & F->DesiredAccess) == 0) return 0;
    if (Rule->Dispositions != 0 &&
        (F->CreateDisposition > 5 || !(Rule->Dispositions & (1u << F->CreateDisposition)))) return 0;
    if ((Rule->MatchFlags & F->Observed) != Rule->MatchFlags) return 0;
    if (Rule->Path.Length != 0 &&
        (F->PathChars == 0 || !JmfPatternMatch(Tp->Strings + Rule->Path.Offset / 2, Rule->Path.Length / 2,
                                               F->Path, F->PathChars))) return 0;
    if (Rule->Image.Length != 0 &&
        (F->ImageChars == 0 || !JmfPatternMatch(Tp->Strings + Rule->Image.Offset / 2, Rule->Image.Length / 2,
                                                F->Image, F->ImageChars))) return 0;
    return 1;
}

static JMF_U32
RefMatch(const TEST_POLICY *Tp, const JMF_OPERATION_FACTS *F)
{
    JMF_U32 i;

    for (i = 0; i < Tp->RuleCount; i++) {
        if (RefRuleMatches(Tp, &Tp->Rules[i], F)) return i;
    }
    return JMF_INDEX_NONE;
}

static const char *const g_components[] = { "a", "B", "ab", "AB", "c.txt", "d.TXT", "é", "É", "e.c.txt", ".txt" };
static const char *const g_patternParts[] = {
    "\\a", "\\b", "\\AB", "\\c.txt", "\\*", "\\?", "\\**", "*", "**", "\\a*", "\\*.txt", "\\é", "\\",
    ".txt", "c.TXT", "*.c.txt", "\\.txt",
};

static const char *const g_imagePatterns[] = {
    "**\\x.exe", "\\a\\*", "\\w\\x.exe", "**\\X.EXE", "\\a\\**", "**.exe", "*\\w\\x.exe", "\\a\\b\\*.exe",
};
static const char *const g_images[] = { "\\w\\x.exe", "\\a\\b", "\\a\\b\\x.exe", "x.exe", "\\A\\B\\Y.EXE" };

static void
RandomPath(char *Out, size_t Size)
{
    int depth = rand() % 5;
    size_t n = 0;
    int i;

    Out[0] = 0;
    for (i = 0; i < depth; i++) {
        n += (size_t)snprintf(Out + n, Size - n, "\\%s", g_components[rand() % 10]);
    }
    if (rand() % 8 == 0) {
        snprintf(Out + n, Size - n, "\\");
    }
}

static void
RandomPolicy(TEST_POLICY *Tp, JMF_U32 Rules)
{
    JMF_U32 i;

    TpInit(Tp);
    TpVolume(Tp, "\\Device\\V0");
    TpVolume(Tp, "\\Device\\V1");
    for (i = 0; i < Rules; i++) {
        JMF_U32 ops = (JMF_U32)(rand() % 31) + 1u;
        JMF_U32 r;
        JMF_RULE *rule;

        if (rand() % 3 == 0) {
            ops = JMF_OP_CREATE;
        }
        r = TpRule(Tp, i, ops, (rand() % 2) ? JMF_ACTION_AUDIT : JMF_ACTION_DENY);
        if (rand() % 6 != 0) {
            char pattern[128];
            int parts = 1 + rand() % 4;
            size_t n = 0;
            int k;

            pattern[0] = 0;
            for (k = 0; k < parts; k++) {
                n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "%s", g_patternParts[rand() % 17]);
            }
            if (strstr(pattern, "***") == NULL) {
                TpPath(Tp, r, pattern);
                if (JmfPatternNeverMatches(Tp->Strings + TpAt(Tp, r)->Path.Offset / 2u,
                                           TpAt(Tp, r)->Path.Length / 2u, JMF_NAME_PATH)) {
                    TpAt(Tp, r)->Path.Length = 0;   /* the compiler would refuse the whole policy */
                }
            }
        }
        rule = TpAt(Tp, r);
        if (rand() % 5 == 0) rule->Volume = (JMF_U16)(rand() % 2);
        if (rand() % 5 == 0) rule->ProcessId = (JMF_U32)(1 + rand() % 2);
        if (ops == JMF_OP_CREATE) {
            if (rand() % 4 == 0) rule->MatchFlags = (JMF_U16)(1u << (rand() % 3));
            else if (rand() % 4 == 0 && rule->Action.Type == JMF_ACTION_DENY)
                rule->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
            if (rand() % 5 == 0) rule->DesiredAccess = 1u << (rand() % 3);
            if (rand() % 5 == 0) rule->Dispositions = 1u << (rand() % 6);
        }
        if (rand() % 6 == 0) TpImage(Tp, r, g_imagePatterns[rand() % 8]);
    }
}

static void
TestAgainstReference(void)
{
    unsigned long disagreements = 0;
    unsigned long matched = 0;
    unsigned long indexedWins = 0;
    unsigned long trial;
    int round;

    srand(77);
    for (round = 0; round < 60; round++) {
        FIXTURE f;

        RandomPolicy(&f.Tp, (JMF_U32)(1 + rand() % 60));
        FixtureCompile(&f);
        if (f.Policy == NULL) {
            TpFree(&f.Tp);
            continue;
        }
        for (trial = 0; trial < 2000; trial++) {
            TEST_FACTS tf;
            char path[128];
            JMF_U32 expected;
            JMF_U32 got;
            JMF_U16 *exactPath;
            JMF_U16 *exactImage;

            RandomPath(path, sizeof(path));
            TfInit(&tf, (rand() % 4) ? JMF_PHASE_PRE : JMF_PHASE_POST_CREATE, 1u << (rand() % 5), path);
            if (rand() % 10 == 0) tf.Facts.PathChars = 0;
            tf.Facts.Volume = (JMF_U16)((rand() % 3 == 2) ? JMF_VOLUME_ANY : (JMF_U32)(rand() % 3));
            tf.Facts.ProcessId = (JMF_U32)(rand() % 3);
            tf.Facts.DesiredAccess = (JMF_U32)(rand() % 8);
            tf.Facts.CreateDisposition = (JMF_U32)(rand() % 7);
            tf.Facts.Observed = (JMF_U32)(rand() % 8);
            if (rand() % 2 == 0) TfImage(&tf, g_images[rand() % 5]);
            /* exact-size copies, so AddressSanitizer sees any read past the end */
            exactPath = (JMF_U16 *)malloc(tf.Facts.PathChars * 2u + 1u);
            exactImage = (JMF_U16 *)malloc(tf.Facts.ImageChars * 2u + 1u);
            memcpy(exactPath, tf.Path, tf.Facts.PathChars * 2u);
            memcpy(exactImage, tf.Image, tf.Facts.ImageChars * 2u);
            tf.Facts.Path = exactPath;
            tf.Facts.Image = exactImage;
            expected = RefMatch(&f.Tp, &tf.Facts);
            got = JmfPolicyMatch(f.Policy, &tf.Facts);
            free(exactPath);
            free(exactImage);
            if (expected != got) {
                if (disagreements++ < 5) {
                    fprintf(stderr, "index disagrees: round %d path %s op %u phase %u: %u vs %u\n",
                            round, path, tf.Facts.Operation, tf.Facts.Phase, got, expected);
                }
            }
            if (expected != JMF_INDEX_NONE) {
                JMF_BOOL literal;
                const JMF_RULE *rule = &f.Tp.Rules[expected];

                matched++;
                if (rule->Path.Length != 0 &&
                    JmfPatternKeyChars(f.Tp.Strings + rule->Path.Offset / 2, rule->Path.Length / 2, &literal) != 0) {
                    indexedWins++;
                }
            }
        }
        FixtureFree(&f);
    }
    CHECK_EQ(disagreements, 0);
    CHECK(matched > 10000);         /* the trials did match ... */
    CHECK(indexedWins > 2000);      /* ... and often through the index */
}

/*
 * The index keeps the candidates a decision examines bounded: the same
 * decision against 10 and against 10,000 path rules examines the same
 * number of rules. Rules are one directory per user (prefix keys) or one
 * program name per rule, wildcard-led (tail keys), plus two fixed
 * wildcard-led rules ("**\*.tmp": tail ".tmp"; "*\*": no key at all).
 */
#define SHAPE_USERS "\\Users\\u%u\\Documents\\**\\*.docx"   /* prefix key */
#define SHAPE_TOOLS "**\\tool%u.exe"                           /* tail key */
#define SHAPE_SHARED "\\d\\**\\f%u.dat"                      /* both: the tail is longer */
#define SHAPE_IMAGES "image:**\\app%u.exe"                     /* no path: an image tail key */
#define SHAPE_SVCHOST "svchost:\\u%u\\*"                       /* one image for all: keyed on the path */

static JMF_U32
CandidatesFor(JMF_U32 Users, const char *Shape, const char *Path, const char *Image, JMF_U32 *Decision)
{
    FIXTURE f;
    TEST_FACTS tf;
    JMF_U32 u;
    JMF_U32 r;
    JMF_U32 candidates = 0;

    TpInit(&f.Tp);
    r = TpRule(&f.Tp, 1000000, JMF_OP_CREATE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "**\\*.tmp");
    r = TpRule(&f.Tp, 1000001, JMF_OP_CREATE, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "*\\*");
    for (u = 0; u < Users; u++) {
        char pattern[96];

        r = TpRule(&f.Tp, u, JMF_OP_CREATE, JMF_ACTION_DENY);
        if (strncmp(Shape, "image:", 6) == 0) {
            snprintf(pattern, sizeof(pattern), Shape + 6, u);
            TpImage(&f.Tp, r, pattern);
        } else if (strncmp(Shape, "svchost:", 8) == 0) {
            snprintf(pattern, sizeof(pattern), Shape + 8, u);
            TpPath(&f.Tp, r, pattern);
            TpImage(&f.Tp, r, "\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe");
        } else {
            snprintf(pattern, sizeof(pattern), Shape, u);
            TpPath(&f.Tp, r, pattern);
        }
    }
    FixtureCompile(&f);
    TfInit(&tf, JMF_PHASE_PRE, JMF_OP_CREATE, Path);
    TfImage(&tf, Image);
    *Decision = JmfPolicyMatchCounted(f.Policy, &tf.Facts, &candidates);
    FixtureFree(&f);
    return candidates;
}

static void
TestCandidatesBounded(void)
{
    JMF_U32 small;
    JMF_U32 large;
    JMF_U32 d10;
    JMF_U32 d10000;

    small = CandidatesFor(10, SHAPE_USERS, "\\Users\\u7\\Documents\\a\\b\\report.docx", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10);
    large = CandidatesFor(10000, SHAPE_USERS, "\\Users\\u7\\Documents\\a\\b\\report.docx", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10000);
    CHECK_EQ(d10, 2 + 7);
    CHECK_EQ(d10000, 2 + 7);
    CHECK_EQ(small, 2);             /* "*\*" (tried always), then u7's */
    CHECK_EQ(large, small);
    small = CandidatesFor(10, SHAPE_USERS, "\\Users\\u7\\Documents\\a\\b\\report.tmp", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10);
    large = CandidatesFor(10000, SHAPE_USERS, "\\Users\\u7\\Documents\\a\\b\\report.tmp", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10000);
    CHECK_EQ(d10000, 0);
    CHECK_EQ(small, 3);             /* "*\*", u7's (no match), "**\*.tmp" */
    CHECK_EQ(large, small);
    large = CandidatesFor(10000, SHAPE_USERS, "\\Users\\u9999\\Documents\\x.docx", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10000);
    CHECK_EQ(d10000, JMF_INDEX_NONE);   /* "\**\" needs a directory */
    CHECK_EQ(large, 2);

    small = CandidatesFor(10, SHAPE_TOOLS, "\\Program Files\\Tools\\TOOL7.EXE", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10);
    large = CandidatesFor(10000, SHAPE_TOOLS, "\\Program Files\\Tools\\TOOL7.EXE", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10000);
    CHECK_EQ(d10, 2 + 7);
    CHECK_EQ(d10000, 2 + 7);
    CHECK_EQ(small, 2);             /* "*\*", then tool7's */
    CHECK_EQ(large, small);
    large = CandidatesFor(10000, SHAPE_TOOLS, "\\Program Files\\Tools\\tool12345.exe", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10000);
    CHECK_EQ(d10000, JMF_INDEX_NONE);
    CHECK_EQ(large, 1);

    /* every rule shares the prefix "\\d\\": keyed on its longer tail instead */
    small = CandidatesFor(10, SHAPE_SHARED, "\\d\\x\\F7.DAT", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10);
    large = CandidatesFor(10000, SHAPE_SHARED, "\\d\\x\\F7.DAT", "\\Device\\HarddiskVolume2\\Windows\\explorer.exe", &d10000);
    CHECK_EQ(d10000, 2 + 7);
    CHECK_EQ(small, 2);
    CHECK_EQ(large, small);
    /* image-only rules, keyed on their image's tail */
    small = CandidatesFor(10, SHAPE_IMAGES, "\\a\\x.txt", "\\Device\\HarddiskVolume2\\Apps\\APP7.exe", &d10);
    large = CandidatesFor(10000, SHAPE_IMAGES, "\\a\\x.txt", "\\Device\\HarddiskVolume2\\Apps\\APP7.exe", &d10000);
    CHECK_EQ(d10, 2 + 7);
    CHECK_EQ(d10000, 2 + 7);
    CHECK_EQ(small, 2);             /* "*\\*", then app7's */
    CHECK_EQ(large, small);
    large = CandidatesFor(10000, SHAPE_IMAGES, "\\a\\x.txt", "\\Device\\HarddiskVolume2\\Apps\\notepad.exe", &d10000);
    CHECK_EQ(d10000, JMF_INDEX_NONE);
    CHECK_EQ(large, 1);
    /* one long image shared by every rule, short distinct paths: the rarer key wins */
    small = CandidatesFor(10, SHAPE_SVCHOST, "\\u7\\a.txt",
                          "\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe", &d10);
    large = CandidatesFor(10000, SHAPE_SVCHOST, "\\u7\\a.txt",
                          "\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe", &d10000);
    CHECK_EQ(d10, 2 + 7);
    CHECK_EQ(d10000, 2 + 7);
    CHECK_EQ(small, 2);             /* "*\\*" (tried, fails: "\\u7\\a.txt" has two '\\'), then u7's */
    CHECK_EQ(large, small);
}

/* Tail keys: from the last '\\' of the literal tail, else from its first '.'. */
static void
TestTailKeys(void)
{
    FIXTURE f;
    JMF_U32 r;
    JMF_U16 p[64];
    JMF_U32 n;
    JMF_U32 start = 99;

    n = Utf16("**\\bin\\*\\x.dll", p, 64);
    CHECK_EQ(JmfPatternTailKey(p, n, &start), 6);
    CHECK_EQ(start, n - 6);
    n = Utf16("*.tar.gz", p, 64);
    CHECK_EQ(JmfPatternTailKey(p, n, &start), 7);
    CHECK_EQ(start, 1);
    n = Utf16("**\\~$*.docx", p, 64);
    CHECK_EQ(JmfPatternTailKey(p, n, &start), 5);
    n = Utf16("**\\*backup", p, 64);
    CHECK_EQ(JmfPatternTailKey(p, n, &start), 0);
    n = Utf16("\\a\\b.txt", p, 64);
    CHECK_EQ(JmfPatternTailKey(p, n, &start), 0);   /* literal: keyed whole as a prefix */
    n = Utf16("\\a\\*", p, 64);
    CHECK_EQ(JmfPatternTailKey(p, n, &start), 0);

    TpInit(&f.Tp);
    r = TpRule(&f.Tp, 1, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\*.tar.gz");
    r = TpRule(&f.Tp, 2, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "**\\desktop.ini");
    r = TpRule(&f.Tp, 3, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "**\\bin\\*\\x.dll");
    r = TpRule(&f.Tp, 4, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "**.gz");
    r = TpRule(&f.Tp, 5, JMF_OP_READ, JMF_ACTION_AUDIT);
    TpPath(&f.Tp, r, "\\x\\**\\Σ.Ω");             /* prefix "\\x\\" (3) shorter than tail "\\Σ.Ω" (4) */
    FixtureCompile(&f);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\a.TAR.GZ"), 0);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\d\\a.tar.gz"), 3);    /* "*" stops at '\\' */
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\a.gz"), 3);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\u\\Desktop.INI"), 1);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\u\\desktop.ini.bak"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\bin\\q\\X.DLL"), 2);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\bin\\X.DLL"), JMF_INDEX_NONE);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\X\\a\\b\\σ.ω"), 4);
    CHECK_EQ(MatchPath(&f, JMF_PHASE_PRE, JMF_OP_READ, "\\y\\a\\b\\σ.ω"), JMF_INDEX_NONE);
    FixtureFree(&f);
}

void
TestMatch(void)
{
    TestFirstMatch();
    TestPhases();
    TestFields();
    TestIndexCases();
    TestInterested();
    TestAgainstReference();
    TestTailKeys();
    TestCandidatesBounded();
}
