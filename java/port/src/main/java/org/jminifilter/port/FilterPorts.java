package org.jminifilter.port;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.jminifilter.protocol.ConnectContext;
import org.jminifilter.protocol.Protocol;

/**
 * Connects to the jminifilter driver through a {@link FilterPortProvider}: the one named by the
 * system property {@value #PROVIDER_PROPERTY} if set, else the supported provider of highest
 * priority (on Windows: {@code "fltlib"}, the real driver).
 */
public final class FilterPorts {

    /** System property naming the provider to use, e.g. {@code -Djminifilter.port.provider=fltlib}. */
    public static final String PROVIDER_PROPERTY = "jminifilter.port.provider";

    private FilterPorts() {
    }

    /** Connects to {@code \JMiniFilterPort} with this library's connection context. */
    public static FilterPort connect() {
        return connect(Protocol.PORT_NAME, ConnectContext.current());
    }

    /** Connects to {@code portName} with {@code context} through the selected provider. */
    public static FilterPort connect(String portName, ConnectContext context) {
        return provider().connect(portName, context);
    }

    /** @return every provider on the class path (supported here or not), highest priority first */
    public static List<FilterPortProvider> providers() {
        return providers(ServiceLoader.load(FilterPortProvider.class, FilterPorts.class.getClassLoader()));
    }

    static List<FilterPortProvider> providers(Iterable<FilterPortProvider> found) {
        List<FilterPortProvider> all = new ArrayList<>();
        found.forEach(all::add);
        all.sort(Comparator.comparingInt(FilterPortProvider::priority).reversed());
        return all;
    }

    /** @return the provider called {@code name}, if there is one */
    public static Optional<FilterPortProvider> provider(String name) {
        return providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * @return the provider {@value #PROVIDER_PROPERTY} names, else the supported one of highest priority
     * @throws UnsupportedPlatformException when the named one does not exist or none is supported here
     */
    public static FilterPortProvider provider() {
        return select(providers(), System.getProperty(PROVIDER_PROPERTY), System.getProperty("os.name"));
    }

    static FilterPortProvider select(List<FilterPortProvider> providers, String requested, String osName) {
        String known = providers.stream().map(p -> p.name() + (p.isSupported() ? "" : " (unsupported here)"))
                .collect(Collectors.joining(", "));
        if (requested != null && !requested.isBlank()) {
            return providers.stream().filter(p -> p.name().equals(requested.strip())).findFirst()
                    .orElseThrow(() -> new UnsupportedPlatformException("no filter port provider named '"
                            + requested + "' (" + PROVIDER_PROPERTY + "); found: "
                            + (known.isEmpty() ? "none" : known)));
        }
        return providers.stream().filter(FilterPortProvider::isSupported).findFirst()
                .orElseThrow(() -> new UnsupportedPlatformException("no filter port provider works on " + osName
                        + ": the jminifilter driver's port needs Windows (fltlib.dll); elsewhere put another"
                        + " provider (the emulator's) on the class path or name one with -D"
                        + PROVIDER_PROPERTY + "=...; found: " + (known.isEmpty() ? "none" : known)));
    }
}
