package org.jminifilter.emulator;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Makes the emulator know every Java thread before that thread's first call into it.
 *
 * <p>Why: the emulator's fast mutexes, mutexes and resources (emu_sync.c) ask for the current
 * thread (PsGetCurrentThread) while holding the emulator's global lock, and the emulator creates
 * its record of a thread it has not seen under that same lock: the first such call on a new
 * thread deadlocks (seen with the policy service's event thread in ExAcquireFastMutex, from
 * JmfEventsDrain). Setting the thread's process first (EmuSetCurrentProcess) creates the record
 * outside any lock. Harmless once the emulator is fixed.
 *
 * <p>A thread is introduced once per {@link EmulatedKernel} start (a reset forgets processes),
 * as the service process while a kernel is open (as the policy service's threads are), else as
 * System (the emulator's own default).
 */
final class ThreadIntroducer implements InvocationHandler {

    /** Calls that set or reset the thread's process themselves. */
    private static final Set<String> SELF_INTRODUCING = Set.of("EmuSetCurrentProcess", "EmuReset", "EmuSetProcess");
    private static final int SYSTEM_PID = 4;
    private static final ThreadLocal<Integer> KNOWN_IN_GENERATION = ThreadLocal.withInitial(() -> -1);

    private final EmuLibrary raw;

    private ThreadIntroducer(EmuLibrary raw) {
        this.raw = raw;
    }

    /** {@code raw} behind a proxy that introduces each calling thread first. */
    static EmuLibrary wrap(EmuLibrary raw) {
        return (EmuLibrary) Proxy.newProxyInstance(EmuLibrary.class.getClassLoader(), new Class<?>[] {EmuLibrary.class},
                new ThreadIntroducer(raw));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "EmuLibrary (threads introduced) over " + raw;
            };
        }
        int generation = EmulatedKernel.generation();
        if (!SELF_INTRODUCING.contains(method.getName()) && KNOWN_IN_GENERATION.get() != generation) {
            if (raw.EmuSetCurrentProcess(EmulatedKernel.current().isPresent() ? EmulatedKernel.SERVICE_PID
                    : SYSTEM_PID) == 0) {
                KNOWN_IN_GENERATION.set(generation);
            }
        }
        try {
            Object result = method.invoke(raw, args);
            if (method.getName().equals("EmuSetCurrentProcess") && Integer.valueOf(0).equals(result)) {
                KNOWN_IN_GENERATION.set(generation);
            }
            return result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
