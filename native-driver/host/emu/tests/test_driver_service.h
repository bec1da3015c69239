/*
 * test_driver_service.h - the service side for tests of the real driver: a policy
 * builder producing the bytes the Java codec produces (jmf_protocol.h), the
 * emulated port connection, statistics and events. Used by the redirect
 * suite (test_driver_redirect.c); test_driver.c keeps its own copy for now.
 */
#ifndef TEST_DRIVER_SERVICE_H
#define TEST_DRIVER_SERVICE_H

#include "test_filters.h"
#include "jmf_protocol.h"

#define TS_DRIVER_ALTITUDE "385100"
#define TS_JAVA_PID 200

typedef struct TS_POLICY {
    JMF_RULE Rules[16];
    JMF_U32 RuleCount;
    const char *Volumes[4];
    JMF_U32 VolumeCount;
    JMF_U16 Strings[2048];
    JMF_U32 StringChars;
} TS_POLICY;

/* Adds a rule (any volume, DENY with STATUS_ACCESS_DENIED when action is DENY). */
JMF_RULE *TsRule(TS_POLICY *p, JMF_U32 id, JMF_U32 operations, const char *path, JMF_U32 action);

/* Volume ids of the two volumes TsStart creates (\Device\HarddiskVolume1 and 2). */
extern int g_tsV1, g_tsV2;
/* Creates the volumes (stack sizes given), loads the driver, connects as the service. */
void TsStart(uint32_t stackSize1, uint32_t stackSize2);
/* Unloads the driver with the client connected (leaks and misuse become violations), then disconnects. */
void TsStop(void);
/* Sends the policy; returns the driver's JMF_RESULT. */
JMF_RESULT TsSendPolicy(TS_POLICY *p);
/* A policy with the two volumes and one REDIRECT rule (CREATE|READ|WRITE on \data\**, volume 1 -> volume 2). */
JMF_RESULT TsRedirectPolicy(JMF_U32 ruleId, JMF_U32 flags, JMF_I32 fallbackStatus);
/* JMF_STATISTICS (without the per-rule part). */
void TsStatistics(JMF_STATISTICS *s);
/* Pulls queued events into events[0..capacity); returns how many. */
JMF_U32 TsEvents(JMF_EVENT *events, JMF_U32 capacity);

#endif
