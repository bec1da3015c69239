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
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jminifilter.port.NoWaiterForReplyException;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link FltLib} binding through real JNA marshalling: a C stand-in for fltlib.dll with the
 * same four exports (fltlib_stub.c) is compiled with the machine's C compiler and loaded with the
 * options {@link FltLib#load()} uses, and FltLibFilterPort drives it. This checks what the Mockito
 * tests cannot: that the port name arrives as a wide string, the context size as a 16-bit WORD,
 * the HANDLE through its out-parameter, and that the stub reads our reply header through the
 * pointer. Skipped without a C compiler unless jmf.native.required=true.
 */
class FltLibBindingTest {

    /** The stub's recorders. */
    public interface Stub extends Library {
        Pointer stub_name();

        int stub_options();

        Pointer stub_context();

        int stub_context_size();

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
    void theBindingMarshalsEveryCallAsFltuserHDeclaresIt() throws Exception {
        FakeKernel kernel = new FakeKernel(); // kernel32 and CancelIoEx stay mocks: only fltlib is real here
        ByteBuffer context = ConnectContext.current().encode();
        FltLibFilterPort port = FltLibFilterPort.connect(fltLib, kernel.kernel32, kernel.cancelIo,
                Protocol.PORT_NAME, context, new FltLibFilterPort.Settings(Protocol.ASK_SIZE, 1, 1 << 20,
                        Duration.ofSeconds(5)));
        try {
            // FilterConnectCommunicationPort
            assertEquals(Protocol.PORT_NAME, stub.stub_name().getWideString(0), "LPCWSTR, not a narrow string");
            assertEquals(0, stub.stub_options());
            assertEquals(8, stub.stub_context_size(), "WORD wSizeOfContext");
            assertArrayEquals(bytes(context), stub.stub_context().getByteArray(0, 8));
            assertNull(stub.stub_security());
            // FilterGetMessage: the HANDLE came back through HANDLE* and goes out again
            assertEquals(Pointer.nativeValue(FakeKernel.PORT.getPointer()), Pointer.nativeValue(stub.stub_get_port()));
            assertEquals(Protocol.NOTIFICATION_BUFFER_SIZE, stub.stub_get_size());
            assertNotNull(stub.stub_get_buffer());
            Pointer overlapped = stub.stub_get_overlapped();
            assertNotNull(overlapped, "the OVERLAPPED is passed by reference");

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
        assertNull(FltLibFilterPort.keptAlive(port), "the cancelled receive completed, nothing kept");
        assertEquals(1, kernel.closesOf(FakeKernel.PORT));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
