package dev.nexus.services.control;

import static dev.nexus.services.control.ControlProtocol.TOO_MANY_CONNECTIONS;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine side of the control socket (see {@link ControlProtocol}). One accept thread; per client a
 * reader thread, which calls the handler for that client's requests one at a time, and a writer thread
 * with a bounded outgoing queue. Different clients are handled concurrently, so the handler must be
 * thread-safe.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_SOCKET = PosixFilePermissions.fromString("rw-------");
    private static final int ACCEPT_BACKLOG = 50;
    private static final long SESSION_FINISH_TIMEOUT_MS = 5_000;
    private static final long ACCEPT_FAILURE_PAUSE_MS = 100;

    /**
     * Bounds on what clients may cost the engine.
     *
     * @param maxConnections  clients connected at once; one more is told {@code too_many_connections}
     * @param maxQueuedFrames replies and events waiting for one client before it is disconnected
     * @param maxQueuedBytes  the same bound in bytes (a single frame larger than this still goes out)
     */
    public record Limits(int maxConnections, int maxQueuedFrames, long maxQueuedBytes) {
        public Limits {
            if (maxConnections < 1 || maxQueuedFrames < 1 || maxQueuedBytes < 1) {
                throw new IllegalArgumentException("control server limits must be positive: " + maxConnections
                        + " connections, " + maxQueuedFrames + " frames, " + maxQueuedBytes + " bytes");
            }
        }

        public static Limits defaults() {
            return new Limits(64, 1024, 16L * 1024 * 1024);
        }
    }

    private final Path socketPath;
    private final ControlHandler handler;
    private final Limits limits;
    private final AtomicLong sessionNumbers = new AtomicLong();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    /** Guards sessions, started, closed and serverChannel, so accept and close cannot race. */
    private final Object lock = new Object();
    private final List<ServerSession> sessions = new ArrayList<>();
    private boolean started;
    private boolean closed;
    private ServerSocketChannel serverChannel;
    private Thread acceptThread;

    public ControlServer(Path socketPath, ControlHandler handler) {
        this(socketPath, handler, Limits.defaults());
    }

    public ControlServer(Path socketPath, ControlHandler handler, Limits limits) {
        this.socketPath = Objects.requireNonNull(socketPath, "socketPath").toAbsolutePath().normalize();
        this.handler = Objects.requireNonNull(handler, "handler");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Binds the socket and starts accepting. A file already at the path is taken to be the socket of a
     * dead engine and replaced: the caller holds the engine lock, so no live engine can own it.
     *
     * @throws IOException when the directory cannot be made or the socket cannot be bound
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("control server for " + socketPath + " was closed");
            }
            if (started) {
                throw new IllegalStateException("control server for " + socketPath + " is already started");
            }
            prepareDirectory(socketPath.getParent());
            if (Files.isDirectory(socketPath, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("cannot create the control socket " + socketPath + ": a directory is in the way");
            }
            if (Files.deleteIfExists(socketPath)) {
                log.info("replaced the stale control socket {}", socketPath);
            }
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(socketPath), ACCEPT_BACKLOG);
                if (supportsPosix()) {
                    // The 0700 directory already keeps others out; this also covers a directory made by
                    // someone else with looser rights.
                    Files.setPosixFilePermissions(socketPath, OWNER_ONLY_SOCKET);
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                Files.deleteIfExists(socketPath);
                throw new IOException("cannot listen on the control socket " + socketPath + ": " + e.getMessage(), e);
            }
            serverChannel = channel;
            acceptThread = new Thread(this::acceptLoop, "nexus-control-accept");
            acceptThread.setDaemon(true);
            acceptThread.start();
            started = true;
        }
        log.info("control socket listening at {}", socketPath);
    }

    public Path socketPath() {
        return socketPath;
    }

    /** Clients connected right now. */
    public int connectionCount() {
        synchronized (lock) {
            return sessions.size();
        }
    }

    /**
     * Stops accepting, disconnects every client (unsent replies and events are dropped), waits for their
     * onClose actions and removes the socket file. Safe to call more than once and from a handler.
     */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        List<ServerSession> toClose;
        ServerSocketChannel channel;
        Thread accepting;
        synchronized (lock) {
            closed = true;
            toClose = new ArrayList<>(sessions);
            channel = serverChannel;
            accepting = acceptThread;
        }
        if (channel == null) {
            return;
        }
        closeQuietly(channel);
        toClose.forEach(session -> session.terminate("the engine is shutting down"));
        try {
            if (accepting != Thread.currentThread()) {
                accepting.join(SESSION_FINISH_TIMEOUT_MS);
            }
            for (ServerSession session : toClose) {
                if (!session.awaitFinished(SESSION_FINISH_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    log.warn("control client #{}: its onClose actions did not finish within {} ms",
                            session.number(), SESSION_FINISH_TIMEOUT_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            log.warn("could not remove the control socket {}: {}", socketPath, e.getMessage());
        }
        log.info("control socket {} closed", socketPath);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel client;
            try {
                client = serverChannel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                }
                // Typically out of file descriptors: pause rather than spin, the condition may pass.
                log.warn("accepting a control connection on {} failed: {}", socketPath, e.getMessage());
                if (!pauseAfterAcceptFailure()) {
                    return;
                }
                continue;
            }
            admit(client);
        }
    }

    private void admit(SocketChannel client) {
        synchronized (lock) {
            if (closed) {
                closeQuietly(client);
                return;
            }
            if (sessions.size() >= limits.maxConnections()) {
                refuse(client);
                return;
            }
            ServerSession session = new ServerSession(sessionNumbers.incrementAndGet(), client, handler, limits,
                    this::forget);
            sessions.add(session);
            session.start();
            log.debug("control client #{} connected ({} connected)", session.number(), sessions.size());
        }
    }

    private void refuse(SocketChannel client) {
        log.warn("refused a control connection: {} clients are connected, the limit", limits.maxConnections());
        byte[] reply = Frames.encodeFailure(null, TOO_MANY_CONNECTIONS, "the engine already serves "
                + limits.maxConnections() + " control connections; close one and try again");
        try {
            // A fresh socket's send buffer is empty, so this small write cannot block the accept thread.
            ByteBuffer buffer = ByteBuffer.wrap(reply);
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
        } catch (IOException e) {
            log.debug("could not tell a refused control client why: {}", e.getMessage());
        } finally {
            closeQuietly(client);
        }
    }

    private void forget(ServerSession session) {
        synchronized (lock) {
            sessions.remove(session);
        }
    }

    private boolean pauseAfterAcceptFailure() {
        try {
            Thread.sleep(ACCEPT_FAILURE_PAUSE_MS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void prepareDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            if (supportsPosix()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
                if (!OWNER_ONLY_DIRECTORY.containsAll(permissions)) {
                    log.warn("the control socket directory {} is accessible to other users ({}); expected rwx------",
                            directory, PosixFilePermissions.toString(permissions));
                }
            }
            return;
        }
        try {
            if (directory.getParent() != null) {
                Files.createDirectories(directory.getParent());
            }
            if (supportsPosix()) {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
                // The umask may have narrowed the mode further; make it exact.
                Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
            } else {
                Files.createDirectory(directory);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(directory)) {
                throw new IOException("cannot create the control socket directory " + directory
                        + ": a file is in the way", e);
            }
        } catch (IOException e) {
            throw new IOException("cannot create the control socket directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private static boolean supportsPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a control channel failed: {}", e.getMessage());
        }
    }
}
