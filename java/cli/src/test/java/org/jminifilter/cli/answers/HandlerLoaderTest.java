package org.jminifilter.cli.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.Operation;
import org.jminifilter.protocol.Ask;
import org.jminifilter.service.AskHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --handler CLASS --handler-jar JAR}: handlers compiled here, put in a jar, and loaded. */
class HandlerLoaderTest {
    private static final String SOURCES = """
            package handlers;
            import org.jminifilter.policy.Action;
            import org.jminifilter.protocol.Ask;
            import org.jminifilter.service.AskHandler;
            public class Good implements AskHandler, AutoCloseable {
                public static int closed;
                public Action decide(Ask ask) {
                    return ask.path().contains("secret") ? Action.deny() : Action.allow();
                }
                public void close() { closed++; }
            }
            ---
            package handlers;
            public class NotAHandler {
            }
            ---
            package handlers;
            import org.jminifilter.policy.Action;
            import org.jminifilter.protocol.Ask;
            import org.jminifilter.service.AskHandler;
            public class NeedsArguments implements AskHandler {
                public NeedsArguments(String config) { }
                public Action decide(Ask ask) { return Action.allow(); }
            }
            ---
            package handlers;
            import org.jminifilter.policy.Action;
            import org.jminifilter.protocol.Ask;
            import org.jminifilter.service.AskHandler;
            public class Throws implements AskHandler {
                public Throws() { throw new IllegalStateException("no licence file"); }
                public Action decide(Ask ask) { return Action.allow(); }
            }
            ---
            package handlers;
            import org.jminifilter.service.AskHandler;
            public abstract class Partial implements AskHandler {
            }
            ---
            package handlers;
            import org.jminifilter.policy.Action;
            import org.jminifilter.protocol.Ask;
            import org.jminifilter.service.AskHandler;
            class Hidden implements AskHandler {
                public Hidden() { }
                public Action decide(Ask ask) { return Action.allow(); }
            }
            """;

    @TempDir
    static Path dir;
    static Path jar;

    @BeforeAll
    static void compileTheHandlers() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK's compiler");
        Path src = Files.createDirectories(dir.resolve("src/handlers"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath",
                System.getProperty("java.class.path")));
        for (String source : SOURCES.split("---\n")) {
            String name = source.replaceAll("(?s).*(?:public |abstract |^|\n)class (\\w+).*", "$1");
            Path file = src.resolve(name + ".java");
            Files.writeString(file, source);
            args.add(file.toString());
        }
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the handlers compile");
        jar = dir.resolve("handlers.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, (OutputStream) out);
                out.closeEntry();
            }
        }
    }

    private static String failure(String className) {
        return assertThrows(HandlerLoader.HandlerException.class, () -> HandlerLoader.load(className, jar))
                .getMessage();
    }

    @Test
    void aHandlerFromAJarDecidesAndIsClosed() throws Exception {
        HandlerLoader.Loaded loaded = HandlerLoader.load("handlers.Good", jar);
        AskHandler h = loaded.handler();
        assertEquals(Action.deny(), h.decide(Ask.builder().path("\\secret\\a").build()));
        assertEquals(Action.allow(), h.decide(Ask.builder().path("\\public\\a").build()));
        Class<?> c = h.getClass();
        loaded.close();
        assertEquals(1, c.getField("closed").getInt(null), "an AutoCloseable handler is closed with serve");
    }

    @Test
    void everyWayALoadFailsSaysWhatToChange() {
        assertEquals("--handler handlers.Missing: no such class in " + jar, failure("handlers.Missing"));
        assertTrue(failure("Good").endsWith("no such class in " + jar + "; did you mean handlers.Good?"),
                failure("Good"));
        assertTrue(failure("handlers.NotAHandler").contains("not an AskHandler (it must implement "
                + "org.jminifilter.service.AskHandler"), failure("handlers.NotAHandler"));
        assertTrue(failure("handlers.NeedsArguments").contains("has no public no-argument constructor"),
                failure("handlers.NeedsArguments"));
        assertEquals("--handler handlers.Throws: its constructor threw java.lang.IllegalStateException: no licence "
                + "file", failure("handlers.Throws"));
        assertTrue(failure("handlers.Partial").contains("is abstract"), failure("handlers.Partial"));
        assertTrue(failure("handlers.Hidden").contains("has no public no-argument constructor")
                || failure("handlers.Hidden").contains("not public"), failure("handlers.Hidden"));
        String noJar = assertThrows(HandlerLoader.HandlerException.class,
                () -> HandlerLoader.load("handlers.Good", dir.resolve("nope.jar"))).getMessage();
        assertEquals("--handler-jar " + dir.resolve("nope.jar") + ": no such file, or not readable", noJar);
    }

    @Test
    void aClassOnTheClassPathNeedsNoJar() throws Exception {
        try (HandlerLoader.Loaded loaded = HandlerLoader.load(OnTheClassPath.class.getName(), null)) {
            assertEquals(Action.audit(), loaded.handler().decide(Ask.builder().build()));
        }
    }

    /** A handler in the test sources, loaded by name. */
    public static final class OnTheClassPath implements AskHandler {
        public OnTheClassPath() {
        }

        @Override
        public Action decide(Ask ask) {
            return Action.audit();
        }
    }

    @Test
    void aHandlerThatFailsOrAnswersWhatTheAskCannotTakeGivesTheDefault() {
        Action dflt = Action.deny(0xC0000022);
        Ask postCreate = Ask.builder().operation(Operation.CREATE).postCreate().build();
        HandlerDecider modifies = new HandlerDecider(ask -> Action.modify().withAccessClear(Access.FILE_WRITE_DATA));
        assertEquals(dflt, modifies.decide(new AskContext(postCreate, "r", dflt)));
        Ask create = Ask.builder().operation(Operation.CREATE).build();
        assertEquals(Action.modify().withAccessClear(Access.FILE_WRITE_DATA),
                modifies.decide(new AskContext(create, "r", dflt)), "in pre-create a MODIFY applies");
        Ask write = Ask.builder().operation(Operation.WRITE).build();
        assertEquals(dflt, modifies.decide(new AskContext(write, "r", dflt)), "a write has no create parameters");
        assertEquals(dflt, new HandlerDecider(ask -> {
            throw new IllegalStateException("boom");
        }).decide(new AskContext(create, "r", dflt)));
        assertEquals(dflt, new HandlerDecider(ask -> null).decide(new AskContext(create, "r", dflt)));
    }
}
