/*
 * test_filters.h - programmable test filters (not the real driver): up to
 * four minifilters, each registered at an altitude, whose pre/post
 * callbacks call hooks the test sets, and which log every callback into
 * one string so tests can check the order.
 */
#ifndef TEST_FILTERS_H
#define TEST_FILTERS_H

#include "test_harness.h"

typedef struct TF TF;
typedef FLT_PREOP_CALLBACK_STATUS (*TF_PRE)(TF *tf, PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID *Context);
typedef FLT_POSTOP_CALLBACK_STATUS (*TF_POST)(TF *tf, PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS Objects, PVOID Context, FLT_POST_OPERATION_FLAGS Flags);

#define TF_MAX 4
#define TF_VOLUMES 8
struct TF {
    char Name;                      /* 'A'.. */
    PFLT_FILTER Filter;
    TF_PRE Pre;                     /* NULL: log and return SUCCESS_WITH_CALLBACK */
    TF_POST Post;                   /* NULL: log and return FINISHED_PROCESSING */
    NTSTATUS (*Setup)(TF *tf, PCFLT_RELATED_OBJECTS Objects, DEVICE_TYPE DeviceType);
    PFLT_INSTANCE Instance[TF_VOLUMES];     /* by volume id */
    int PreCount, PostCount;
    KIRQL LastPostIrql;
    FLT_IO_PARAMETER_BLOCK LastPre, LastPost;
    FLT_RELATED_OBJECTS LastPreObjects, LastPostObjects;
    PVOID LastPostContext;
    ULONG LastPostThread;
    NTSTATUS LastPostStatus;
    const FLT_CONTEXT_REGISTRATION *Contexts;
    void *User;
};
extern TF g_tf[TF_MAX];
extern char g_log[4096];

/* Registers filter index (0 = 'A') at altitude and starts filtering. */
TF *TfStart(int index, const char *altitude, TF_PRE pre, TF_POST post);
TF *TfRegister(int index, const char *altitude, TF_PRE pre, TF_POST post);
/* Unloads it the way the filter manager does (unload callback -> FltUnregisterFilter). */
void TfUnload(TF *tf);
void TfLog(const char *fmt, ...);
const char *TfMajor(UCHAR m);

/* Helpers that act as a process through the control API. */
uint64_t TOpen(int volume, const char *path, uint32_t access, uint32_t disposition, NTSTATUS *status, uint64_t *info);
void TPut(int volume, const char *path, const char *content);

#endif
