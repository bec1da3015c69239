package org.jminifilter.cli.selftest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jminifilter.cli.bench.BenchLoop;

/**
 * The process under test on Windows: {@code java -cp jminifilter.jar
 * org.jminifilter.cli.selftest.Worker}, started by {@link WindowsMachine}. It does the file
 * operations {@link WorkerProtocol} requests on its standard input with real Win32 calls and
 * answers each on its standard output with the Win32 error and, when known, the NTSTATUS. It is
 * a process of its own because the driver never filters the connected service's I/O.
 */
public final class Worker {

    private final FileApi api;
    private final Map<Integer, Long> handles = new HashMap<>();
    private int nextHandle = 1;

    Worker(FileApi api) {
        this.api = api;
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        new Worker(new Win32FileApi()).serve(in, out, ProcessHandle.current().pid());
    }

    /** Answers requests until {@code exit} or the end of input; then closes every handle still open. */
    void serve(BufferedReader in, PrintWriter out, long pid) throws IOException {
        out.println(WorkerProtocol.READY + "\t" + pid);
        out.flush();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("exit")) {
                    break;
                }
                String answer;
                try {
                    answer = handle(WorkerProtocol.fields(line));
                } catch (RuntimeException e) {
                    answer = WorkerProtocol.error(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                out.println(answer);
                out.flush();
            }
        } finally {
            handles.values().forEach(api::closeHandle);
            handles.clear();
        }
    }

    /** One request's answer line. */
    String handle(List<String> f) {
        String verb = f.get(0);
        switch (verb) {
            case "open" -> {
                need(f, 5);
                FileApi.Result r = api.createFile(f.get(1), Integer.parseUnsignedInt(f.get(2), 16),
                        Integer.parseInt(f.get(3)), Integer.parseUnsignedInt(f.get(4), 16));
                int id = -1;
                if (r.win32Error() == 0) {
                    id = nextHandle++;
                    handles.put(id, r.handle());
                }
                return WorkerProtocol.result(r, id);
            }
            case "write" -> {
                need(f, 4);
                int id = Integer.parseInt(f.get(1));
                return WorkerProtocol.result(api.writeFile(handleOf(id), Long.parseLong(f.get(2)),
                        Base64.getDecoder().decode(f.get(3))), id);
            }
            case "read" -> {
                need(f, 4);
                int id = Integer.parseInt(f.get(1));
                int length = Integer.parseInt(f.get(3));
                if (length < 0 || length > 1 << 20) {
                    throw new IllegalArgumentException("read length " + length + " is not 0..1 MiB");
                }
                return WorkerProtocol.result(api.readFile(handleOf(id), Long.parseLong(f.get(2)), length), id);
            }
            case "close" -> {
                need(f, 2);
                int id = Integer.parseInt(f.get(1));
                long h = handleOf(id);
                handles.remove(id);
                return WorkerProtocol.result(api.closeHandle(h), id);
            }
            case "rename" -> {
                need(f, 4);
                return WorkerProtocol.result(api.moveFileEx(f.get(1), f.get(2), Integer.parseInt(f.get(3))), -1);
            }
            case "bench" -> {
                need(f, 4);
                BenchLoop.Timings t = BenchLoop.run(new BenchLoop.Win32Files(api, f.get(1)),
                        Integer.parseInt(f.get(2)), Integer.parseInt(f.get(3)));
                return String.join("\t", WorkerProtocol.BENCH_RESULT, Long.toString(t.createNs()),
                        Long.toString(t.openNs()), Long.toString(t.readNs()), Long.toString(t.writeNs()),
                        Long.toString(t.closeNs()));
            }
            default -> throw new IllegalArgumentException("unknown request \"" + verb + "\"");
        }
    }

    private long handleOf(int id) {
        Long h = handles.get(id);
        if (h == null) {
            throw new IllegalArgumentException("no open handle " + id);
        }
        return h;
    }

    private static void need(List<String> f, int count) {
        if (f.size() != count) {
            throw new IllegalArgumentException(f.get(0) + " takes " + (count - 1) + " field(s), not " + (f.size() - 1));
        }
    }
}
