package org.jminifilter.cli.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket of a running {@code jminifilter serve}: the driver admits one connection,
 * which {@code serve} holds, so {@code stats}, {@code events}, {@code push} and {@code config}
 * reach the driver through it. A Unix domain socket (Windows 10 1803 and later have them too),
 * one JSON request per connection, answered with one or more JSON lines. The socket file is
 * made readable and writable by its owner only where the file system has POSIX permissions; on
 * Windows it lives in a folder only administrators and SYSTEM may write (see {@link ControlPaths}).
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** Answers one request. */
    public interface Handler {
        void handle(ObjectNode request, Session session) throws IOException;
    }

    /** One client's connection: answer with {@link #send} (several times to stream). */
    public static final class Session {
        private final OutputStream out;

        Session(OutputStream out) {
            this.out = out;
        }

        /** Writes one JSON line; fails once the client has gone. */
        public synchronized void send(ObjectNode message) throws IOException {
            out.write((message.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Listens on {@code path}.
     *
     * @throws IllegalStateException when another serve already listens there
     */
    public ControlServer(Path path, Handler handler) throws IOException {
        this.path = path;
        if (Files.exists(path)) {
            if (ControlClient.isListening(path)) {
                throw new IllegalStateException("another jminifilter serve is running (its control socket is " + path
                        + ")");
            }
            Files.delete(path); // left by a serve that did not stop cleanly
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            LOG.debug("no POSIX permissions on {}: the folder's ACL protects it", path);
        }
        acceptor = new Thread(() -> accept(handler), "jminifilter-control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public Path path() {
        return path;
    }

    private void accept(Handler handler) {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("the control socket failed ({}); stats, events, push and config cannot reach serve",
                            e.getMessage());
                }
                return;
            }
            clients.add(client);
            Thread t = new Thread(() -> serve(client, handler), "jminifilter-control-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel client, Handler handler) {
        try (client) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                    StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            Session session = new Session(Channels.newOutputStream(client));
            ObjectNode request;
            try {
                request = (ObjectNode) JSON.readTree(line);
            } catch (IOException | ClassCastException e) {
                session.send(ControlMessages.error("not a JSON object: " + e.getMessage()));
                return;
            }
            try {
                handler.handle(request, session);
            } catch (RuntimeException e) {
                LOG.warn("control request {} failed", request, e);
                session.send(ControlMessages.error(e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        } catch (IOException e) {
            LOG.debug("control client gone: {}", e.getMessage());
        } finally {
            clients.remove(client);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel c : clients) {
            c.close();
        }
        Files.deleteIfExists(path);
    }
}
