package org.jminifilter.cli.answers;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PromptConsole} over an input stream and a writer (the terminal: standard input, and
 * standard error so the prompt never mixes with events written as JSON Lines to standard output).
 * A daemon thread reads lines as they are typed, so a read can give up after a while; what is typed
 * while no question is shown waits for the next read.
 */
public final class StreamConsole implements PromptConsole {
    private static final String END = new String("end of input"); // compared by identity

    private final PrintWriter out;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    public StreamConsole(InputStream in, Charset charset, PrintWriter out) {
        this.out = out;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset));
        Thread t = new Thread(() -> {
            try {
                for (String line; (line = reader.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the terminal went away: as the end of input
            }
            lines.add(END);
        }, "jminifilter-console");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void write(String text) {
        out.print(text);
        out.flush();
    }

    @Override
    public Optional<String> readLine(Duration wait) throws IOException, InterruptedException {
        if (ended) {
            throw new EOFException("the console's input has ended");
        }
        String line = lines.poll(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
        if (line == END) {
            ended = true;
            throw new EOFException("the console's input has ended");
        }
        return Optional.ofNullable(line);
    }
}
