package org.jminifilter.cli.output;

import org.jminifilter.protocol.NtStatus;

/**
 * An NTSTATUS as a person reads it: its name when it is a well-known one, else 0x-hex; never a
 * negative decimal.
 */
public final class StatusText {
    private StatusText() {
    }

    /** {@code STATUS_ACCESS_DENIED} or {@code 0xC0000123}. */
    public static String of(int status) {
        return NtStatus.of(status).name();
    }
}
