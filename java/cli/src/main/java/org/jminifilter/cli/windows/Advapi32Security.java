package org.jminifilter.cli.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.AccCtrl;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;

/** {@link SecurityApi} through JNA Platform's Advapi32. Windows only. */
final class Advapi32Security implements SecurityApi {
    private static final Advapi32 A = Advapi32.INSTANCE;

    /** The PSID and the memory it points into (the PSID structure owns its Memory). */
    private record NativeSid(WinNT.PSID psid) implements Sid {
        @Override
        public int length() {
            return A.GetLengthSid(psid);
        }
    }

    /** The ACL structure over its own buffer. */
    private record NativeAcl(WinNT.ACL acl) implements Acl {
    }

    @Override
    public Sid wellKnownSid(int type) {
        WinNT.PSID sid = new WinNT.PSID(WinNT.SECURITY_MAX_SID_SIZE);
        IntByReference size = new IntByReference(WinNT.SECURITY_MAX_SID_SIZE);
        if (!A.CreateWellKnownSid(type, null, sid, size)) {
            throw new Win32Error("CreateWellKnownSid(" + type + ")", Native.getLastError());
        }
        return new NativeSid(sid);
    }

    @Override
    public Acl initializeAcl(int size) {
        // ACL(int) allocates its own buffer (ACL(Pointer) would parse it before it is initialized).
        WinNT.ACL acl = new WinNT.ACL(size);
        if (!A.InitializeAcl(acl, size, WinNT.ACL_REVISION)) {
            throw new Win32Error("InitializeAcl", Native.getLastError());
        }
        return new NativeAcl(acl);
    }

    @Override
    public void addAccessAllowedAce(Acl acl, int aceFlags, int accessMask, Sid sid) {
        if (!A.AddAccessAllowedAceEx(((NativeAcl) acl).acl(), WinNT.ACL_REVISION, aceFlags, accessMask,
                ((NativeSid) sid).psid())) {
            throw new Win32Error("AddAccessAllowedAceEx", Native.getLastError());
        }
    }

    @Override
    public void setFileSecurity(String path, int securityInformation, Sid owner, Acl dacl) {
        int rc = A.SetNamedSecurityInfo(path, AccCtrl.SE_OBJECT_TYPE.SE_FILE_OBJECT, securityInformation,
                ((NativeSid) owner).psid().getPointer(), null, ((NativeAcl) dacl).acl().getPointer(), null);
        if (rc != 0) {
            throw new Win32Error("SetNamedSecurityInfo(" + path + ")", rc);
        }
    }
}
