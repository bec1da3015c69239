/*
 * emu_guiddef.h - DEFINE_GUID, as guiddef.h has it: a declaration of the named
 * GUID, or, where initguid.h was included first (INITGUID), its definition
 * (DECLSPEC_SELECTANY: every translation unit that defines it shares one).
 * No include guard, on purpose: initguid.h re-includes it to switch
 * DEFINE_GUID to definitions after emu_ntdef.h has been read.
 */
#undef DEFINE_GUID
#if defined(INITGUID) && defined(__cplusplus)
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    EXTERN_C const GUID DECLSPEC_SELECTANY name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#elif defined(INITGUID)
/* C: a file-scope const already has external linkage ("extern" with an initializer only draws a warning). */
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    const GUID DECLSPEC_SELECTANY name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) EXTERN_C const GUID name
#endif
