package org.jminifilter.port.fltlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.FunctionMapper;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.W32APIOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jminifilter.port.HResult;
import org.jminifilter.port.PortNotFoundException;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The fltlib binding against the real fltlib.dll and kernel32.dll of a Windows machine without
 * the jminifilter driver loaded (the Windows CI runner): every function {@link FltLib} and
 * {@link Kernel32CancelIo} declare resolves under the name JNA will look up (the options'
 * function mapper applied, as JNA's proxy does), each call reaches the DLL, and connecting to
 * {@code \JMiniFilterPort} fails with port-not-found, reported as {@link PortNotFoundException}.
 * A binding whose name or library is wrong fails here with the name. Elsewhere (no fltlib.dll)
 * JUnit reports it disabled on this OS; FltLibBindingTest checks the marshalling on Linux with a
 * C stand-in.
 */
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "needs the real fltlib.dll: runs on Windows (the windows CI job)")
class FltLibWindowsTest {

    /** The functions the binding declares, resolved as JNA resolves them; the names that do not resolve. */
    static List<String> unresolved(Class<? extends Library> binding, String library, Map<String, ?> options) {
        NativeLibrary lib = NativeLibrary.getInstance(library, options);
        FunctionMapper mapper = (FunctionMapper) options.get(Library.OPTION_FUNCTION_MAPPER);
        List<String> missing = new ArrayList<>();
        for (Method method : declaredFunctions(binding)) {
            String name = mapper == null ? method.getName() : mapper.getFunctionName(lib, method);
            try {
                lib.getFunction(name);
            } catch (UnsatisfiedLinkError e) {
                missing.add(method.getName() + " (looked up as " + name + " in " + library + ".dll)");
            }
        }
        return missing;
    }

    static List<Method> declaredFunctions(Class<?> binding) {
        return Arrays.stream(binding.getDeclaredMethods())
                .filter(m -> Modifier.isAbstract(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .toList();
    }

    /** A binding with a name fltlib.dll does not export: the check above must report it. */
    interface MisnamedFltLib extends Library {
        WinNT.HRESULT FilterConnectCommunicationPorts(String lpPortName, int dwOptions, Pointer lpContext,
                WinDef.WORD wSizeOfContext, Pointer lpSecurityAttributes, WinNT.HANDLEByReference hPort);
    }

    @Test
    void everyFltLibFunctionResolvesInTheRealDll() {
        assertEquals(4, declaredFunctions(FltLib.class).size(), "FltLib declares the four port functions");
        assertEquals(List.of(), unresolved(FltLib.class, "fltlib", FltLib.options()));
    }

    @Test
    void cancelIoExResolvesInKernel32() {
        assertEquals(List.of(), unresolved(Kernel32CancelIo.class, "kernel32", W32APIOptions.DEFAULT_OPTIONS));
    }

    @Test
    void aMisnamedBindingIsReported() {
        // The check of the check: a wrong name must not pass.
        List<String> missing = unresolved(MisnamedFltLib.class, "fltlib", FltLib.options());
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("FilterConnectCommunicationPorts"), missing.toString());
    }

    @Test
    void connectingWithoutTheDriverGivesPortNotFound() {
        FltLib fltLib = FltLib.load();
        WinNT.HANDLEByReference handle = new WinNT.HANDLEByReference();
        byte[] encoded = bytes(ConnectContext.current().encode());
        Memory context = new Memory(encoded.length);
        context.write(0, encoded, 0, encoded.length);

        WinNT.HRESULT hr = fltLib.FilterConnectCommunicationPort(Protocol.PORT_NAME, 0, context,
                new WinDef.WORD(encoded.length), null, handle);

        if (hr.intValue() == 0) {
            Kernel32.INSTANCE.CloseHandle(handle.getValue());
            Assumptions.abort("the jminifilter driver is loaded on this machine: this test is for one without it");
        }
        assertEquals(HResult.hex(HResult.PORT_NOT_FOUND), HResult.hex(hr.intValue()),
                "FilterConnectCommunicationPort(" + Protocol.PORT_NAME + ") without the driver");
    }

    @Test
    void theProviderReportsPortNotFoundNamingThePort() {
        FltLibPortProvider provider = new FltLibPortProvider();
        assertTrue(provider.isSupported());
        PortNotFoundException e;
        try {
            provider.connect(Protocol.PORT_NAME, ConnectContext.current()).close();
            Assumptions.abort("the jminifilter driver is loaded on this machine: this test is for one without it");
            return;
        } catch (PortNotFoundException notFound) {
            e = notFound;
        }
        assertEquals(HResult.PORT_NOT_FOUND, e.hresult());
        System.out.println("FltLibWindowsTest: without the driver, connect reports: " + e.getMessage());
        assertTrue(e.getMessage().contains(Protocol.PORT_NAME) || e.getMessage().contains("fltmc load"),
                "the message names the port or the fix: " + e.getMessage());
    }

    @Test
    void eachPortCallReachesFltlibAndFailsOnANullHandle() {
        // The calls go through the real DLL: a NULL port handle is refused by the I/O manager
        // (ERROR_INVALID_HANDLE), which proves the function ran, with these argument types.
        FltLib fltLib = FltLib.load();
        WinNT.HANDLE none = new WinNT.HANDLE(Pointer.NULL);
        Memory in = new Memory(64);
        in.clear();
        Memory out = new Memory(64);
        IntByReference returned = new IntByReference();

        int send = fltLib.FilterSendMessage(none, in, 8, out, 64, returned).intValue();
        int get = fltLib.FilterGetMessage(none, out, 64, null).intValue();
        int reply = fltLib.FilterReplyMessage(none, in, 24).intValue();

        assertEquals(HResult.hex(HResult.INVALID_HANDLE), HResult.hex(send), "FilterSendMessage");
        assertEquals(HResult.hex(HResult.INVALID_HANDLE), HResult.hex(get), "FilterGetMessage");
        assertEquals(HResult.hex(HResult.INVALID_HANDLE), HResult.hex(reply), "FilterReplyMessage");
        assertFalse(Kernel32CancelIo.load().CancelIoEx(none, null), "CancelIoEx on a NULL handle");
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
