package org.jminifilter.junit;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.jminifilter.emulator.EmulatedKernel;
import org.jminifilter.emulator.EmulatedVolume;
import org.jminifilter.emulator.EmulatorUnavailableException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * An {@link EmulatedKernel} per test, with volumes and the real driver loaded, closed after the
 * test; <b>the test fails when closing finds any leak or misuse</b>
 * ({@link org.jminifilter.emulator.EmulatorViolationException} names each one), as a
 * Testcontainers or WireMock extension fails a test whose container or server went wrong.
 *
 * <p>Declaratively, with {@link WithEmulatedKernel} on the class or method (its attributes
 * configure it). Programmatically, as a field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final EmulatedKernelExtension emulator = EmulatedKernelExtension.withVolumes(
 *         "\\Device\\HarddiskVolume1", "\\Device\\HarddiskVolume2");      // driver loaded
 *
 * @Test
 * void deniesSecrets() {
 *     EmulatedProcess notepad = emulator.kernel().process(1200, "\\Device\\HarddiskVolume1\\notepad.exe");
 *     OpenResult r = notepad.open(emulator.volume(0), "\\secret\\a.txt", Access.FILE_GENERIC_WRITE, Disposition.CREATE);
 *     ...
 * }
 * }</pre>
 *
 * <p>Test and {@code @BeforeEach} methods may declare {@link EmulatedKernel} and
 * {@link EmulatedVolume} parameters (the n-th volume parameter gets the n-th volume); constructors
 * and {@code @BeforeAll} methods may not (the kernel exists per test).
 *
 * <p><b>One emulated kernel exists per JVM</b> (libjmfemu.so is process-global state), so tests
 * using it never overlap. {@link WithEmulatedKernel} declares the JUnit resource lock
 * {@value #RESOURCE}, which makes JUnit's parallel execution run them one at a time (and other
 * tests beside them). A registered field has no annotation to carry the lock: the extension then
 * waits, before the test, until the kernel of any other test has closed (one JVM-wide permit),
 * holding a worker thread meanwhile; annotate such classes
 * {@code @ResourceLock(EmulatedKernelExtension.RESOURCE)} to let JUnit schedule them instead. A
 * test that starts an {@link EmulatedKernel} itself while another is open gets
 * {@link IllegalStateException} from {@link EmulatedKernel#start()}.
 *
 * <p>Instances are immutable; the per-test kernel is reachable through {@link #kernel()} while a
 * test runs.
 */
public final class EmulatedKernelExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    /** The JUnit resource lock every test using the emulated kernel takes ({@code @ResourceLock}). */
    public static final String RESOURCE = "org.jminifilter.emulator.EmulatedKernel";
    /** The volume created when none are named. */
    public static final String DEFAULT_VOLUME = "\\Device\\HarddiskVolume1";

    /** One kernel per JVM: held from before a test until its kernel is closed. */
    private static final Semaphore ONE_KERNEL_PER_JVM = new Semaphore(1);
    /** The thread whose test holds the permit (a second extension on the same test must not wait for itself). */
    private static volatile Thread holder;

    /** What each test gets; null when the configuration comes from {@link WithEmulatedKernel}. */
    private final Settings fixed;
    /** The running test's kernel (tests using the extension never overlap: the permit). */
    private volatile Running running;

    private record Settings(List<String> volumes, boolean loadDriver, boolean skipWhenUnavailable) {
        Settings {
            volumes = List.copyOf(volumes);
            for (String volume : volumes) {
                if (volume == null || volume.isBlank()) {
                    throw new IllegalArgumentException("a volume name is null or blank: " + volumes);
                }
            }
        }

        static Settings of(WithEmulatedKernel annotation) {
            return new Settings(List.of(annotation.volumes()), annotation.loadDriver(),
                    annotation.skipWhenUnavailable());
        }
    }

    private record Running(EmulatedKernel kernel, List<EmulatedVolume> volumes, String test) {
    }

    /**
     * The extension {@link WithEmulatedKernel} registers (its attributes configure it); in a
     * field, {@link #withVolumes} reads better.
     */
    public EmulatedKernelExtension() {
        this.fixed = null;
    }

    private EmulatedKernelExtension(Settings fixed) {
        this.fixed = fixed;
    }

    /**
     * @param volumes NT device names such as {@code \Device\HarddiskVolume1}, created in order
     * @return an extension creating these volumes and loading the driver before each test
     */
    public static EmulatedKernelExtension withVolumes(String... volumes) {
        if (volumes.length == 0) {
            throw new IllegalArgumentException("name at least one volume (policies and opens need one)");
        }
        return new EmulatedKernelExtension(new Settings(List.of(volumes), true, false));
    }

    /** @return this extension, but without loading the driver (the test calls {@code kernel.loadDriver()}) */
    public EmulatedKernelExtension withoutDriver() {
        Settings s = settingsOrDefault();
        return new EmulatedKernelExtension(new Settings(s.volumes(), false, s.skipWhenUnavailable()));
    }

    /** @return this extension, but skipping (not failing) tests where libjmfemu.so cannot be loaded */
    public EmulatedKernelExtension skippingWhenUnavailable() {
        Settings s = settingsOrDefault();
        return new EmulatedKernelExtension(new Settings(s.volumes(), s.loadDriver(), true));
    }

    private Settings settingsOrDefault() {
        return fixed != null ? fixed : new Settings(List.of(DEFAULT_VOLUME), true, false);
    }

    /**
     * @return the running test's kernel
     * @throws IllegalStateException outside a test (or in {@code @BeforeAll}/{@code @AfterAll})
     */
    public EmulatedKernel kernel() {
        return current().kernel();
    }

    /** @return the running test's volumes, in the configured order */
    public List<EmulatedVolume> volumes() {
        return current().volumes();
    }

    /** @return the running test's {@code index}-th volume (0-based) */
    public EmulatedVolume volume(int index) {
        List<EmulatedVolume> volumes = volumes();
        if (index < 0 || index >= volumes.size()) {
            throw new IndexOutOfBoundsException("volume " + index + " of " + volumes.size() + ": " + volumes);
        }
        return volumes.get(index);
    }

    private Running current() {
        Running now = running;
        if (now == null) {
            throw new IllegalStateException("no emulated kernel: kernel() and volume() work while a test runs"
                    + " (from @BeforeEach to @AfterEach), not in @BeforeAll or @AfterAll");
        }
        return now;
    }

    // ------------------------------------------------------------------ JUnit callbacks

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Settings settings = fixed != null ? fixed : annotated(context);
        if (holder == Thread.currentThread()) {
            throw new ExtensionConfigurationException(context.getDisplayName() + " has two EmulatedKernelExtensions"
                    + " (an annotation and a field, or two fields): one emulated kernel exists per JVM, so a test"
                    + " can have one; keep one and configure it");
        }
        ONE_KERNEL_PER_JVM.acquire();
        holder = Thread.currentThread();
        EmulatedKernel kernel = null;
        try {
            try {
                kernel = EmulatedKernel.start();
            } catch (EmulatorUnavailableException e) {
                if (settings.skipWhenUnavailable()) {
                    throw new TestAbortedException("SKIPPED: the emulated kernel is unavailable here ("
                            + e.getMessage() + ")", e);
                }
                throw e;
            }
            List<EmulatedVolume> volumes = new ArrayList<>();
            for (String name : settings.volumes()) {
                volumes.add(kernel.createVolume(name));
            }
            if (settings.loadDriver()) {
                kernel.loadDriver();
            }
            running = new Running(kernel, List.copyOf(volumes), context.getDisplayName());
        } catch (Exception | Error e) {
            try {
                if (kernel != null) {
                    kernel.close();
                }
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            } finally {
                release();
            }
            throw e;
        }
    }

    /**
     * Closes the kernel: closes what the test left open, unloads the driver and fails the test
     * with {@link org.jminifilter.emulator.EmulatorViolationException} on any leak or misuse.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        Running now = running;
        if (now == null) {
            return; // beforeEach failed and cleaned up after itself
        }
        running = null;
        try {
            now.kernel().close();
        } finally {
            release();
        }
    }

    private static void release() {
        holder = null;
        ONE_KERNEL_PER_JVM.release();
    }

    /** The method's annotation, else the class's (or an enclosing class's), else the defaults. */
    private static Settings annotated(ExtensionContext context) {
        Optional<WithEmulatedKernel> found = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, WithEmulatedKernel.class));
        for (Class<?> c = context.getTestClass().orElse(null); found.isEmpty() && c != null; c = c.getEnclosingClass()) {
            found = AnnotationSupport.findAnnotation((AnnotatedElement) c, WithEmulatedKernel.class);
        }
        return found.map(Settings::of).orElseGet(() -> new Settings(List.of(DEFAULT_VOLUME), true, false));
    }

    // ------------------------------------------------------------------ parameters

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type != EmulatedKernel.class && type != EmulatedVolume.class) {
            return false;
        }
        Executable declaring = parameterContext.getDeclaringExecutable();
        if (extensionContext.getTestMethod().isEmpty() || declaring instanceof java.lang.reflect.Constructor) {
            throw new ParameterResolutionException(type.getSimpleName() + " parameter of " + declaring
                    + ": the emulated kernel exists per test; declare it on the test or a @BeforeEach method,"
                    + " not on a constructor or @BeforeAll method");
        }
        return true;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Running now = running;
        if (now == null) {
            throw new ParameterResolutionException("no emulated kernel is running for "
                    + extensionContext.getDisplayName());
        }
        Parameter parameter = parameterContext.getParameter();
        if (parameter.getType() == EmulatedKernel.class) {
            return now.kernel();
        }
        int nth = 0;
        Parameter[] all = parameterContext.getDeclaringExecutable().getParameters();
        for (int i = 0; i < parameterContext.getIndex(); i++) {
            if (all[i].getType() == EmulatedVolume.class) {
                nth++;
            }
        }
        if (nth >= now.volumes().size()) {
            throw new ParameterResolutionException("EmulatedVolume parameter #" + (nth + 1) + " of "
                    + parameterContext.getDeclaringExecutable().getName() + ": the kernel has "
                    + now.volumes().size() + " volume(s) " + now.volumes()
                    + "; name more with @WithEmulatedKernel(volumes = {...})");
        }
        return now.volumes().get(nth);
    }

    @Override
    public String toString() {
        Settings s = settingsOrDefault();
        return "EmulatedKernelExtension" + (fixed == null ? "(@WithEmulatedKernel)" : "") + "[volumes=" + s.volumes()
                + ", loadDriver=" + s.loadDriver() + "]";
    }

    /** Whether no test holds the emulated kernel now (for this module's tests). */
    static boolean idle() {
        return ONE_KERNEL_PER_JVM.availablePermits() == 1;
    }
}
