package org.jminifilter.cli.selftest;

import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.jminifilter.policy.Disposition;
import org.jminifilter.protocol.NtStatus;

/**
 * The lines the suite and its {@link Worker} exchange over the worker's standard input and
 * output: one request per line, one response line per request, fields separated by tabs (no
 * Windows path holds a tab), data in Base64. The worker's first line is {@code ready <pid>}.
 *
 * <pre>
 * open   PATH ACCESS(hex) CREATION-DISPOSITION FLAGS(hex)   -> R WIN32 NT|- HANDLE COUNT DATA
 * write  HANDLE OFFSET DATA                                  -> R ...
 * read   HANDLE OFFSET LENGTH                                -> R ...
 * close  HANDLE                                              -> R ...
 * rename FROM TO FLAGS                                       -> R ...
 * bench  FOLDER COUNT SIZE                                   -> B CREATE OPEN READ WRITE CLOSE (ns per operation)
 * exit                                                       -> (the worker ends)
 * </pre>
 */
public final class WorkerProtocol {

    public static final String READY = "ready";
    public static final String RESULT = "R";
    public static final String BENCH_RESULT = "B";
    public static final String ERROR = "E";

    /** CreateFile's creation dispositions (winbase.h). */
    public static final int CREATE_NEW = 1;
    public static final int CREATE_ALWAYS = 2;
    public static final int OPEN_EXISTING = 3;
    public static final int OPEN_ALWAYS = 4;
    public static final int TRUNCATE_EXISTING = 5;
    /** CreateFile's FILE_FLAG_WRITE_THROUGH and FILE_ATTRIBUTE_NORMAL. */
    public static final int FILE_FLAG_WRITE_THROUGH = 0x80000000;
    public static final int FILE_ATTRIBUTE_NORMAL = 0x80;
    /** NtCreateFile's FILE_WRITE_THROUGH create option. */
    public static final int FILE_WRITE_THROUGH = 0x00000002;

    private WorkerProtocol() {
    }

    /**
     * The CreateFile creation disposition that is NtCreateFile's {@code d}: CREATE_NEW is FILE_CREATE,
     * OPEN_EXISTING FILE_OPEN, OPEN_ALWAYS FILE_OPEN_IF, TRUNCATE_EXISTING FILE_OVERWRITE,
     * CREATE_ALWAYS FILE_OVERWRITE_IF. FILE_SUPERSEDE has no Win32 form.
     */
    public static int creationDisposition(Disposition d) {
        return switch (d) {
            case CREATE -> CREATE_NEW;
            case OPEN -> OPEN_EXISTING;
            case OPEN_IF -> OPEN_ALWAYS;
            case OVERWRITE -> TRUNCATE_EXISTING;
            case OVERWRITE_IF -> CREATE_ALWAYS;
            case SUPERSEDE -> throw new IllegalArgumentException(
                    "FILE_SUPERSEDE has no CreateFile creation disposition");
        };
    }

    /** CreateFile's flags and attributes for NtCreateFile's create options (only FILE_WRITE_THROUGH is carried). */
    public static int flagsAndAttributes(int createOptions) {
        if ((createOptions & ~FILE_WRITE_THROUGH) != 0) {
            throw new IllegalArgumentException(String.format(
                    "create options 0x%X: a Win32 worker carries only FILE_WRITE_THROUGH", createOptions));
        }
        return FILE_ATTRIBUTE_NORMAL | ((createOptions & FILE_WRITE_THROUGH) != 0 ? FILE_FLAG_WRITE_THROUGH : 0);
    }

    /** A request line. */
    public static String request(String verb, Object... fields) {
        StringBuilder b = new StringBuilder(verb);
        for (Object f : fields) {
            String s = String.valueOf(f);
            if (s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a worker request field holds a tab or a line break: " + s);
            }
            b.append('\t').append(s);
        }
        return b.toString();
    }

    /** The fields of a line. */
    public static List<String> fields(String line) {
        return List.of(line.split("\t", -1));
    }

    /** A result line for {@code r}, {@code handleId} being the id the worker gave (or -1). */
    public static String result(FileApi.Result r, int handleId) {
        return String.join("\t", RESULT, Integer.toString(r.win32Error()),
                r.ntStatus().isPresent() ? Integer.toHexString(r.ntStatus().getAsInt()) : "-",
                Integer.toString(handleId), Long.toString(r.count()), Base64.getEncoder().encodeToString(r.data()));
    }

    /** An error line: the worker could not do what was asked (a bad request), with the reason. */
    public static String error(String reason) {
        return ERROR + "\t" + reason.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Decodes a result line into an {@link Outcome}.
     *
     * @throws IllegalStateException naming what is wrong with the line
     */
    public static Outcome outcome(String line) {
        if (line == null) {
            throw new IllegalStateException("the worker ended without answering");
        }
        List<String> f = fields(line);
        if (f.get(0).equals(ERROR)) {
            throw new IllegalStateException("the worker refused the request: " + (f.size() > 1 ? f.get(1) : "?"));
        }
        if (!f.get(0).equals(RESULT) || f.size() != 6) {
            throw new IllegalStateException("not a worker result line: \"" + line + "\"");
        }
        try {
            int win32 = Integer.parseInt(f.get(1));
            Optional<NtStatus> nt = f.get(2).equals("-") ? Optional.empty()
                    : Optional.of(NtStatus.of(Integer.parseUnsignedInt(f.get(2), 16)));
            if (win32 == 0 && nt.isEmpty()) {
                nt = Optional.of(NtStatus.SUCCESS);
            }
            return new Outcome(nt, win32, Integer.parseInt(f.get(3)), Long.parseLong(f.get(4)),
                    Base64.getDecoder().decode(f.get(5)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("a malformed worker result line \"" + line + "\": " + e.getMessage(), e);
        }
    }

    /** Decodes an NT status field ("-" or hex), for the worker's own tests. */
    static OptionalInt ntField(String field) {
        return field.equals("-") ? OptionalInt.empty() : OptionalInt.of(Integer.parseUnsignedInt(field, 16));
    }
}
