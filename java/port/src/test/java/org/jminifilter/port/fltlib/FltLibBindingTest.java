package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.port.Notification;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link FltLib} binding through real JNA marshalling: a C stand-in for fltlib.dll with the
 * same four exports (fltlib_stub.c) is compiled with the machine's C compiler and loaded with the
 * options {@link FltLib#load()} uses, and FltLibFilterPort drives it. This checks what the fake
 * cannot: the exact bytes of the port name (wide characters, NUL-terminated), the context size's
 * width (a 16-bit WORD, told from an int by the raw argument register), the HANDLE through its
 * out-parameter, the buffer and OVERLAPPED pointers FilterGetMessage writes through, and the
 * reply header the stub reads through the pointer. Skipped without a C compiler unless
 * jmf.native.required=true.
 */
class FltLibBindingTest {

    /** The stub's recorders. */
    public interface Stub extends Library {
        Pointer stub_name();

        int stub_name_bytes();

        int stub_wchar_size();

        int stub_options();

        Pointer stub_context();

        long stub_context_size_raw();

        Pointer stub_security();

        int stub_in_size();

        int stub_out_size();

        Pointer stub_get_port();

        Pointer stub_get_buffer();

        int stub_get_size();

        Pointer stub_get_overlapped();

        int stub_reply_size();

        Pointer stub_reply();
    }

    private static FltLib fltLib;
    private static Stub stub;

    @TempDir
    static Path dir;

    @BeforeAll
    static void buildStub() throws Exception {
        Path source = dir.resolve("fltlib_stub.c");
        try (InputStream in = FltLibBindingTest.class.getResourceAsStream("/fltlib-stub/fltlib_stub.c")) {
            Files.copy(in, source);
        }
        Path library = dir.resolve("libfltlibstub.so");
        compile(source, library);
        // FltLib's own options, but the C calling convention: StdCallLibrary asks for stdcall, which
        // libffi has only on 32-bit Windows (on x64 Windows the two are the same convention).
        Map<String, Object> options = new HashMap<>(FltLib.options());
        options.put(Library.OPTION_CALLING_CONVENTION, Function.C_CONVENTION);
        fltLib = Native.load(library.toString(), FltLib.class, options);
        stub = Native.load(library.toString(), Stub.class);
    }

    private static void compile(Path source, Path library) throws InterruptedException {
        String why;
        try {
            Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-O1", "-o", library.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String output = new String(cc.getInputStream().readAllBytes());
            if (cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0) {
                return;
            }
            why = "cc failed: " + output;
        } catch (IOException e) {
            why = "no C compiler (cc): " + e.getMessage();
        }
        if (Boolean.getBoolean("jmf.native.required")) {
            fail(why + ", and jmf.native.required=true");
        }
        Assumptions.abort("the fltlib binding test is skipped: " + why
                + " (set jmf.native.required=true to make this a failure)");
    }

    @Test
    void thePortNameArrivesAsNulTerminatedWideCharactersNotANarrowString() {
        WinNT.HANDLEByReference handle = new WinNT.HANDLEByReference();

        fltLib.FilterConnectCommunicationPort(Protocol.PORT_NAME, 0, null, new WinDef.WORD(0), null, handle);

        // LPCWSTR: wchar_t units, which JNA (UNICODE options) writes as the platform's wchar_t:
        // UTF-16LE on Windows (2 bytes), UTF-32LE here (4 bytes). A narrow (ANSI) binding would
        // pass one byte per character and fail this.
        int wcharSize = stub.stub_wchar_size();
        assertEquals(Native.WCHAR_SIZE, wcharSize, "JNA and the C compiler agree on wchar_t");
        Charset wide = wcharSize == 2 ? StandardCharsets.UTF_16LE : Charset.forName("UTF-32LE");
        byte[] expected = Protocol.PORT_NAME.getBytes(wide);
        assertEquals(expected.length, stub.stub_name_bytes(), "bytes before the NUL wchar_t");
        assertArrayEquals(expected, stub.stub_name().getByteArray(0, stub.stub_name_bytes()));
        assertEquals(Pointer.nativeValue(FakeKernel.PORT.getPointer()), Pointer.nativeValue(handle.getValue().getPointer()),
                "the HANDLE comes back through HANDLE*");
    }

    @Test
    void theContextSizeIsMarshalledAsASixteenBitWordNotAnInt() {
        Memory context = new Memory(0xFFFF);
        context.clear();
        context.setByte(0, (byte) 0x5A);

        fltLib.FilterConnectCommunicationPort("x", 0, context, new WinDef.WORD(0xFFFF), null,
                new WinNT.HANDLEByReference());

        long raw = stub.stub_context_size_raw();
        assertEquals(0xFFFF, raw & 0xFFFF, "the WORD's value");
        // A 16-bit argument widened by sign extension: an int (or DWORD) 0xFFFF would be 0xFFFF here.
        assertEquals(-1L, raw, "raw argument register 0x" + Long.toHexString(raw) + ": not a 16-bit value");
        assertEquals(0x5A, stub.stub_context().getByte(0));
    }

    @Test
    void thePortMarshalsEveryCallAsFltuserHDeclaresIt() throws Exception {
        FakeKernel kernel = new FakeKernel(); // kernel32 and CancelIoEx stay fakes: only fltlib is real here
        ByteBuffer context = ConnectContext.current().encode();
        FltLibFilterPort port = FltLibFilterPort.connect(fltLib, kernel.kernel32, kernel.cancelIo,
                Protocol.PORT_NAME, context, new FltLibFilterPort.Settings(Protocol.ASK_SIZE, 1, 1 << 20,
                        Duration.ofSeconds(5)));
        try {
            // FilterConnectCommunicationPort
            assertEquals(0, stub.stub_options());
            assertEquals(8, stub.stub_context_size_raw(), "WORD wSizeOfContext");
            assertArrayEquals(bytes(context), stub.stub_context().getByteArray(0, 8));
            assertNull(stub.stub_security());
            // FilterGetMessage: the HANDLE came back through HANDLE* and goes out again
            assertEquals(Pointer.nativeValue(FakeKernel.PORT.getPointer()), Pointer.nativeValue(stub.stub_get_port()));
            assertEquals(Protocol.NOTIFICATION_BUFFER_SIZE, stub.stub_get_size());
            assertEquals(0, Pointer.nativeValue(stub.stub_get_buffer()) % 8, "8-byte aligned receive buffer");
            Pointer overlapped = stub.stub_get_overlapped();
            assertNotNull(overlapped, "the OVERLAPPED is passed by reference");

            // The stub wrote a message through the buffer pointer; complete it as Windows would.
            kernel.queue.add(new FakeKernel.Packet(true, 16 + 24, FltLibFilterPort.PORT_KEY, overlapped, 0));
            Notification message = port.receive();
            assertEquals(0x0123456789ABCDEFL, message.messageId());
            assertEquals(56, message.replyLength());
            ByteBuffer body = message.body();
            assertEquals(24, body.remaining());
            assertEquals(1, body.getInt(0));
            assertEquals(24, body.getInt(4));
            assertEquals(23, body.get(23));
            assertEquals(Pointer.nativeValue(overlapped), Pointer.nativeValue(stub.stub_get_overlapped()),
                    "the slot was re-issued with the same OVERLAPPED");

            // FilterSendMessage: 4 bytes are too few for the stub's echo, so the port grows to 4096
            byte[] command = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            ByteBuffer reply = port.send(ByteBuffer.wrap(command), 4);
            assertEquals(12, stub.stub_in_size());
            assertEquals(4096, stub.stub_out_size());
            assertArrayEquals(new byte[] {12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, bytes(reply));

            // FilterReplyMessage: the stub answers ERROR_FLT_NO_WAITER_FOR_REPLY after reading our buffer
            byte[] verdict = new byte[Protocol.ASK_REPLY_SIZE];
            verdict[0] = 2;
            verdict[39] = 7;
            assertThrows(NoWaiterForReplyException.class,
                    () -> port.reply(0x1122334455667788L, ByteBuffer.wrap(verdict)));
            assertEquals(Protocol.REPLY_BUFFER_SIZE, stub.stub_reply_size());
            ByteBuffer written = ByteBuffer.wrap(stub.stub_reply().getByteArray(0, 56)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, written.getInt(0));
            assertEquals(0x1122334455667788L, written.getLong(8));
            assertArrayEquals(verdict, bytes(written.position(16)));

            // The pending receive is cancelled on close; hand its completion back as Windows would.
            kernel.queue.add(new FakeKernel.Packet(false, 0, FltLibFilterPort.PORT_KEY, overlapped,
                    WinError.ERROR_OPERATION_ABORTED));
        } finally {
            port.close();
        }
        assertEquals(0, FltLibFilterPort.inFlightCount(port), "the cancelled receive completed, nothing kept");
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
        assertEquals(List.of(), kernel.violations);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
