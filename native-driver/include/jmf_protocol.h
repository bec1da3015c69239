/*++

Module Name:

    jmf_protocol.h

Abstract:

    The jminifilter wire protocol: every byte that crosses the Filter Manager
    communication port between jminifilter.sys and the Java policy service.

    This header is the single source of truth. It compiles unchanged for the
    kernel (MSVC or clang-cl, x64 and ARM64), for Windows user mode and for
    Linux gcc/clang; the Java codec (org.jminifilter.protocol) mirrors it and a
    conformance test compares every size, offset and sample encoding.

    Rules that keep the layout identical everywhere:

      - fixed-width types only (JMF_U8 .. JMF_U64, JMF_I32); never ULONG or
        long, which are 32 bits on LLP64 Windows and 64 bits on LP64 Linux;
      - every structure is naturally aligned with its padding spelled out as
        Reserved fields (which senders set to zero and receivers reject when
        they are not), so no #pragma pack is needed and no compiler inserts
        padding of its own;
      - little-endian (every Windows target and every Linux host we build on);
      - a static assertion on every size and every field offset.

    Strings are UTF-16LE code units (JMF_U16), never NUL-terminated: a length
    in BYTES (always even) says how long they are.

Messages:

    User mode -> kernel (FilterSendMessage): a COMMAND, which starts with a
    JMF_COMMAND_HEADER. The kernel's reply is written to the output buffer of
    FilterSendMessage; its layout depends on the command (see each command).

    Kernel -> user mode (FltSendMessage / FilterGetMessage): an ASK, which
    starts with a JMF_NOTIFICATION_HEADER and needs a verdict. User mode
    answers with FilterReplyMessage.

    Events (what AUDIT and every enforcement report) are not pushed: they wait
    in a bounded non-paged queue in the kernel and user mode pulls them with
    JMF_COMMAND_GET_EVENTS. FltSendMessage waits until a receiver takes the
    message, and nothing on the I/O path may wait on user mode just to report.

Reply sizing (the documented FltSendMessage / FilterReplyMessage rule):

    FILTER_MESSAGE_HEADER and FILTER_REPLY_HEADER are 16 bytes on x64 and
    ARM64, MessageId at offset 8 (JMF_FILTER_MESSAGE_HEADER and
    JMF_FILTER_REPLY_HEADER below mirror them for the Java side and for
    static assertions).

      - User mode receives an ASK into a buffer that starts with
        FILTER_MESSAGE_HEADER: FilterGetMessage(port, buffer,
        sizeof(FILTER_MESSAGE_HEADER) + sizeof(JMF_ASK), overlapped).
      - The kernel passes FltSendMessage a reply buffer of
        sizeof(JMF_ASK_REPLY) and *ReplyLength = sizeof(JMF_ASK_REPLY): the
        length EXCLUDES the reply header, which the filter manager strips.
      - User mode passes FilterReplyMessage a buffer that starts with
        FILTER_REPLY_HEADER and dwReplyBufferSize =
        sizeof(FILTER_REPLY_HEADER) + sizeof(JMF_ASK_REPLY): the length
        INCLUDES the reply header. (Never sizeof of a wrapping struct: trailing
        padding would make it larger, and the kernel would see
        STATUS_BUFFER_OVERFLOW. JMF_ASK_REPLY has no trailing padding, which
        a static assertion checks.)

Connection:

    FilterConnectCommunicationPort(JMF_PORT_NAME, 0, &context,
    sizeof(JMF_CONNECT_CONTEXT), NULL, &port) with a JMF_CONNECT_CONTEXT whose
    Magic is JMF_CONNECT_MAGIC and ProtocolVersion JMF_PROTOCOL_VERSION. The
    driver refuses any other context with STATUS_REVISION_MISMATCH (user mode
    sees HRESULT 0x8007051A, ERROR_REVISION_MISMATCH). lpContext's size is a
    WORD (wSizeOfContext).

--*/

#ifndef JMF_PROTOCOL_H
#define JMF_PROTOCOL_H

/*
 * Fixed-width types. stdint.h is not part of every kernel build environment,
 * so the MSVC family uses its sized integer keywords.
 */
#if defined(_MSC_VER)
typedef unsigned __int8  JMF_U8;
typedef unsigned __int16 JMF_U16;
typedef unsigned __int32 JMF_U32;
typedef signed __int32   JMF_I32;
typedef unsigned __int64 JMF_U64;
#else
#include <stdint.h>
typedef uint8_t  JMF_U8;
typedef uint16_t JMF_U16;
typedef uint32_t JMF_U32;
typedef int32_t  JMF_I32;
typedef uint64_t JMF_U64;
#endif

/*
 * Compile-time assertions. C++ and C11 or later have them built in. MSVC's C
 * compiler without /std:c11 or /std:c17 (its default, and what a user gets
 * who includes this header in their own /TC code) defines no
 * __STDC_VERSION__ and rejects _Static_assert, as strict C89/C99 compilers
 * do; they get the negative-size array of the WDK's C_ASSERT instead
 * ("negative subscript" when it fails; the message is then only in the
 * source). Its name is made unique with __LINE__ because C89/C99 forbid
 * declaring a typedef twice, even with the same type. The driver itself is
 * built with /std:c17 (LanguageStandard_C in jminifilter.vcxproj).
 * native-driver/host/checks/header-modes.sh compiles this header in each mode.
 */
#if defined(__cplusplus)
#define JMF_STATIC_ASSERT(e, m) static_assert(e, m)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define JMF_STATIC_ASSERT(e, m) _Static_assert(e, m)
#else
#define JMF_STATIC_ASSERT_NAME2(line) jmf_static_assert_line_##line
#define JMF_STATIC_ASSERT_NAME(line) JMF_STATIC_ASSERT_NAME2(line)
#define JMF_STATIC_ASSERT(e, m) typedef char JMF_STATIC_ASSERT_NAME(__LINE__)[(e) ? 1 : -1]
#endif

/*
 * offsetof without stddef.h, which kernel builds do not always see. The
 * fallback (MSVC's cl.exe) is the form of the WDK's FIELD_OFFSET, which
 * MSVC folds to a constant: the WDK's own headers use it in C_ASSERT.
 */
#if defined(__GNUC__) || defined(__clang__)
#define JMF_OFFSETOF(t, f) __builtin_offsetof(t, f)
#else
#define JMF_OFFSETOF(t, f) ((JMF_U32)(JMF_U64)&(((t *)0)->f))
#endif

#define JMF_ASSERT_SIZE(t, n) \
    JMF_STATIC_ASSERT(sizeof(t) == (n), "size of " #t " must be " #n)
#define JMF_ASSERT_OFFSET(t, f, n) \
    JMF_STATIC_ASSERT(JMF_OFFSETOF(t, f) == (n), "offset of " #t "." #f " must be " #n)

/* ------------------------------------------------------------------------ */
/* Connection                                                                */
/* ------------------------------------------------------------------------ */

/* The port's name, as a wide string literal for both kernel and user mode. */
#define JMF_PORT_NAME L"\\JMiniFilterPort"

/* 'JMFC' read as a little-endian 32-bit number. */
#define JMF_CONNECT_MAGIC 0x43464D4Au

/*
 * The protocol version. Any change to a layout or a meaning in this file
 * bumps it; both sides refuse a peer with another version.
 */
#define JMF_PROTOCOL_VERSION 4u /* 2: four statistics counters, OtherPath in events, rename/link destination flags;
                                   3: Flags in the policy header and the configuration (were Reserved);
                                   4: audit-only accepted (policy and action flags), JMF_STATISTICS.AuditOnly,
                                      redirect by reparse accepted (JMF_ACTION_FLAG_REPARSE), persistence
                                      (JMF_POLICY_FLAG_PERSIST, JMF_CONFIG_FLAG_PERSIST), locked mode
                                      (JMF_CONFIG_FLAG_LOCKED, JMF_COMMAND_UNLOCK) */

typedef struct _JMF_CONNECT_CONTEXT {
    JMF_U32 Magic;              /* JMF_CONNECT_MAGIC */
    JMF_U16 ProtocolVersion;    /* JMF_PROTOCOL_VERSION */
    JMF_U16 Reserved;           /* zero */
} JMF_CONNECT_CONTEXT;
JMF_ASSERT_SIZE(JMF_CONNECT_CONTEXT, 8);
JMF_ASSERT_OFFSET(JMF_CONNECT_CONTEXT, Magic, 0);
JMF_ASSERT_OFFSET(JMF_CONNECT_CONTEXT, ProtocolVersion, 4);
JMF_ASSERT_OFFSET(JMF_CONNECT_CONTEXT, Reserved, 6);

/*
 * Mirrors of fltuser.h's FILTER_MESSAGE_HEADER and FILTER_REPLY_HEADER on
 * 64-bit Windows (ULONG ReplyLength / NTSTATUS Status, then 4 bytes of
 * padding, then ULONGLONG MessageId). User mode reads and writes these in
 * front of every notification and reply; the kernel never sees them.
 */
typedef struct _JMF_FILTER_MESSAGE_HEADER {
    JMF_U32 ReplyLength;        /* room the kernel left for a reply, header included */
    JMF_U32 Padding;
    JMF_U64 MessageId;
} JMF_FILTER_MESSAGE_HEADER;
JMF_ASSERT_SIZE(JMF_FILTER_MESSAGE_HEADER, 16);
JMF_ASSERT_OFFSET(JMF_FILTER_MESSAGE_HEADER, ReplyLength, 0);
JMF_ASSERT_OFFSET(JMF_FILTER_MESSAGE_HEADER, MessageId, 8);

typedef struct _JMF_FILTER_REPLY_HEADER {
    JMF_I32 Status;             /* NTSTATUS; jminifilter always sends 0 */
    JMF_U32 Padding;
    JMF_U64 MessageId;          /* the MessageId of the notification answered */
} JMF_FILTER_REPLY_HEADER;
JMF_ASSERT_SIZE(JMF_FILTER_REPLY_HEADER, 16);
JMF_ASSERT_OFFSET(JMF_FILTER_REPLY_HEADER, Status, 0);
JMF_ASSERT_OFFSET(JMF_FILTER_REPLY_HEADER, MessageId, 8);

/* ------------------------------------------------------------------------ */
/* Vocabulary shared by rules, asks, events and statistics                   */
/* ------------------------------------------------------------------------ */

/*
 * Operations. A rule matches a SET of them (a bitmask); an ask or an event
 * names exactly ONE of them (a single bit).
 */
#define JMF_OP_CREATE   0x00000001u /* IRP_MJ_CREATE */
#define JMF_OP_READ     0x00000002u /* IRP_MJ_READ (not paging I/O) */
#define JMF_OP_WRITE    0x00000004u /* IRP_MJ_WRITE (not paging I/O) */
#define JMF_OP_RENAME   0x00000008u /* IRP_MJ_SET_INFORMATION, FileRenameInformation(Ex) */
#define JMF_OP_DELETE   0x00000010u /* IRP_MJ_SET_INFORMATION, FileDispositionInformation(Ex) */
#define JMF_OP_ALL      0x0000001Fu

/*
 * Actions: what a rule does when it matches, and what an ask's verdict says.
 * Values are dense from 1 so they index JMF_STATISTICS.Verdicts.
 */
#define JMF_ACTION_ALLOW    1u  /* let the operation through, no event */
#define JMF_ACTION_DENY     2u  /* fail it with Status (pre-op, or post-create with JMF_ACTION_FLAG_POST_CREATE) */
#define JMF_ACTION_MODIFY   3u  /* edit its parameters, FltSetCallbackDataDirty */
#define JMF_ACTION_REDIRECT 4u  /* send its reads/writes to TargetVolume's instance */
#define JMF_ACTION_ASK      5u  /* ask user mode; TimeoutMs and DefaultVerdict bound the wait */
#define JMF_ACTION_AUDIT    6u  /* let the operation through and report an event */
#define JMF_ACTION_COUNT    7u  /* one past the last action; Verdicts[0] is unused */

/* JMF_ACTION.Flags */
#define JMF_ACTION_FLAG_POST_CREATE   0x00000001u /* DENY, ASK, AUDIT on JMF_OP_CREATE only: decide in post-create */
#define JMF_ACTION_FLAG_FALLBACK_DENY 0x00000002u /* REDIRECT: when the target is missing or invalid, deny with Status (else pass through) */
#define JMF_ACTION_FLAG_AUDIT_ONLY    0x00000004u /* DENY, MODIFY, REDIRECT, ASK of a rule: audit-only (decided, reported
                                                     as "would", not applied; an ASK is not asked); never in a verdict */
#define JMF_ACTION_FLAG_REPARSE       0x00000008u /* REDIRECT rules only: the mechanism is reparse (pre-create
                                                     rewrites the name, STATUS_REPARSE: the whole open happens on
                                                     the target); the rule names its volume, and no reparse rule
                                                     may start on another reparse rule's target volume */
#define JMF_ACTION_FLAGS_VALID        (0x00000003u | JMF_ACTION_FLAG_AUDIT_ONLY | JMF_ACTION_FLAG_REPARSE)

/* JMF_ACTION.Disposition: leave the create disposition alone. */
#define JMF_DISPOSITION_UNCHANGED 0xFFFFFFFFu

/*
 * Operation flags (IO_STACK_LOCATION.Flags, FLT_IO_PARAMETER_BLOCK.OperationFlags)
 * that a MODIFY may add or remove. The same bit means different things for
 * different major functions, so a MODIFY that touches operation flags must
 * name exactly one operation. The values are the WDK's.
 */
#define JMF_SL_FORCE_ACCESS_CHECK 0x01u /* create (SL_FORCE_ACCESS_CHECK) */
#define JMF_SL_CASE_SENSITIVE     0x80u /* create (SL_CASE_SENSITIVE) */
#define JMF_SL_WRITE_THROUGH      0x04u /* write  (SL_WRITE_THROUGH) */
#define JMF_SL_CREATE_VALID       (JMF_SL_FORCE_ACCESS_CHECK | JMF_SL_CASE_SENSITIVE)
#define JMF_SL_WRITE_VALID        (JMF_SL_WRITE_THROUGH)
#define JMF_SL_READ_VALID         0x00u

/* Create dispositions, as in the WDK (FILE_SUPERSEDE .. FILE_OVERWRITE_IF). */
#define JMF_FILE_SUPERSEDE    0u
#define JMF_FILE_OPEN         1u
#define JMF_FILE_CREATE       2u
#define JMF_FILE_OPEN_IF      3u
#define JMF_FILE_OVERWRITE    4u
#define JMF_FILE_OVERWRITE_IF 5u
#define JMF_FILE_MAXIMUM_DISPOSITION 5u
/* JMF_RULE.Dispositions: one bit (1 << JMF_FILE_*) per disposition. */
#define JMF_DISPOSITIONS_VALID ((1u << (JMF_FILE_MAXIMUM_DISPOSITION + 1u)) - 1u)

/*
 * STATUS_FLT_DISALLOW_FAST_IO (ntstatus.h): only the filter manager may use
 * it, so no DENY status, fallback status or default deny status may be it.
 */
#define JMF_STATUS_FLT_DISALLOW_FAST_IO ((JMF_I32)0xC01C0004)

/* Create options a MODIFY may add or remove (the low 24 bits of CreateOptions). */
#define JMF_CREATE_OPTIONS_VALID 0x00FFFFFFu

/* Fixed string capacities in asks and events, in UTF-16 code units. */
#define JMF_MAX_VOLUME_CHARS 64u
#define JMF_MAX_PATH_CHARS   512u
#define JMF_MAX_IMAGE_CHARS  260u

/* An index into the policy's volume table, or "any volume". */
#define JMF_VOLUME_ANY 0xFFFFu

/* A rule id meaning "no rule" (a default verdict, a redirect fallback). */
#define JMF_RULE_NONE 0xFFFFFFFFu

/* ------------------------------------------------------------------------ */
/* Actions                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * What to do with an operation. One layout for a rule's action and for an
 * ask's verdict. Fields an action type does not use are zero (Disposition:
 * JMF_DISPOSITION_UNCHANGED), and the kernel rejects them otherwise.
 */
typedef struct _JMF_ACTION {
    JMF_U32 Type;                /* JMF_ACTION_* */
    JMF_U32 Flags;               /* JMF_ACTION_FLAG_* */
    JMF_I32 Status;              /* DENY; REDIRECT with FALLBACK_DENY; ASK whose DefaultVerdict is DENY:
                                    an NTSTATUS of error severity (0xC...), never STATUS_FLT_DISALLOW_FAST_IO */
    JMF_U32 AccessClear;         /* MODIFY: desired-access bits to strip from a create */
    JMF_U32 OptionsSet;          /* MODIFY: create options to add */
    JMF_U32 OptionsClear;        /* MODIFY: create options to remove */
    JMF_U32 Disposition;         /* MODIFY: JMF_FILE_* to force, or JMF_DISPOSITION_UNCHANGED */
    JMF_U8  OperationFlagsSet;   /* MODIFY: JMF_SL_* to add */
    JMF_U8  OperationFlagsClear; /* MODIFY: JMF_SL_* to remove */
    JMF_U16 TargetVolume;        /* REDIRECT: index into the policy's volume table */
    JMF_U32 TimeoutMs;           /* ASK: 1 .. JMF_MAX_ASK_TIMEOUT_MS, or 0 for the configured AskTimeoutMs */
    JMF_U32 DefaultVerdict;      /* ASK: ALLOW or DENY (with Status), or 0 for the configured default */
} JMF_ACTION;
JMF_ASSERT_SIZE(JMF_ACTION, 40);
JMF_ASSERT_OFFSET(JMF_ACTION, Type, 0);
JMF_ASSERT_OFFSET(JMF_ACTION, Flags, 4);
JMF_ASSERT_OFFSET(JMF_ACTION, Status, 8);
JMF_ASSERT_OFFSET(JMF_ACTION, AccessClear, 12);
JMF_ASSERT_OFFSET(JMF_ACTION, OptionsSet, 16);
JMF_ASSERT_OFFSET(JMF_ACTION, OptionsClear, 20);
JMF_ASSERT_OFFSET(JMF_ACTION, Disposition, 24);
JMF_ASSERT_OFFSET(JMF_ACTION, OperationFlagsSet, 28);
JMF_ASSERT_OFFSET(JMF_ACTION, OperationFlagsClear, 29);
JMF_ASSERT_OFFSET(JMF_ACTION, TargetVolume, 30);
JMF_ASSERT_OFFSET(JMF_ACTION, TimeoutMs, 32);
JMF_ASSERT_OFFSET(JMF_ACTION, DefaultVerdict, 36);

#define JMF_MAX_ASK_TIMEOUT_MS 60000u

/* ------------------------------------------------------------------------ */
/* The compiled policy (the body of JMF_COMMAND_SET_POLICY)                  */
/* ------------------------------------------------------------------------ */

/*
 * Layout, all offsets from the start of JMF_POLICY_HEADER, each section
 * 8-byte aligned and inside TotalLength, sections not overlapping:

 *     JMF_POLICY_HEADER
 *     JMF_RULE   Rules[RuleCount]            at RuleOffset
 *     JMF_VOLUME Volumes[VolumeCount]        at VolumeOffset
 *     JMF_U16    Strings[StringBytes / 2]    at StringOffset
 *
 * Every string is a JMF_STRING_REF into the string table: an even byte
 * offset and an even byte length, inside the table.
 *
 * Beyond what each field's comment says, a rule is rejected (the driver
 * reports the first problem it finds) when:
 *   - DesiredAccess or Dispositions is set on a rule whose operations are not
 *     exactly JMF_OP_CREATE (BAD_OPERATIONS);
 *   - a MODIFY changes nothing or sets and clears the same bit (BAD_MODIFY),
 *     or edits create fields without JMF_OP_CREATE in its operations
 *     (BAD_OPERATIONS);
 *   - a REDIRECT's operations leave out JMF_OP_CREATE or go beyond
 *     CREATE | READ | WRITE (BAD_OPERATIONS), or its TargetVolume is the
 *     rule's own Volume (BAD_VOLUME);
 *   - a MODIFY or REDIRECT is marked post-create (BAD_FLAGS);
 *   - an ALLOW or AUDIT is marked audit-only (BAD_FLAGS: they already let the
 *     operation through; the policy-level flag leaves them alone instead);
 *   - two volume names are equal without regard to case (BAD_VOLUME).
 * "Without regard to case" is always JmfUpcase's fold (ASCII, Latin-1,
 * Greek, Cyrillic simple upper case), part of this contract: Java mirrors it.
 *
 * Rules are tried in order and the first that matches decides, separately
 * in two phases: the pre-operation phase tries every rule without
 * JMF_ACTION_FLAG_POST_CREATE and without a post-create match flag; the
 * post-create phase (only for creates that succeeded and were not denied
 * before) tries the others.
 */

/*
 * JMF_POLICY_HEADER.Flags (JMF_POLICY_FLAGS_VALID grows as each is implemented):
 *   AUDIT_ONLY  accepted: every rule whose action is DENY, MODIFY, REDIRECT or
 *               ASK is audit-only, as if it had JMF_ACTION_FLAG_AUDIT_ONLY
 *               (ALLOW and AUDIT rules are unchanged): it decides as in
 *               enforce mode (first match, same phases) but the operation
 *               passes unchanged and is reported as "would"
 *               (JMF_EVENT_FLAG_AUDIT_ONLY, Verdict = the rule's action);
 *               an audit-only ASK is not asked. A would-DENY ends the
 *               operation's decisions as a DENY would (no post-create phase,
 *               no rename destination);
 *   (assigned, not yet accepted)
 *   PERSIST     the driver keeps the validated policy in its service key and
 *               puts it in force at the next load, before any service runs
 *               (value PersistedPolicy of the Parameters subkey; persisting
 *               a policy with no rules deletes the value instead).
 */
#define JMF_POLICY_FLAG_AUDIT_ONLY 0x0001u
#define JMF_POLICY_FLAG_PERSIST    0x0002u
#define JMF_POLICY_FLAGS_VALID     (JMF_POLICY_FLAG_AUDIT_ONLY | JMF_POLICY_FLAG_PERSIST)

/* 'JMFP' read as a little-endian 32-bit number. */
#define JMF_POLICY_MAGIC   0x50464D4Au
#define JMF_POLICY_VERSION 1u

#define JMF_MAX_RULES           100000u
#define JMF_MAX_VOLUMES         64u
#define JMF_MAX_PATTERN_CHARS   1024u         /* path and image patterns, in UTF-16 code units */
#define JMF_MAX_POLICY_BYTES    (32u << 20)   /* the whole SET_POLICY body */

typedef struct _JMF_STRING_REF {
    JMF_U32 Offset;             /* bytes from the start of the string table; even */
    JMF_U32 Length;             /* bytes; even; 0 means "no string" (match anything) */
} JMF_STRING_REF;
JMF_ASSERT_SIZE(JMF_STRING_REF, 8);
JMF_ASSERT_OFFSET(JMF_STRING_REF, Offset, 0);
JMF_ASSERT_OFFSET(JMF_STRING_REF, Length, 4);

typedef struct _JMF_POLICY_HEADER {
    JMF_U32 Magic;              /* JMF_POLICY_MAGIC */
    JMF_U16 Version;            /* JMF_POLICY_VERSION */
    JMF_U16 Flags;              /* JMF_POLICY_FLAG_*; bits outside JMF_POLICY_FLAGS_VALID are refused (RESERVED) */
    JMF_U32 TotalLength;        /* bytes, header included; equals the command body's length */
    JMF_U32 RuleCount;          /* 0 .. JMF_MAX_RULES */
    JMF_U32 RuleOffset;
    JMF_U32 VolumeCount;        /* 0 .. JMF_MAX_VOLUMES */
    JMF_U32 VolumeOffset;
    JMF_U32 StringOffset;
    JMF_U32 StringBytes;        /* even */
    JMF_U32 Reserved2;          /* zero */
} JMF_POLICY_HEADER;
JMF_ASSERT_SIZE(JMF_POLICY_HEADER, 40);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, Magic, 0);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, Version, 4);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, Flags, 6);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, TotalLength, 8);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, RuleCount, 12);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, RuleOffset, 16);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, VolumeCount, 20);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, VolumeOffset, 24);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, StringOffset, 28);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, StringBytes, 32);
JMF_ASSERT_OFFSET(JMF_POLICY_HEADER, Reserved2, 36);

/*
 * A volume the policy names, by its NT device name as FltGetVolumeName
 * returns it (for example "\Device\HarddiskVolume3"), compared without
 * regard to case. Rules match on a volume, and REDIRECT targets one, by
 * index into this table. A name FltGetVolumeName can never return (not
 * starting with '\', holding '/' or "\\", ending in '\', or under "\??\"
 * or "\DosDevices\", such as a drive letter) is JMF_ERROR_NEVER_MATCHES.
 */
typedef struct _JMF_VOLUME {
    JMF_STRING_REF Name;        /* 1 .. JMF_MAX_VOLUME_CHARS code units */
} JMF_VOLUME;
JMF_ASSERT_SIZE(JMF_VOLUME, 8);
JMF_ASSERT_OFFSET(JMF_VOLUME, Name, 0);

/* JMF_RULE.MatchFlags. Each makes the rule a post-create one (JMF_OP_CREATE only). */
#define JMF_MATCH_DIRECTORY     0x0001u /* only when the opened object is a directory */
#define JMF_MATCH_NON_DIRECTORY 0x0002u /* only when it is not a directory */
#define JMF_MATCH_CREATED       0x0004u /* only when this open created the file (FILE_CREATED) */
#define JMF_MATCH_FLAGS_VALID   0x0007u

/*
 * A rule: its matches (all must hold; a zero or empty match holds for
 * everything) and its action.
 *
 * Path is a pattern over the volume-relative normalized path (for example
 * "\Users\bob\secret.txt"), compared without regard to case:
 *   ?    one character other than '\'
 *   *    any run of characters other than '\'
 *   **   any run of characters, '\' included
 * Image is the same kind of pattern over the NT path of the requesting
 * process's image (for example "**\notepad.exe"). A pattern no such name
 * can match (one that cannot start with '\', holds '/' or "\\", or ends in
 * '\' where only the root can) is JMF_ERROR_NEVER_MATCHES.
 */
typedef struct _JMF_RULE {
    JMF_U32 RuleId;             /* chosen by user mode, reported in events and statistics; not JMF_RULE_NONE */
    JMF_U32 Operations;         /* JMF_OP_* set; not empty */
    JMF_U32 ProcessId;          /* 0 = any process */
    JMF_U32 DesiredAccess;      /* creates: match when (DesiredAccess & this) != 0; 0 = any */
    JMF_U32 Dispositions;       /* creates: bit (1 << JMF_FILE_*) set for each disposition that matches; 0 = any */
    JMF_U16 Volume;             /* index into the volume table, or JMF_VOLUME_ANY */
    JMF_U16 MatchFlags;         /* JMF_MATCH_* */
    JMF_STRING_REF Path;        /* pattern; empty = any path */
    JMF_STRING_REF Image;       /* pattern; empty = any image */
    JMF_ACTION Action;
} JMF_RULE;
JMF_ASSERT_SIZE(JMF_RULE, 80);
JMF_ASSERT_OFFSET(JMF_RULE, RuleId, 0);
JMF_ASSERT_OFFSET(JMF_RULE, Operations, 4);
JMF_ASSERT_OFFSET(JMF_RULE, ProcessId, 8);
JMF_ASSERT_OFFSET(JMF_RULE, DesiredAccess, 12);
JMF_ASSERT_OFFSET(JMF_RULE, Dispositions, 16);
JMF_ASSERT_OFFSET(JMF_RULE, Volume, 20);
JMF_ASSERT_OFFSET(JMF_RULE, MatchFlags, 22);
JMF_ASSERT_OFFSET(JMF_RULE, Path, 24);
JMF_ASSERT_OFFSET(JMF_RULE, Image, 32);
JMF_ASSERT_OFFSET(JMF_RULE, Action, 40);

/* ------------------------------------------------------------------------ */
/* Commands (user mode -> kernel, FilterSendMessage)                         */
/* ------------------------------------------------------------------------ */

#define JMF_COMMAND_SET_POLICY     1u /* body: the compiled policy;    output: JMF_RESULT */
#define JMF_COMMAND_GET_STATISTICS 2u /* body: none;                   output: JMF_STATISTICS + JMF_RULE_STATISTICS[] */
#define JMF_COMMAND_SET_CONFIG     3u /* body: JMF_CONFIG;             output: JMF_RESULT */
#define JMF_COMMAND_GET_EVENTS     4u /* body: none;                   output: JMF_EVENT_BATCH + JMF_EVENT[] */
#define JMF_COMMAND_UNLOCK         5u /* body: JMF_UNLOCK_KEY;         output: JMF_RESULT */
/*
 * A command whose header is wrong (too short, Length not the buffer's length,
 * unknown Type, a body of the wrong size) is refused by the message callback
 * with STATUS_INVALID_PARAMETER (HRESULT 0x80070057); only a well-formed
 * SET_POLICY or SET_CONFIG whose BODY is wrong gets a JMF_RESULT.
 */

/*
 * Every command starts with this header; Length covers the header and the
 * body and must equal the input buffer length passed to FilterSendMessage.
 * Input and output buffers must be 8-byte aligned.
 */
typedef struct _JMF_COMMAND_HEADER {
    JMF_U32 Type;               /* JMF_COMMAND_* */
    JMF_U32 Length;             /* bytes, header included */
} JMF_COMMAND_HEADER;
JMF_ASSERT_SIZE(JMF_COMMAND_HEADER, 8);
JMF_ASSERT_OFFSET(JMF_COMMAND_HEADER, Type, 0);
JMF_ASSERT_OFFSET(JMF_COMMAND_HEADER, Length, 4);

/*
 * Why a policy or a configuration was rejected (JMF_RESULT.Error). The
 * driver returns STATUS_SUCCESS from the message callback and puts the
 * verdict here, so user mode learns which rule and which field were wrong;
 * an NTSTATUS alone could not say.
 */
#define JMF_ERROR_NONE              0u
#define JMF_ERROR_TRUNCATED         1u  /* the body is shorter than its header says */
#define JMF_ERROR_BAD_MAGIC         2u
#define JMF_ERROR_BAD_VERSION       3u
#define JMF_ERROR_BAD_LENGTH        4u  /* a length field disagrees with the buffer, or is over a limit */
#define JMF_ERROR_BAD_SECTION       5u  /* a section offset is misaligned, out of range, or overlaps another */
#define JMF_ERROR_TOO_MANY_RULES    6u
#define JMF_ERROR_TOO_MANY_VOLUMES  7u
#define JMF_ERROR_BAD_STRING        8u  /* a string ref is odd, out of the table, or too long */
#define JMF_ERROR_BAD_PATTERN       9u  /* a pattern that is not well formed (e.g. "***", a NUL) */
#define JMF_ERROR_BAD_OPERATIONS    10u /* empty, unknown bits, or not allowed with the action */
#define JMF_ERROR_BAD_ACTION        11u /* unknown action type, or ASK as an ask's verdict */
#define JMF_ERROR_BAD_FLAGS         12u /* unknown or disallowed action or match flags */
#define JMF_ERROR_BAD_STATUS        13u /* not an error NTSTATUS, or STATUS_FLT_DISALLOW_FAST_IO */
#define JMF_ERROR_BAD_VOLUME        14u /* a volume index out of the table */
#define JMF_ERROR_BAD_MODIFY        15u /* access, options, disposition or SL_* bits out of range */
#define JMF_ERROR_BAD_TIMEOUT       16u
#define JMF_ERROR_BAD_DEFAULT       17u /* a default verdict that is neither ALLOW nor DENY */
#define JMF_ERROR_RESERVED          18u /* a reserved field or an unused action field is not zero */
#define JMF_ERROR_BAD_RULE_ID       19u /* JMF_RULE_NONE, or an id used twice */
#define JMF_ERROR_NO_MEMORY         20u
#define JMF_ERROR_BAD_CONFIG        21u /* a configuration value out of range */
#define JMF_ERROR_NEVER_MATCHES     22u /* a path or image pattern, or a volume name, no name the kernel sees can match */
#define JMF_ERROR_NOT_PERSISTED     23u /* put in force, but the driver could not write it to its service key
                                           (Status: the registry's NTSTATUS; Generation: the one in force) */
#define JMF_ERROR_LOCKED            24u /* locked: a wrong unlock key, or a SET_CONFIG that would drop or
                                           change the lock without UNLOCK first (Status: STATUS_ACCESS_DENIED) */
#define JMF_ERROR_COUNT             25u

/* JMF_RESULT.RuleIndex when the problem is not in a rule. */
#define JMF_INDEX_NONE 0xFFFFFFFFu

typedef struct _JMF_RESULT {
    JMF_I32 Status;             /* NTSTATUS: STATUS_SUCCESS, or why it was refused */
    JMF_U32 Error;              /* JMF_ERROR_* */
    JMF_U32 RuleIndex;          /* the rule (its position, from 0) at fault, or JMF_INDEX_NONE */
    JMF_U32 Generation;         /* the policy generation in force after the command */
} JMF_RESULT;
JMF_ASSERT_SIZE(JMF_RESULT, 16);
JMF_ASSERT_OFFSET(JMF_RESULT, Status, 0);
JMF_ASSERT_OFFSET(JMF_RESULT, Error, 4);
JMF_ASSERT_OFFSET(JMF_RESULT, RuleIndex, 8);
JMF_ASSERT_OFFSET(JMF_RESULT, Generation, 12);

/* JMF_CONFIG.OnDisconnect */
#define JMF_DISCONNECT_KEEP_POLICY  1u
#define JMF_DISCONNECT_CLEAR_POLICY 2u

#define JMF_MAX_ASKS_IN_FLIGHT 256u

/* Defaults in force until the first SET_CONFIG. */
#define JMF_DEFAULT_ASK_TIMEOUT_MS    3000u
#define JMF_DEFAULT_VERDICT           JMF_ACTION_ALLOW
#define JMF_DEFAULT_DENY_STATUS       ((JMF_I32)0xC0000022) /* STATUS_ACCESS_DENIED */
#define JMF_DEFAULT_ON_DISCONNECT     JMF_DISCONNECT_KEEP_POLICY
#define JMF_DEFAULT_MAX_ASKS_IN_FLIGHT 16u

/*
 * JMF_CONFIG.Flags:
 *   PERSIST  the driver keeps this configuration in its service key for the
 *            next load (value PersistedConfig of the Parameters subkey, the
 *            24 bytes of JMF_CONFIG with LOCKED cleared: the lock and its key
 *            never reach the disk). Persisting the defaults of this file
 *            deletes the value instead.
 *   LOCKED   tamper resistance: the driver refuses a non-mandatory unload and
 *            a detach from its volumes until JMF_COMMAND_UNLOCK presents the
 *            key the lock was set with. A SET_CONFIG with LOCKED carries that
 *            key: its body is JMF_CONFIG then JMF_UNLOCK_KEY (56 bytes);
 *            without LOCKED the body is JMF_CONFIG alone (24 bytes). While
 *            locked, a SET_CONFIG must keep LOCKED with the same key
 *            (JMF_ERROR_LOCKED otherwise).
 */
#define JMF_CONFIG_FLAG_PERSIST 0x00000001u
#define JMF_CONFIG_FLAG_LOCKED  0x00000002u
#define JMF_CONFIG_FLAGS_VALID  (JMF_CONFIG_FLAG_PERSIST | JMF_CONFIG_FLAG_LOCKED)

typedef struct _JMF_CONFIG {
    JMF_U32 AskTimeoutMs;       /* 1 .. JMF_MAX_ASK_TIMEOUT_MS: the wait for an ASK whose rule says 0 */
    JMF_U32 DefaultVerdict;     /* ALLOW or DENY: when an ask gets no answer and its rule says 0 */
    JMF_I32 DefaultDenyStatus;  /* error NTSTATUS used with a DENY default verdict; may be 0 with ALLOW */
    JMF_U32 OnDisconnect;       /* JMF_DISCONNECT_* */
    JMF_U32 MaxAsksInFlight;    /* 1 .. JMF_MAX_ASKS_IN_FLIGHT; more at once get the default verdict */
    JMF_U32 Flags;              /* JMF_CONFIG_FLAG_*; bits outside JMF_CONFIG_FLAGS_VALID are refused (RESERVED) */
} JMF_CONFIG;
JMF_ASSERT_SIZE(JMF_CONFIG, 24);
JMF_ASSERT_OFFSET(JMF_CONFIG, AskTimeoutMs, 0);
JMF_ASSERT_OFFSET(JMF_CONFIG, DefaultVerdict, 4);
JMF_ASSERT_OFFSET(JMF_CONFIG, DefaultDenyStatus, 8);
JMF_ASSERT_OFFSET(JMF_CONFIG, OnDisconnect, 12);
JMF_ASSERT_OFFSET(JMF_CONFIG, MaxAsksInFlight, 16);
JMF_ASSERT_OFFSET(JMF_CONFIG, Flags, 20);

/*
 * The secret of a lock: random bytes the service chooses (and keeps in
 * memory only), sent with a SET_CONFIG that sets LOCKED and again with
 * JMF_COMMAND_UNLOCK. The driver compares them in constant time. UNLOCK
 * with the right key clears LOCKED (the rest of the configuration stays);
 * with a wrong key it fails with JMF_ERROR_LOCKED; when not locked it
 * succeeds and changes nothing.
 */
#define JMF_UNLOCK_KEY_BYTES 32u
typedef struct _JMF_UNLOCK_KEY {
    JMF_U8 Key[JMF_UNLOCK_KEY_BYTES];
} JMF_UNLOCK_KEY;
JMF_ASSERT_SIZE(JMF_UNLOCK_KEY, 32);
JMF_ASSERT_OFFSET(JMF_UNLOCK_KEY, Key, 0);

/*
 * GET_STATISTICS output: JMF_STATISTICS, then RuleCount JMF_RULE_STATISTICS
 * in rule order. When the output buffer cannot hold them all the command
 * fails with STATUS_BUFFER_TOO_SMALL (HRESULT 0x8007007A) and writes
 * nothing; user mode grows its buffer and asks again.
 */
typedef struct _JMF_STATISTICS {
    JMF_U32 Generation;         /* policy generation counted */
    JMF_U32 RuleCount;
    JMF_U64 Operations;         /* operations a rule was tried on */
    JMF_U64 Verdicts[JMF_ACTION_COUNT]; /* by JMF_ACTION_*; [0] unused */
    JMF_U64 Asks;               /* asks sent to user mode */
    JMF_U64 AskTimeouts;        /* asks that got no answer in time */
    JMF_U64 AskNoClient;        /* asks not sent: no client connected */
    JMF_U64 AskOverLimit;       /* asks not sent: MaxAsksInFlight reached */
    JMF_U64 AskBadReplies;      /* replies of the wrong size or with an invalid verdict */
    JMF_U64 DefaultVerdicts;    /* operations given a default verdict (any cause above) */
    JMF_U64 RedirectFallbacks;  /* redirects whose target was missing or invalid */
    JMF_U64 PostCreateCancels;  /* creates cancelled with FltCancelFileOpen */
    JMF_U64 EventsQueued;
    JMF_U64 EventsDropped;      /* events lost because the queue was full */
    JMF_U64 PoliciesRejected;
    JMF_U64 AskNotWaited;       /* asks not sent: the thread must not wait (a top-level IRP: the file
                                   system or the cache manager holds locks); default verdict */
    JMF_U64 AskCancelled;       /* asks ended early with their default verdict: the port closed, the
                                   client disconnected or the instance was torn down */
    JMF_U64 RedirectTargetLost; /* operations failed on a redirected handle whose target is gone */
    JMF_U64 RedirectRefused;    /* operations refused on a redirected handle: they cannot follow the
                                   redirect (sections, byte-range locks, some FSCTLs) */
    JMF_U64 AuditOnly;          /* decisions of audit-only rules: nothing applied; each is also counted
                                   in Verdicts by the action that would have applied */
} JMF_STATISTICS;
JMF_ASSERT_SIZE(JMF_STATISTICS, 200);
JMF_ASSERT_OFFSET(JMF_STATISTICS, Generation, 0);
JMF_ASSERT_OFFSET(JMF_STATISTICS, RuleCount, 4);
JMF_ASSERT_OFFSET(JMF_STATISTICS, Operations, 8);
JMF_ASSERT_OFFSET(JMF_STATISTICS, Verdicts, 16);
JMF_ASSERT_OFFSET(JMF_STATISTICS, Asks, 72);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AskTimeouts, 80);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AskNoClient, 88);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AskOverLimit, 96);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AskBadReplies, 104);
JMF_ASSERT_OFFSET(JMF_STATISTICS, DefaultVerdicts, 112);
JMF_ASSERT_OFFSET(JMF_STATISTICS, RedirectFallbacks, 120);
JMF_ASSERT_OFFSET(JMF_STATISTICS, PostCreateCancels, 128);
JMF_ASSERT_OFFSET(JMF_STATISTICS, EventsQueued, 136);
JMF_ASSERT_OFFSET(JMF_STATISTICS, EventsDropped, 144);
JMF_ASSERT_OFFSET(JMF_STATISTICS, PoliciesRejected, 152);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AskNotWaited, 160);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AskCancelled, 168);
JMF_ASSERT_OFFSET(JMF_STATISTICS, RedirectTargetLost, 176);
JMF_ASSERT_OFFSET(JMF_STATISTICS, RedirectRefused, 184);
JMF_ASSERT_OFFSET(JMF_STATISTICS, AuditOnly, 192);

typedef struct _JMF_RULE_STATISTICS {
    JMF_U32 RuleId;
    JMF_U32 Reserved;
    JMF_U64 Matches;            /* times this rule decided an operation */
} JMF_RULE_STATISTICS;
JMF_ASSERT_SIZE(JMF_RULE_STATISTICS, 16);
JMF_ASSERT_OFFSET(JMF_RULE_STATISTICS, RuleId, 0);
JMF_ASSERT_OFFSET(JMF_RULE_STATISTICS, Matches, 8);

/* ------------------------------------------------------------------------ */
/* Events (pulled with JMF_COMMAND_GET_EVENTS)                              */
/* ------------------------------------------------------------------------ */

#define JMF_EVENT_QUEUE_CAPACITY 1024u

/* JMF_EVENT.Flags */
#define JMF_EVENT_FLAG_POST_CREATE       0x0001u /* decided in post-create */
#define JMF_EVENT_FLAG_DEFAULT_VERDICT   0x0002u /* an ask's default verdict, not an answer */
#define JMF_EVENT_FLAG_ASK_TIMEOUT       0x0004u /* ... because user mode did not answer in time */
#define JMF_EVENT_FLAG_ASKED             0x0008u /* the verdict came from user mode's answer */
#define JMF_EVENT_FLAG_REDIRECT_FALLBACK 0x0010u /* a redirect whose target was missing or invalid */
#define JMF_EVENT_FLAG_PATH_TRUNCATED    0x0020u /* Path holds only the first JMF_MAX_PATH_CHARS code units */
#define JMF_EVENT_FLAG_MODIFIED          0x0040u /* MODIFY changed at least one parameter */
#define JMF_EVENT_FLAG_DESTINATION       0x0080u /* Path is the destination of a rename or link, evaluated as a
                                                    CREATE of it (a DELETE of it when it replaces a file) */
#define JMF_EVENT_FLAG_LINK              0x0100u /* a hard link (FileLinkInformation(Ex)), not a rename */
#define JMF_EVENT_FLAG_OTHER_PATH_TRUNCATED 0x0200u /* OtherPath holds only the first JMF_MAX_PATH_CHARS code units */
#define JMF_EVENT_FLAG_REDIRECT_TARGET_LOST 0x0400u /* I/O on a redirected handle whose target is gone: failed */
#define JMF_EVENT_FLAG_REDIRECT_REFUSED  0x0800u /* an operation that cannot follow the redirect: refused */
#define JMF_EVENT_FLAG_ASK_NOT_WAITED    0x1000u /* default verdict: the thread must not wait (top-level IRP) */
#define JMF_EVENT_FLAG_ASK_CANCELLED     0x2000u /* default verdict: the ask ended at unload, teardown or disconnect */
#define JMF_EVENT_FLAG_AUDIT_ONLY        0x4000u /* audit-only: Verdict is what would have applied; the operation passed
                                                    unchanged, Status is its final status */
#define JMF_EVENT_FLAG_REPARSE           0x8000u /* a REDIRECT by reparse (the open was re-issued on the target) */
#define JMF_EVENT_FLAG_PERSISTED_REJECTED 0x10000u /* not an operation: at load, a persisted value did not validate
                                                      and was ignored. RuleId JMF_RULE_NONE, Operation and Verdict 0,
                                                      Status why, Path the value's name ("PersistedPolicy" or
                                                      "PersistedConfig"), no volume */
#define JMF_EVENT_FLAGS_VALID            0x1FFFFu

typedef struct _JMF_EVENT {
    JMF_U64 Time;               /* system time, 100 ns units since 1601-01-01 UTC */
    JMF_U64 Sequence;           /* increases by one per event queued, dropped ones included */
    JMF_U32 RuleId;             /* the deciding rule, or JMF_RULE_NONE */
    JMF_U32 Operation;          /* one JMF_OP_* bit */
    JMF_U32 Verdict;            /* JMF_ACTION_* applied (with JMF_EVENT_FLAG_AUDIT_ONLY: that would have applied) */
    JMF_I32 Status;             /* the operation's final NTSTATUS when the driver set it, else 0 */
    JMF_U32 ProcessId;
    JMF_U32 Flags;              /* JMF_EVENT_FLAG_* */
    JMF_U16 VolumeLength;       /* bytes in Volume */
    JMF_U16 PathLength;         /* bytes in Path */
    JMF_U16 OtherPathLength;    /* bytes in OtherPath; 0 unless a rename or a link */
    JMF_U16 Reserved;
    JMF_U16 Volume[JMF_MAX_VOLUME_CHARS]; /* the volume's NT device name */
    JMF_U16 Path[JMF_MAX_PATH_CHARS];     /* the volume-relative path the deciding rule matched */
    JMF_U16 OtherPath[JMF_MAX_PATH_CHARS]; /* the other end of a rename or link, volume-relative: its
                                              destination when Path is the source (RENAME), its source
                                              when Path is the destination (JMF_EVENT_FLAG_DESTINATION) */
} JMF_EVENT;
JMF_ASSERT_SIZE(JMF_EVENT, 2224);
JMF_ASSERT_OFFSET(JMF_EVENT, Time, 0);
JMF_ASSERT_OFFSET(JMF_EVENT, Sequence, 8);
JMF_ASSERT_OFFSET(JMF_EVENT, RuleId, 16);
JMF_ASSERT_OFFSET(JMF_EVENT, Operation, 20);
JMF_ASSERT_OFFSET(JMF_EVENT, Verdict, 24);
JMF_ASSERT_OFFSET(JMF_EVENT, Status, 28);
JMF_ASSERT_OFFSET(JMF_EVENT, ProcessId, 32);
JMF_ASSERT_OFFSET(JMF_EVENT, Flags, 36);
JMF_ASSERT_OFFSET(JMF_EVENT, VolumeLength, 40);
JMF_ASSERT_OFFSET(JMF_EVENT, PathLength, 42);
JMF_ASSERT_OFFSET(JMF_EVENT, OtherPathLength, 44);
JMF_ASSERT_OFFSET(JMF_EVENT, Reserved, 46);
JMF_ASSERT_OFFSET(JMF_EVENT, Volume, 48);
JMF_ASSERT_OFFSET(JMF_EVENT, Path, 176);
JMF_ASSERT_OFFSET(JMF_EVENT, OtherPath, 1200);

/*
 * GET_EVENTS output: this header, then Count events, oldest first. The
 * kernel moves as many queued events as fit in the output buffer (at least
 * one must fit: sizeof(JMF_EVENT_BATCH) + sizeof(JMF_EVENT)).
 */
typedef struct _JMF_EVENT_BATCH {
    JMF_U32 Count;              /* events that follow */
    JMF_U32 Pending;            /* events still queued after these */
    JMF_U64 Dropped;            /* events dropped since the driver started */
} JMF_EVENT_BATCH;
JMF_ASSERT_SIZE(JMF_EVENT_BATCH, 16);
JMF_ASSERT_OFFSET(JMF_EVENT_BATCH, Count, 0);
JMF_ASSERT_OFFSET(JMF_EVENT_BATCH, Pending, 4);
JMF_ASSERT_OFFSET(JMF_EVENT_BATCH, Dropped, 8);

/* ------------------------------------------------------------------------ */
/* Notifications (kernel -> user mode, FltSendMessage)                       */
/* ------------------------------------------------------------------------ */

#define JMF_NOTIFICATION_ASK 1u

typedef struct _JMF_NOTIFICATION_HEADER {
    JMF_U32 Type;               /* JMF_NOTIFICATION_* */
    JMF_U32 Length;             /* bytes, header included */
} JMF_NOTIFICATION_HEADER;
JMF_ASSERT_SIZE(JMF_NOTIFICATION_HEADER, 8);
JMF_ASSERT_OFFSET(JMF_NOTIFICATION_HEADER, Type, 0);
JMF_ASSERT_OFFSET(JMF_NOTIFICATION_HEADER, Length, 4);

/* JMF_ASK.Flags */
#define JMF_ASK_FLAG_POST_CREATE    0x0001u /* asked in post-create: only ALLOW, AUDIT or DENY apply */
#define JMF_ASK_FLAG_PATH_TRUNCATED 0x0002u
#define JMF_ASK_FLAG_DESTINATION    0x0004u /* Path is the destination of a rename or link (asked as CREATE or DELETE) */
#define JMF_ASK_FLAG_LINK           0x0008u /* ... of a hard link, not a rename */
#define JMF_ASK_FLAGS_VALID         0x000Fu

/*
 * An ASK: the kernel wants a verdict for one operation. User mode answers
 * with JMF_ASK_REPLY within the ask's timeout; a late reply fails with
 * HRESULT 0x801F0020 (ERROR_FLT_NO_WAITER_FOR_REPLY).
 */
typedef struct _JMF_ASK {
    JMF_NOTIFICATION_HEADER Header; /* Type JMF_NOTIFICATION_ASK, Length sizeof(JMF_ASK) */
    JMF_U32 Generation;         /* the policy generation the asking rule belongs to */
    JMF_U32 RuleId;
    JMF_U32 Operation;          /* one JMF_OP_* bit */
    JMF_U32 ProcessId;
    JMF_U32 DesiredAccess;      /* creates */
    JMF_U32 CreateOptions;      /* creates */
    JMF_U32 CreateDisposition;  /* creates: JMF_FILE_* */
    JMF_U32 Flags;              /* JMF_ASK_FLAG_* */
    JMF_U32 TimeoutMs;          /* how long the kernel waits */
    JMF_U16 VolumeLength;       /* bytes */
    JMF_U16 PathLength;         /* bytes */
    JMF_U16 ImageLength;        /* bytes */
    JMF_U16 Reserved;
    JMF_U32 Reserved2;
    JMF_U16 Volume[JMF_MAX_VOLUME_CHARS];
    JMF_U16 Path[JMF_MAX_PATH_CHARS];
    JMF_U16 Image[JMF_MAX_IMAGE_CHARS];
} JMF_ASK;
JMF_ASSERT_SIZE(JMF_ASK, 1728);
JMF_ASSERT_OFFSET(JMF_ASK, Header, 0);
JMF_ASSERT_OFFSET(JMF_ASK, Generation, 8);
JMF_ASSERT_OFFSET(JMF_ASK, RuleId, 12);
JMF_ASSERT_OFFSET(JMF_ASK, Operation, 16);
JMF_ASSERT_OFFSET(JMF_ASK, ProcessId, 20);
JMF_ASSERT_OFFSET(JMF_ASK, DesiredAccess, 24);
JMF_ASSERT_OFFSET(JMF_ASK, CreateOptions, 28);
JMF_ASSERT_OFFSET(JMF_ASK, CreateDisposition, 32);
JMF_ASSERT_OFFSET(JMF_ASK, Flags, 36);
JMF_ASSERT_OFFSET(JMF_ASK, TimeoutMs, 40);
JMF_ASSERT_OFFSET(JMF_ASK, VolumeLength, 44);
JMF_ASSERT_OFFSET(JMF_ASK, PathLength, 46);
JMF_ASSERT_OFFSET(JMF_ASK, ImageLength, 48);
JMF_ASSERT_OFFSET(JMF_ASK, Reserved, 50);
JMF_ASSERT_OFFSET(JMF_ASK, Reserved2, 52);
JMF_ASSERT_OFFSET(JMF_ASK, Volume, 56);
JMF_ASSERT_OFFSET(JMF_ASK, Path, 184);
JMF_ASSERT_OFFSET(JMF_ASK, Image, 1208);

/*
 * The answer to an ASK (after the FILTER_REPLY_HEADER). Verdict.Type is
 * ALLOW, DENY, MODIFY, REDIRECT or AUDIT (never ASK); TargetVolume indexes
 * the volume table of the policy generation the ask names.
 */
typedef struct _JMF_ASK_REPLY {
    JMF_ACTION Verdict;
} JMF_ASK_REPLY;
JMF_ASSERT_SIZE(JMF_ASK_REPLY, 40);
JMF_ASSERT_OFFSET(JMF_ASK_REPLY, Verdict, 0);

/* What user mode's receive buffer and reply buffer must hold. */
#define JMF_NOTIFICATION_BUFFER_SIZE (sizeof(JMF_FILTER_MESSAGE_HEADER) + sizeof(JMF_ASK))
#define JMF_REPLY_BUFFER_SIZE        (sizeof(JMF_FILTER_REPLY_HEADER) + sizeof(JMF_ASK_REPLY))

#endif /* JMF_PROTOCOL_H */
