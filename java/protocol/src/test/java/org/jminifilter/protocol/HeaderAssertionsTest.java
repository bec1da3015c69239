package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Compares {@link Layouts} with the sizes and offsets jmf_protocol.h asserts about itself
 * (JMF_ASSERT_SIZE / JMF_ASSERT_OFFSET). Needs no C compiler, so it runs on every machine; the
 * conformance test then checks that a compiler agrees with those assertions and with the bytes.
 */
class HeaderAssertionsTest {
    @Test
    void layoutsMatchEverySizeAndOffsetTheHeaderAsserts() throws IOException {
        String header = Files.readString(NativeToolchain.header(NativeToolchain.root()), StandardCharsets.UTF_8);
        Map<String, Layout> byName = new HashMap<>();
        for (Layout l : Layouts.all()) {
            byName.put(l.name(), l);
        }
        Matcher size = Pattern.compile("JMF_ASSERT_SIZE\\((\\w+),\\s*(\\d+)\\);").matcher(header);
        int sizes = 0;
        while (size.find()) {
            sizes++;
            Layout l = byName.get(size.group(1));
            assertTrue(l != null, "Layouts has no " + size.group(1));
            assertEquals(Integer.parseInt(size.group(2)), l.size(), "size of " + l.name());
        }
        assertEquals(Layouts.all().size(), sizes, "structures with a size assertion");
        Matcher offset = Pattern.compile("JMF_ASSERT_OFFSET\\((\\w+),\\s*(\\w+),\\s*(\\d+)\\);").matcher(header);
        int offsets = 0;
        while (offset.find()) {
            offsets++;
            Layout l = byName.get(offset.group(1));
            assertEquals(Integer.parseInt(offset.group(3)), l.offset(offset.group(2)),
                    "offset of " + l.name() + "." + offset.group(2));
        }
        assertTrue(offsets > 100, "offset assertions found: " + offsets);
    }
}
