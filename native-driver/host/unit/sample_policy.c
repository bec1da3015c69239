/* sample_policy.c - a valid policy that uses every action, flag and match field. */
#include "sample_policy.h"

void
SamplePolicy(TEST_POLICY *Tp)
{
    JMF_U32 r;
    JMF_RULE *rule;

    TpVolume(Tp, "\\Device\\HarddiskVolume2");
    TpVolume(Tp, "\\Device\\HarddiskVolume3");
    TpVolume(Tp, "\\Device\\HarddiskVolume4");

    r = TpRule(Tp, 1, JMF_OP_CREATE, JMF_ACTION_DENY);
    TpPath(Tp, r, "\\Users\\*\\Documents\\secret\\**");
    r = TpRule(Tp, 2, JMF_OP_CREATE | JMF_OP_WRITE | JMF_OP_RENAME | JMF_OP_DELETE, JMF_ACTION_AUDIT);
    TpPath(Tp, r, "\\Windows\\System32\\drivers\\etc\\hosts");
    r = TpRule(Tp, 3, JMF_OP_CREATE, JMF_ACTION_MODIFY);
    rule = TpAt(Tp, r);
    rule->DesiredAccess = 0x2 | 0x4;
    rule->Action.OptionsSet = 0x2;                      /* FILE_WRITE_THROUGH */
    rule->Action.Disposition = JMF_FILE_OPEN_IF;
    TpPath(Tp, r, "\\logs\\**.log");
    r = TpRule(Tp, 4, JMF_OP_WRITE, JMF_ACTION_MODIFY);
    rule = TpAt(Tp, r);
    rule->Action.AccessClear = 0;
    rule->Action.OperationFlagsSet = JMF_SL_WRITE_THROUGH;
    TpPath(Tp, r, "\\db\\*.dat");
    r = TpRule(Tp, 5, JMF_OP_CREATE | JMF_OP_READ | JMF_OP_WRITE, JMF_ACTION_REDIRECT);
    rule = TpAt(Tp, r);
    rule->Volume = 0;
    rule->Action.TargetVolume = 2;
    rule->Action.Flags = JMF_ACTION_FLAG_FALLBACK_DENY;
    rule->Action.Status = (JMF_I32)0xC0000022u;
    TpPath(Tp, r, "\\cache\\??\\*.bin");
    r = TpRule(Tp, 6, JMF_OP_CREATE, JMF_ACTION_ASK);
    rule = TpAt(Tp, r);
    rule->Action.TimeoutMs = 2500;
    rule->Action.DefaultVerdict = JMF_ACTION_DENY;
    rule->Action.Status = (JMF_I32)0xC0000043u;
    rule->Action.Flags = JMF_ACTION_FLAG_POST_CREATE;
    rule->MatchFlags = JMF_MATCH_NON_DIRECTORY | JMF_MATCH_CREATED;
    TpPath(Tp, r, "\\inbox\\*");
    r = TpRule(Tp, 7, JMF_OP_DELETE, JMF_ACTION_DENY);
    rule = TpAt(Tp, r);
    rule->Volume = 1;
    rule->ProcessId = 4242;
    r = TpRule(Tp, 8, JMF_OP_CREATE, JMF_ACTION_AUDIT);
    rule = TpAt(Tp, r);
    rule->Dispositions = (1u << JMF_FILE_SUPERSEDE) | (1u << JMF_FILE_OVERWRITE);
    TpImage(Tp, r, "**\\powershell.exe");
    r = TpRule(Tp, 9, JMF_OP_CREATE, JMF_ACTION_DENY);
    TpAt(Tp, r)->MatchFlags = JMF_MATCH_DIRECTORY;
    TpAt(Tp, r)->Action.Status = (JMF_I32)0xC00000BAu;  /* STATUS_FILE_IS_A_DIRECTORY */
    TpPath(Tp, r, "\\Program Files\\**");
    r = TpRule(Tp, 10, JMF_OP_READ, JMF_ACTION_ASK);
    TpPath(Tp, r, "**\\*.key");
    r = TpRule(Tp, 11, JMF_OP_ALL, JMF_ACTION_ALLOW);
    TpPath(Tp, r, "\\Документы\\Σ*");
    r = TpRule(Tp, 12, JMF_OP_RENAME, JMF_ACTION_AUDIT);
    TpPath(Tp, r, "*");
    r = TpRule(Tp, 13, JMF_OP_CREATE, JMF_ACTION_MODIFY);
    rule = TpAt(Tp, r);
    rule->Action.AccessClear = 0;
    rule->Action.OperationFlagsSet = JMF_SL_FORCE_ACCESS_CHECK;
    TpImage(Tp, r, "\\Device\\HarddiskVolume2\\tools\\?.exe");
}
