package org.jminifilter.cli.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The event source's registry key. */
class EventSourceTest {
    private final FakeScm registry = new FakeScm();
    private final EventSource source = new EventSource(registry);

    @Test
    void theKeyNamesTheMessageFileAndTheTypes() {
        assertNull(source.register());
        assertEquals(Map.of("EventMessageFile", EventSource.MESSAGE_FILE, "TypesSupported", 7),
                registry.registry.get("SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\jminifilter"));
    }

    @Test
    void unregisterRemovesOnlyAKeyThatIsThere() {
        source.unregister();
        assertFalse(registry.calls.contains("RegDeleteKey " + EventSource.KEY));
        source.register();
        source.unregister();
        assertTrue(registry.registry.isEmpty());
        assertEquals("RegDeleteKey " + EventSource.KEY, registry.calls.get(registry.calls.size() - 1));
    }

    @Test
    void registeringAgainRewritesTheValues() {
        source.register();
        source.register();
        assertEquals(List.of("RegCreateKeyEx " + EventSource.KEY), registry.calls.stream()
                .filter(c -> c.startsWith("RegCreateKeyEx")).distinct().toList());
        assertEquals(2, registry.registry.get(EventSource.KEY).size());
    }
}
