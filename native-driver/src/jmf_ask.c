/*++

Module Name:

    jmf_ask.c

Abstract:

    ASK: the kernel sends user mode a JMF_ASK with FltSendMessage and waits
    for a JMF_ASK_REPLY, at most the ask's timeout. Every way of not getting
    a valid answer gives the configured default verdict, counted:

      - not at PASSIVE_LEVEL (FltSendMessage waits),
      - MaxAsksInFlight asks already waiting (a bounded interlocked count),
      - the driver unloading (rundown protection refused),
      - no client, or the port disconnected (STATUS_PORT_DISCONNECTED),
      - no answer in time: STATUS_TIMEOUT, a SUCCESS code, is "no answer",
      - a reply of the wrong size or with a verdict that the same policy
        reference does not accept (JmfPolicyValidateVerdict).

    Per the protocol header, the reply buffer given to FltSendMessage is
    exactly sizeof(JMF_ASK_REPLY) (the filter manager strips the reply
    header), and the 1.7 KB JMF_ASK comes from non-paged pool, not the stack.

--*/

#include "jmf_driver.h"

/*
 * JmfAskDefault
 *
 * IRQL: <= DISPATCH_LEVEL. The verdict when no answer counts: the rule's
 * DefaultVerdict (with its Status) or, when it says 0, the configuration's.
 */
static VOID
JmfAskDefault(
    _In_ const JMF_ACTION *RuleAction,
    _In_ const JMF_CONFIG *Config,
    _Out_ JMF_ACTION *Verdict
    )
{
    RtlZeroMemory(Verdict, sizeof(*Verdict));
    Verdict->Disposition = JMF_DISPOSITION_UNCHANGED;
    if (RuleAction->DefaultVerdict != 0) {
        Verdict->Type = RuleAction->DefaultVerdict;
        Verdict->Status = (Verdict->Type == JMF_ACTION_DENY) ? RuleAction->Status : 0;
    } else {
        Verdict->Type = Config->DefaultVerdict;
        Verdict->Status = (Verdict->Type == JMF_ACTION_DENY) ? Config->DefaultDenyStatus : 0;
    }
    if (Verdict->Type == JMF_ACTION_DENY && !JmfIsDenyStatus(Verdict->Status)) {
        Verdict->Status = JMF_DEFAULT_DENY_STATUS;
    }
    if (Verdict->Type != JMF_ACTION_DENY) {
        Verdict->Type = JMF_ACTION_ALLOW;
    }
}

/*
 * JmfAskFill
 *
 * IRQL: <= APC_LEVEL. Builds the notification from the operation's facts.
 */
static VOID
JmfAskFill(
    _In_ PJMF_OPERATION Op,
    _In_ const JMF_DECISION *Decision,
    _In_ JMF_U32 TimeoutMs,
    _Out_ JMF_ASK *Ask
    )
{
    PJMF_INSTANCE_CONTEXT instance = JmfOperationInstanceContext(Op);
    JMF_U32 chars;

    RtlZeroMemory(Ask, sizeof(*Ask));
    Ask->Header.Type = JMF_NOTIFICATION_ASK;
    Ask->Header.Length = sizeof(*Ask);
    Ask->Generation = Op->Policy->Generation;
    Ask->RuleId = Decision->RuleId;
    Ask->Operation = Op->Facts.Operation;
    Ask->ProcessId = Op->Facts.ProcessId;
    Ask->DesiredAccess = Op->Facts.DesiredAccess;
    Ask->CreateOptions = Op->Facts.CreateOptions;
    Ask->CreateDisposition = Op->Facts.CreateDisposition;
    Ask->TimeoutMs = TimeoutMs;
    if (Op->Facts.Phase == JMF_PHASE_POST_CREATE) {
        Ask->Flags |= JMF_ASK_FLAG_POST_CREATE;
    }
    Ask->Flags |= Op->AskFlags & (JMF_ASK_FLAG_DESTINATION | JMF_ASK_FLAG_LINK);     /* a rename's or link's destination */

    if (instance != NULL) {
        chars = min((JMF_U32)instance->VolumeNameChars, JMF_MAX_VOLUME_CHARS);
        RtlCopyMemory(Ask->Volume, instance->VolumeName, chars * sizeof(JMF_U16));
        Ask->VolumeLength = (JMF_U16)(chars * sizeof(JMF_U16));
    }
    if (Op->Facts.Path != NULL) {
        chars = Op->Facts.PathChars;
        if (chars > JMF_MAX_PATH_CHARS || Op->PathTruncated) {
            chars = min(chars, JMF_MAX_PATH_CHARS);
            Ask->Flags |= JMF_ASK_FLAG_PATH_TRUNCATED;
        }
        RtlCopyMemory(Ask->Path, Op->Facts.Path, chars * sizeof(JMF_U16));
        Ask->PathLength = (JMF_U16)(chars * sizeof(JMF_U16));
    }
    if (Op->Facts.Image != NULL) {
        /* An image path longer than the field keeps its end: the file name is what rules look at. */
        JMF_U32 skip = 0;
        chars = Op->Facts.ImageChars;
        if (chars > JMF_MAX_IMAGE_CHARS) {
            skip = chars - JMF_MAX_IMAGE_CHARS;
            chars = JMF_MAX_IMAGE_CHARS;
        }
        RtlCopyMemory(Ask->Image, Op->Facts.Image + skip, chars * sizeof(JMF_U16));
        Ask->ImageLength = (JMF_U16)(chars * sizeof(JMF_U16));
    }
}

/*
 * JmfAsk
 *
 * IRQL: <= APC_LEVEL; sends only at PASSIVE_LEVEL and when MayWait (else
 * the default verdict). Decision->Verdict is the rule's ASK action on entry and the
 * verdict to apply on return; Decision->EventFlags says how it was reached.
 * Waits at most the ask's timeout: never blocks the I/O path on user mode
 * without one.
 */
_Use_decl_annotations_
VOID
JmfAsk(
    PJMF_OPERATION Op,
    PJMF_DECISION Decision,
    BOOLEAN MayWait
    )
{
    JMF_ACTION ruleAction = Decision->Verdict;
    JMF_ACTION defaultVerdict;
    JMF_ASK_REPLY reply;
    JMF_CONFIG config;
    JMF_ASK *ask = NULL;
    LARGE_INTEGER timeout;
    ULONG replyLength;
    JMF_U32 timeoutMs;
    BOOLEAN counted = FALSE;
    BOOLEAN rundown = FALSE;
    BOOLEAN answered = FALSE;
    NTSTATUS status;

    RtlZeroMemory(&reply, sizeof(reply));
    JmfConfigGet(&config);
    JmfAskDefault(&ruleAction, &config, &defaultVerdict);
    timeoutMs = (ruleAction.TimeoutMs != 0) ? ruleAction.TimeoutMs : config.AskTimeoutMs;
    if (timeoutMs == 0 || timeoutMs > JMF_MAX_ASK_TIMEOUT_MS) {
        timeoutMs = JMF_DEFAULT_ASK_TIMEOUT_MS;
    }

    if (!MayWait || KeGetCurrentIrql() != PASSIVE_LEVEL) {
        goto Cleanup;
    }

    counted = TRUE;
    if ((ULONG)InterlockedIncrement(&JmfGlobals.AsksInFlight) > config.MaxAsksInFlight) {
        JmfStatsAdd(JmfStatAskOverLimit);
        goto Cleanup;
    }
    rundown = ExAcquireRundownProtection(&JmfGlobals.Rundown);
    if (!rundown) {
        goto Cleanup;
    }
    if (!JmfIsClientConnected()) {
        JmfStatsAdd(JmfStatAskNoClient);
        goto Cleanup;
    }

    /* The user wants to see what it is asked about, even when the rule did not need it. */
    JmfOperationFetch(Op, JMF_NEED_PATH | JMF_NEED_IMAGE);

    ask = (JMF_ASK *)JmfAllocateNonPaged(sizeof(JMF_ASK), JMF_TAG_ASK);
    if (ask == NULL) {
        goto Cleanup;
    }
    JmfAskFill(Op, Decision, timeoutMs, ask);

    JmfStatsAdd(JmfStatAsks);
    timeout.QuadPart = -(LONGLONG)timeoutMs * 10000;       /* relative, 100 ns units */
    RtlZeroMemory(&reply, sizeof(reply));
    replyLength = sizeof(reply);
    status = FltSendMessage(JmfGlobals.Filter, &JmfGlobals.ClientPort, ask, sizeof(*ask),
                            &reply, &replyLength, &timeout);

    if (status == STATUS_TIMEOUT) {
        JmfStatsAdd(JmfStatAskTimeouts);
        Decision->EventFlags |= JMF_EVENT_FLAG_ASK_TIMEOUT;
    } else if (status == STATUS_PORT_DISCONNECTED) {
        JmfStatsAdd(JmfStatAskNoClient);
    } else if (status != STATUS_SUCCESS) {
        /* STATUS_THREAD_IS_TERMINATING, STATUS_INSUFFICIENT_RESOURCES, ...: no answer. */
    } else if (replyLength != sizeof(reply) ||
               JmfPolicyValidateVerdict(Op->Policy->Policy, &reply.Verdict, Op->Facts.Operation,
                                        Op->Facts.Phase) != JMF_ERROR_NONE) {
        JmfStatsAdd(JmfStatAskBadReplies);
    } else {
        answered = TRUE;
    }

Cleanup:
    if (answered) {
        Decision->Verdict = reply.Verdict;
        Decision->EventFlags |= JMF_EVENT_FLAG_ASKED;
    } else {
        JmfStatsAdd(JmfStatDefaultVerdicts);
        Decision->Verdict = defaultVerdict;
        Decision->EventFlags |= JMF_EVENT_FLAG_DEFAULT_VERDICT;
    }
    JmfFree(ask, JMF_TAG_ASK);
    if (rundown) {
        ExReleaseRundownProtection(&JmfGlobals.Rundown);
    }
    if (counted) {
        InterlockedDecrement(&JmfGlobals.AsksInFlight);
    }
}
