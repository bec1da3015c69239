package org.jminifilter.port;

/**
 * A source of filter ports, found with {@link java.util.ServiceLoader} (list the implementation
 * in {@code META-INF/services/org.jminifilter.port.FilterPortProvider}). This module provides
 * {@code "fltlib"} (the real driver, Windows only); the emulator module provides its own.
 * {@link FilterPorts} picks one by name or, by default, the supported one of highest priority.
 */
public interface FilterPortProvider extends FilterPortConnector {

    /** A short unique name, e.g. {@code "fltlib"}; what {@link FilterPorts#PROVIDER_PROPERTY} names. */
    String name();

    /** Whether this provider can work here at all (e.g. fltlib: only on Windows). */
    boolean isSupported();

    /** Which supported provider {@link FilterPorts} prefers when none is named; higher wins. */
    default int priority() {
        return 0;
    }
}
