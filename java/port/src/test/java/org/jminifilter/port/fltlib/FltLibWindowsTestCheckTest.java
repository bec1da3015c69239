package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The check {@link FltLibWindowsTest} makes of every binding, tried on any OS against the C
 * library: a function that exists resolves and a misnamed one is reported by name, with the
 * function mapper fltlib's options install (W32API's, which tries the name with a W suffix
 * first). So the Windows test cannot pass by resolving nothing.
 */
class FltLibWindowsTestCheckTest {

    /** Two C library functions, one misspelt (strlen is in glibc and in msvcrt). */
    interface LibC extends Library {
        long strlen(String s);

        long strlenn(String s);
    }

    @Test
    void theResolutionCheckReportsExactlyTheMisnamedFunction() {
        List<String> missing = FltLibWindowsTest.unresolved(LibC.class, Platform.C_LIBRARY_NAME, FltLib.options());
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("strlenn (looked up as strlenn"), missing.toString());
    }
}
