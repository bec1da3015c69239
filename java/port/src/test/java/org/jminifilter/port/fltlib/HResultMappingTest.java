package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.platform.win32.W32Errors;
import com.sun.jna.platform.win32.WinError;
import java.util.stream.Stream;
import org.jminifilter.port.ConnectionLimitException;
import org.jminifilter.port.FilterPortException;
import org.jminifilter.port.HResult;
import org.jminifilter.port.InsufficientBufferException;
import org.jminifilter.port.InvalidPortHandleException;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.PortAccessDeniedException;
import org.jminifilter.port.PortClosedException;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.port.ProtocolMismatchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every HRESULT the port maps: its value (against JNA Platform), its exception and its advice. */
class HResultMappingTest {

    static Stream<Arguments> mapped() {
        return Stream.of(
                Arguments.of(HResult.PORT_NOT_FOUND, WinError.ERROR_FILE_NOT_FOUND, PortNotFoundException.class,
                        "fltmc load jminifilter"),
                Arguments.of(HResult.ACCESS_DENIED, WinError.ERROR_ACCESS_DENIED, PortAccessDeniedException.class,
                        "elevated"),
                Arguments.of(HResult.CONNECTION_LIMIT, WinError.ERROR_CONNECTION_COUNT_LIMIT,
                        ConnectionLimitException.class, "another policy service is connected"),
                Arguments.of(HResult.INVALID_PARAMETER, WinError.ERROR_INVALID_PARAMETER, FilterPortException.class,
                        "unexpected failure"),
                Arguments.of(HResult.INSUFFICIENT_BUFFER, WinError.ERROR_INSUFFICIENT_BUFFER,
                        InsufficientBufferException.class, "too small"),
                Arguments.of(HResult.MORE_DATA, WinError.ERROR_MORE_DATA, InsufficientBufferException.class,
                        "too small"),
                Arguments.of(HResult.INVALID_HANDLE, WinError.ERROR_INVALID_HANDLE, InvalidPortHandleException.class,
                        "unloading"),
                Arguments.of(HResult.REVISION_MISMATCH, WinError.ERROR_REVISION_MISMATCH,
                        ProtocolMismatchException.class, "different protocol versions"),
                Arguments.of(HResult.OPERATION_ABORTED, WinError.ERROR_OPERATION_ABORTED, PortClosedException.class,
                        "closing"));
    }

    @ParameterizedTest
    @MethodSource("mapped")
    void eachWin32FailureHasItsValueItsExceptionAndAdvice(int hresult, int win32Error,
            Class<? extends FilterPortException> type, String advice) {
        assertEquals(W32Errors.HRESULT_FROM_WIN32(win32Error).intValue(), hresult,
                "HRESULT_FROM_WIN32(" + win32Error + ")");

        FilterPortException e = FilterPortException.forHresult("FilterSomething", hresult);

        assertSame(type, e.getClass());
        assertEquals(hresult, e.hresult());
        assertTrue(e.getMessage().startsWith("FilterSomething failed with HRESULT " + HResult.hex(hresult)),
                e.getMessage());
        assertTrue(e.getMessage().contains(advice), e.getMessage());
    }

    @Test
    void noWaiterForReplyIsTheFilterManagersOwnCode() {
        // ERROR_FLT_NO_WAITER_FOR_REPLY: facility 0x1F (FACILITY_USERMODE_FILTER_MANAGER), code 0x20.
        assertEquals(0x801F0020, HResult.NO_WAITER_FOR_REPLY);
        assertEquals(-2145452000, HResult.NO_WAITER_FOR_REPLY);
        assertEquals(0x1F, W32Errors.HRESULT_FACILITY(HResult.NO_WAITER_FOR_REPLY));

        FilterPortException e = FilterPortException.forHresult("FilterReplyMessage", HResult.NO_WAITER_FOR_REPLY);

        assertSame(NoWaiterForReplyException.class, e.getClass());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void ioPendingIsHresultFromWin32() {
        assertEquals(W32Errors.HRESULT_FROM_WIN32(WinError.ERROR_IO_PENDING).intValue(), HResult.IO_PENDING);
        assertEquals(HResult.OPERATION_ABORTED, FltLibFilterPort.fromWin32(WinError.ERROR_OPERATION_ABORTED));
    }

    @Test
    void anUnmappedFailureKeepsItsHresultInTheMessage() {
        FilterPortException e = FilterPortException.forHresult("FilterSendMessage", 0x80070057);

        assertSame(FilterPortException.class, e.getClass());
        assertEquals(0x80070057, e.hresult());
        assertTrue(e.getMessage().contains("0x80070057"), e.getMessage());
    }
}
