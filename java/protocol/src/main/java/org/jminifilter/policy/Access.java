package org.jminifilter.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Access-mask bits for files and directories, with the values winnt.h documents (the same as
 * JNA Platform's {@code WinNT} constants), so a policy need not import a Windows binding. Use them
 * for a rule's desired-access match ({@link Rule.Builder#desiredAccess(int)}), for a MODIFY that
 * strips access ({@link Action.Modify}), and to read an ask's {@link
 * org.jminifilter.protocol.Ask#desiredAccess()}.
 *
 * <p>A create's desired access holds generic rights ({@code GENERIC_WRITE}) only as the caller
 * wrote them; by the time a minifilter sees the create, the I/O manager has mapped them to the
 * specific rights ({@code FILE_GENERIC_WRITE}), so match on specific bits.
 */
public final class Access {
    /** Read a file's data. */
    public static final int FILE_READ_DATA = 0x0001;
    /** List a directory (the same bit as FILE_READ_DATA). */
    public static final int FILE_LIST_DIRECTORY = 0x0001;
    /** Write a file's data. */
    public static final int FILE_WRITE_DATA = 0x0002;
    /** Create a file in a directory (the same bit as FILE_WRITE_DATA). */
    public static final int FILE_ADD_FILE = 0x0002;
    /** Append to a file. */
    public static final int FILE_APPEND_DATA = 0x0004;
    /** Create a subdirectory (the same bit as FILE_APPEND_DATA). */
    public static final int FILE_ADD_SUBDIRECTORY = 0x0004;
    /** Read extended attributes. */
    public static final int FILE_READ_EA = 0x0008;
    /** Write extended attributes. */
    public static final int FILE_WRITE_EA = 0x0010;
    /** Execute a file. */
    public static final int FILE_EXECUTE = 0x0020;
    /** Traverse a directory (the same bit as FILE_EXECUTE). */
    public static final int FILE_TRAVERSE = 0x0020;
    /** Delete a directory's children. */
    public static final int FILE_DELETE_CHILD = 0x0040;
    /** Read attributes. */
    public static final int FILE_READ_ATTRIBUTES = 0x0080;
    /** Write attributes. */
    public static final int FILE_WRITE_ATTRIBUTES = 0x0100;

    /** Delete the object. */
    public static final int DELETE = 0x00010000;
    /** Read the security descriptor (but the SACL). */
    public static final int READ_CONTROL = 0x00020000;
    /** Change the DACL. */
    public static final int WRITE_DAC = 0x00040000;
    /** Change the owner. */
    public static final int WRITE_OWNER = 0x00080000;
    /** Wait on the object. */
    public static final int SYNCHRONIZE = 0x00100000;
    /** DELETE, READ_CONTROL, WRITE_DAC, WRITE_OWNER. */
    public static final int STANDARD_RIGHTS_REQUIRED = 0x000F0000;
    /** READ_CONTROL. */
    public static final int STANDARD_RIGHTS_READ = READ_CONTROL;
    /** READ_CONTROL. */
    public static final int STANDARD_RIGHTS_WRITE = READ_CONTROL;
    /** READ_CONTROL. */
    public static final int STANDARD_RIGHTS_EXECUTE = READ_CONTROL;
    /** Read or write the SACL. */
    public static final int ACCESS_SYSTEM_SECURITY = 0x01000000;
    /** Whatever the caller may be granted (a MODIFY cannot strip bits from such a request). */
    public static final int MAXIMUM_ALLOWED = 0x02000000;
    /** Generic rights, mapped to specific ones by the I/O manager before a minifilter sees them. */
    public static final int GENERIC_ALL = 0x10000000;
    /** Generic execute. */
    public static final int GENERIC_EXECUTE = 0x20000000;
    /** Generic write. */
    public static final int GENERIC_WRITE = 0x40000000;
    /** Generic read. */
    public static final int GENERIC_READ = 0x80000000;

    /** What GENERIC_READ maps to for a file: 0x00120089. */
    public static final int FILE_GENERIC_READ = STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES
            | FILE_READ_EA | SYNCHRONIZE;
    /** What GENERIC_WRITE maps to for a file: 0x00120116. */
    public static final int FILE_GENERIC_WRITE = STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES
            | FILE_WRITE_EA | FILE_APPEND_DATA | SYNCHRONIZE;
    /** What GENERIC_EXECUTE maps to for a file: 0x001200A0. */
    public static final int FILE_GENERIC_EXECUTE = STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE
            | SYNCHRONIZE;
    /** Every file right: 0x001F01FF. */
    public static final int FILE_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF;

    private static final String[] NAMES = {
        "FILE_READ_DATA", "FILE_WRITE_DATA", "FILE_APPEND_DATA", "FILE_READ_EA", "FILE_WRITE_EA", "FILE_EXECUTE",
        "FILE_DELETE_CHILD", "FILE_READ_ATTRIBUTES", "FILE_WRITE_ATTRIBUTES",
    };

    private static final Map<String, Integer> BY_NAME = byName();

    private Access() {
    }

    /** Every constant of this class by its name (FILE_WRITE_DATA, GENERIC_WRITE, ...), in declaration order. */
    public static Map<String, Integer> names() {
        return BY_NAME;
    }

    private static Map<String, Integer> byName() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (java.lang.reflect.Field f : Access.class.getFields()) {
            if (f.getType() == int.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                try {
                    m.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The bits of {@code mask} by name, for messages: {@code FILE_WRITE_DATA|SYNCHRONIZE}, with
     * any bit without a name here as hex; {@code 0} for none.
     *
     * @param mask an access mask
     * @return the names joined with '|'
     */
    public static String describe(int mask) {
        if (mask == 0) {
            return "0";
        }
        List<String> parts = new ArrayList<>();
        int rest = mask;
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((mask & (1 << bit)) != 0) {
                parts.add(NAMES[bit]);
                rest &= ~(1 << bit);
            }
        }
        int[] high = {DELETE, READ_CONTROL, WRITE_DAC, WRITE_OWNER, SYNCHRONIZE, ACCESS_SYSTEM_SECURITY,
            MAXIMUM_ALLOWED, GENERIC_ALL, GENERIC_EXECUTE, GENERIC_WRITE, GENERIC_READ};
        String[] highNames = {"DELETE", "READ_CONTROL", "WRITE_DAC", "WRITE_OWNER", "SYNCHRONIZE",
            "ACCESS_SYSTEM_SECURITY", "MAXIMUM_ALLOWED", "GENERIC_ALL", "GENERIC_EXECUTE", "GENERIC_WRITE",
            "GENERIC_READ"};
        for (int i = 0; i < high.length; i++) {
            if ((mask & high[i]) != 0) {
                parts.add(highNames[i]);
                rest &= ~high[i];
            }
        }
        if (rest != 0) {
            parts.add(String.format("0x%X", rest));
        }
        return String.join("|", parts);
    }
}
