/*
 * emu_sal.h - the WDK's source annotations (SAL 2), calling conventions and
 * compiler keywords, for gcc/clang on Linux. Annotations only inform static
 * analysis, so here they expand to nothing; the list is deliberately generous
 * so that driver sources written against the real WDK compile unchanged.
 *
 * Written from the SAL documentation; not derived from the WDK headers.
 */
#ifndef EMU_SAL_H
#define EMU_SAL_H

/* Parameters */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _In_reads_(s)
#define _In_reads_opt_(s)
#define _In_reads_bytes_(s)
#define _In_reads_bytes_opt_(s)
#define _In_reads_z_(s)
#define _In_reads_or_z_(s)
#define _Out_writes_(s)
#define _Out_writes_opt_(s)
#define _Out_writes_z_(s)
#define _Out_writes_bytes_(s)
#define _Out_writes_bytes_opt_(s)
#define _Out_writes_to_(s, c)
#define _Out_writes_to_opt_(s, c)
#define _Out_writes_all_(s)
#define _Out_writes_bytes_to_(s, c)
#define _Out_writes_bytes_to_opt_(s, c)
#define _Out_writes_bytes_all_(s)
#define _Out_writes_bytes_all_opt_(s)
#define _Inout_updates_(s)
#define _Inout_updates_opt_(s)
#define _Inout_updates_z_(s)
#define _Inout_updates_bytes_(s)
#define _Inout_updates_bytes_opt_(s)
#define _Inout_updates_to_(s, c)
#define _Inout_updates_bytes_to_(s, c)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Outptr_opt_result_nullonfailure_
#define _Outptr_result_z_
#define _Outptr_result_buffer_(s)
#define _Outptr_result_bytebuffer_(s)
#define _Outptr_result_bytebuffer_maybenull_(s)
#define _Outptr_result_buffer_maybenull_(s)
#define _Outref_
#define _Outref_result_maybenull_
#define _Deref_out_
#define _Deref_out_opt_
#define _Deref_out_range_(l, h)
#define _Deref_in_range_(l, h)
#define _Deref_pre_maybenull_
#define _Deref_post_maybenull_
#define _Reserved_
#define _Pre_
#define _Post_
#define _Deref_
#define _Pre_valid_
#define _Post_valid_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Pre_null_
#define _Post_null_
#define _Post_notnull_
#define _Post_maybenull_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Pre_writable_size_(s)
#define _Pre_writable_byte_size_(s)
#define _Pre_readable_size_(s)
#define _Pre_readable_byte_size_(s)
#define _Post_writable_size_(s)
#define _Post_writable_byte_size_(s)
#define _Post_readable_size_(s)
#define _Post_readable_byte_size_(s)
#define _Post_equal_to_(e)
#define _Post_satisfies_(e)
#define _Pre_satisfies_(e)
#define _Post_z_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Notnull_
#define _Maybenull_
#define _Valid_
#define _Notvalid_
#define _Literal_
#define _Const_
#define _Points_to_data_
#define _Readable_bytes_(s)
#define _Writable_bytes_(s)
#define _Readable_elements_(s)
#define _Writable_elements_(s)
#define _Struct_size_bytes_(s)
#define _Inexpressible_(e)
#define _Unreferenced_parameter_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _In_range_(l, h)
#define _Out_range_(l, h)
#define _Ret_range_(l, h)
#define _Field_range_(l, h)
#define _Pre_equal_to_(e)
#define _In_defensive_(a)
#define _Printf_format_string_
#define _Scanf_format_string_
#define _Format_string_impl_(k, w)

/* Return values and functions */
#define _Check_return_
#define _Must_inspect_result_
#define _Success_(e)
#define _Return_type_success_(e)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_null_
#define _Ret_z_
#define _Ret_valid_
#define _Ret_writes_(s)
#define _Ret_writes_bytes_(s)
#define _Ret_writes_maybenull_(s)
#define _Ret_writes_bytes_maybenull_(s)
#define _Ret_writes_bytes_to_(s, c)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _On_failure_(a)
#define _Always_(a)
#define _When_(c, a)
#define _At_(t, a)
#define _At_buffer_(t, i, c, a)
#define _Group_(a)
#define _Use_decl_annotations_
#define _Analysis_assume_(e)
#define _Analysis_noreturn_
#define _Analysis_mode_(m)
#define _Raises_SEH_exception_
#define _Maybe_raises_SEH_exception_
#define _Function_class_(c)
#define _Dispatch_type_(t)
#define _Callback_
#define _Kernel_entry_
#define _Kernel_float_used_
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_clear_do_init_(y)
#define _Kernel_requires_resource_held_(t)
#define _Kernel_requires_resource_not_held_(t)
#define _Kernel_acquires_resource_(t)
#define _Kernel_releases_resource_(t)
#define _Kernel_IoGetDmaAdapter_
#define _Enum_is_bitflag_
#define _Strict_type_match_
#define _Points_to_data_
#define _Interlocked_operand_
#define _Notliteral_
#define _Translates_Win32_to_HRESULT_(e)
#define _Translates_NTSTATUS_to_HRESULT_(e)

/* Fields */
#define _Field_size_(s)
#define _Field_size_opt_(s)
#define _Field_size_bytes_(s)
#define _Field_size_bytes_opt_(s)
#define _Field_size_part_(s, c)
#define _Field_size_bytes_part_(s, c)
#define _Field_size_full_(s)
#define _Field_size_bytes_full_(s)
#define _Field_z_
#define _Satisfies_(e)

/* IRQL */
#define _IRQL_requires_(i)
#define _IRQL_requires_max_(i)
#define _IRQL_requires_min_(i)
#define _IRQL_requires_same_
#define _IRQL_raises_(i)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(k, p)
#define _IRQL_restores_global_(k, p)
#define _IRQL_always_function_max_(i)
#define _IRQL_always_function_min_(i)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _IRQL_lowers_
#define _IRQL_limited_to_(i)

/* Locks and concurrency */
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Requires_exclusive_lock_held_(l)
#define _Requires_shared_lock_held_(l)
#define _Requires_no_locks_held_
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Acquires_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Releases_shared_lock_(l)
#define _Acquires_nonreentrant_lock_(l)
#define _Releases_nonreentrant_lock_(l)
#define _Post_same_lock_(a, b)
#define _Guarded_by_(l)
#define _Write_guarded_by_(l)
#define _Interlocked_
#define _No_competing_thread_
#define _No_competing_thread_begin_
#define _No_competing_thread_end_
#define _Benign_race_begin_
#define _Benign_race_end_
#define _Has_lock_kind_(k)
#define _Has_lock_level_(l)
#define _Lock_level_order_(a, b)
#define _Create_lock_level_(l)
#define _Analysis_assume_lock_held_(l)
#define _Analysis_assume_lock_not_held_(l)
#define _Analysis_assume_lock_acquired_(l)
#define _Analysis_assume_lock_released_(l)
#define _Analysis_assume_same_lock_(a, b)
#define _Analysis_suppress_lock_checking_(l)

/* Old-style (__drv_ and __in) annotations */
#define __drv_allocatesMem(k)
#define __drv_freesMem(k)
#define __drv_aliasesMem
#define __drv_when(c, a)
#define __drv_maxIRQL(i)
#define __drv_minIRQL(i)
#define __drv_requiresIRQL(i)
#define __drv_setsIRQL(i)
#define __drv_raisesIRQL(i)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(k, p)
#define __drv_restoresIRQLGlobal(k, p)
#define __drv_sameIRQL
#define __drv_useCancelIRQL
#define __drv_dispatchType(t)
#define __drv_dispatchType_other
#define __drv_functionClass(c)
#define __drv_inTry
#define __drv_notInTry
#define __drv_strictTypeMatch(m)
#define __drv_strictType(t, m)
#define __drv_isObjectPointer
#define __drv_valueIs(v)
#define __drv_reportError(e)
#define __drv_preferredFunction(f, r)
#define __drv_at(e, a)
#define __drv_acquiresResource(k)
#define __drv_releasesResource(k)
#define __drv_mustHold(k)
#define __drv_neverHold(k)
#define __drv_acquiresCriticalRegion
#define __drv_releasesCriticalRegion
#define __drv_mustHoldCriticalRegion
#define __drv_requiresIRQLLevel(i)
#define __drv_out(a)
#define __drv_in(a)
#define __drv_constant
#define __drv_nonConstant
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __in_bcount(s)
#define __in_bcount_opt(s)
#define __out_bcount(s)
#define __out_bcount_opt(s)
#define __out_bcount_part(s, c)
#define __deref_out
#define __deref_out_opt
#define __checkReturn
#define __success(e)
#define __callback
#define __range(l, h)

/* Calling conventions, linkage and compiler keywords */
#define NTAPI
#define FLTAPI
#define WINAPI
#define CALLBACK
#define STDCALL
#define __stdcall
#define __cdecl
#define __fastcall
#define NTKERNELAPI
#define NTSYSAPI
#define NTSYSCALLAPI
#define NTHALAPI
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_CACHEALIGN __attribute__((aligned(64)))
#define DECLSPEC_NOTHROW
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_DEPRECATED
#define DECLSPEC_DEPRECATED_DDK
#define DECLSPEC_GUARDNOCF
#define DECLSPEC_RESTRICT
/* The WDK aligns these FLT_PARAMETERS members to a pointer on 64-bit targets
 * (DECLSPEC_ALIGN(8)): without it every member after Key, FileInformationClass,
 * FileAttributes or EaLength sits 4-8 bytes lower than where the real .sys
 * reads it (layout/wdk_x64_layout.h asserts the offsets). */
#if defined(__x86_64__) || defined(__aarch64__) || defined(_WIN64)
#define POINTER_ALIGNMENT __attribute__((aligned(8)))
#else
#define POINTER_ALIGNMENT
#endif
#define UNALIGNED
#define RESTRICTED_POINTER
#define CONST const
#define VOLATILE volatile
/* MSVC's __forceinline: always inlined, the linkage left as declared (a sample
 * may declare a routine in its header and define it FORCEINLINE in a .c, as
 * MetadataManager does). GNU "extern inline" never emits a copy of its own. */
#define FORCEINLINE extern __inline__ __attribute__((__gnu_inline__, __always_inline__, __unused__))
#define __forceinline inline
#define __inline inline
#define EXTERN_C extern
#define IN
#define OUT
#define OPTIONAL
#define ANYSIZE_ARRAY 1
/* ntdef.h's empty macro (samples write `NOTHING;` as an empty statement). */
#define NOTHING
/* fltKernel.h's annotation of a pre-operation callback's CompletionContext
 * (an out pointer, set when the callback returns ..._WITH_CALLBACK). */
#define _Flt_CompletionContext_Outptr_
#define _Flt_ConnectionCookie_Outptr_
#define INIT_CODE_SEG
#ifndef __declspec
#define __declspec(x)
#endif

#endif /* EMU_SAL_H */
