package org.jminifilter.cli.selftest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Base64;
import java.util.List;
import java.util.function.BiFunction;

import org.jminifilter.policy.Disposition;

/**
 * A {@link TestProcess} that is a {@link Worker} in another process: each operation is a
 * {@link WorkerProtocol} request written to the worker's standard input and answered on its
 * standard output. {@link WindowsMachine} starts the worker; tests connect one to an in-process
 * worker over pipes with a fake {@link FileApi}.
 */
public final class WorkerProcess implements TestProcess {

    private final BufferedReader fromWorker;
    private final Writer toWorker;
    private final BiFunction<Volume, String, String> win32Path;
    private final Runnable end;
    private final int pid;
    private boolean closed;

    /**
     * Waits for the worker's {@code ready} line.
     *
     * @param win32Path the Win32 path of a volume-relative path on a volume ({@code C:\dir\file})
     * @param end       ends the worker process after {@code exit} was sent (waits for it, or kills it)
     */
    public WorkerProcess(BufferedReader fromWorker, Writer toWorker, BiFunction<Volume, String, String> win32Path,
            Runnable end) {
        this.fromWorker = fromWorker;
        this.toWorker = toWorker;
        this.win32Path = win32Path;
        this.end = end;
        String ready;
        try {
            ready = fromWorker.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the worker's first line", e);
        }
        List<String> f = ready == null ? List.of() : WorkerProtocol.fields(ready);
        if (f.size() != 2 || !f.get(0).equals(WorkerProtocol.READY)) {
            end.run();
            throw new IllegalStateException("the worker did not start: its first line was "
                    + (ready == null ? "nothing (it ended; its error output says why)" : "\"" + ready + "\""));
        }
        this.pid = Integer.parseInt(f.get(1));
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public Outcome open(Volume volume, String path, int desiredAccess, Disposition disposition, int createOptions) {
        return call(WorkerProtocol.request("open", win32Path.apply(volume, path), Integer.toHexString(desiredAccess),
                WorkerProtocol.creationDisposition(disposition),
                Integer.toHexString(WorkerProtocol.flagsAndAttributes(createOptions))));
    }

    @Override
    public Outcome write(int handle, long offset, byte[] data) {
        return call(WorkerProtocol.request("write", handle, offset, Base64.getEncoder().encodeToString(data)));
    }

    @Override
    public Outcome read(int handle, long offset, int length) {
        return call(WorkerProtocol.request("read", handle, offset, length));
    }

    @Override
    public Outcome close(int handle) {
        return call(WorkerProtocol.request("close", handle));
    }

    @Override
    public Outcome rename(Volume volume, String from, String to) {
        return call(WorkerProtocol.request("rename", win32Path.apply(volume, from), win32Path.apply(volume, to), 0));
    }

    /** Sends a request and returns the worker's answer line as it is (the benchmark's B line). */
    public synchronized String exchange(String request) {
        if (closed) {
            throw new IllegalStateException("the worker (pid " + pid + ") has ended");
        }
        try {
            toWorker.write(request + "\n");
            toWorker.flush();
            String line = fromWorker.readLine();
            if (line == null) {
                throw new IllegalStateException("the worker (pid " + pid + ") ended without answering " + request);
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("talking to the worker (pid " + pid + ")", e);
        }
    }

    private Outcome call(String request) {
        return WorkerProtocol.outcome(exchange(request));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            toWorker.write("exit\n");
            toWorker.flush();
            toWorker.close();
        } catch (IOException e) {
            // the worker is gone already; end() reaps it
        }
        end.run();
    }
}
