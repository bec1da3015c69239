package org.jminifilter.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.jminifilter.protocol.NtStatus;
import org.junit.jupiter.api.Test;

/** How a create's outcome reads in a failed assertion or a log. */
class OpenResultTest {

    @Test
    void aFailedOpenNamesNoCreateInformation() {
        // Information 0 with an error is "nothing", not FILE_SUPERSEDED.
        assertEquals("STATUS_ACCESS_DENIED (0xC0000022), no handle",
                new OpenResult(NtStatus.ACCESS_DENIED, 0, Optional.empty()).toString());
        assertEquals("0xC0DE0001, no handle", new OpenResult(NtStatus.of(0xC0DE0001), 0, Optional.empty()).toString());
    }

    @Test
    void aFailedOpenWithInformationNamesIt() {
        assertEquals("STATUS_OBJECT_NAME_COLLISION (0xC0000035), Information FILE_EXISTS, no handle",
                new OpenResult(NtStatus.OBJECT_NAME_COLLISION, CreateInformation.EXISTS.value(), Optional.empty())
                        .toString());
    }

    @Test
    void aSuccessfulOpenNamesWhatItDid() {
        assertEquals("STATUS_SUCCESS (0x00000000), Information FILE_SUPERSEDED, no handle",
                new OpenResult(NtStatus.SUCCESS, 0, Optional.empty()).toString());
    }
}
