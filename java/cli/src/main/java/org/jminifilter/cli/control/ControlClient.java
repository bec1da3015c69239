package org.jminifilter.cli.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Talks to a running {@code serve} through its control socket (see {@link ControlServer}). */
public final class ControlClient {
    private final Path path;

    private ControlClient(Path path) {
        this.path = path;
    }

    /** A client of the serve listening on {@code path}, or empty when none does. */
    public static Optional<ControlClient> find(Path path) {
        return isListening(path) ? Optional.of(new ControlClient(path)) : Optional.empty();
    }

    static boolean isListening(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return c.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code request} and returns the one answer. */
    public ObjectNode ask(ObjectNode request) throws IOException {
        ObjectNode[] answer = new ObjectNode[1];
        stream(request, m -> {
            answer[0] = m;
            return false;
        });
        if (answer[0] == null) {
            throw new IOException("serve closed the control connection without an answer");
        }
        return answer[0];
    }

    /** Sends {@code request} and hands each answer line to {@code each} while it returns true. */
    public void stream(ObjectNode request, Predicate<ObjectNode> each) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            c.write(java.nio.ByteBuffer.wrap((request.toString() + "\n").getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (!each.test((ObjectNode) ControlServer.JSON.readTree(line))) {
                    return;
                }
            }
        }
    }
}
