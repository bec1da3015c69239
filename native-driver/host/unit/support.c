/* support.c - allocator, UTF-16 helpers and policy builder for the tests. */
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void *
TestAllocate(void *Context, JMF_U64 Bytes)
{
    TEST_ALLOC *alloc = (TEST_ALLOC *)Context;
    void *block;

    if ((long)alloc->Calls++ == alloc->FailAt) {
        return NULL;
    }
    block = calloc(1, Bytes == 0 ? 1 : (size_t)Bytes);
    if (block != NULL) {
        alloc->Allocations++;
    }
    return block;
}

static void
TestFreeBlock(void *Context, void *Block)
{
    TEST_ALLOC *alloc = (TEST_ALLOC *)Context;

    alloc->Frees++;
    free(Block);
}

void
TestAllocInit(TEST_ALLOC *Alloc, long FailAt)
{
    memset(Alloc, 0, sizeof(*Alloc));
    Alloc->FailAt = FailAt;
    Alloc->Allocator.Allocate = TestAllocate;
    Alloc->Allocator.Free = TestFreeBlock;
    Alloc->Allocator.Context = Alloc;
}

unsigned long
TestAllocLive(const TEST_ALLOC *Alloc)
{
    return Alloc->Allocations - Alloc->Frees;
}

JMF_U32
Utf16(const char *Utf8, JMF_U16 *Out, JMF_U32 Capacity)
{
    const unsigned char *s = (const unsigned char *)Utf8;
    JMF_U32 n = 0;

    while (*s != 0 && n < Capacity) {
        JMF_U32 c = *s++;

        if (c >= 0xE0u) {
            c = ((c & 0x0Fu) << 12) | ((JMF_U32)(s[0] & 0x3Fu) << 6) | (s[1] & 0x3Fu);
            s += 2;
        } else if (c >= 0xC0u) {
            c = ((c & 0x1Fu) << 6) | (s[0] & 0x3Fu);
            s += 1;
        }
        Out[n++] = (JMF_U16)c;
    }
    return n;
}

void
TpInit(TEST_POLICY *Tp)
{
    memset(Tp, 0, sizeof(*Tp));
}

void
TpFree(TEST_POLICY *Tp)
{
    free(Tp->Rules);
    free(Tp->Strings);
    free(Tp->Body);
    memset(Tp, 0, sizeof(*Tp));
}

JMF_STRING_REF
TpString16(TEST_POLICY *Tp, const JMF_U16 *Chars, JMF_U32 Count)
{
    JMF_STRING_REF ref;

    if (Tp->StringChars + Count > Tp->StringCapacity) {
        Tp->StringCapacity = (Tp->StringChars + Count) * 2u + 64u;
        Tp->Strings = (JMF_U16 *)realloc(Tp->Strings, Tp->StringCapacity * sizeof(JMF_U16));
    }
    memcpy(Tp->Strings + Tp->StringChars, Chars, Count * sizeof(JMF_U16));
    ref.Offset = Count == 0 ? 0 : Tp->StringChars * 2u;
    ref.Length = Count * 2u;
    Tp->StringChars += Count;
    return ref;
}

JMF_STRING_REF
TpString(TEST_POLICY *Tp, const char *Utf8)
{
    JMF_U16 chars[2048];

    return TpString16(Tp, chars, Utf16(Utf8, chars, 2048));
}

JMF_U16
TpVolume(TEST_POLICY *Tp, const char *Name)
{
    Tp->Volumes[Tp->VolumeCount].Name = TpString(Tp, Name);
    return (JMF_U16)Tp->VolumeCount++;
}

JMF_U32
TpRule(TEST_POLICY *Tp, JMF_U32 RuleId, JMF_U32 Operations, JMF_U32 Type)
{
    JMF_RULE *rule;

    if (Tp->RuleCount == Tp->RuleCapacity) {
        Tp->RuleCapacity = Tp->RuleCapacity * 2u + 16u;
        Tp->Rules = (JMF_RULE *)realloc(Tp->Rules, Tp->RuleCapacity * sizeof(JMF_RULE));
    }
    rule = &Tp->Rules[Tp->RuleCount];
    memset(rule, 0, sizeof(*rule));
    rule->RuleId = RuleId;
    rule->Operations = Operations;
    rule->Volume = JMF_VOLUME_ANY;
    rule->Action.Type = Type;
    rule->Action.Disposition = JMF_DISPOSITION_UNCHANGED;
    switch (Type) {
    case JMF_ACTION_DENY:
        rule->Action.Status = TEST_STATUS_ACCESS_DENIED;
        break;
    case JMF_ACTION_MODIFY:
        rule->Action.AccessClear = TEST_FILE_WRITE_DATA;
        break;
    case JMF_ACTION_REDIRECT:
        rule->Action.TargetVolume = 0;
        break;
    default:
        break;
    }
    return Tp->RuleCount++;
}

JMF_RULE *
TpAt(TEST_POLICY *Tp, JMF_U32 Index)
{
    return &Tp->Rules[Index];
}

void
TpPath(TEST_POLICY *Tp, JMF_U32 Index, const char *Pattern)
{
    JMF_STRING_REF ref = TpString(Tp, Pattern);

    Tp->Rules[Index].Path = ref;
}

void
TpImage(TEST_POLICY *Tp, JMF_U32 Index, const char *Pattern)
{
    JMF_STRING_REF ref = TpString(Tp, Pattern);

    Tp->Rules[Index].Image = ref;
}

static JMF_U32
Align8(JMF_U32 Value)
{
    return (Value + 7u) & ~7u;
}

void
TpBuild(TEST_POLICY *Tp)
{
    JMF_POLICY_HEADER *h = &Tp->Header;
    JMF_U32 offset = sizeof(JMF_POLICY_HEADER);

    memset(h, 0, sizeof(*h));
    h->Magic = JMF_POLICY_MAGIC;
    h->Version = JMF_POLICY_VERSION;
    h->RuleCount = Tp->RuleCount;
    h->RuleOffset = offset;
    offset = Align8(offset + Tp->RuleCount * (JMF_U32)sizeof(JMF_RULE));
    h->VolumeCount = Tp->VolumeCount;
    h->VolumeOffset = offset;
    offset = Align8(offset + Tp->VolumeCount * (JMF_U32)sizeof(JMF_VOLUME));
    h->StringOffset = offset;
    h->StringBytes = Tp->StringChars * 2u;
    offset = Align8(offset + h->StringBytes);
    h->TotalLength = offset;

    free(Tp->Body);
    Tp->Body = (JMF_U8 *)calloc(1, offset);
    Tp->Length = offset;
    memcpy(Tp->Body, h, sizeof(*h));
    if (Tp->RuleCount != 0) {
        memcpy(Tp->Body + h->RuleOffset, Tp->Rules, Tp->RuleCount * sizeof(JMF_RULE));
    }
    if (Tp->VolumeCount != 0) {
        memcpy(Tp->Body + h->VolumeOffset, Tp->Volumes, Tp->VolumeCount * sizeof(JMF_VOLUME));
    }
    if (Tp->StringChars != 0) {
        memcpy(Tp->Body + h->StringOffset, Tp->Strings, h->StringBytes);
    }
}

void
TpPatchHeader(TEST_POLICY *Tp)
{
    memcpy(Tp->Body, &Tp->Header, sizeof(Tp->Header));
}

JMF_U32
TpCompile(TEST_POLICY *Tp, TEST_ALLOC *Alloc, JMF_POLICY **Policy, JMF_RESULT *Result)
{
    TpBuild(Tp);
    return JmfPolicyCompile(Tp->Body, Tp->Length, 7, &Alloc->Allocator, Policy, Result);
}

void
TfInit(TEST_FACTS *Tf, JMF_U32 Phase, JMF_U32 Operation, const char *Path)
{
    memset(Tf, 0, sizeof(*Tf));
    Tf->Facts.Phase = Phase;
    Tf->Facts.Operation = Operation;
    Tf->Facts.Volume = JMF_VOLUME_ANY;
    Tf->Facts.CreateDisposition = JMF_FILE_OPEN;
    Tf->Facts.Path = Tf->Path;
    Tf->Facts.PathChars = Path != NULL ? Utf16(Path, Tf->Path, 4096) : 0;
    Tf->Facts.Image = Tf->Image;
    Tf->Facts.ImageChars = 0;
}

void
TfImage(TEST_FACTS *Tf, const char *Image)
{
    Tf->Facts.ImageChars = Utf16(Image, Tf->Image, 1024);
}
