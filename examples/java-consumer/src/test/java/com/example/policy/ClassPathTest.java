package com.example.policy;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Not something your project needs: jminifilter brings no logging binding and no command-line
 * library onto a user's class path (the demo's own dependencies stay in the demo), even through
 * jminifilter-emulator and jminifilter-junit.
 */
class ClassPathTest {

    @Test
    void noLoggingBindingAndNoCommandLineLibrary() {
        ClassLoader loader = getClass().getClassLoader();
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.slf4j.simple.SimpleLogger", false, loader));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("picocli.CommandLine", false, loader));
    }
}
