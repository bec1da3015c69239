/*
 * bench.c - the cost of one decision (JmfPolicyInterested + JmfPolicyMatch)
 * with RULES path rules. bench.sh runs it under
 * valgrind --tool=callgrind --toggle-collect=BenchRunDecisions, so only the
 * decision loop is counted: building and compiling the policy and making
 * the paths are not.
 *
 * usage: bench RULES DECISIONS
 *
 * The policy: RULES path rules in five realistic shapes, one user, project,
 * share or program per rule ("\Users\u123\Documents\**\*.docx",
 * "\Users\u123\AppData\Local\Temp\*.tmp", the literal
 * "\Projects\p123\build\output.log", "\Shares\team123\**", and the
 * wildcard-led "**\app123.exe"), plus the same four wildcard-led rules
 * whatever RULES is ("**\desktop.ini", "**\~$*.docx", "*\pagefile.sys",
 * "**.bak").
 *
 * The decisions: a fixed mix of paths of existing users/projects/shares
 * (hits and near misses) and paths no rule names, pre-create, pre-write and
 * post-create, chosen with a fixed seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define BENCH_FACTS 1024u

static TEST_FACTS g_facts[BENCH_FACTS];

static void
BuildPolicy(TEST_POLICY *Tp, JMF_U32 Rules)
{
    JMF_U32 i;
    JMF_U32 r;
    char pattern[128];

    r = TpRule(Tp, 900000001u, JMF_OP_CREATE, JMF_ACTION_AUDIT);
    TpPath(Tp, r, "**\\desktop.ini");
    r = TpRule(Tp, 900000002u, JMF_OP_CREATE | JMF_OP_WRITE, JMF_ACTION_DENY);
    TpPath(Tp, r, "**\\~$*.docx");
    r = TpRule(Tp, 900000003u, JMF_OP_CREATE, JMF_ACTION_AUDIT);
    TpPath(Tp, r, "*\\pagefile.sys");
    r = TpRule(Tp, 900000004u, JMF_OP_WRITE, JMF_ACTION_AUDIT);
    TpPath(Tp, r, "**.bak");
    for (i = 0; i < Rules; i++) {
        JMF_U32 who = i / 5u;

        switch (i % 5u) {
        case 0:
            snprintf(pattern, sizeof(pattern), "\\Users\\u%u\\Documents\\**\\*.docx", who);
            r = TpRule(Tp, i, JMF_OP_CREATE, JMF_ACTION_DENY);
            break;
        case 1:
            snprintf(pattern, sizeof(pattern), "\\Users\\u%u\\AppData\\Local\\Temp\\*.tmp", who);
            r = TpRule(Tp, i, JMF_OP_CREATE | JMF_OP_WRITE, JMF_ACTION_AUDIT);
            break;
        case 2:
            snprintf(pattern, sizeof(pattern), "\\Projects\\p%u\\build\\output.log", who);
            r = TpRule(Tp, i, JMF_OP_WRITE, JMF_ACTION_AUDIT);
            break;
        case 3:
            snprintf(pattern, sizeof(pattern), "\\Shares\\team%u\\**", who);
            r = TpRule(Tp, i, JMF_OP_CREATE, JMF_ACTION_ASK);
            TpAt(Tp, r)->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
            break;
        default:
            snprintf(pattern, sizeof(pattern), "**\\app%u.exe", who);
            r = TpRule(Tp, i, JMF_OP_WRITE, JMF_ACTION_DENY);
            break;
        }
        TpPath(Tp, r, pattern);
    }
}

static void
BuildFacts(JMF_U32 Rules)
{
    JMF_U32 owners = Rules / 5u == 0 ? 1u : Rules / 5u;
    JMF_U32 i;
    char path[256];

    srand(4242);
    for (i = 0; i < BENCH_FACTS; i++) {
        JMF_U32 who = (JMF_U32)rand() % owners;
        JMF_U32 phase = JMF_PHASE_PRE;
        JMF_U32 op = JMF_OP_CREATE;

        switch (rand() % 8) {
        case 0:
            snprintf(path, sizeof(path), "\\Users\\u%u\\Documents\\Reports\\2026\\q%u.docx", who, i % 4u);
            break;
        case 1:
            snprintf(path, sizeof(path), "\\Users\\u%u\\Documents\\notes.txt", who);
            break;
        case 2:
            snprintf(path, sizeof(path), "\\Users\\u%u\\AppData\\Local\\Temp\\x%u.tmp", who, i);
            op = (i & 1u) ? JMF_OP_WRITE : JMF_OP_CREATE;
            break;
        case 3:
            snprintf(path, sizeof(path), "\\Projects\\p%u\\build\\output.log", who);
            op = JMF_OP_WRITE;
            break;
        case 4:
            snprintf(path, sizeof(path), "\\Shares\\team%u\\plans\\budget.xlsx", who);
            phase = JMF_PHASE_POST_CREATE;
            break;
        case 5:
            snprintf(path, sizeof(path), "\\Windows\\System32\\drivers\\etc\\hosts");
            break;
        case 6:
            snprintf(path, sizeof(path), "\\Program Files\\App%u\\bin\\app%u.%s", who, who,
                     (i & 1u) ? "exe" : "dll");
            op = JMF_OP_WRITE;
            break;
        default:
            snprintf(path, sizeof(path), "\\Users\\u%u\\Desktop\\desktop.ini", who);
            break;
        }
        TfInit(&g_facts[i], phase, op, path);
        g_facts[i].Facts.Observed = JMF_MATCH_NON_DIRECTORY;
    }
}

/* The only code callgrind counts. Not inlined, so --toggle-collect finds it. */
__attribute__((noinline)) static JMF_U32
BenchRunDecisions(const JMF_POLICY *Policy, JMF_U32 Decisions, JMF_U32 *Matched)
{
    JMF_U32 i;
    JMF_U32 sum = 0;

    *Matched = 0;
    for (i = 0; i < Decisions; i++) {
        const JMF_OPERATION_FACTS *facts = &g_facts[i % BENCH_FACTS].Facts;
        JMF_U32 needs;
        JMF_U32 index = JMF_INDEX_NONE;

        if (JmfPolicyInterested(Policy, facts->Phase, facts->Operation, facts->Volume, &needs)) {
            index = JmfPolicyMatch(Policy, facts);
        }
        if (index != JMF_INDEX_NONE) {
            (*Matched)++;
            sum += index;
        }
    }
    return sum;
}

int
main(int argc, char **argv)
{
    TEST_POLICY tp;
    TEST_ALLOC alloc;
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_U32 rules;
    JMF_U32 decisions;
    JMF_U32 matched;
    JMF_U32 sum;

    if (argc != 3) {
        fprintf(stderr, "usage: bench RULES DECISIONS\n");
        return 2;
    }
    rules = (JMF_U32)strtoul(argv[1], NULL, 10);
    decisions = (JMF_U32)strtoul(argv[2], NULL, 10);
    TpInit(&tp);
    BuildPolicy(&tp, rules);
    TestAllocInit(&alloc, -1);
    if (TpCompile(&tp, &alloc, &policy, &result) != JMF_ERROR_NONE) {
        fprintf(stderr, "bench: policy rejected: error %u rule %u\n", result.Error, result.RuleIndex);
        return 1;
    }
    BuildFacts(rules);
    sum = BenchRunDecisions(policy, decisions, &matched);
    printf("bench: %u path rules (+4 fixed wildcard-led), %u decisions, %u matched (checksum %u)\n",
           rules, decisions, matched, sum);
    JmfPolicyFree(policy);
    TpFree(&tp);
    return 0;
}
