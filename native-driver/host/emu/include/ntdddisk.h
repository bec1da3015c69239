/*
 * ntdddisk.h - the disk device controls a filter sends to the disk under a
 * volume (only what the samples name: the cluster information avscan asks
 * to tell a Cluster Shared Volume). The emulator has the names and layouts;
 * it sends no device control below a volume (no IoCallDriver to a disk).
 */
#ifndef EMU_NTDDDISK_H
#define EMU_NTDDDISK_H

#include "emu_wdm.h"

#define IOCTL_DISK_BASE              FILE_DEVICE_DISK
#define IOCTL_DISK_GET_CLUSTER_INFO  CTL_CODE(IOCTL_DISK_BASE, 0x0085, METHOD_BUFFERED, FILE_ANY_ACCESS)

#define DISK_CLUSTER_FLAG_ENABLED              0x0000000000000001
#define DISK_CLUSTER_FLAG_CSV                  0x0000000000000002
#define DISK_CLUSTER_FLAG_IN_MAINTENANCE       0x0000000000000004
#define DISK_CLUSTER_FLAG_PNP_ARRIVAL_COMPLETE 0x0000000000000008
typedef struct _DISK_CLUSTER_INFO {
    ULONG Version;
    ULONGLONG Flags;
    ULONGLONG FlagsMask;
    BOOLEAN Notify;
} DISK_CLUSTER_INFO, *PDISK_CLUSTER_INFO;

#endif
