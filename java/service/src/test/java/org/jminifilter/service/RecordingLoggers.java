package org.jminifilter.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The tests' SLF4J provider (registered in META-INF/services): every logger records what is
 * logged at every level, so a test can check what the service logs and at which level, and
 * prints INFO and above to stderr for whoever reads the test output. The service module has no
 * logging binding of its own, not even in test scope.
 */
public final class RecordingLoggers implements SLF4JServiceProvider {

    /** One logging call, message formatted. */
    public record Entry(String logger, Level level, String message, Throwable thrown) {
    }

    private static final List<Entry> ENTRIES = new ArrayList<>();
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, RecordingLogger::new);

    /** Everything logged so far that {@code filter} accepts, oldest first. */
    public static List<Entry> entries(Predicate<Entry> filter) {
        synchronized (ENTRIES) {
            return ENTRIES.stream().filter(filter).toList();
        }
    }

    /** Forgets what was logged (each test starts from none). */
    public static void clear() {
        synchronized (ENTRIES) {
            ENTRIES.clear();
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return new BasicMarkerFactory();
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return new NOPMDCAdapter();
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    private static final class RecordingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        RecordingLogger(String name) {
            this.name = name;
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            String message = MessageFormatter.basicArrayFormat(pattern, arguments);
            synchronized (ENTRIES) {
                ENTRIES.add(new Entry(name, level, message, throwable));
            }
            if (level.toInt() >= Level.INFO.toInt()) {
                System.err.println("[" + Thread.currentThread().getName() + "] " + level + " " + name + " - "
                        + message + (throwable == null ? "" : " (" + throwable + ")"));
            }
        }
    }
}
