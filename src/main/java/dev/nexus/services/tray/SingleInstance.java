package dev.nexus.services.tray;

import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tray app per user and NEXUS_ROOT. The first holds an OS lock on {@code run/tray.lock} (the kernel
 * drops it when the process dies, so a crash never blocks the next launch) and listens on
 * {@code run/tray.sock}; a second launch finds the lock taken, sends "open" there, so the first one
 * brings its popover forward, and exits.
 */
public final class SingleInstance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SingleInstance.class);
    static final String OPEN = "open";
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(3);

    /** What {@link #claim} found. */
    public sealed interface Claim permits Primary, Forwarded {
    }

    /** This process is the tray app. */
    public record Primary(SingleInstance instance) implements Claim {
    }

    /** Another tray app runs; it was asked to open its popover. */
    public record Forwarded(long otherPid) implements Claim {
    }

    private final Path socket;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile Runnable onOpen;
    private boolean openRequestedEarly;
    private volatile boolean closed;

    private SingleInstance(Path socket, FileChannel lockChannel, FileLock lock, ServerSocketChannel server) {
        this.socket = socket;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "nexus-tray-instance");
        this.acceptor.setDaemon(true);
    }

    public static Path lockFile(NexusPaths paths) {
        return paths.run().resolve("tray.lock");
    }

    public static Path socketFile(NexusPaths paths) {
        return paths.run().resolve("tray.sock");
    }

    /**
     * Becomes the tray app, or asks the running one to open its popover.
     *
     * @throws IOException when the lock is held but its owner does not answer on the socket in time
     */
    public static Claim claim(NexusPaths paths) throws IOException {
        PrivateDirs.create(paths.run());
        Path lockPath = lockFile(paths);
        Path socketPath = socketFile(paths);
        FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot lock " + lockPath + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            long pid = readPid(channel);
            channel.close();
            forwardOpen(socketPath, lockPath, pid);
            return new Forwarded(pid);
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
            Files.deleteIfExists(socketPath); // left by a tray that died: we hold the lock, so it is no one's
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(socketPath), 4);
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
                }
            } catch (IOException e) {
                server.close();
                throw new IOException("cannot listen on " + socketPath + ": " + e.getMessage(), e);
            }
            SingleInstance instance = new SingleInstance(socketPath, channel, lock, server);
            instance.acceptor.start();
            return new Primary(instance);
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    /**
     * What to do when a second launch asks to open (runs on the instance thread: hop to the UI thread).
     * A request that came before this was set runs it at once.
     */
    public void onOpen(Runnable action) {
        boolean runNow;
        synchronized (this) {
            onOpen = Objects.requireNonNull(action, "action");
            runNow = openRequestedEarly;
            openRequestedEarly = false;
        }
        if (runNow) {
            action.run();
        }
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("closing {}: {}", socket, e.getMessage());
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.debug("releasing the tray lock: {}", e.getMessage());
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try (SocketChannel client = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(64);
                // One short line; a client that sends more or nothing gets no action.
                while (in.hasRemaining() && client.read(in) > 0) {
                    if (new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).contains("\n")) {
                        break;
                    }
                }
                String line = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).trim();
                if (line.equals(OPEN)) {
                    requestOpen();
                    client.write(ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.US_ASCII)));
                } else {
                    client.write(ByteBuffer.wrap("error unknown request\n".getBytes(StandardCharsets.US_ASCII)));
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("a request on {} failed: {}", socket, e.getMessage());
                }
            }
        }
    }

    private void requestOpen() {
        Runnable action;
        synchronized (this) {
            action = onOpen;
            if (action == null) {
                openRequestedEarly = true;
                return;
            }
        }
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("opening the popover for a second launch failed", e);
        }
    }

    private static void forwardOpen(Path socketPath, Path lockPath, long pid) throws IOException {
        long deadline = System.nanoTime() + FORWARD_TIMEOUT.toNanos();
        IOException last = null;
        // The first tray may hold the lock but not listen yet: it binds right after locking.
        while (System.nanoTime() < deadline) {
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(socketPath));
                c.write(ByteBuffer.wrap((OPEN + "\n").getBytes(StandardCharsets.US_ASCII)));
                c.shutdownOutput();
                ByteBuffer reply = ByteBuffer.allocate(64);
                while (c.read(reply) > 0 && reply.hasRemaining()) {
                    // read until the other side closes
                }
                String text = new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII).trim();
                if (text.equals("ok")) {
                    return;
                }
                throw new IOException("the running tray app (pid " + pid + ") answered \"" + text + "\" on " + socketPath);
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("another tray app (pid " + pid + ") holds " + lockPath + " but does not answer on "
                + socketPath + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private static long readPid(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            channel.read(b, 0);
            return Long.parseLong(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
