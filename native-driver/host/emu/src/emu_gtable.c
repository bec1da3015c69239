/*
 * emu_gtable.c - generic tables (RtlInitializeGenericTable and friends,
 * ntddk.h): elements the caller's AllocateRoutine provides, each holding the
 * table's links (RTL_SPLAY_LINKS, then the LIST_ENTRY of the insertion-order
 * list) followed by the caller's data, which is what the routines hand out.
 *
 * As documented: no duplicates (an insert that matches an element returns it
 * and allocates nothing, *NewElement FALSE); Buffer's data is copied into the
 * new element (the pointer returned is never Buffer); RtlGetElementGenericTable
 * indexes the insertion order; RtlDeleteElementGenericTable gives the element
 * back to the FreeRoutine and answers FALSE for data the table does not hold.
 * The emulator keeps the elements in the insertion-order list only and
 * searches it with the CompareRoutine (the splay tree of Windows is an
 * optimisation no caller can observe; TableRoot is non-NULL exactly while the
 * table holds elements). The caller synchronizes; IRQL <= DISPATCH_LEVEL.
 */
#include "emu_internal.h"
#include <string.h>

#define EMU_GT_LINKS (sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY))

static PLIST_ENTRY EmuGtList(PRTL_SPLAY_LINKS links) { return (PLIST_ENTRY)(links + 1); }
static PVOID EmuGtData(PLIST_ENTRY entry) { return (PUCHAR)entry + sizeof(LIST_ENTRY); }
static PRTL_SPLAY_LINKS EmuGtLinks(PLIST_ENTRY entry) { return (PRTL_SPLAY_LINKS)entry - 1; }

/* A table RtlInitializeGenericTable prepared (its list and compare routine are there), else a violation. */
static int EmuGtCheck(PRTL_GENERIC_TABLE Table, const char *routine)
{
    if (!EmuRequireIrql(routine, DISPATCH_LEVEL)) {
        return 0;
    }
    if (Table == NULL || Table->CompareRoutine == NULL || Table->InsertOrderList.Flink == NULL ||
        Table->InsertOrderList.Blink == NULL) {
        EmuViolation("%s(%p): not a generic table initialized by RtlInitializeGenericTable", routine, (void *)Table);
        return 0;
    }
    return 1;
}

/* The element whose data compares equal to Buffer, or NULL. */
static PLIST_ENTRY EmuGtFind(PRTL_GENERIC_TABLE Table, PVOID Buffer)
{
    for (PLIST_ENTRY e = Table->InsertOrderList.Flink; e != &Table->InsertOrderList; e = e->Flink) {
        if (Table->CompareRoutine(Table, Buffer, EmuGtData(e)) == GenericEqual) {
            return e;
        }
    }
    return NULL;
}

VOID RtlInitializeGenericTable(PRTL_GENERIC_TABLE Table, PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine,
                               PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine, PRTL_GENERIC_FREE_ROUTINE FreeRoutine, PVOID TableContext)
{
    if (!EmuRequireIrql("RtlInitializeGenericTable", DISPATCH_LEVEL)) {
        return;
    }
    if (Table == NULL || CompareRoutine == NULL || AllocateRoutine == NULL || FreeRoutine == NULL) {
        EmuViolation("RtlInitializeGenericTable(%p, %p, %p, %p): the table and all three routines are required",
                     (void *)Table, (void *)CompareRoutine, (void *)AllocateRoutine, (void *)FreeRoutine);
        return;
    }
    memset(Table, 0, sizeof(*Table));
    InitializeListHead(&Table->InsertOrderList);
    Table->OrderedPointer = &Table->InsertOrderList;
    Table->CompareRoutine = CompareRoutine;
    Table->AllocateRoutine = AllocateRoutine;
    Table->FreeRoutine = FreeRoutine;
    Table->TableContext = TableContext;
}

PVOID RtlInsertElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize, PBOOLEAN NewElement)
{
    if (NewElement != NULL) {
        *NewElement = FALSE;
    }
    if (!EmuGtCheck(Table, "RtlInsertElementGenericTable")) {
        return NULL;
    }
    PLIST_ENTRY found = EmuGtFind(Table, Buffer);
    if (found != NULL) {
        return EmuGtData(found);        /* no duplicates: the AllocateRoutine is not called */
    }
    PRTL_SPLAY_LINKS links = Table->AllocateRoutine(Table, (CLONG)(EMU_GT_LINKS + BufferSize));
    if (links == NULL) {
        return NULL;
    }
    memset(links, 0, sizeof(*links));
    links->Parent = links;              /* a root's parent is itself */
    PLIST_ENTRY entry = EmuGtList(links);
    memcpy(EmuGtData(entry), Buffer, BufferSize);
    InsertTailList(&Table->InsertOrderList, entry);
    Table->NumberGenericTableElements++;
    Table->TableRoot = EmuGtLinks(Table->InsertOrderList.Flink);
    Table->OrderedPointer = &Table->InsertOrderList;    /* indexes restart after a change */
    Table->WhichOrderedElement = 0;
    if (NewElement != NULL) {
        *NewElement = TRUE;
    }
    return EmuGtData(entry);
}

PVOID RtlLookupElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer)
{
    if (!EmuGtCheck(Table, "RtlLookupElementGenericTable")) {
        return NULL;
    }
    PLIST_ENTRY found = EmuGtFind(Table, Buffer);
    return found != NULL ? EmuGtData(found) : NULL;
}

BOOLEAN RtlDeleteElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer)
{
    if (!EmuGtCheck(Table, "RtlDeleteElementGenericTable")) {
        return FALSE;
    }
    PLIST_ENTRY found = EmuGtFind(Table, Buffer);
    if (found == NULL) {
        return FALSE;
    }
    RemoveEntryList(found);
    Table->NumberGenericTableElements--;
    Table->TableRoot = IsListEmpty(&Table->InsertOrderList) ? NULL : EmuGtLinks(Table->InsertOrderList.Flink);
    Table->OrderedPointer = &Table->InsertOrderList;
    Table->WhichOrderedElement = 0;
    Table->FreeRoutine(Table, EmuGtLinks(found));      /* the block the AllocateRoutine returned */
    return TRUE;
}

PVOID RtlGetElementGenericTable(PRTL_GENERIC_TABLE Table, ULONG I)
{
    if (!EmuGtCheck(Table, "RtlGetElementGenericTable") || I >= Table->NumberGenericTableElements) {
        return NULL;
    }
    PLIST_ENTRY e = Table->InsertOrderList.Flink;
    for (ULONG n = 0; n < I; n++) {
        e = e->Flink;
    }
    return EmuGtData(e);
}

ULONG RtlNumberGenericTableElements(PRTL_GENERIC_TABLE Table)
{
    return EmuGtCheck(Table, "RtlNumberGenericTableElements") ? Table->NumberGenericTableElements : 0;
}

BOOLEAN RtlIsGenericTableEmpty(PRTL_GENERIC_TABLE Table)
{
    return EmuGtCheck(Table, "RtlIsGenericTableEmpty") ? (BOOLEAN)(Table->TableRoot == NULL) : TRUE;
}
