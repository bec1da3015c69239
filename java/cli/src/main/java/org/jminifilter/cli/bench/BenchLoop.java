package org.jminifilter.cli.bench;

import org.jminifilter.cli.selftest.FileApi;
import org.jminifilter.cli.selftest.WorkerProtocol;

/**
 * The benchmark's work, the same on every machine: create, write and close {@code count} files,
 * then open, read and close each again; the mean time of each operation.
 */
public final class BenchLoop {

    /** The file operations the loop times, on one machine. */
    public interface Files {
        /** Creates (or overwrites) file {@code i} for writing; returns its handle. */
        long create(int i);

        /** Opens file {@code i} for reading; returns its handle. */
        long open(int i);

        void write(long handle, byte[] data);

        void read(long handle, int length);

        void close(long handle);
    }

    /** Mean nanoseconds per operation. */
    public record Timings(long createNs, long openNs, long readNs, long writeNs, long closeNs) {
    }

    private BenchLoop() {
    }

    /** Runs the loop over {@code count} files of {@code size} bytes. */
    public static Timings run(Files files, int count, int size) {
        if (count < 1 || size < 0) {
            throw new IllegalArgumentException("count must be at least 1 and size not negative: " + count + ", " + size);
        }
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        long create = 0;
        long open = 0;
        long read = 0;
        long write = 0;
        long close = 0;
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            long h = files.create(i);
            long t1 = System.nanoTime();
            files.write(h, data);
            long t2 = System.nanoTime();
            files.close(h);
            long t3 = System.nanoTime();
            create += t1 - t0;
            write += t2 - t1;
            close += t3 - t2;
        }
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            long h = files.open(i);
            long t1 = System.nanoTime();
            files.read(h, size);
            long t2 = System.nanoTime();
            files.close(h);
            long t3 = System.nanoTime();
            open += t1 - t0;
            read += t2 - t1;
            close += t3 - t2;
        }
        return new Timings(create / count, open / count, read / count, write / count, close / (2L * count));
    }

    /** The loop's files as Win32 calls in {@code folder} (a Win32 path), in the worker process. */
    public static final class Win32Files implements Files {
        private static final int GENERIC_READ = 0x80000000;
        private static final int GENERIC_WRITE = 0x40000000;
        private final FileApi api;
        private final String folder;

        public Win32Files(FileApi api, String folder) {
            this.api = api;
            this.folder = folder;
        }

        private String name(int i) {
            return folder + "\\f" + i + ".bin";
        }

        @Override
        public long create(int i) {
            return check(api.createFile(name(i), GENERIC_WRITE, WorkerProtocol.CREATE_ALWAYS,
                    WorkerProtocol.FILE_ATTRIBUTE_NORMAL), "create " + name(i)).handle();
        }

        @Override
        public long open(int i) {
            return check(api.createFile(name(i), GENERIC_READ, WorkerProtocol.OPEN_EXISTING,
                    WorkerProtocol.FILE_ATTRIBUTE_NORMAL), "open " + name(i)).handle();
        }

        @Override
        public void write(long handle, byte[] data) {
            check(api.writeFile(handle, 0, data), "write");
        }

        @Override
        public void read(long handle, int length) {
            check(api.readFile(handle, 0, length), "read");
        }

        @Override
        public void close(long handle) {
            check(api.closeHandle(handle), "close");
        }

        private static FileApi.Result check(FileApi.Result r, String what) {
            if (r.win32Error() != 0) {
                throw new IllegalStateException(what + " failed with Win32 error " + r.win32Error());
            }
            return r;
        }
    }
}
