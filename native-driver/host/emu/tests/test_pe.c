/*
 * test_pe.c - the PE loader (src/emu_pe.c) on small images built here, byte
 * by byte, so that it is tested where no WDK is (the real driver binary runs
 * with `make test-sys`): sections mapped, a DIR64 relocation applied, imports
 * bound by name through the ms_abi thunks (one with a stack argument), the
 * /GS cookie seeded, an unknown import refused with its name, and
 * `int 0x29` (__fastfail) reported as the bug check it is.
 */
#include "test_harness.h"
#include <fltKernel.h>
#include "jmf_emu.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

NTSTATUS EmuPeDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

#define IMG_SIZE 0x5000u
#define IMG_BASE 0x140000000ull
#define RVA_TEXT 0x1000u
#define RVA_DATA 0x2000u
#define RVA_IDATA 0x3000u
#define RVA_RELOC 0x4000u
#define RVA_FASTFAIL (RVA_TEXT + 0x100u)
#define RVA_LOOKUP (RVA_TEXT + 0x200u)
#define RVA_DISPATCH (RVA_TEXT + 0x280u)   /* a DRIVER_DISPATCH completing its IRP through the second import */
#define RVA_RETURN0 (RVA_TEXT + 0x2C0u)    /* an entry point that only returns STATUS_SUCCESS */
#define DEFAULT_COOKIE 0x00002B992DDFA232ull

static void Put16(uint8_t *img, uint32_t at, uint16_t v) { memcpy(img + at, &v, 2); }
static void Put32(uint8_t *img, uint32_t at, uint32_t v) { memcpy(img + at, &v, 4); }
static void Put64(uint8_t *img, uint32_t at, uint64_t v) { memcpy(img + at, &v, 8); }

typedef struct EMIT { uint8_t *Img; uint32_t At; } EMIT;
static void Bytes(EMIT *e, const char *hex)
{
    unsigned b;
    for (const char *p = hex; sscanf(p, "%2x", &b) == 1; p += 2) {
        e->Img[e->At++] = (uint8_t)b;
        while (p[2] == ' ') p++;
    }
}
/* An instruction ending in a RIP-relative disp32 to target. */
static void RipRel(EMIT *e, const char *opcode, uint32_t target)
{
    Bytes(e, opcode);
    Put32(e->Img, e->At, target - (e->At + 4));
    e->At += 4;
}

/* The image: the entry point returns strlen("abcdef") + the ULONG at .data+0x20
 * (0x1000), read through a pointer the loader must relocate, + the result of
 * RtlCompareUnicodeStrings(L"AbC", 3, L"abc", 3, TRUE) (0, its fifth argument on
 * the stack). The second import is named by secondImport. */
static size_t BuildImage(uint8_t *img, uint32_t entry, const char *secondImport)
{
    memset(img, 0, IMG_SIZE);
    img[0] = 'M'; img[1] = 'Z';
    Put32(img, 0x3c, 0x40);
    memcpy(img + 0x40, "PE\0\0", 4);
    uint32_t fh = 0x44, oh = fh + 20;
    Put16(img, fh + 0, 0x8664);           /* Machine */
    Put16(img, fh + 2, 4);                /* NumberOfSections */
    Put16(img, fh + 16, 240);             /* SizeOfOptionalHeader */
    Put16(img, fh + 18, 0x22);            /* executable, large address aware */
    Put16(img, oh + 0, 0x20b);
    Put32(img, oh + 16, entry);           /* AddressOfEntryPoint */
    Put64(img, oh + 24, IMG_BASE);
    Put32(img, oh + 32, 0x1000);          /* SectionAlignment */
    Put32(img, oh + 36, 0x1000);          /* FileAlignment: the file is laid out as the image */
    Put32(img, oh + 56, IMG_SIZE);        /* SizeOfImage */
    Put32(img, oh + 60, 0x1000);          /* SizeOfHeaders */
    Put16(img, oh + 68, 1);               /* native */
    Put32(img, oh + 108, 16);             /* NumberOfRvaAndSizes */
    Put32(img, oh + 112 + 8 * 1, RVA_IDATA); Put32(img, oh + 112 + 8 * 1 + 4, 40);
    Put32(img, oh + 112 + 8 * 5, RVA_RELOC); Put32(img, oh + 112 + 8 * 5 + 4, 12);
    static const struct { const char *Name; uint32_t Rva, Flags; } sections[] = {
        { ".text", RVA_TEXT, 0x60000020 }, { ".data", RVA_DATA, 0xC0000040 },
        { ".idata", RVA_IDATA, 0xC0000040 }, { ".reloc", RVA_RELOC, 0x42000040 },
    };
    for (int i = 0; i < 4; i++) {
        uint32_t s = oh + 240 + 40 * (uint32_t)i;
        memcpy(img + s, sections[i].Name, strlen(sections[i].Name));
        Put32(img, s + 8, 0x1000);        /* VirtualSize */
        Put32(img, s + 12, sections[i].Rva);
        Put32(img, s + 16, 0x1000);       /* SizeOfRawData */
        Put32(img, s + 20, sections[i].Rva);
        Put32(img, s + 36, sections[i].Flags);
    }
    /* .data */
    Put64(img, RVA_DATA + 0x00, IMG_BASE + RVA_DATA + 0x20);   /* relocated below */
    Put64(img, RVA_DATA + 0x08, DEFAULT_COOKIE);               /* what /GS links in */
    memcpy(img + RVA_DATA + 0x10, "abcdef", 7);
    Put32(img, RVA_DATA + 0x20, 0x1000);
    static const uint16_t w1[] = { 'A', 'b', 'C', 0 }, w2[] = { 'a', 'b', 'c', 0 };
    memcpy(img + RVA_DATA + 0x40, w1, sizeof(w1));
    memcpy(img + RVA_DATA + 0x50, w2, sizeof(w2));
    /* .idata: one descriptor for ntoskrnl.exe, two imports by name */
    uint32_t lookup = RVA_IDATA + 0x100, iat = RVA_IDATA + 0x180, dll = RVA_IDATA + 0x200;
    uint32_t name1 = RVA_IDATA + 0x300, name2 = RVA_IDATA + 0x340;
    Put32(img, RVA_IDATA + 0, lookup);
    Put32(img, RVA_IDATA + 12, dll);
    Put32(img, RVA_IDATA + 16, iat);
    Put64(img, lookup, name1); Put64(img, lookup + 8, name2);
    Put64(img, iat, name1); Put64(img, iat + 8, name2);
    memcpy(img + dll, "ntoskrnl.exe", 13);
    memcpy(img + name1 + 2, "strlen", 7);
    memcpy(img + name2 + 2, secondImport, strlen(secondImport) + 1);
    /* .reloc: one DIR64 at .data+0 */
    Put32(img, RVA_RELOC + 0, RVA_DATA);
    Put32(img, RVA_RELOC + 4, 12);
    Put16(img, RVA_RELOC + 8, (uint16_t)((10u << 12) | 0));
    /* .text */
    EMIT e = { img, RVA_TEXT };
    Bytes(&e, "48 83 EC 38");                       /* sub rsp, 0x38 */
    RipRel(&e, "48 8D 0D", RVA_DATA + 0x10);        /* lea rcx, [rip+"abcdef"] */
    RipRel(&e, "FF 15", iat);                       /* call [strlen] */
    Bytes(&e, "89 44 24 30");                       /* mov [rsp+0x30], eax */
    RipRel(&e, "48 8D 0D", RVA_DATA + 0x40);        /* lea rcx, [rip+L"AbC"] */
    Bytes(&e, "BA 03 00 00 00");                    /* mov edx, 3 */
    RipRel(&e, "4C 8D 05", RVA_DATA + 0x50);        /* lea r8, [rip+L"abc"] */
    Bytes(&e, "41 B9 03 00 00 00");                 /* mov r9d, 3 */
    Bytes(&e, "48 C7 44 24 20 01 00 00 00");        /* mov qword [rsp+0x20], 1: CaseInSensitive */
    RipRel(&e, "FF 15", iat + 8);                   /* call [RtlCompareUnicodeStrings] */
    Bytes(&e, "03 44 24 30");                       /* add eax, [rsp+0x30] */
    RipRel(&e, "48 8B 0D", RVA_DATA + 0x00);        /* mov rcx, [rip+pointer] */
    Bytes(&e, "03 01");                             /* add eax, [rcx] */
    Bytes(&e, "48 83 C4 38 C3");                    /* add rsp, 0x38; ret */
    e.At = RVA_FASTFAIL;
    Bytes(&e, "B9 07 00 00 00 CD 29");              /* mov ecx, 7; int 0x29 */
    /* RVA_LOOKUP: the entry point with MmGetSystemRoutineAddress as second import: looks up the
     * routine RegistryPath names and calls it on "abcdef"; -1 when the lookup gives NULL. */
    e.At = RVA_LOOKUP;
    Bytes(&e, "48 83 EC 28");                       /* sub rsp, 0x28 */
    Bytes(&e, "48 89 D1");                          /* mov rcx, rdx */
    RipRel(&e, "FF 15", iat + 8);                   /* call [MmGetSystemRoutineAddress] */
    Bytes(&e, "48 85 C0 74 0E");                    /* test rax, rax; jz fail */
    RipRel(&e, "48 8D 0D", RVA_DATA + 0x10);        /* lea rcx, [rip+"abcdef"] */
    Bytes(&e, "FF D0");                             /* call rax */
    Bytes(&e, "48 83 C4 28 C3");                    /* add rsp, 0x28; ret */
    Bytes(&e, "B8 FF FF FF FF 48 83 C4 28 C3");     /* fail: mov eax, -1; add rsp, 0x28; ret */
    e.At = RVA_DISPATCH;                            /* NTSTATUS Dispatch(PDEVICE_OBJECT rcx, PIRP rdx) */
    Bytes(&e, "C7 42 30 00 00 00 00");              /* mov dword [rdx+0x30], 0: Irp->IoStatus.Status = STATUS_SUCCESS */
    Bytes(&e, "48 C7 42 38 2A 00 00 00");           /* mov qword [rdx+0x38], 42: Irp->IoStatus.Information */
    Bytes(&e, "48 83 EC 28");                       /* sub rsp, 0x28 */
    Bytes(&e, "48 89 D1");                          /* mov rcx, rdx */
    Bytes(&e, "31 D2");                             /* xor edx, edx: IO_NO_INCREMENT */
    RipRel(&e, "FF 15", iat + 8);                   /* call [IofCompleteRequest] */
    Bytes(&e, "48 83 C4 28");                       /* add rsp, 0x28 */
    Bytes(&e, "31 C0 C3");                          /* xor eax, eax; ret */
    e.At = RVA_RETURN0;
    Bytes(&e, "31 C0 C3");                          /* xor eax, eax; ret */
    return IMG_SIZE;
}

static void WriteImage(const char *path, uint32_t entry, const char *secondImport)
{
    static uint8_t img[IMG_SIZE];
    size_t n = BuildImage(img, entry, secondImport);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK_EQ(fwrite(img, 1, n, f), n);
        fclose(f);
    }
}

static void TempPath(char *out, size_t cap, const char *tag)
{
    snprintf(out, cap, "/tmp/jmf-emu-pe-%d-%s.sys", (int)getpid(), tag);
}

static void test_image_mapped_relocated_bound(void)
{
    char path[128];
    TempPath(path, sizeof(path), "ok");
    WriteImage(path, RVA_TEXT, "RtlCompareUnicodeStrings");
    CHECK_EQ(EmuSetDriverImage(path), STATUS_SUCCESS);
    DRIVER_OBJECT driver;
    memset(&driver, 0, sizeof(driver));
    /* 6 (strlen through its thunk) + 0 (equal without regard to case: the fifth
     * argument came from the stack) + 0x1000 (through the relocated pointer) */
    CHECK_EQ(EmuPeDriverEntry(&driver, NULL), 0x1006);
    uint8_t *base = driver.DriverStart;
    CHECK(base != NULL);
    CHECK_EQ(driver.DriverSize, IMG_SIZE);
    uint64_t pointer, cookie;
    memcpy(&pointer, base + RVA_DATA, 8);
    memcpy(&cookie, base + RVA_DATA + 8, 8);
    CHECK(pointer == (uint64_t)(uintptr_t)(base + RVA_DATA + 0x20));
    CHECK(cookie != DEFAULT_COOKIE && cookie != 0);             /* seeded: GsDriverEntry keeps it */
    CHECK_EQ(cookie >> 48, 0);                                  /* a 48-bit value, as Windows makes it */
    CHECK_EQ(EmuViolationCount(), 0);
    EmuSetDriverImage(NULL);
    unlink(path);
}

static void test_unknown_import_refused(void)
{
    char path[128];
    TempPath(path, sizeof(path), "unknown");
    WriteImage(path, RVA_TEXT, "NoSuchRoutine");
    EmuSetDriverImage(path);
    DRIVER_OBJECT driver;
    memset(&driver, 0, sizeof(driver));
    CHECK_EQ(EmuPeDriverEntry(&driver, NULL), STATUS_INVALID_IMAGE_FORMAT);
    CHECK(strstr(EmuDriverImageError(), "ntoskrnl.exe!NoSuchRoutine") != NULL);
    EmuSetDriverImage(NULL);
    unlink(path);
}

/* MmGetSystemRoutineAddress from a driver binary gives what its import table would hold: a routine it
 * can call with its own (ms_abi) convention; NULL for FltMgr's routines and unknown names. */
static void test_system_routine_address_from_a_binary(void)
{
    char path[128];
    TempPath(path, sizeof(path), "lookup");
    WriteImage(path, RVA_LOOKUP, "MmGetSystemRoutineAddress");
    CHECK_EQ(EmuSetDriverImage(path), STATUS_SUCCESS);
    DRIVER_OBJECT driver;
    memset(&driver, 0, sizeof(driver));
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"strlen");
    CHECK_EQ(EmuPeDriverEntry(&driver, &name), 6);
    UNICODE_STRING flt = RTL_CONSTANT_STRING(L"FltRegisterFilter");
    CHECK_EQ(EmuPeDriverEntry(&driver, &flt), -1);
    UNICODE_STRING none = RTL_CONSTANT_STRING(L"NoSuchRoutine");
    CHECK_EQ(EmuPeDriverEntry(&driver, &none), -1);
    CHECK_EQ(EmuViolationCount(), 0);
    EmuSetDriverImage(NULL);
    unlink(path);
}

/* __fastfail ends the process (a bug check on Windows): run it in a child. */
static void test_fastfail_reported(void)
{
    char path[128];
    TempPath(path, sizeof(path), "fastfail");
    WriteImage(path, RVA_FASTFAIL, "RtlCompareUnicodeStrings");
    int pipefd[2];
    CHECK_EQ(pipe(pipefd), 0);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        EmuSetDriverImage(path);
        DRIVER_OBJECT driver;
        memset(&driver, 0, sizeof(driver));
        EmuPeDriverEntry(&driver, NULL);
        _exit(0);                                   /* not reached: the image must not return */
    }
    close(pipefd[1]);
    char text[1024];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof(text) - 1 && (n = read(pipefd[0], text + used, sizeof(text) - 1 - used)) > 0) {
        used += (size_t)n;
    }
    text[used] = 0;
    close(pipefd[0]);
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(text, "__fastfail(7) in the driver image at RVA 0x1105") != NULL);
    unlink(path);
}

/* The dispatch routines a driver image stores in its DRIVER_OBJECT are ms_abi code: the I/O manager
 * (emu_device.c) calls them as such, and their IofCompleteRequest comes back through the import thunk. */
static void test_image_dispatch_routine_called_ms_abi(void)
{
    char path[128];
    TempPath(path, sizeof(path), "dispatch");
    WriteImage(path, RVA_RETURN0, "IofCompleteRequest");
    CHECK_EQ(EmuSetDriverImage(path), STATUS_SUCCESS);
    DRIVER_OBJECT driver;
    memset(&driver, 0, sizeof(driver));
    driver.Type = 4;
    CHECK_EQ(EmuPeDriverEntry(&driver, NULL), STATUS_SUCCESS);
    uint8_t *base = driver.DriverStart;
    CHECK(base != NULL);
    if (base != NULL) {
        for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
            driver.MajorFunction[i] = (PDRIVER_DISPATCH)(void *)(base + RVA_DISPATCH);
        }
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\EmuPeCdo");
        PDEVICE_OBJECT device = NULL;
        CHECK_EQ(IoCreateDevice(&driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &device), STATUS_SUCCESS);
        EmuDevicesAfterDriverEntry(&driver);
        uint64_t h = 0, info = 0;
        CHECK_EQ(EmuDeviceOpen("\\Device\\EmuPeCdo", GENERIC_READ, 0, FILE_OPEN, 0, &h, &info), STATUS_SUCCESS);
        CHECK_EQ(info, 42);                         /* what the image's routine wrote into the IRP */
        CHECK_EQ(EmuDeviceClose(h), 0);
        IoDeleteDevice(device);
    }
    CHECK_EQ(EmuViolationCount(), 0);
    EmuSetDriverImage(NULL);
    unlink(path);
}

const TEST_CASE g_peTests[] = {
    { "pe: a driver image's dispatch routine (ms_abi) receives its IRP and completes it through IofCompleteRequest", test_image_dispatch_routine_called_ms_abi },
    { "pe: an image is mapped, relocated (DIR64), bound by name through ms_abi thunks; the /GS cookie is seeded", test_image_mapped_relocated_bound },
    { "pe: an import the emulator does not implement fails the load, naming it", test_unknown_import_refused },
    { "pe: MmGetSystemRoutineAddress gives a driver binary an ms_abi-callable routine, NULL for FltMgr's", test_system_routine_address_from_a_binary },
    { "pe: int 0x29 (__fastfail) in the image is reported with its code and offset, and ends the process", test_fastfail_reported },
};
const size_t g_peTestsCount = sizeof(g_peTests) / sizeof(g_peTests[0]);
