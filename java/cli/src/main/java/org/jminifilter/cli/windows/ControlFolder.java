package org.jminifilter.cli.windows;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.Platform;

import org.jminifilter.cli.control.ControlPaths;

/**
 * The folder of serve's control socket on Windows, {@code %ProgramData%\jminifilter}: before
 * serve binds the socket there, the folder is created and its DACL replaced by a protected one
 * (inherited ACEs of %ProgramData%, which let every user create files, no longer apply) that
 * grants full control to Administrators and SYSTEM only, inherited by the files and folders in it.
 * So only an elevated administrator or the service reaches the socket, as only they reach the
 * driver's port. The owner becomes Administrators too: a user who created the folder first
 * would otherwise stay its owner, and an owner may always rewrite the DACL. When that cannot be
 * done (such a user took the administrators' access away) serve stops rather than open the
 * socket there. JNA Platform has no ConvertStringSecurityDescriptorToSecurityDescriptor, so the
 * DACL is built call by call.
 *
 * <p>Only the default folder is touched: a {@code --control} socket elsewhere lives in a folder
 * the user chose, whose ACL is theirs.
 */
public final class ControlFolder {
    /** sizeof(ACL). */
    static final int ACL_HEADER = 8;
    /** sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD SidStart): the ACE before its SID. */
    static final int ACE_HEADER = 8;

    private final SecurityApi api;

    public ControlFolder(SecurityApi api) {
        this.api = api;
    }

    /**
     * serve's hook: for the default control socket on Windows, creates and restricts its folder;
     * any other path is returned as given.
     *
     * @return {@code socket}
     */
    public static Path prepare(Path socket) throws IOException {
        if (Platform.isWindows() && socket.equals(ControlPaths.defaultPath())) {
            new ControlFolder(new Advapi32Security()).restrict(socket.toAbsolutePath().getParent());
        }
        return socket;
    }

    /** Creates {@code folder} if needed and sets its protected Administrators + SYSTEM DACL. */
    public void restrict(Path folder) throws IOException {
        Files.createDirectories(folder);
        try {
            SecurityApi.Sid admins = api.wellKnownSid(SecurityApi.WIN_BUILTIN_ADMINISTRATORS_SID);
            SecurityApi.Sid system = api.wellKnownSid(SecurityApi.WIN_LOCAL_SYSTEM_SID);
            // InitializeAcl's documented size: the ACL header plus, per ACE, the ACE without SidStart and the SID.
            int size = ACL_HEADER + ACE_HEADER + admins.length() + ACE_HEADER + system.length();
            size = (size + 3) & ~3; // DWORD-aligned
            SecurityApi.Acl acl = api.initializeAcl(size);
            int inherit = SecurityApi.OBJECT_INHERIT_ACE | SecurityApi.CONTAINER_INHERIT_ACE;
            api.addAccessAllowedAce(acl, inherit, SecurityApi.FILE_ALL_ACCESS, admins);
            api.addAccessAllowedAce(acl, inherit, SecurityApi.FILE_ALL_ACCESS, system);
            api.setFileSecurity(folder.toString(), SecurityApi.OWNER_SECURITY_INFORMATION
                    | SecurityApi.DACL_SECURITY_INFORMATION | SecurityApi.PROTECTED_DACL_SECURITY_INFORMATION, admins,
                    acl);
            // The SIDs and the ACL are native memory their objects own: keep them until the call has returned.
            Reference.reachabilityFence(admins);
            Reference.reachabilityFence(system);
            Reference.reachabilityFence(acl);
        } catch (Win32Error e) {
            throw new IOException("cannot restrict " + folder + " to Administrators and SYSTEM (" + e.getMessage()
                    + "); the control socket is not opened there", e);
        }
    }
}
