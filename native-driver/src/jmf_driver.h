/*++

Module Name:

    jmf_driver.h

Abstract:

    Shared declarations of jminifilter.sys's kernel glue: the pool tags, the
    driver's globals, the contexts it keeps per instance and per stream
    handle, and the routines one file offers the others.

    The portable core (jmf_policy.h) decides; the files declared here fetch
    the facts an operation needs, carry the decision out the documented
    Filter Manager way, and report it. One concern per file:

      jmf_driver.c        registration, unload
      jmf_instance.c      instance setup/teardown, the instance list
      jmf_port.c          communication port, connect/disconnect, commands
      jmf_policy_store.c  the current policy and its references
      jmf_config.c        configuration (ask timeout, defaults, disconnect), the lock
      jmf_persist.c       persisted policy and configuration (the service key)
      jmf_operation.c     facts of one operation (names, image, volume)
      jmf_decide.c        match + ask + counting for one operation
      jmf_ask.c           ASK notifications (FltSendMessage)
      jmf_create.c        IRP_MJ_CREATE pre/post
      jmf_rw.c            IRP_MJ_READ / IRP_MJ_WRITE pre/post
      jmf_setinfo.c       IRP_MJ_SET_INFORMATION (rename, link, delete)
      jmf_redirect.c      REDIRECT: target instance, target file, contexts
      jmf_events.c        the bounded event queue
      jmf_stats.c         statistics
      jmf_worker.c        the driver's own threads that ask for pended operations

--*/

#ifndef JMF_DRIVER_H
#define JMF_DRIVER_H

#include <fltKernel.h>
#include "jmf_protocol.h"
#include "jmf_policy.h"

/* ------------------------------------------------------------------------ */
/* Pool tags (the only place they are defined)                               */
/* ------------------------------------------------------------------------ */

#define JMF_TAG_POLICY          'pFmJ'  /* compiled policy (the core's allocations) */
#define JMF_TAG_POLICY_REF      'rFmJ'  /* policy reference holder + per-rule counters */
#define JMF_TAG_COMMAND         'cFmJ'  /* kernel copies of commands and their replies */
#define JMF_TAG_ASK             'aFmJ'  /* JMF_ASK notifications */
#define JMF_TAG_EVENTS          'eFmJ'  /* the event ring and drain buffers */
#define JMF_TAG_COMPLETION      'oFmJ'  /* completion contexts (pre -> post) */
#define JMF_TAG_PATH            'nFmJ'  /* cached paths, target names */
#define JMF_TAG_INSTANCE_CTX    'iFmJ'  /* FLT_INSTANCE_CONTEXT */
#define JMF_TAG_HANDLE_CTX      'hFmJ'  /* FLT_STREAMHANDLE_CONTEXT */
#define JMF_TAG_REGISTRY        'gFmJ'  /* the Parameters key's path, persisted values read back */

/* ------------------------------------------------------------------------ */
/* Contexts                                                                  */
/* ------------------------------------------------------------------------ */

/* Room for a volume's NT device name; longer names cannot be named by a policy. */
#define JMF_VOLUME_NAME_CHARS 128u

/*
 * One per attached instance (FLT_INSTANCE_CONTEXT, non-paged). Lives in
 * JmfGlobals.InstanceList from setup until teardown start, holding a context
 * reference while listed. Link, RedirectList and TearingDown are protected by
 * JmfGlobals.InstanceLock.
 */
typedef struct _JMF_INSTANCE_CONTEXT {
    PFLT_INSTANCE Instance;
    PFLT_VOLUME Volume;
    LIST_ENTRY Link;
    LIST_ENTRY RedirectList;            /* JMF_HANDLE_CONTEXT.TargetLink of handles redirected HERE */
    BOOLEAN Listed;
    BOOLEAN TearingDown;
    BOOLEAN AsksRefused;                /* teardown started: nothing is pended here (jmf_worker.c's lock) */
    USHORT VolumeNameChars;             /* 0 when the name did not fit */
    volatile LONG64 VolumeIndexCache;   /* (Generation << 32) | volume index, see JmfInstanceVolumeIndex */
    WCHAR VolumeName[JMF_VOLUME_NAME_CHARS];
} JMF_INSTANCE_CONTEXT, *PJMF_INSTANCE_CONTEXT;

/* JMF_HANDLE_CONTEXT.TargetState */
#define JMF_TARGET_NONE    0
#define JMF_TARGET_OPEN    1
#define JMF_TARGET_CLOSING 2

/*
 * One per stream handle the driver needs to remember (FLT_STREAMHANDLE_CONTEXT,
 * non-paged): the path for read/write decisions, and the redirect target.
 * Redirected operations hold TargetRundown from pre- to post-operation, so
 * the target is closed (JmfRedirectCloseTarget) only when none is in flight.
 */
typedef struct _JMF_HANDLE_CONTEXT {
    JMF_U16 *Path;                      /* volume-relative path, or NULL */
    JMF_U32 PathChars;
    JMF_U32 Reserved;

    /* REDIRECT */
    volatile LONG TargetState;          /* JMF_TARGET_* */
    BOOLEAN Redirected;                 /* a target was opened for this handle: it stays redirected for good
                                           (once the target is closed its I/O fails, never reaching the source) */
    BOOLEAN Linked;                     /* in TargetLink's list, which holds a context reference; under InstanceLock */
    JMF_U32 RedirectRuleId;
    JMF_U32 FallbackFlags;              /* the rule's JMF_ACTION_FLAG_FALLBACK_DENY */
    JMF_I32 FallbackStatus;
    EX_RUNDOWN_REF TargetRundown;
    LIST_ENTRY TargetLink;              /* in the target instance context's RedirectList */
    PJMF_INSTANCE_CONTEXT TargetInstanceContext; /* referenced while TargetState != NONE */
    PFLT_INSTANCE SourceInstance;       /* the handle's own instance (its teardown closes the target too) */
    PFLT_INSTANCE TargetInstance;       /* rundown reference (FltObjectReference) while TargetState != NONE */
    HANDLE TargetHandle;
    PFILE_OBJECT TargetFileObject;
} JMF_HANDLE_CONTEXT, *PJMF_HANDLE_CONTEXT;

/* ------------------------------------------------------------------------ */
/* The policy reference                                                      */
/* ------------------------------------------------------------------------ */

/*
 * An immutable compiled policy and what lives exactly as long as it: its
 * generation and its per-rule match counters (RuleMatches[RuleCount],
 * allocated with it). Callbacks hold a reference (JmfPolicyAcquire /
 * JmfPolicyRelease) for the whole decision; the last release frees it.
 */
typedef struct _JMF_POLICY_REF {
    volatile LONG RefCount;
    JMF_U32 Generation;
    JMF_POLICY *Policy;
    JMF_U32 RuleCount;
    JMF_U32 InterestMask;               /* JMF_OP_* (pre phase) | JMF_INTEREST_POST_CREATE, on some volume */
    volatile LONG64 *RuleMatches;
} JMF_POLICY_REF, *PJMF_POLICY_REF;

/* JMF_POLICY_REF.InterestMask: a post-create rule exists (JMF_OP_* bits are the pre phase). */
#define JMF_INTEREST_POST_CREATE 0x100u

/* ------------------------------------------------------------------------ */
/* Globals                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct _JMF_GLOBALS {
    PDRIVER_OBJECT DriverObject;
    PFLT_FILTER Filter;

    /* Communication port (jmf_port.c). ClientPort is passed by address to
       FltSendMessage/FltCloseClientPort as documented. */
    PFLT_PORT ServerPort;
    PFLT_PORT ClientPort;
    PEPROCESS ClientProcess;            /* referenced while connected; its I/O is never filtered */

    /* In-flight work that unload must wait for (asks, pended operations). */
    EX_RUNDOWN_REF Rundown;

    /* Policy (jmf_policy_store.c). */
    FAST_MUTEX PolicyMutex;             /* serialises pushes and clears (not readers) */
    EX_SPIN_LOCK PolicyLock;
    PJMF_POLICY_REF Policy;             /* current, or NULL */
    JMF_U32 Generation;                 /* last generation handed out */

    /* Configuration (jmf_config.c). */
    EX_SPIN_LOCK ConfigLock;
    JMF_CONFIG Config;
    JMF_UNLOCK_KEY UnlockKey;           /* while Config.Flags has LOCKED (ConfigLock; non-paged: a global) */
    volatile LONG UnlockFailures;       /* wrong keys presented (UNLOCK, or a SET_CONFIG while locked) */
    volatile LONG AsksInFlight;

    /* Persistence (jmf_persist.c): "<RegistryPath>\Parameters", paged pool; pushes with the
       persist flag serialise on PersistLock (held at PASSIVE_LEVEL around set + registry write). */
    UNICODE_STRING ParametersPath;
    EX_PUSH_LOCK PersistLock;

    /* Instances (jmf_instance.c) and redirect records (jmf_redirect.c). */
    EX_PUSH_LOCK InstanceLock;
    LIST_ENTRY InstanceList;
    volatile LONG RedirectedHandles;    /* handle contexts with Redirected set: 0 = skip redirect work */

    /* Set once the unload starts: asks end with their default verdict (AskCancelled). */
    volatile BOOLEAN Unloading;
} JMF_GLOBALS;

extern JMF_GLOBALS JmfGlobals;

/* ------------------------------------------------------------------------ */
/* One operation being decided (jmf_operation.c, jmf_decide.c)               */
/* ------------------------------------------------------------------------ */

typedef struct _JMF_OPERATION {
    PFLT_CALLBACK_DATA Data;
    PCFLT_RELATED_OBJECTS FltObjects;
    PJMF_POLICY_REF Policy;             /* referenced by the caller */
    PJMF_INSTANCE_CONTEXT InstanceContext; /* referenced, or NULL */
    PFLT_FILE_NAME_INFORMATION NameInfo;   /* referenced, or NULL */
    PUNICODE_STRING Image;              /* from SeLocateProcessImageName, or NULL */
    BOOLEAN PathTruncated;
    BOOLEAN PathFixed;                  /* Facts.Path was supplied (a rename's destination): never query the file's own name */
    BOOLEAN OtherPathTruncated;
    JMF_U32 AskFlags;                   /* JMF_ASK_FLAG_DESTINATION / _LINK for an ask about this operation */
    const JMF_U16 *OtherPath;           /* a rename's or link's other end, for events (outlives the report), or NULL */
    JMF_U32 OtherPathChars;
    JMF_OPERATION_FACTS Facts;
} JMF_OPERATION, *PJMF_OPERATION;

/*
 * What was decided for one operation: the deciding rule and the verdict to
 * apply (Verdict.Type 0 when no rule decided).
 */
typedef struct _JMF_DECISION {
    JMF_U32 RuleIndex;                  /* JMF_INDEX_NONE when none */
    JMF_U32 RuleId;                     /* JMF_RULE_NONE when none */
    JMF_U32 EventFlags;                 /* JMF_EVENT_FLAG_* */
    JMF_U32 Reserved;
    JMF_ACTION Verdict;
} JMF_DECISION, *PJMF_DECISION;

/*
 * Handed from a pre-operation callback to the driver's own post-operation
 * callback through CompletionContext (non-paged, JMF_TAG_COMPLETION). The
 * post-operation callback sees the ORIGINAL parameters; this says what the
 * pre-operation changed and what is still to do.
 */
typedef struct _JMF_COMPLETION {
    PJMF_POLICY_REF Policy;             /* referenced, or NULL */
    JMF_DECISION Decision;              /* pre-operation verdict, reported in post */
    JMF_U32 Operation;                  /* JMF_OP_* */
    JMF_U32 ProcessId;
    BOOLEAN Report;                     /* queue an event in post with the final status */
    BOOLEAN PostCreatePhase;            /* post-create rules may match */
    BOOLEAN CachePath;                  /* keep the path in a handle context */
    BOOLEAN Redirect;                   /* open the target in post-create */
    /* MODIFY on create: what was sent down. */
    ACCESS_MASK DesiredAccess;
    ULONG CreateOptions;                /* disposition << 24 | options */
    /* REDIRECT on create: the target instance's context (referenced) and
       its instance (a rundown reference: FltObjectReference), until the
       target is open and the handle context takes the instance over. */
    PJMF_INSTANCE_CONTEXT TargetInstanceContext;
    PFLT_INSTANCE TargetInstance;
    /* The volume, for an event reported in post (referenced, or NULL). */
    PJMF_INSTANCE_CONTEXT InstanceContext;
    /* Redirected read/write/info: the handle context (referenced, rundown held). */
    PJMF_HANDLE_CONTEXT HandleContext;
    /* Path fetched in pre-create (copied: the name information is released). */
    JMF_U16 *Path;
    JMF_U32 PathChars;
    BOOLEAN PathTruncated;
    BOOLEAN OtherPathTruncated;
    /* A rename's or link's other end (copied), for the event. */
    JMF_U16 *OtherPath;
    JMF_U32 OtherPathChars;
    /* More decisions of the same operation to report in post (a rename's destination), owned. */
    struct _JMF_COMPLETION *Next;
} JMF_COMPLETION, *PJMF_COMPLETION;

/* ------------------------------------------------------------------------ */
/* Routines shared between files                                             */
/* ------------------------------------------------------------------------ */

/* jmf_driver.c */
DRIVER_INITIALIZE DriverEntry;

/* jmf_instance.c: callbacks at PASSIVE_LEVEL (context cleanup <= APC_LEVEL) */
_Function_class_(FLT_INSTANCE_SETUP_CALLBACK)
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS FLTAPI JmfInstanceSetup(_In_ PCFLT_RELATED_OBJECTS FltObjects, _In_ FLT_INSTANCE_SETUP_FLAGS Flags,
                                 _In_ DEVICE_TYPE VolumeDeviceType, _In_ FLT_FILESYSTEM_TYPE VolumeFilesystemType);
_Function_class_(FLT_INSTANCE_QUERY_TEARDOWN_CALLBACK)
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS FLTAPI JmfInstanceQueryTeardown(_In_ PCFLT_RELATED_OBJECTS FltObjects, _In_ FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags);
_Function_class_(FLT_INSTANCE_TEARDOWN_CALLBACK)
_IRQL_requires_(PASSIVE_LEVEL)
VOID FLTAPI JmfInstanceTeardownStart(_In_ PCFLT_RELATED_OBJECTS FltObjects, _In_ FLT_INSTANCE_TEARDOWN_FLAGS Flags);
_Function_class_(FLT_CONTEXT_CLEANUP_CALLBACK)
_IRQL_requires_max_(APC_LEVEL)
VOID FLTAPI JmfInstanceContextCleanup(_In_ PFLT_CONTEXT Context, _In_ FLT_CONTEXT_TYPE ContextType);
_IRQL_requires_max_(APC_LEVEL)
JMF_U16 JmfInstanceVolumeIndex(_In_opt_ PJMF_INSTANCE_CONTEXT InstanceContext, _In_ PJMF_POLICY_REF Policy);
_IRQL_requires_max_(APC_LEVEL)
PJMF_INSTANCE_CONTEXT JmfInstanceFindByName(_In_reads_(Chars) const JMF_U16 *Name, _In_ JMF_U32 Chars);

/* jmf_port.c */
_IRQL_requires_(PASSIVE_LEVEL) NTSTATUS JmfPortCreate(VOID);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPortClose(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN JmfIsClientRequest(_In_ PFLT_CALLBACK_DATA Data);
_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN JmfIsClientConnected(VOID);

/* jmf_policy_store.c */
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPolicyStoreInitialize(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) PJMF_POLICY_REF JmfPolicyAcquire(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) VOID JmfPolicyReference(_In_ PJMF_POLICY_REF Ref);
_IRQL_requires_max_(DISPATCH_LEVEL) VOID JmfPolicyRelease(_In_opt_ PJMF_POLICY_REF Ref);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPolicySet(_In_reads_bytes_(Length) const VOID *Body, _In_ ULONG Length, _Out_ JMF_RESULT *Result);
_IRQL_requires_max_(APC_LEVEL) VOID JmfPolicyClear(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) JMF_U32 JmfPolicyCurrentGeneration(VOID);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPolicyStoreShutdown(VOID);

/* jmf_config.c */
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfConfigInitialize(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) VOID JmfConfigGet(_Out_ JMF_CONFIG *Config);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfConfigSet(_In_ const JMF_CONFIG *Config, _In_opt_ const JMF_UNLOCK_KEY *Key,
                                                 _Out_ JMF_RESULT *Result);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfConfigUnlock(_In_ const JMF_UNLOCK_KEY *Key, _Out_ JMF_RESULT *Result);
_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN JmfConfigLocked(VOID);

/* jmf_persist.c: all at PASSIVE_LEVEL (the Zw registry routines) */
_IRQL_requires_(PASSIVE_LEVEL) NTSTATUS JmfPersistInitialize(_In_ PCUNICODE_STRING RegistryPath);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPersistLoad(VOID);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPersistShutdown(VOID);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPersistPolicy(_In_reads_bytes_(Length) const VOID *Body, _In_ ULONG Length,
                                                     _Out_ JMF_RESULT *Result);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfPersistConfig(_In_ const JMF_CONFIG *Config, _In_opt_ const JMF_UNLOCK_KEY *Key,
                                                     _Out_ JMF_RESULT *Result);

/* jmf_operation.c */
_IRQL_requires_max_(APC_LEVEL)
VOID JmfOperationInitialize(_Out_ PJMF_OPERATION Op, _In_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                            _In_ PJMF_POLICY_REF Policy, _In_ JMF_U32 Phase, _In_ JMF_U32 Operation);
_IRQL_requires_max_(APC_LEVEL)
PJMF_INSTANCE_CONTEXT JmfOperationInstanceContext(_Inout_ PJMF_OPERATION Op);
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN JmfOperationInterested(_In_ PJMF_OPERATION Op, _Out_ JMF_U32 *Needs);
_IRQL_requires_max_(APC_LEVEL)
VOID JmfOperationFetch(_Inout_ PJMF_OPERATION Op, _In_ JMF_U32 Needs);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfOperationUsePath(_Inout_ PJMF_OPERATION Op, _In_reads_opt_(Chars) const JMF_U16 *Path, _In_ JMF_U32 Chars);
_IRQL_requires_max_(APC_LEVEL)
VOID JmfOperationCleanup(_Inout_ PJMF_OPERATION Op);
_IRQL_requires_max_(DISPATCH_LEVEL)
JMF_U16 *JmfCopyPath(_In_reads_(Chars) const JMF_U16 *Path, _In_ JMF_U32 Chars);

/* jmf_decide.c */
_IRQL_requires_max_(APC_LEVEL)
BOOLEAN JmfDecideMatch(_Inout_ PJMF_OPERATION Op, _Out_ PJMF_DECISION Decision);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfDecideCount(_In_ const JMF_DECISION *Decision);
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN JmfDecisionReported(_In_ const JMF_DECISION *Decision);
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN JmfDecisionAuditOnly(_In_ const JMF_DECISION *Decision);
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN JmfDecisionWouldDeny(_In_ const JMF_DECISION *Decision);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfReportDecision(_In_ const JMF_DECISION *Decision, _In_ JMF_U32 Operation, _In_ NTSTATUS Status,
                       _In_ JMF_U32 ProcessId, _In_opt_ PJMF_INSTANCE_CONTEXT InstanceContext,
                       _In_reads_opt_(PathChars) const JMF_U16 *Path, _In_ JMF_U32 PathChars, _In_ BOOLEAN PathTruncated);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfReportDecisionEx(_In_ const JMF_DECISION *Decision, _In_ JMF_U32 Operation, _In_ NTSTATUS Status,
                         _In_ JMF_U32 ProcessId, _In_opt_ PJMF_INSTANCE_CONTEXT InstanceContext,
                         _In_reads_opt_(PathChars) const JMF_U16 *Path, _In_ JMF_U32 PathChars, _In_ BOOLEAN PathTruncated,
                         _In_reads_opt_(OtherPathChars) const JMF_U16 *OtherPath, _In_ JMF_U32 OtherPathChars,
                         _In_ BOOLEAN OtherPathTruncated);
_IRQL_requires_max_(APC_LEVEL)
VOID JmfReportOperation(_In_ PJMF_OPERATION Op, _In_ const JMF_DECISION *Decision, _In_ NTSTATUS Status);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfDecideFallback(_Inout_ PJMF_DECISION Decision, _In_ JMF_U32 FallbackFlags, _In_ JMF_I32 FallbackStatus);

_IRQL_requires_max_(DISPATCH_LEVEL)
PJMF_COMPLETION JmfCompletionAllocate(_In_opt_ PJMF_POLICY_REF Policy, _In_ JMF_U32 Operation, _In_ JMF_U32 ProcessId);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfCompletionFree(_In_opt_ _Post_invalid_ PJMF_COMPLETION Completion);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfPostComplete(_In_ PFLT_CALLBACK_DATA Data, _In_opt_ _Post_invalid_ PJMF_COMPLETION Completion,
                     _In_ FLT_POST_OPERATION_FLAGS Flags);

/* jmf_ask.c */
/* JMF_ASK_REQUEST.Outcome */
#define JMF_ASK_READY       1   /* prepared, may be sent */
#define JMF_ASK_DEFAULT     2   /* no answer (no client, over the limit, no memory, ...) */
#define JMF_ASK_REPLIED     3   /* a reply came (still to be validated) */
#define JMF_ASK_TIMED_OUT   4
#define JMF_ASK_NOT_WAITED  5   /* a top-level IRP: must not wait */
#define JMF_ASK_CANCELLED   6   /* unload, teardown */

/* One ask, from preparation to conclusion (non-paged: it travels with a pended operation). */
typedef struct _JMF_ASK_REQUEST {
    JMF_DECISION Decision;              /* the rule's ASK decision */
    JMF_ACTION DefaultVerdict;
    JMF_ASK *Ask;                       /* the notification (JMF_TAG_ASK), or NULL */
    JMF_U32 TimeoutMs;
    JMF_U32 MaxAsksInFlight;
    JMF_U32 Operation;
    JMF_U32 Phase;
    JMF_U32 Outcome;                    /* JMF_ASK_* */
    ULONG ReplyLength;
    JMF_ASK_REPLY Reply;
} JMF_ASK_REQUEST, *PJMF_ASK_REQUEST;

_IRQL_requires_max_(APC_LEVEL)
VOID JmfAsk(_In_ PJMF_OPERATION Op, _Inout_ PJMF_DECISION Decision, _In_ BOOLEAN MayWait);
_IRQL_requires_max_(APC_LEVEL)
VOID JmfAskPrepare(_In_ PJMF_OPERATION Op, _In_ const JMF_DECISION *Decision, _Out_ PJMF_ASK_REQUEST Request);
_IRQL_requires_(PASSIVE_LEVEL)
VOID JmfAskSend(_Inout_ PJMF_ASK_REQUEST Request);
_IRQL_requires_max_(APC_LEVEL)
VOID JmfAskConclude(_Inout_ PJMF_ASK_REQUEST Request, _In_ PJMF_POLICY_REF Policy, _Out_ PJMF_DECISION Decision);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfAskCancelled(_In_ const JMF_ASK_REQUEST *Request, _Out_ PJMF_DECISION Decision);

/* jmf_worker.c: the driver's own threads that ask for pended operations */
typedef struct _JMF_WORK JMF_WORK, *PJMF_WORK;
/* Completes the pended operation (Cancelled: with the default verdict, the ask not answered). */
typedef VOID JMF_WORK_COMPLETE(_In_ PJMF_WORK Work, _In_ BOOLEAN Cancelled);
typedef JMF_WORK_COMPLETE *PJMF_WORK_COMPLETE;
/* Frees the work once neither the worker nor a canceller uses it. */
typedef VOID JMF_WORK_FREE(_In_ PJMF_WORK Work);
typedef JMF_WORK_FREE *PJMF_WORK_FREE;
struct _JMF_WORK {
    LIST_ENTRY Link;                    /* in the queue, then in the list of asks in flight (WorkerLock) */
    PFLT_INSTANCE Instance;             /* teardown of this instance completes the operation */
    JMF_ASK_REQUEST Request;
    PJMF_WORK_COMPLETE Complete;
    PJMF_WORK_FREE Free;
    volatile LONG Claimed;              /* 1 once someone completes the operation */
    volatile LONG References;           /* the worker's or the queue's, and a canceller's */
    BOOLEAN Sending;                    /* a worker has it (under WorkerLock) */
};
_IRQL_requires_(PASSIVE_LEVEL) NTSTATUS JmfWorkersStart(VOID);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfWorkersStop(VOID);
_IRQL_requires_max_(APC_LEVEL) BOOLEAN JmfWorkQueue(_Inout_ PJMF_WORK Work, _In_ PJMF_INSTANCE_CONTEXT InstanceContext);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfWorkCancelInstance(_In_ PJMF_INSTANCE_CONTEXT InstanceContext);

/* jmf_create.c */
_Function_class_(FLT_PRE_OPERATION_CALLBACK) _IRQL_requires_(PASSIVE_LEVEL)
FLT_PREOP_CALLBACK_STATUS FLTAPI JmfPreCreate(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Outptr_result_maybenull_ PVOID *CompletionContext);
_Function_class_(FLT_POST_OPERATION_CALLBACK) _IRQL_requires_(PASSIVE_LEVEL)
FLT_POSTOP_CALLBACK_STATUS FLTAPI JmfPostCreate(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_opt_ PVOID CompletionContext, _In_ FLT_POST_OPERATION_FLAGS Flags);

/* jmf_rw.c */
_Function_class_(FLT_PRE_OPERATION_CALLBACK) _IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS FLTAPI JmfPreReadWrite(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Outptr_result_maybenull_ PVOID *CompletionContext);
_Function_class_(FLT_POST_OPERATION_CALLBACK) _IRQL_requires_max_(DISPATCH_LEVEL)
FLT_POSTOP_CALLBACK_STATUS FLTAPI JmfPostReadWrite(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_opt_ PVOID CompletionContext, _In_ FLT_POST_OPERATION_FLAGS Flags);

/* jmf_setinfo.c */
_Function_class_(FLT_PRE_OPERATION_CALLBACK) _IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS FLTAPI JmfPreSetInformation(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Outptr_result_maybenull_ PVOID *CompletionContext);
_Function_class_(FLT_POST_OPERATION_CALLBACK) _IRQL_requires_max_(DISPATCH_LEVEL)
FLT_POSTOP_CALLBACK_STATUS FLTAPI JmfPostSetInformation(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_opt_ PVOID CompletionContext, _In_ FLT_POST_OPERATION_FLAGS Flags);

/* jmf_redirect.c */
_Function_class_(FLT_PRE_OPERATION_CALLBACK) _IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS FLTAPI JmfPreRedirectable(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Outptr_result_maybenull_ PVOID *CompletionContext);
_Function_class_(FLT_POST_OPERATION_CALLBACK) _IRQL_requires_max_(DISPATCH_LEVEL)
FLT_POSTOP_CALLBACK_STATUS FLTAPI JmfPostRedirected(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _In_opt_ PVOID CompletionContext, _In_ FLT_POST_OPERATION_FLAGS Flags);
_Function_class_(FLT_PRE_OPERATION_CALLBACK) _IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS FLTAPI JmfPreCleanup(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Outptr_result_maybenull_ PVOID *CompletionContext);
_Function_class_(FLT_CONTEXT_CLEANUP_CALLBACK) _IRQL_requires_max_(APC_LEVEL)
VOID FLTAPI JmfHandleContextCleanup(_In_ PFLT_CONTEXT Context, _In_ FLT_CONTEXT_TYPE ContextType);
_IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS JmfRedirectPrepare(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                                             _Outptr_result_maybenull_ PVOID *CompletionContext);
_IRQL_requires_(PASSIVE_LEVEL)
PJMF_INSTANCE_CONTEXT JmfRedirectFindTarget(_In_ PJMF_OPERATION Op, _In_ JMF_U16 TargetVolume,
                                            _Outptr_result_maybenull_ PFLT_INSTANCE *TargetInstance);
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS JmfRedirectOpenTarget(_In_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                               _In_ PJMF_COMPLETION Completion, _Inout_ PJMF_HANDLE_CONTEXT HandleContext);
/* jmf_reparse.c: REDIRECT by reparse, in pre-create */
_IRQL_requires_(PASSIVE_LEVEL)
BOOLEAN JmfReparseRedirect(_Inout_ PJMF_OPERATION Op, _Inout_ PJMF_DECISION Decision);
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID JmfRedirectCloseTarget(_Inout_ PJMF_HANDLE_CONTEXT HandleContext);
_IRQL_requires_(PASSIVE_LEVEL)
VOID JmfRedirectCloseForInstance(_In_ PJMF_INSTANCE_CONTEXT InstanceContext);
_IRQL_requires_max_(APC_LEVEL)
PJMF_HANDLE_CONTEXT JmfHandleContextGet(_In_ PCFLT_RELATED_OBJECTS FltObjects);
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN JmfRedirectBegin(_In_ PJMF_HANDLE_CONTEXT HandleContext);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfRedirectApply(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PJMF_HANDLE_CONTEXT HandleContext);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfRedirectEnd(_In_ PFLT_CALLBACK_DATA Data, _In_ PJMF_HANDLE_CONTEXT HandleContext, _In_ BOOLEAN Succeeded);
_IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS JmfRedirectTargetLost(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                                                _In_ PJMF_HANDLE_CONTEXT HandleContext, _In_ JMF_U32 Operation);
_IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS JmfRedirectRefuse(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                                            _In_ PJMF_HANDLE_CONTEXT HandleContext, _In_ JMF_U32 Operation,
                                            _In_ NTSTATUS Status);
_Function_class_(FLT_PRE_OPERATION_CALLBACK) _IRQL_requires_max_(APC_LEVEL)
FLT_PREOP_CALLBACK_STATUS FLTAPI JmfPreRedirectGuard(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
    _Outptr_result_maybenull_ PVOID *CompletionContext);
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS JmfHandleContextCreate(_In_ PCFLT_RELATED_OBJECTS FltObjects, _Outptr_ PJMF_HANDLE_CONTEXT *HandleContext);
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS JmfHandleContextAttach(_In_ PCFLT_RELATED_OBJECTS FltObjects, _In_ PJMF_HANDLE_CONTEXT HandleContext);

/* jmf_events.c */
_IRQL_requires_(PASSIVE_LEVEL) NTSTATUS JmfEventsInitialize(VOID);
_IRQL_requires_(PASSIVE_LEVEL) VOID JmfEventsShutdown(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID JmfEventQueue(_In_ JMF_U32 RuleId, _In_ JMF_U32 Operation, _In_ JMF_U32 Verdict, _In_ NTSTATUS Status,
                   _In_ JMF_U32 ProcessId, _In_ JMF_U32 Flags,
                   _In_reads_opt_(VolumeChars) const WCHAR *Volume, _In_ JMF_U32 VolumeChars,
                   _In_reads_opt_(PathChars) const JMF_U16 *Path, _In_ JMF_U32 PathChars,
                   _In_reads_opt_(OtherPathChars) const JMF_U16 *OtherPath, _In_ JMF_U32 OtherPathChars);
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS JmfEventsDrain(_Out_writes_bytes_to_(OutputBufferLength, *ReturnLength) PVOID OutputBuffer,
                        _In_ ULONG OutputBufferLength, _Out_ PULONG ReturnLength);

/* jmf_stats.c */
typedef enum _JMF_STAT {
    JmfStatOperations,
    JmfStatAsks,
    JmfStatAskTimeouts,
    JmfStatAskNoClient,
    JmfStatAskOverLimit,
    JmfStatAskBadReplies,
    JmfStatDefaultVerdicts,
    JmfStatRedirectFallbacks,
    JmfStatPostCreateCancels,
    JmfStatEventsQueued,
    JmfStatEventsDropped,
    JmfStatPoliciesRejected,
    JmfStatAskNotWaited,
    JmfStatAskCancelled,
    JmfStatRedirectTargetLost,
    JmfStatRedirectRefused,
    JmfStatAuditOnly,
    JmfStatCount
} JMF_STAT;

_IRQL_requires_(PASSIVE_LEVEL) VOID JmfStatsInitialize(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) VOID JmfStatsAdd(_In_ JMF_STAT Stat);
_IRQL_requires_max_(DISPATCH_LEVEL) VOID JmfStatsVerdict(_In_ JMF_U32 ActionType);
_IRQL_requires_max_(DISPATCH_LEVEL) LONG64 JmfStatsRead(_In_ JMF_STAT Stat);
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS JmfStatsGet(_Out_writes_bytes_to_(OutputBufferLength, *ReturnLength) PVOID OutputBuffer,
                     _In_ ULONG OutputBufferLength, _Out_ PULONG ReturnLength);

/* Allocation helpers, jmf_driver.c. Zeroed; non-paged unless said otherwise. */
_IRQL_requires_max_(DISPATCH_LEVEL) PVOID JmfAllocateNonPaged(_In_ SIZE_T Bytes, _In_ ULONG Tag);
_IRQL_requires_max_(APC_LEVEL) PVOID JmfAllocatePaged(_In_ SIZE_T Bytes, _In_ ULONG Tag);
_IRQL_requires_max_(DISPATCH_LEVEL) VOID JmfFree(_In_opt_ _Post_invalid_ PVOID Block, _In_ ULONG Tag);

#endif /* JMF_DRIVER_H */
