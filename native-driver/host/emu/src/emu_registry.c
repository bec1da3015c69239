/*
 * emu_registry.c - the part of the configuration manager a driver uses on its
 * own service key: ZwOpenKey, ZwCreateKey, ZwQueryValueKey
 * (KeyValuePartialInformation), ZwSetValueKey, ZwDeleteValueKey, ZwClose.
 *
 * What the documentation requires is checked and reported as a violation
 * naming the routine: PASSIVE_LEVEL; OBJ_KERNEL_HANDLE (a driver's handle in
 * a user process's context, such as a message callback's, must not be one
 * user mode can use); a handle that is not an open key; a key handle still
 * open at unload (a leak). Access rights are enforced as the real routines
 * do (STATUS_ACCESS_DENIED).
 *
 * The registry survives EmuUnloadDriver/EmuLoadDriver (an emulated reboot);
 * EmuReset empties it. EmuLoadDriver creates the service key, as installing
 * the service does. Keys and value names compare without regard to case
 * (ASCII fold: every name the driver uses is ASCII).
 */
#include "emu_internal.h"
#include <string.h>

#define EMU_REG_MAX_KEYS    32
#define EMU_REG_MAX_VALUES  16
#define EMU_REG_MAX_HANDLES 32
#define EMU_REG_NAME_CHARS  256
#define EMU_REG_HANDLE_BASE 0x5E600000u

typedef struct EMU_REG_VALUE {
    int Used;
    WCHAR Name[EMU_REG_NAME_CHARS];
    ULONG Type;
    uint8_t *Data;
    ULONG Length;
} EMU_REG_VALUE;

typedef struct EMU_REG_KEY {
    int Used;
    WCHAR Path[EMU_REG_NAME_CHARS];
    EMU_REG_VALUE Values[EMU_REG_MAX_VALUES];
} EMU_REG_KEY;

typedef struct EMU_REG_HANDLE {
    int Open;
    int Key;                    /* index in g_keys */
    ACCESS_MASK Access;
} EMU_REG_HANDLE;

static EMU_REG_KEY g_keys[EMU_REG_MAX_KEYS];
static EMU_REG_HANDLE g_handles[EMU_REG_MAX_HANDLES];
static uint32_t g_writes;

static WCHAR EmuRegFold(WCHAR c)
{
    return (c >= L'a' && c <= L'z') ? (WCHAR)(c - 32) : c;
}

static int EmuRegEquals(const WCHAR *a, const WCHAR *b, size_t bChars)
{
    size_t i;
    for (i = 0; i < bChars; i++) {
        if (a[i] == 0 || EmuRegFold(a[i]) != EmuRegFold(b[i])) {
            return 0;
        }
    }
    return a[i] == 0;
}

/* Lock held. The key's index, or -1. */
static int EmuRegFindKey(const WCHAR *path, size_t chars)
{
    for (int i = 0; i < EMU_REG_MAX_KEYS; i++) {
        if (g_keys[i].Used && EmuRegEquals(g_keys[i].Path, path, chars)) {
            return i;
        }
    }
    return -1;
}

/* Lock held. Creates the key (its parent must exist unless force); its index, or -1. */
static int EmuRegAddKey(const WCHAR *path, size_t chars, int force)
{
    if (chars == 0 || chars >= EMU_REG_NAME_CHARS) {
        return -1;
    }
    if (!force) {
        size_t parent = chars;
        while (parent > 0 && path[parent - 1] != L'\\') {
            parent--;
        }
        if (parent <= 1 || EmuRegFindKey(path, parent - 1) < 0) {
            return -1;
        }
    }
    for (int i = 0; i < EMU_REG_MAX_KEYS; i++) {
        if (!g_keys[i].Used) {
            memset(&g_keys[i], 0, sizeof(g_keys[i]));
            g_keys[i].Used = 1;
            memcpy(g_keys[i].Path, path, chars * sizeof(WCHAR));
            return i;
        }
    }
    return -1;
}

static EMU_REG_VALUE *EmuRegFindValue(EMU_REG_KEY *key, const WCHAR *name, size_t chars)
{
    for (int i = 0; i < EMU_REG_MAX_VALUES; i++) {
        if (key->Values[i].Used && EmuRegEquals(key->Values[i].Name, name, chars)) {
            return &key->Values[i];
        }
    }
    return NULL;
}

/* Lock held. */
static NTSTATUS EmuRegSet(EMU_REG_KEY *key, const WCHAR *name, size_t chars, ULONG type, const void *data, ULONG length)
{
    EMU_REG_VALUE *v = EmuRegFindValue(key, name, chars);
    if (v == NULL) {
        if (chars >= EMU_REG_NAME_CHARS) {
            return STATUS_INVALID_PARAMETER;
        }
        for (int i = 0; i < EMU_REG_MAX_VALUES && v == NULL; i++) {
            if (!key->Values[i].Used) {
                v = &key->Values[i];
                memset(v, 0, sizeof(*v));
                v->Used = 1;
                memcpy(v->Name, name, chars * sizeof(WCHAR));
            }
        }
        if (v == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    uint8_t *copy = malloc(length != 0 ? length : 1);
    if (copy == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (length != 0) {
        memcpy(copy, data, length);
    }
    free(v->Data);
    v->Data = copy;
    v->Length = length;
    v->Type = type;
    return STATUS_SUCCESS;
}

static void EmuRegRemoveValue(EMU_REG_VALUE *v)
{
    free(v->Data);
    memset(v, 0, sizeof(*v));
}

static int EmuRegIsHandle(HANDLE h)
{
    uintptr_t v = (uintptr_t)h;
    return v >= EMU_REG_HANDLE_BASE && v < EMU_REG_HANDLE_BASE + EMU_REG_MAX_HANDLES * 4 && (v - EMU_REG_HANDLE_BASE) % 4 == 0;
}

int EmuIsRegistryHandle(HANDLE h)
{
    return EmuRegIsHandle(h);
}

/* Lock held. The open handle's record, or NULL (the caller reports EmuRegBadHandle once unlocked:
 * EmuViolation takes the lock). */
static EMU_REG_HANDLE *EmuRegHandle(HANDLE h)
{
    if (EmuRegIsHandle(h)) {
        EMU_REG_HANDLE *r = &g_handles[((uintptr_t)h - EMU_REG_HANDLE_BASE) / 4];
        if (r->Open) {
            return r;
        }
    }
    return NULL;
}

static void EmuRegBadHandle(HANDLE h, const char *routine)
{
    EmuViolation("%s(%p): not an open registry key handle", routine, h);
}

/* Validates the object attributes; the key's path in out (NUL-terminated), its length in chars. */
static NTSTATUS EmuRegPath(POBJECT_ATTRIBUTES oa, const char *routine, WCHAR *out, size_t *chars)
{
    if (oa == NULL || oa->Length != sizeof(OBJECT_ATTRIBUTES) || oa->ObjectName == NULL ||
        oa->ObjectName->Buffer == NULL || (oa->ObjectName->Length % 2) != 0) {
        EmuViolation("%s: ObjectAttributes not initialized with InitializeObjectAttributes and a key name", routine);
        return STATUS_INVALID_PARAMETER;
    }
    if ((oa->Attributes & OBJ_KERNEL_HANDLE) == 0) {
        EmuViolation("%s: OBJ_KERNEL_HANDLE missing: the handle would be usable from the current process's user mode", routine);
    }
    if (oa->RootDirectory != NULL) {
        EmuViolation("%s: a RootDirectory is not emulated (use the full \\REGISTRY\\... path)", routine);
        return STATUS_NOT_IMPLEMENTED;
    }
    size_t n = oa->ObjectName->Length / 2;
    if (n == 0 || n >= EMU_REG_NAME_CHARS) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    memcpy(out, oa->ObjectName->Buffer, n * sizeof(WCHAR));
    out[n] = 0;
    *chars = n;
    return STATUS_SUCCESS;
}

static NTSTATUS EmuRegOpen(PHANDLE KeyHandle, ACCESS_MASK access, POBJECT_ATTRIBUTES oa, int create, PULONG disposition,
                           const char *routine)
{
    WCHAR path[EMU_REG_NAME_CHARS];
    size_t chars = 0;
    if (!EmuRequireIrql(routine, PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (KeyHandle == NULL) {
        EmuViolation("%s: KeyHandle is NULL", routine);
        return STATUS_INVALID_PARAMETER;
    }
    *KeyHandle = NULL;
    NTSTATUS s = EmuRegPath(oa, routine, path, &chars);
    if (!NT_SUCCESS(s)) {
        return s;
    }
    EmuLock();
    int key = EmuRegFindKey(path, chars);
    ULONG how = REG_OPENED_EXISTING_KEY;
    if (key < 0 && create) {
        key = EmuRegAddKey(path, chars, 0);
        how = REG_CREATED_NEW_KEY;
        if (key >= 0) {
            g_writes++;
        }
    }
    if (key < 0) {
        EmuUnlock();
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    int slot = -1;
    for (int i = 0; i < EMU_REG_MAX_HANDLES && slot < 0; i++) {
        if (!g_handles[i].Open) {
            slot = i;
        }
    }
    if (slot < 0) {
        EmuUnlock();
        EmuViolation("%s: more than %d registry key handles open at once (leaking ZwClose?)", routine, EMU_REG_MAX_HANDLES);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    g_handles[slot].Open = 1;
    g_handles[slot].Key = key;
    g_handles[slot].Access = (access & KEY_ALL_ACCESS) == KEY_ALL_ACCESS ? KEY_ALL_ACCESS : access;
    EmuUnlock();
    *KeyHandle = (HANDLE)(uintptr_t)(EMU_REG_HANDLE_BASE + (uintptr_t)slot * 4);
    if (disposition != NULL) {
        *disposition = how;
    }
    return STATUS_SUCCESS;
}

NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    return EmuRegOpen(KeyHandle, DesiredAccess, ObjectAttributes, 0, NULL, "ZwOpenKey");
}

NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex,
                     PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    UNREFERENCED_PARAMETER(TitleIndex);
    UNREFERENCED_PARAMETER(Class);
    if ((CreateOptions & REG_OPTION_VOLATILE) != 0) {
        EmuViolation("ZwCreateKey: REG_OPTION_VOLATILE is not emulated (a volatile key would not survive a reboot)");
    }
    return EmuRegOpen(KeyHandle, DesiredAccess, ObjectAttributes, 1, Disposition, "ZwCreateKey");
}

static NTSTATUS EmuRegValueName(PUNICODE_STRING name, const char *routine)
{
    if (name == NULL || (name->Length != 0 && name->Buffer == NULL) || (name->Length % 2) != 0) {
        EmuViolation("%s: ValueName is not a valid UNICODE_STRING", routine);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                         PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    const ULONG header = (ULONG)FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
    if (!EmuRequireIrql("ZwQueryValueKey", PASSIVE_LEVEL) || !NT_SUCCESS(EmuRegValueName(ValueName, "ZwQueryValueKey"))) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ResultLength == NULL) {
        EmuViolation("ZwQueryValueKey: ResultLength is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *ResultLength = 0;
    if (KeyValueInformationClass != KeyValuePartialInformation) {
        EmuViolation("ZwQueryValueKey: information class %d is not emulated (KeyValuePartialInformation is)",
                     (int)KeyValueInformationClass);
        return STATUS_NOT_IMPLEMENTED;
    }
    EmuLock();
    EMU_REG_HANDLE *h = EmuRegHandle(KeyHandle);
    if (h == NULL) {
        EmuUnlock();
        EmuRegBadHandle(KeyHandle, "ZwQueryValueKey");
        return STATUS_INVALID_HANDLE;
    }
    if ((h->Access & KEY_QUERY_VALUE) == 0) {
        EmuUnlock();
        return STATUS_ACCESS_DENIED;
    }
    EMU_REG_VALUE *v = EmuRegFindValue(&g_keys[h->Key], ValueName->Buffer, ValueName->Length / 2);
    if (v == NULL) {
        EmuUnlock();
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    ULONG needed = header + v->Length;
    *ResultLength = needed;
    NTSTATUS s;
    if (Length < header || KeyValueInformation == NULL) {
        s = STATUS_BUFFER_TOO_SMALL;            /* nothing written */
    } else {
        PKEY_VALUE_PARTIAL_INFORMATION info = KeyValueInformation;
        info->TitleIndex = 0;
        info->Type = v->Type;
        info->DataLength = v->Length;
        ULONG room = Length - header;
        memcpy(info->Data, v->Data, room < v->Length ? room : v->Length);
        s = room < v->Length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    EmuUnlock();
    return s;
}

NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type, PVOID Data, ULONG DataSize)
{
    UNREFERENCED_PARAMETER(TitleIndex);
    if (!EmuRequireIrql("ZwSetValueKey", PASSIVE_LEVEL) || !NT_SUCCESS(EmuRegValueName(ValueName, "ZwSetValueKey"))) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Data == NULL && DataSize != 0) {
        EmuViolation("ZwSetValueKey: Data is NULL with DataSize %lu", (unsigned long)DataSize);
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    EMU_REG_HANDLE *h = EmuRegHandle(KeyHandle);
    NTSTATUS s;
    if (h == NULL) {
        s = STATUS_INVALID_HANDLE;
    } else if ((h->Access & KEY_SET_VALUE) == 0) {
        s = STATUS_ACCESS_DENIED;
    } else {
        s = EmuRegSet(&g_keys[h->Key], ValueName->Buffer, ValueName->Length / 2, Type, Data, DataSize);
        g_writes++;
    }
    EmuUnlock();
    if (h == NULL) {
        EmuRegBadHandle(KeyHandle, "ZwSetValueKey");
    }
    return s;
}

NTSTATUS ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    if (!EmuRequireIrql("ZwDeleteValueKey", PASSIVE_LEVEL) || !NT_SUCCESS(EmuRegValueName(ValueName, "ZwDeleteValueKey"))) {
        return STATUS_INVALID_PARAMETER;
    }
    EmuLock();
    EMU_REG_HANDLE *h = EmuRegHandle(KeyHandle);
    NTSTATUS s;
    if (h == NULL) {
        s = STATUS_INVALID_HANDLE;
    } else if ((h->Access & KEY_SET_VALUE) == 0) {
        s = STATUS_ACCESS_DENIED;
    } else {
        EMU_REG_VALUE *v = EmuRegFindValue(&g_keys[h->Key], ValueName->Buffer, ValueName->Length / 2);
        if (v == NULL) {
            s = STATUS_OBJECT_NAME_NOT_FOUND;
        } else {
            EmuRegRemoveValue(v);
            s = STATUS_SUCCESS;
        }
        g_writes++;
    }
    EmuUnlock();
    if (h == NULL) {
        EmuRegBadHandle(KeyHandle, "ZwDeleteValueKey");
    }
    return s;
}

/* ZwClose of a registry key handle (emu_io.c's ZwClose dispatches here). */
NTSTATUS EmuRegistryClose(HANDLE Handle)
{
    EmuRequireIrql("ZwClose", PASSIVE_LEVEL);
    EmuLock();
    EMU_REG_HANDLE *h = EmuRegHandle(Handle);
    if (h != NULL) {
        h->Open = 0;
    }
    EmuUnlock();
    if (h == NULL) {
        EmuRegBadHandle(Handle, "ZwClose");
    }
    return h != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

void EmuRegistryCheckLeaks(void)
{
    EmuLock();
    for (int i = 0; i < EMU_REG_MAX_HANDLES; i++) {
        if (g_handles[i].Open) {
            char path[EMU_REG_NAME_CHARS * 3];
            EmuWideToUtf8(g_keys[g_handles[i].Key].Path, EmuWcsLen(g_keys[g_handles[i].Key].Path), path, sizeof(path));
            g_handles[i].Open = 0;
            EmuUnlock();
            EmuViolation("registry key handle leaked (no ZwClose): %s", path);
            EmuLock();
        }
    }
    EmuUnlock();
}

void EmuRegistryReset(void)
{
    EmuLock();
    for (int i = 0; i < EMU_REG_MAX_KEYS; i++) {
        for (int j = 0; j < EMU_REG_MAX_VALUES; j++) {
            if (g_keys[i].Values[j].Used) {
                EmuRegRemoveValue(&g_keys[i].Values[j]);
            }
        }
        g_keys[i].Used = 0;
    }
    memset(g_handles, 0, sizeof(g_handles));
    g_writes = 0;
    EmuUnlock();
}

/* Lock held. Creates the key and its missing parents (as the service's installation does). */
static int EmuRegEnsureKey(const char *keyPath)
{
    WCHAR path[EMU_REG_NAME_CHARS];
    size_t n = EmuUtf8ToWide(keyPath, path, EMU_REG_NAME_CHARS);
    if (n == 0 || n >= EMU_REG_NAME_CHARS - 1) {
        return -1;
    }
    int key = EmuRegFindKey(path, n);
    return key >= 0 ? key : EmuRegAddKey(path, n, 1);
}

void EmuRegistryEnsureKey(const char *keyPath)
{
    EmuLock();
    (void)EmuRegEnsureKey(keyPath);
    EmuUnlock();
}

/* ---- control API (jmf_emu.h) ---- */
int32_t EmuRegistrySetValue(const char *keyPath, const char *valueName, uint32_t type, const void *data, uint32_t length)
{
    WCHAR name[EMU_REG_NAME_CHARS];
    if (keyPath == NULL || valueName == NULL || (data == NULL && length != 0)) {
        return -1;
    }
    size_t chars = EmuUtf8ToWide(valueName, name, EMU_REG_NAME_CHARS);
    EmuLock();
    int key = EmuRegEnsureKey(keyPath);
    NTSTATUS s = key < 0 ? STATUS_INSUFFICIENT_RESOURCES : EmuRegSet(&g_keys[key], name, chars, type, data, length);
    EmuUnlock();
    return NT_SUCCESS(s) ? 0 : -1;
}

int64_t EmuRegistryGetValue(const char *keyPath, const char *valueName, uint32_t *type, void *buffer, uint32_t capacity)
{
    WCHAR path[EMU_REG_NAME_CHARS];
    WCHAR name[EMU_REG_NAME_CHARS];
    if (keyPath == NULL || valueName == NULL) {
        return -1;
    }
    size_t pathChars = EmuUtf8ToWide(keyPath, path, EMU_REG_NAME_CHARS);
    size_t chars = EmuUtf8ToWide(valueName, name, EMU_REG_NAME_CHARS);
    int64_t result = -1;
    EmuLock();
    int key = EmuRegFindKey(path, pathChars);
    EMU_REG_VALUE *v = key < 0 ? NULL : EmuRegFindValue(&g_keys[key], name, chars);
    if (v != NULL) {
        if (type != NULL) {
            *type = v->Type;
        }
        if (buffer != NULL && v->Length != 0) {
            memcpy(buffer, v->Data, capacity < v->Length ? capacity : v->Length);
        }
        result = v->Length;
    }
    EmuUnlock();
    return result;
}

int32_t EmuRegistryDeleteValue(const char *keyPath, const char *valueName)
{
    WCHAR path[EMU_REG_NAME_CHARS];
    WCHAR name[EMU_REG_NAME_CHARS];
    if (keyPath == NULL || valueName == NULL) {
        return -1;
    }
    size_t pathChars = EmuUtf8ToWide(keyPath, path, EMU_REG_NAME_CHARS);
    size_t chars = EmuUtf8ToWide(valueName, name, EMU_REG_NAME_CHARS);
    int32_t result = -1;
    EmuLock();
    int key = EmuRegFindKey(path, pathChars);
    EMU_REG_VALUE *v = key < 0 ? NULL : EmuRegFindValue(&g_keys[key], name, chars);
    if (v != NULL) {
        EmuRegRemoveValue(v);
        result = 0;
    }
    EmuUnlock();
    return result;
}

uint32_t EmuRegistryWriteCount(void)
{
    EmuLock();
    uint32_t n = g_writes;
    EmuUnlock();
    return n;
}

/* ---- IoOpenDriverRegistryKey: the driver's own keys, found from its driver object ----
 * DriverRegKeyParameters is the service key's Parameters subkey, the "immutable parameters key" the
 * INF's HKR,Parameters AddReg entries fill: opened, never created (STATUS_OBJECT_NAME_NOT_FOUND when
 * the INF made none). The two state keys are "locations for mutable state ... that will persist across
 * reboots" (DRIVER_REGKEY_TYPE): created on first use. Their subkey names (State, SharedState) are the
 * emulator's choice; the documentation does not say where Windows keeps them, and a driver only ever
 * reaches them through this routine.
 * The documented contract is checked as violations naming the routine: PASSIVE_LEVEL in a system
 * thread's context, a driver object the I/O manager created (with its extension naming the service),
 * Flags zero, a known RegKeyType, a DriverRegKey to write. */
NTSTATUS IoOpenDriverRegistryKey(PDRIVER_OBJECT DriverObject, DRIVER_REGKEY_TYPE RegKeyType, ACCESS_MASK DesiredAccess,
                                 ULONG Flags, PHANDLE DriverRegKey)
{
    static const char routine[] = "IoOpenDriverRegistryKey";
    if (!EmuRequireIrql(routine, PASSIVE_LEVEL)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (DriverRegKey == NULL) {
        EmuViolation("%s: DriverRegKey is NULL", routine);
        return STATUS_INVALID_PARAMETER;
    }
    *DriverRegKey = NULL;
    if (PsGetCurrentProcess() != EmuSystemProcess()) {
        EmuViolation("%s: called in the context of process %lu; the caller must run in a system thread",
                     routine, (unsigned long)(uintptr_t)PsGetProcessId(PsGetCurrentProcess()));
    }
    if (DriverObject == NULL || DriverObject->Type != 4 /* IO_TYPE_DRIVER */ || DriverObject->DriverExtension == NULL ||
        DriverObject->DriverExtension->ServiceKeyName.Buffer == NULL || DriverObject->DriverExtension->ServiceKeyName.Length == 0) {
        EmuViolation("%s: DriverObject %p is not a driver object the I/O manager created (the caller's own, as DriverEntry received it)",
                     routine, (void *)DriverObject);
        return STATUS_INVALID_PARAMETER;
    }
    if (Flags != 0) {
        EmuViolation("%s: Flags 0x%lx; the documentation says to set it to zero", routine, (unsigned long)Flags);
        return STATUS_INVALID_PARAMETER;
    }
    const char *subkey;
    switch (RegKeyType) {
    case DriverRegKeyParameters: subkey = "Parameters"; break;
    case DriverRegKeyPersistentState: subkey = "State"; break;
    case DriverRegKeySharedPersistentState: subkey = "SharedState"; break;
    default:
        EmuViolation("%s: RegKeyType %d is not a DRIVER_REGKEY_TYPE", routine, (int)RegKeyType);
        return STATUS_INVALID_PARAMETER;
    }
    static const char services[] = "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\";
    const UNICODE_STRING *service = &DriverObject->DriverExtension->ServiceKeyName;
    WCHAR path[EMU_REG_NAME_CHARS];
    size_t n = EmuUtf8ToWide(services, path, RTL_NUMBER_OF(path));
    size_t serviceChars = service->Length / sizeof(WCHAR);
    if (n + serviceChars + 1 + strlen(subkey) + 1 > RTL_NUMBER_OF(path)) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    memcpy(path + n, service->Buffer, serviceChars * sizeof(WCHAR));
    n += serviceChars;
    path[n++] = L'\\';
    n += EmuUtf8ToWide(subkey, path + n, RTL_NUMBER_OF(path) - n);
    UNICODE_STRING name = { (USHORT)(n * sizeof(WCHAR)), (USHORT)(n * sizeof(WCHAR)), path };
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    return EmuRegOpen(DriverRegKey, DesiredAccess, &oa, RegKeyType != DriverRegKeyParameters, NULL, routine);
}
