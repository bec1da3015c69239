package org.jminifilter.cli.windows;

/**
 * The Advapi32 security calls that build and set a folder's DACL (CreateWellKnownSid,
 * GetLengthSid, InitializeAcl, AddAccessAllowedAceEx, SetNamedSecurityInfo), so tests can give a
 * fake that records the sequence and fails any call. Failures throw {@link Win32Error}. A
 * {@link Sid} or {@link Acl} is native memory owned by the object: it stays valid while the
 * object is reachable, so the caller keeps them until SetNamedSecurityInfo has returned.
 */
public interface SecurityApi {
    /** A SID in native memory. */
    interface Sid {
        /** GetLengthSid. */
        int length();
    }

    /** An ACL buffer in native memory. */
    interface Acl {
    }

    /** CreateWellKnownSid(type, no domain). */
    Sid wellKnownSid(int type);

    /** A buffer of {@code size} bytes, InitializeAcl(ACL_REVISION). */
    Acl initializeAcl(int size);

    /** AddAccessAllowedAceEx(ACL_REVISION). */
    void addAccessAllowedAce(Acl acl, int aceFlags, int accessMask, Sid sid);

    /** SetNamedSecurityInfo(SE_FILE_OBJECT, securityInformation, owner, no group, dacl, no SACL). */
    void setFileSecurity(String path, int securityInformation, Sid owner, Acl dacl);

    int WIN_LOCAL_SYSTEM_SID = 22;
    int WIN_BUILTIN_ADMINISTRATORS_SID = 26;
    int OBJECT_INHERIT_ACE = 0x1;
    int CONTAINER_INHERIT_ACE = 0x2;
    int FILE_ALL_ACCESS = 0x001F01FF;
    int OWNER_SECURITY_INFORMATION = 0x1;
    int DACL_SECURITY_INFORMATION = 0x4;
    int PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
}
