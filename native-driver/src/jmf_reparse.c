/*++

Module Name:

    jmf_reparse.c

Abstract:

    REDIRECT by reparse (JMF_ACTION_FLAG_REPARSE, "mechanism: reparse"):
    the second redirect mechanism, chosen per rule. Pre-create replaces the
    file object's name with "<target volume's NT device name><the same
    volume-relative path>" (IoReplaceFileObjectName: the I/O manager owns
    and frees FileObject->FileName.Buffer), completes the create with
    IoStatus.Status = STATUS_REPARSE and Information = IO_REPARSE
    (FLT_PREOP_COMPLETE), and the I/O manager re-issues the whole open on
    the target volume, through that volume's whole filter stack. The file
    object the caller gets belongs to the target volume, so EVERY later
    operation on the handle goes there: reads, writes, mapped sections,
    byte-range locks, oplocks, directory queries, rename, delete. The
    source volume never sees the open.

    What is refused (the rule's fallback: deny with its status, or the
    source opens; counted RedirectFallbacks, event flags REDIRECT_FALLBACK
    and REPARSE):
      - an open by file id (FILE_OPEN_BY_FILE_ID): the "name" is an id of
        the source volume and means nothing on the target;
      - FILE_OPEN_REPARSE_POINT: the caller asks for the file itself, not
        for where a reparse point leads; a reparse redirect is a simulated
        reparse point, so it is not followed. With a deny fallback such
        opens fail, so the flag cannot be used to reach the source;
      - a name that cannot be queried, or was truncated, or would not fit
        a UNICODE_STRING together with the device name;
      - a target volume this driver is not attached to (so the name is a
        volume this machine has), or the source volume itself.

    Names: the path is the NORMALIZED name from FltGetFileNameInformation
    (jmf_operation.c): a relative open (RootDirectory,
    FileObject->RelatedFileObject) is resolved to its full path, short (8.3)
    names of existing components are expanded to long names, so the name
    the I/O manager re-parses is absolute and the relative root plays no
    further part.

    Loop protection: the re-issued create arrives at this driver again, on
    the target volume's instance. It is never redirected a second time,
    because the policy compiler (jmf_policy.c, JmfReparseChainsValidate)
    refuses any policy where a reparse rule could match there: every
    reparse rule names its source volume (not "any"), and no reparse rule
    starts on a volume that is some reparse rule's target. That holds for
    every create on every thread without per-thread state (a thread marker
    would outlive a re-issued create that never reaches this driver) and
    without an ECP (whether a filter's ECP survives a reparse is not
    documented). A policy pushed between the two passes of one create is
    itself validated the same way. Beyond that the I/O manager bounds the
    number of reparses of one open.

    IRQL: everything here runs in pre-create at PASSIVE_LEVEL, as
    IoReplaceFileObjectName requires.

--*/

#include "jmf_driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, JmfReparseRedirect)
#endif

/*
 * JmfReparseReplaceName
 *
 * IRQL: PASSIVE_LEVEL. Replaces the file object's name with the target
 * volume's device name followed by Path. The built name is in paged pool
 * only for the call: IoReplaceFileObjectName copies it into a buffer the
 * I/O manager owns.
 */
static NTSTATUS
JmfReparseReplaceName(
    _In_ PFILE_OBJECT FileObject,
    _In_ PJMF_INSTANCE_CONTEXT Target,
    _In_reads_(PathChars) const JMF_U16 *Path,
    _In_ JMF_U32 PathChars
    )
{
    PWCHAR buffer;
    SIZE_T bytes;
    NTSTATUS status;

    PAGED_CODE();

    bytes = ((SIZE_T)Target->VolumeNameChars + PathChars) * sizeof(WCHAR);
    if (Target->VolumeNameChars == 0 || PathChars == 0 || bytes > MAXUSHORT - sizeof(WCHAR)) {
        return STATUS_NAME_TOO_LONG;
    }
    buffer = (PWCHAR)JmfAllocatePaged(bytes, JMF_TAG_PATH);
    if (buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlCopyMemory(buffer, Target->VolumeName, (SIZE_T)Target->VolumeNameChars * sizeof(WCHAR));
    RtlCopyMemory(buffer + Target->VolumeNameChars, Path, (SIZE_T)PathChars * sizeof(WCHAR));
    status = IoReplaceFileObjectName(FileObject, buffer, (USHORT)bytes);
    JmfFree(buffer, JMF_TAG_PATH);
    return status;
}

/*
 * JmfReparseRedirect
 *
 * IRQL: PASSIVE_LEVEL (pre-create). Applies a REDIRECT verdict whose rule
 * chose the reparse mechanism. Returns TRUE when the create was completed
 * with STATUS_REPARSE / IO_REPARSE (the caller returns FLT_PREOP_COMPLETE);
 * FALSE when it was refused, and Decision then holds the rule's fallback
 * (DENY with its status, or ALLOW). Either way Decision carries
 * JMF_EVENT_FLAG_REPARSE.
 */
_Use_decl_annotations_
BOOLEAN
JmfReparseRedirect(
    PJMF_OPERATION Op,
    PJMF_DECISION Decision
    )
{
    PFLT_CALLBACK_DATA data = Op->Data;
    PJMF_INSTANCE_CONTEXT target = NULL;
    const JMF_U16 *name;
    JMF_U32 nameChars = 0;
    ULONG options = data->Iopb->Parameters.Create.Options;
    BOOLEAN redirected = FALSE;

    PAGED_CODE();

    Decision->EventFlags |= JMF_EVENT_FLAG_REPARSE;
    if (FlagOn(options, FILE_OPEN_BY_FILE_ID | FILE_OPEN_REPARSE_POINT)) {
        goto Cleanup;                           /* see the abstract: an id, or the file itself */
    }
    JmfOperationFetch(Op, JMF_NEED_PATH);
    if (Op->Facts.Path == NULL || Op->Facts.PathChars == 0 || Op->PathTruncated) {
        goto Cleanup;
    }
    if ((JMF_U32)Decision->Verdict.TargetVolume >= JmfPolicyVolumeCount(Op->Policy->Policy)) {
        goto Cleanup;
    }
    name = JmfPolicyVolumeName(Op->Policy->Policy, Decision->Verdict.TargetVolume, &nameChars);
    if (name == NULL || nameChars == 0) {
        goto Cleanup;
    }
    /* Our instance there proves the device is a volume of this machine; its context and a rundown reference are held until Cleanup. */
    target = JmfInstanceFindByName(name, nameChars);
    if (target == NULL || target->Volume == Op->FltObjects->Volume) {
        goto Cleanup;
    }
    if (!NT_SUCCESS(JmfReparseReplaceName(Op->FltObjects->FileObject, target, Op->Facts.Path, Op->Facts.PathChars))) {
        goto Cleanup;
    }
    data->IoStatus.Status = STATUS_REPARSE;
    data->IoStatus.Information = IO_REPARSE;
    redirected = TRUE;

Cleanup:
    if (target != NULL) {
        FltObjectDereference(target->Instance);
        FltReleaseContext(target);
    }
    if (!redirected) {
        JmfDecideFallback(Decision, Decision->Verdict.Flags, Decision->Verdict.Status);
    }
    return redirected;
}
