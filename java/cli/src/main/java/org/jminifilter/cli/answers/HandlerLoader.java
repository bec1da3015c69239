package org.jminifilter.cli.answers;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.jminifilter.service.AskHandler;

/**
 * {@code serve --handler CLASS [--handler-jar JAR]}: a Java {@link AskHandler} made from a class
 * with a public no-argument constructor, from a jar (its own class loader, whose parent is this
 * program's, so the handler sees the same {@code AskHandler} and policy classes) or from the class
 * path. Every way this can fail is a {@link HandlerException} saying what to change.
 */
public final class HandlerLoader {
    private HandlerLoader() {
    }

    /** A handler that could not be made. */
    public static final class HandlerException extends Exception {
        private static final long serialVersionUID = 1L;

        HandlerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The handler and the class loader it came from (close it when done). */
    public record Loaded(AskHandler handler, URLClassLoader loader) implements AutoCloseable {
        /** Closes the handler when it is {@link AutoCloseable}, then the jar's class loader. */
        @Override
        public void close() throws Exception {
            try {
                if (handler instanceof AutoCloseable c) {
                    c.close();
                }
            } finally {
                if (loader != null) {
                    loader.close();
                }
            }
        }
    }

    /**
     * Makes an instance of {@code className}.
     *
     * @param jar the jar to load it from, or null for the class path
     */
    public static Loaded load(String className, Path jar) throws HandlerException {
        URLClassLoader loader = null;
        ClassLoader from = HandlerLoader.class.getClassLoader();
        String where = "the class path";
        if (jar != null) {
            if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
                throw new HandlerException("--handler-jar " + jar + ": no such file, or not readable", null);
            }
            try {
                loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, from);
            } catch (MalformedURLException e) {
                throw new HandlerException("--handler-jar " + jar + ": " + e.getMessage(), e);
            }
            from = loader;
            where = jar.toString();
        }
        try {
            AskHandler h = instantiate(className, from, where, jar);
            return new Loaded(h, loader);
        } catch (HandlerException | RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    private static AskHandler instantiate(String className, ClassLoader from, String where, Path jar)
            throws HandlerException {
        Class<?> c;
        try {
            c = Class.forName(className, false, from);
        } catch (ClassNotFoundException e) {
            throw new HandlerException("--handler " + className + ": no such class in " + where
                    + similar(className, jar), e);
        } catch (LinkageError e) {
            throw new HandlerException("--handler " + className + ": the class cannot be loaded from " + where + " ("
                    + e + ")", e);
        }
        if (!AskHandler.class.isAssignableFrom(c)) {
            throw new HandlerException("--handler " + className + ": not an AskHandler (it must implement "
                    + AskHandler.class.getName() + ", whose decide(Ask) returns the verdict)", null);
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            throw new HandlerException("--handler " + className + ": is abstract; name a concrete class", null);
        }
        Constructor<?> ctor;
        try {
            ctor = c.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new HandlerException("--handler " + className + ": has no public no-argument constructor (serve "
                    + "makes the handler with new " + c.getSimpleName() + "())", e);
        }
        try {
            return (AskHandler) ctor.newInstance();
        } catch (InvocationTargetException e) {
            throw new HandlerException("--handler " + className + ": its constructor threw " + e.getCause(),
                    e.getCause());
        } catch (IllegalAccessException e) {
            throw new HandlerException("--handler " + className + ": the class is not public", e);
        } catch (InstantiationException e) {
            throw new HandlerException("--handler " + className + ": cannot be instantiated (" + e + ")", e);
        } catch (ExceptionInInitializerError e) {
            throw new HandlerException("--handler " + className + ": its static initializer threw " + e.getCause(),
                    e.getCause());
        } catch (LinkageError e) {
            throw new HandlerException("--handler " + className + ": a class it needs cannot be loaded (" + e + ")", e);
        }
    }

    /** "; did you mean a.b.C?" for the jar's classes of the same simple name. */
    private static String similar(String className, Path jar) {
        if (jar == null) {
            return "";
        }
        String simple = className.substring(className.lastIndexOf('.') + 1);
        List<String> found = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements();) {
                String n = e.nextElement().getName();
                if (n.endsWith("/" + simple + ".class") || n.equals(simple + ".class")) {
                    found.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            return " (and the jar cannot be read: " + e.getMessage() + ")";
        }
        return found.isEmpty() ? "" : "; did you mean " + String.join(" or ", found) + "?";
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                // nothing was loaded from it that matters
            }
        }
    }
}
