/*
 * test_driver_util.h - shared by the tests of the real driver (test_driver*.c).
 */
#ifndef TEST_DRIVER_UTIL_H
#define TEST_DRIVER_UTIL_H

#include "test_filters.h"
#include "jmf_protocol.h"

#define DRIVER_ALTITUDE "385100"
#define JAVA_PID 200

/* A policy builder (the same bytes the Java codec produces). */
typedef struct PB {
    JMF_RULE Rules[16];
    JMF_U32 RuleCount;
    const char *Volumes[4];
    JMF_U32 VolumeCount;
    JMF_U16 Strings[2048];
    JMF_U32 StringChars;
    JMF_U16 Flags;              /* JMF_POLICY_HEADER.Flags */
} PB;
JMF_STRING_REF PbString(PB *pb, const char *s);
/* Appends a rule (any volume; DENY rules get STATUS_ACCESS_DENIED). */
JMF_RULE *PbRule(PB *pb, JMF_U32 id, JMF_U32 ops, const char *path, JMF_U32 action);
/* Returns a malloc'd command (header + policy) and its length. */
uint8_t *PbCommand(PB *pb, JMF_U32 *length);

/* The service side: the port, two volumes ("\\Device\\HarddiskVolume1" and 2). */
extern void *g_port;
extern int g_v1, g_v2;
int32_t Connect(JMF_U32 magic, void **port);
/* Creates the two volumes, loads the driver, connects. */
void Start(void);
/* Unloads the driver (leaks and misuse become violations), then closes the port. */
void Stop(void);
JMF_RESULT SendPolicy(PB *pb);
void GetStatistics(JMF_STATISTICS *s);
JMF_U32 GetEvents(JMF_EVENT *Events, JMF_U32 Capacity);
/* The service side of an ask, as process JAVA_PID on port: receives one (its message id, 0 if
 * none came within timeoutMs) and answers one (status: the DENY status, 0 for the driver's
 * default; returns FilterReplyMessage's HRESULT). */
uint64_t ReceiveAsk(void *port, JMF_ASK *ask, uint32_t timeoutMs);
int32_t ReplyToAsk(void *port, uint64_t messageId, JMF_U32 verdict, JMF_I32 status);
const char *Utf8(const JMF_U16 *Chars, JMF_U32 Bytes, char *Out, size_t Capacity);

#endif
