/*++

Module Name:

    jmf_ask.c

Abstract:

    ASK: the kernel sends user mode a JMF_ASK with FltSendMessage and waits
    for a JMF_ASK_REPLY, at most the ask's timeout. Every way of not getting
    a valid answer gives the configured default verdict, counted:

      - the thread has a top-level IRP (IoGetTopLevelIrp() != NULL: a file
        system or the cache manager holds locks; AskNotWaited),
      - the driver unloading, or the instance torn down while the operation
        was pended (AskCancelled; the unload closes the client port so that
        asks in flight end at once),
      - not at PASSIVE_LEVEL (FltSendMessage waits),
      - MaxAsksInFlight asks already waiting (a bounded interlocked count),
      - no client, or the port disconnected (STATUS_PORT_DISCONNECTED),
      - no answer in time: STATUS_TIMEOUT, a SUCCESS code, is "no answer",
      - a reply of the wrong size or with a verdict that the same policy
        reference does not accept (JmfPolicyValidateVerdict).

    An ask is prepared from the operation (JmfAskPrepare), sent without
    touching the operation (JmfAskSend: a pended read or write is asked from
    the driver's own worker threads, jmf_worker.c) and concluded
    (JmfAskConclude) by whoever completes the operation.

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
 * JmfAskPrepare
 *
 * IRQL: <= APC_LEVEL (a pre-operation callback: it may still use the
 * callback data). Everything an ask needs from the operation: the default
 * verdict, the timeout, and the notification itself (path, volume, and the
 * image when at PASSIVE_LEVEL). After this the ask can be sent from another
 * thread without touching the operation. Request->Outcome says whether it
 * may be sent at all: never when the thread has a top-level IRP (a file
 * system or the cache manager holds locks: AskNotWaited) or while the driver
 * unloads (AskCancelled).
 */
_Use_decl_annotations_
VOID
JmfAskPrepare(
    PJMF_OPERATION Op,
    const JMF_DECISION *Decision,
    PJMF_ASK_REQUEST Request
    )
{
    JMF_CONFIG config;

    RtlZeroMemory(Request, sizeof(*Request));
    Request->Decision = *Decision;
    Request->Operation = Op->Facts.Operation;
    Request->Phase = Op->Facts.Phase;
    JmfConfigGet(&config);
    JmfAskDefault(&Decision->Verdict, &config, &Request->DefaultVerdict);
    Request->MaxAsksInFlight = config.MaxAsksInFlight;
    Request->TimeoutMs = (Decision->Verdict.TimeoutMs != 0) ? Decision->Verdict.TimeoutMs : config.AskTimeoutMs;
    if (Request->TimeoutMs == 0 || Request->TimeoutMs > JMF_MAX_ASK_TIMEOUT_MS) {
        Request->TimeoutMs = JMF_DEFAULT_ASK_TIMEOUT_MS;
    }

    if (IoGetTopLevelIrp() != NULL) {
        Request->Outcome = JMF_ASK_NOT_WAITED;
        return;
    }
    if (JmfGlobals.Unloading) {
        Request->Outcome = JMF_ASK_CANCELLED;
        return;
    }

    /* The user wants to see what it is asked about, even when the rule did not need it. */
    JmfOperationFetch(Op, JMF_NEED_PATH | JMF_NEED_IMAGE);
    Request->Ask = (JMF_ASK *)JmfAllocateNonPaged(sizeof(JMF_ASK), JMF_TAG_ASK);
    if (Request->Ask == NULL) {
        Request->Outcome = JMF_ASK_DEFAULT;
        return;
    }
    JmfAskFill(Op, Decision, Request->TimeoutMs, Request->Ask);
    Request->Outcome = JMF_ASK_READY;
}

/*
 * JmfAskSend
 *
 * IRQL: PASSIVE_LEVEL (FltSendMessage waits). Sends a prepared ask and waits
 * at most its timeout; touches nothing of the operation. Every way of not
 * getting an answer leaves an Outcome that JmfAskConclude turns into the
 * default verdict.
 */
_Use_decl_annotations_
VOID
JmfAskSend(
    PJMF_ASK_REQUEST Request
    )
{
    LARGE_INTEGER timeout;
    BOOLEAN rundown = FALSE;
    NTSTATUS status;

    PAGED_CODE();

    if (Request->Outcome != JMF_ASK_READY) {
        return;
    }
    Request->Outcome = JMF_ASK_DEFAULT;
    if ((ULONG)InterlockedIncrement(&JmfGlobals.AsksInFlight) > Request->MaxAsksInFlight) {
        JmfStatsAdd(JmfStatAskOverLimit);
        goto Cleanup;
    }
    rundown = ExAcquireRundownProtection(&JmfGlobals.Rundown);
    if (!rundown || JmfGlobals.Unloading) {
        Request->Outcome = JMF_ASK_CANCELLED;
        goto Cleanup;
    }
    if (!JmfIsClientConnected()) {
        JmfStatsAdd(JmfStatAskNoClient);
        goto Cleanup;
    }

    JmfStatsAdd(JmfStatAsks);
    timeout.QuadPart = -(LONGLONG)Request->TimeoutMs * 10000;   /* relative, 100 ns units */
    RtlZeroMemory(&Request->Reply, sizeof(Request->Reply));
    Request->ReplyLength = sizeof(Request->Reply);
    status = FltSendMessage(JmfGlobals.Filter, &JmfGlobals.ClientPort, Request->Ask, sizeof(*Request->Ask),
                            &Request->Reply, &Request->ReplyLength, &timeout);

    if (JmfGlobals.Unloading) {
        /* The unload closed the client port to end every ask at once. */
        Request->Outcome = JMF_ASK_CANCELLED;
    } else if (status == STATUS_TIMEOUT) {
        JmfStatsAdd(JmfStatAskTimeouts);
        Request->Outcome = JMF_ASK_TIMED_OUT;
    } else if (status == STATUS_PORT_DISCONNECTED) {
        JmfStatsAdd(JmfStatAskNoClient);
    } else if (status == STATUS_SUCCESS) {
        Request->Outcome = JMF_ASK_REPLIED;
    }
    /* else STATUS_THREAD_IS_TERMINATING, STATUS_INSUFFICIENT_RESOURCES, ...: no answer. */

Cleanup:
    if (rundown) {
        ExReleaseRundownProtection(&JmfGlobals.Rundown);
    }
    InterlockedDecrement(&JmfGlobals.AsksInFlight);
}

/*
 * JmfAskConclude
 *
 * IRQL: <= APC_LEVEL. The verdict of an ask: the reply when it is valid for
 * the policy that asked (Policy, referenced by the caller), else the default
 * verdict, counted, with the event flag saying why. Frees the notification.
 */
_Use_decl_annotations_
VOID
JmfAskConclude(
    PJMF_ASK_REQUEST Request,
    PJMF_POLICY_REF Policy,
    PJMF_DECISION Decision
    )
{
    BOOLEAN answered = FALSE;

    *Decision = Request->Decision;
    if (Request->Outcome == JMF_ASK_REPLIED) {
        if (Request->ReplyLength != sizeof(Request->Reply) ||
            JmfPolicyValidateVerdict(Policy->Policy, &Request->Reply.Verdict, Request->Operation,
                                     Request->Phase) != JMF_ERROR_NONE) {
            JmfStatsAdd(JmfStatAskBadReplies);
        } else {
            answered = TRUE;
        }
    }
    if (answered) {
        Decision->Verdict = Request->Reply.Verdict;
        Decision->EventFlags |= JMF_EVENT_FLAG_ASKED;
    } else {
        switch (Request->Outcome) {
        case JMF_ASK_TIMED_OUT:
            Decision->EventFlags |= JMF_EVENT_FLAG_ASK_TIMEOUT;
            break;
        case JMF_ASK_NOT_WAITED:
            JmfStatsAdd(JmfStatAskNotWaited);
            Decision->EventFlags |= JMF_EVENT_FLAG_ASK_NOT_WAITED;
            break;
        case JMF_ASK_CANCELLED:
            JmfStatsAdd(JmfStatAskCancelled);
            Decision->EventFlags |= JMF_EVENT_FLAG_ASK_CANCELLED;
            break;
        default:
            break;
        }
        JmfStatsAdd(JmfStatDefaultVerdicts);
        Decision->Verdict = Request->DefaultVerdict;
        Decision->EventFlags |= JMF_EVENT_FLAG_DEFAULT_VERDICT;
    }
    JmfFree(Request->Ask, JMF_TAG_ASK);
    Request->Ask = NULL;
}

/*
 * JmfAskCancelled
 *
 * IRQL: <= DISPATCH_LEVEL. The verdict of an ask ended early (teardown,
 * unload), read only from what JmfAskPrepare set, so it may run while a
 * worker still sends the notification: the default verdict, counted
 * (AskCancelled), flagged JMF_EVENT_FLAG_ASK_CANCELLED.
 */
_Use_decl_annotations_
VOID
JmfAskCancelled(
    const JMF_ASK_REQUEST *Request,
    PJMF_DECISION Decision
    )
{
    *Decision = Request->Decision;
    JmfStatsAdd(JmfStatAskCancelled);
    JmfStatsAdd(JmfStatDefaultVerdicts);
    Decision->Verdict = Request->DefaultVerdict;
    Decision->EventFlags |= JMF_EVENT_FLAG_ASK_CANCELLED | JMF_EVENT_FLAG_DEFAULT_VERDICT;
}

/*
 * JmfAsk
 *
 * IRQL: <= APC_LEVEL; sends only at PASSIVE_LEVEL and when MayWait (else
 * the default verdict). Decision->Verdict is the rule's ASK action on entry
 * and the verdict to apply on return; Decision->EventFlags says how it was
 * reached. Waits at most the ask's timeout: never blocks the I/O path on
 * user mode without one, and never when the thread has a top-level IRP.
 */
_Use_decl_annotations_
VOID
JmfAsk(
    PJMF_OPERATION Op,
    PJMF_DECISION Decision,
    BOOLEAN MayWait
    )
{
    JMF_ASK_REQUEST request;

    JmfAskPrepare(Op, Decision, &request);
    if (request.Outcome == JMF_ASK_READY) {
        if (MayWait && KeGetCurrentIrql() == PASSIVE_LEVEL) {
            JmfAskSend(&request);
        } else {
            request.Outcome = JMF_ASK_DEFAULT;
        }
    }
    JmfAskConclude(&request, Op->Policy, Decision);
}
