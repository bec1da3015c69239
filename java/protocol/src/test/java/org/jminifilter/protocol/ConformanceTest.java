package org.jminifilter.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * C/Java conformance: compiles src/test/c/jmf_conformance.c against jmf_protocol.h with the
 * machine's C compiler, runs it, and compares every struct size, field offset and size, constant
 * and sample encoding with the Java side ({@link Layouts}, {@link Protocol}, the codecs). Any
 * difference fails the build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceTest {
    /** Protocol constants that jmf_protocol.h does not define (checked elsewhere or Windows facts). */
    private static final Set<String> JAVA_ONLY = Set.of("STATUS_SUCCESS");

    private final Map<String, Long> sizes = new LinkedHashMap<>();
    private final Map<String, Map<String, long[]>> fields = new LinkedHashMap<>();
    private final Map<String, Long> constants = new LinkedHashMap<>();
    private final Map<String, String> strings = new LinkedHashMap<>();
    private final Map<String, String> samples = new LinkedHashMap<>();
    private String headerText;
    private String skipReason;

    @BeforeAll
    void compileAndRun() throws IOException, InterruptedException {
        Path root = NativeToolchain.root();
        headerText = Files.readString(NativeToolchain.header(root), StandardCharsets.UTF_8);
        java.util.Optional<Path> compiler = NativeToolchain.compiler();
        if (compiler.isEmpty()) {
            skipReason = NativeToolchain.NO_COMPILER;
            return;
        }
        Path cc = compiler.get();
        Path source = Paths.get("src/test/c/jmf_conformance.c").toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            source = root.resolve("java/protocol/src/test/c/jmf_conformance.c");
        }
        Path dir = Files.createDirectories(Paths.get("target/conformance").toAbsolutePath());
        Path exe = dir.resolve("jmf_conformance");
        NativeToolchain.run(List.of(cc.toString(), "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                "-I", root.resolve("native-driver/include").toString(), source.toString(), "-o", exe.toString()));
        String output = NativeToolchain.run(List.of(exe.toString()));
        parse(output);
    }

    private void parse(String output) {
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] w = line.trim().split(" ");
            switch (w[0]) {
                case "size" -> sizes.put(w[1], Long.parseLong(w[2]));
                case "field" -> fields.computeIfAbsent(w[1], k -> new LinkedHashMap<>())
                        .put(w[2], new long[] {Long.parseLong(w[3]), Long.parseLong(w[4])});
                case "const" -> constants.put(w[1], Long.parseLong(w[2]));
                case "string" -> strings.put(w[1], w[2]);
                case "sample" -> samples.put(w[1], w[2]);
                default -> fail("unexpected line from the C program: " + line);
            }
        }
    }

    @Test
    void everyStructureHasTheSameSizeAndFieldsInCAndJava() {
        NativeToolchain.assumeRan(skipReason);
        Set<String> javaNames = new TreeSet<>();
        for (Layout l : Layouts.all()) {
            javaNames.add(l.name());
            assertEquals(sizes.get(l.name()), (long) l.size(), "sizeof(" + l.name() + ")");
            Map<String, long[]> c = fields.get(l.name());
            List<String> javaFields = new ArrayList<>();
            for (Layout.Field f : l.fields()) {
                javaFields.add(f.name());
                long[] cf = c.get(f.name());
                assertTrue(cf != null, l.name() + "." + f.name() + " is not in the C output");
                assertEquals(cf[0], (long) f.offset(), "offsetof(" + l.name() + ", " + f.name() + ")");
                assertEquals(cf[1], (long) f.size(), "sizeof(" + l.name() + "." + f.name() + ")");
            }
            assertEquals(new ArrayList<>(c.keySet()), javaFields, l.name() + " fields");
        }
        assertEquals(new TreeSet<>(sizes.keySet()), javaNames, "structures in C and in Layouts");
    }

    @Test
    void theCProgramCoversEveryStructureAndAssertedOffsetOfTheHeader() {
        NativeToolchain.assumeRan(skipReason);
        Set<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("typedef struct _(JMF_\\w+)").matcher(headerText);
        while (m.find()) {
            declared.add(m.group(1));
        }
        assertEquals(declared, new TreeSet<>(sizes.keySet()), "structures declared in the header vs printed");
        Matcher a = Pattern.compile("JMF_ASSERT_OFFSET\\((\\w+),\\s*(\\w+),\\s*(\\d+)\\)").matcher(headerText);
        int asserted = 0;
        while (a.find()) {
            asserted++;
            Map<String, long[]> c = fields.get(a.group(1));
            assertTrue(c != null && c.containsKey(a.group(2)),
                    a.group(1) + "." + a.group(2) + " is asserted in the header but not printed by jmf_conformance.c");
        }
        assertTrue(asserted > 100, "the header's offset assertions were found (" + asserted + ")");
    }

    @Test
    void everyConstantOfTheHeaderHasTheSameValueInJava() throws IllegalAccessException {
        NativeToolchain.assumeRan(skipReason);
        Set<String> defined = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(JMF_\\w+)(?!\\()\\s").matcher(headerText);
        while (m.find()) {
            defined.add(m.group(1));
        }
        defined.removeAll(Set.of("JMF_PROTOCOL_H", "JMF_PORT_NAME"));
        assertEquals(new TreeSet<>(defined), new TreeSet<>(constants.keySet()),
                "#defines of the header vs constants printed by jmf_conformance.c");

        Map<String, Field> java = protocolConstants();
        for (Map.Entry<String, Long> e : constants.entrySet()) {
            String name = e.getKey().substring("JMF_".length());
            Field f = java.get(name);
            assertTrue(f != null, "Protocol." + name + " is missing (the header defines " + e.getKey() + ")");
            assertEquals(e.getValue(), Integer.toUnsignedLong(f.getInt(null)), "Protocol." + name);
        }
        String hex = HexFormat.of().formatHex(Protocol.PORT_NAME.getBytes(StandardCharsets.UTF_16LE));
        assertEquals(strings.get("JMF_PORT_NAME"), hex, "Protocol.PORT_NAME as UTF-16LE");
    }

    @Test
    void everyJavaConstantIsInTheHeaderOrIsASizeOfOne() throws IllegalAccessException {
        NativeToolchain.assumeRan(skipReason);
        for (Map.Entry<String, Field> e : protocolConstants().entrySet()) {
            String name = e.getKey();
            if (JAVA_ONLY.contains(name) || constants.containsKey("JMF_" + name)) {
                continue;
            }
            assertTrue(name.endsWith("_SIZE"), "Protocol." + name + " is neither in the header nor a size");
            String struct = "JMF_" + name.substring(0, name.length() - "_SIZE".length());
            assertTrue(sizes.containsKey(struct), "Protocol." + name + " names no structure (" + struct + ")");
            assertEquals(sizes.get(struct), Integer.toUnsignedLong(e.getValue().getInt(null)), "Protocol." + name);
        }
    }

    @Test
    void everySampleEncodesToTheSameBytesInCAndJava() {
        NativeToolchain.assumeRan(skipReason);
        Map<String, ByteBuffer> java = ConformanceSamples.all();
        assertEquals(new TreeSet<>(samples.keySet()), new TreeSet<>(java.keySet()), "sample names");
        for (Map.Entry<String, ByteBuffer> e : java.entrySet()) {
            ByteBuffer b = e.getValue();
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            assertEquals(samples.get(e.getKey()), HexFormat.of().formatHex(bytes), "sample " + e.getKey());
        }
    }

    private static Map<String, Field> protocolConstants() {
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field f : Protocol.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                m.put(f.getName(), f);
            }
        }
        return m;
    }
}
