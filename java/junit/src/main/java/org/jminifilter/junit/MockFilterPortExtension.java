package org.jminifilter.junit;

import java.lang.reflect.Constructor;
import org.jminifilter.port.mock.MockFilterPort;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A fresh {@link MockFilterPort} per test, closed after it (after your {@code @AfterEach}
 * methods): a test and its {@code @BeforeEach} methods that declare a {@code MockFilterPort}
 * parameter get the same port. Pure Java, any OS, no lock: tests using it may run in parallel
 * (each has its own port and its own in-memory "kernel").
 *
 * <pre>{@code
 * @ExtendWith(MockFilterPortExtension.class)
 * class MyHandlerTest {
 *     @Test
 *     void asksAreAnswered(MockFilterPort port) { ... }
 * }
 * }</pre>
 *
 * <p>Closing the port releases anything still waiting on it (a service's receive threads get
 * {@link org.jminifilter.port.PortClosedException}), so a test that forgets to stop its service
 * does not leave threads blocked on the port.
 */
public final class MockFilterPortExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            MockFilterPortExtension.class);

    /** Registered by {@code @ExtendWith(MockFilterPortExtension.class)} or as a field. */
    public MockFilterPortExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (parameterContext.getParameter().getType() != MockFilterPort.class) {
            return false;
        }
        if (extensionContext.getTestMethod().isEmpty()
                || parameterContext.getDeclaringExecutable() instanceof Constructor) {
            throw new ParameterResolutionException("MockFilterPort parameter of "
                    + parameterContext.getDeclaringExecutable() + ": the port exists per test; declare it on the"
                    + " test or a @BeforeEach method, not on a constructor or @BeforeAll method");
        }
        return true;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        // In the test's own context (a test and its @BeforeEach share it; parallel tests do not).
        ExtensionContext.Store store = extensionContext.getStore(NAMESPACE);
        MockFilterPort port = store.get(MockFilterPort.class, MockFilterPort.class);
        if (port == null) {
            port = new MockFilterPort();
            store.put(MockFilterPort.class, port);
        }
        return port;
    }

    /** Closes the test's port, if it asked for one. */
    @Override
    public void afterEach(ExtensionContext context) {
        MockFilterPort port = context.getStore(NAMESPACE).remove(MockFilterPort.class, MockFilterPort.class);
        if (port != null) {
            port.close();
        }
    }
}
