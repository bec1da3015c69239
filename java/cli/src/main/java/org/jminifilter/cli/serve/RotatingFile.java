package org.jminifilter.cli.serve;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A JSON Lines file that rotates by size: when a line would take {@code file} past
 * {@code maxBytes}, {@code file.N} becomes {@code file.N+1} (the oldest beyond {@code keep} is
 * deleted), {@code file} becomes {@code file.1} and a new {@code file} starts. Lines are never
 * split across files; each is flushed, so a crash loses at most the line being written.
 */
public final class RotatingFile implements EventSink.LineWriter {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private BufferedWriter writer;
    private long size;

    public RotatingFile(Path file, long maxBytes, int keep) throws IOException {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("the event file's size limit must be at least 1024 bytes, not " + maxBytes);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("at least 1 rotated file is kept, not " + keep);
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        open();
    }

    private void open() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    @Override
    public synchronized void writeLine(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + bytes.length > maxBytes) {
            rotate();
        }
        writer.write(line);
        writer.write('\n');
        writer.flush();
        size += bytes.length;
    }

    private void rotate() throws IOException {
        writer.close();
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path numbered(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }
}
