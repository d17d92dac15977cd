package dev.nexus.services.control;

import static dev.nexus.services.control.ControlProtocol.FIELD_CODE;
import static dev.nexus.services.control.ControlProtocol.FIELD_DATA;
import static dev.nexus.services.control.ControlProtocol.FIELD_ERROR;
import static dev.nexus.services.control.ControlProtocol.FIELD_EVENT;
import static dev.nexus.services.control.ControlProtocol.FIELD_ID;
import static dev.nexus.services.control.ControlProtocol.FIELD_MESSAGE;
import static dev.nexus.services.control.ControlProtocol.FIELD_OK;
import static dev.nexus.services.control.ControlProtocol.FIELD_RESULT;
import static dev.nexus.services.control.ControlProtocol.INTERNAL;
import static dev.nexus.services.control.ControlProtocol.MAX_REQUEST_BYTES;
import static dev.nexus.services.control.ControlProtocol.TOO_LARGE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to the engine's control socket (see {@link ControlProtocol}). Calls may be made from any
 * number of threads at once; one reader thread matches replies to calls by id and hands events to the
 * listeners. Kept light on purpose: the CLI connects and calls once within a tight start-up budget.
 */
public final class ControlClient implements AutoCloseable {
    /** Replies can be big (logs, large snapshots) but not without bound. */
    static final int MAX_INCOMING_BYTES = 64 << 20;
    private static final long CONNECT_RETRY_PAUSE_MS = 5;
    /** After a failed send the reader normally reports the broken connection at once. */
    private static final Duration SEND_FAILURE_GRACE = Duration.ofSeconds(1);

    /**
     * The client logs only when something goes wrong, so the logger is made on first use: initialising
     * the logging backend would otherwise cost the CLI a good part of its start-up budget.
     */
    private static final class Log {
        static final Logger LOGGER = LoggerFactory.getLogger(ControlClient.class);
    }

    private final Path socketPath;
    private final SocketChannel channel;
    private final Object writeLock = new Object();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, JsonNode>> eventListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> disconnectListeners = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closedLocally;
    /** Set once, before pending calls are failed with it: an IOException or a ControlException. */
    private volatile Exception disconnectCause;
    /** An error the engine sent without an id: it is refusing this connection as a whole. */
    private volatile ControlException refusal;

    private ControlClient(Path socketPath, SocketChannel channel) {
        this.socketPath = socketPath;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "nexus-control-client");
        this.reader.setDaemon(true);
    }

    /**
     * Connects to the engine.
     *
     * @param timeout how long to wait when the engine is slow to accept (it normally accepts at once)
     * @throws EngineNotRunningException when the socket file is missing or nobody listens on it
     * @throws IOException               when the engine does not accept in time or the socket is not ours
     */
    public static ControlClient connect(Path socketPath, Duration timeout) throws IOException {
        Path path = socketPath.toAbsolutePath();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!Files.exists(path)) {
                throw notRunning(path, null);
            }
            refuseIfNotOurs(path);
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.configureBlocking(false);
                boolean connected = channel.connect(UnixDomainSocketAddress.of(path));
                while (!connected) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IOException("the engine at " + path + " did not accept a connection within "
                                + Durations.humanize(timeout));
                    }
                    pause();
                    connected = channel.finishConnect();
                }
                channel.configureBlocking(true);
                ControlClient client = new ControlClient(path, channel);
                client.reader.start();
                return client;
            } catch (ConnectException e) {
                closeQuietly(channel);
                throw new EngineNotRunningException(path, "no engine is running: the control socket " + path
                        + " is left over from one that stopped (connection refused)", e);
            } catch (SocketException e) {
                closeQuietly(channel);
                if (!Files.exists(path)) {
                    throw notRunning(path, e);
                }
                if (!Files.isWritable(path)) {
                    throw new AccessDeniedException(path.toString(), null,
                            "this user may not connect to the engine's control socket");
                }
                // Most likely the engine's accept backlog is full: it is busy, not gone.
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("the engine at " + path + " did not accept a connection within "
                            + Durations.humanize(timeout) + ": " + e.getMessage(), e);
                }
                pause();
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
    }

    /**
     * Sends a request and waits for its reply.
     *
     * @param args the op's arguments, or null for none
     * @return the reply's result (a {@link NullNode} when the engine sent none)
     * @throws ControlException when the engine refuses (its code and message), or the request is larger
     *                          than {@link ControlProtocol#MAX_REQUEST_BYTES} ({@code too_large})
     * @throws IOException      when no reply comes within {@code timeout} or the connection is lost
     */
    public JsonNode call(String op, JsonNode args, Duration timeout) throws ControlException, IOException {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(timeout, "timeout");
        long id = ids.incrementAndGet();
        byte[] frame;
        try {
            frame = Frames.encode(Frames.request(id, op, args));
        } catch (IOException e) {
            throw new IOException("the arguments of '" + op + "' cannot be encoded as JSON: " + e.getMessage(), e);
        }
        if (frame.length - 1 > MAX_REQUEST_BYTES) {
            throw new ControlException(TOO_LARGE, "request '" + op + "' is " + (frame.length - 1)
                    + " bytes; the engine accepts at most " + MAX_REQUEST_BYTES);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        // Checked after registering, so a disconnect either sees this call or this call sees it.
        if (disconnectCause != null) {
            pending.remove(id);
            throw lostConnection(op, disconnectCause);
        }
        IOException sendFailure = null;
        try {
            synchronized (writeLock) {
                ByteBuffer buffer = ByteBuffer.wrap(frame);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            // The reader usually explains better why (for example a refusal the engine sent first).
            sendFailure = e;
        }
        Duration wait = sendFailure == null || timeout.compareTo(SEND_FAILURE_GRACE) < 0 ? timeout : SEND_FAILURE_GRACE;
        try {
            return reply.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            if (sendFailure != null) {
                throw new IOException("could not send '" + op + "' to the engine: " + sendFailure.getMessage(),
                        sendFailure);
            }
            throw new IOException("the engine did not answer '" + op + "' within " + Durations.humanize(timeout));
        } catch (ExecutionException e) {
            throw lostConnection(op, e.getCause());
        } catch (InterruptedException e) {
            pending.remove(id);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the engine to answer '" + op + "'");
        }
    }

    /** Receives every event the engine sends on this connection, on the reader thread: keep it short. */
    public void onEvent(BiConsumer<String, JsonNode> listener) {
        eventListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Runs once when the engine closes the connection or it breaks (not after this client's own
     * {@link #close()}); at once if that has already happened.
     */
    public void onDisconnect(Runnable action) {
        Objects.requireNonNull(action, "action");
        synchronized (this) {
            if (disconnectCause == null) {
                disconnectListeners.add(action);
                return;
            }
        }
        if (!closedLocally) {
            runQuietly(action);
        }
    }

    public boolean isConnected() {
        return disconnectCause == null;
    }

    public Path socketPath() {
        return socketPath;
    }

    /** Closes the connection; calls still waiting fail with an IOException. Idempotent. */
    @Override
    public void close() {
        closedLocally = true;
        disconnected(new IOException("the control client was closed"));
    }

    private void readLoop() {
        Exception cause;
        try {
            LineReader lines = new LineReader(channel, MAX_INCOMING_BYTES);
            LineReader.Frame frame;
            while ((frame = lines.next()) != null) {
                if (frame instanceof LineReader.Oversized oversized) {
                    throw new IOException("the engine sent a frame over " + oversized.limit() + " bytes");
                }
                LineReader.Line line = (LineReader.Line) frame;
                if (!line.isBlank()) {
                    dispatch(line.bytes());
                }
            }
            cause = new IOException("the engine closed the connection");
        } catch (IOException e) {
            cause = new IOException("the connection to the engine broke: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            Log.LOGGER.error("the control client's reader failed", e);
            disconnected(new IOException("the control client's reader failed", e));
            throw e;
        }
        disconnected(cause);
    }

    private void dispatch(byte[] bytes) {
        JsonNode frame;
        try {
            frame = Frames.parse(bytes);
        } catch (Frames.RejectedFrame e) {
            Log.LOGGER.warn("ignoring an unreadable frame from the engine: {}", e.getMessage());
            return;
        }
        if (!frame.isObject()) {
            Log.LOGGER.warn("ignoring a frame from the engine that is not an object: {}", Frames.typeOf(frame));
            return;
        }
        JsonNode event = frame.get(FIELD_EVENT);
        if (event != null) {
            if (event.isTextual()) {
                deliverEvent(event.textValue(), frame.has(FIELD_DATA) ? frame.get(FIELD_DATA) : NullNode.getInstance());
            } else {
                Log.LOGGER.warn("ignoring an event from the engine whose name is {}", Frames.typeOf(event));
            }
            return;
        }
        JsonNode ok = frame.get(FIELD_OK);
        if (ok == null || !ok.isBoolean()) {
            Log.LOGGER.warn("ignoring a frame from the engine that is neither an event nor a reply");
            return;
        }
        ControlException failure = ok.booleanValue() ? null : failureOf(frame);
        JsonNode id = frame.get(FIELD_ID);
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()) {
            if (failure != null) {
                Log.LOGGER.warn("the engine refused this connection: {} ({})", failure.getMessage(), failure.code());
                refusal = failure;
            } else {
                Log.LOGGER.warn("ignoring a reply from the engine without a usable id");
            }
            return;
        }
        CompletableFuture<JsonNode> reply = pending.remove(id.longValue());
        if (reply == null) {
            Log.LOGGER.debug("a reply for request {} arrived after its caller stopped waiting", id);
            return;
        }
        if (failure != null) {
            reply.completeExceptionally(failure);
        } else {
            JsonNode result = frame.get(FIELD_RESULT);
            reply.complete(result == null ? NullNode.getInstance() : result);
        }
    }

    private static ControlException failureOf(JsonNode frame) {
        JsonNode error = frame.path(FIELD_ERROR);
        JsonNode code = error.path(FIELD_CODE);
        JsonNode message = error.path(FIELD_MESSAGE);
        return new ControlException(code.isTextual() ? code.textValue() : INTERNAL,
                message.isTextual() ? message.textValue() : "the engine gave no reason");
    }

    private void deliverEvent(String name, JsonNode data) {
        for (BiConsumer<String, JsonNode> listener : eventListeners) {
            try {
                listener.accept(name, data);
            } catch (RuntimeException e) {
                Log.LOGGER.warn("a control event listener failed on event '{}'", name, e);
            }
        }
    }

    private void disconnected(Exception cause) {
        List<Runnable> listeners;
        synchronized (this) {
            if (disconnectCause != null) {
                return;
            }
            ControlException refused = refusal;
            disconnectCause = refused != null ? refused : cause;
            listeners = closedLocally ? List.of() : new ArrayList<>(disconnectListeners);
            disconnectListeners.clear();
        }
        closeQuietly(channel);
        for (Long id : pending.keySet()) {
            CompletableFuture<JsonNode> reply = pending.remove(id);
            if (reply != null) {
                reply.completeExceptionally(disconnectCause);
            }
        }
        listeners.forEach(ControlClient::runQuietly);
    }

    /**
     * Rethrows a refusal as a new ControlException, so its stack trace points at the caller rather than
     * at the reader thread; anything else becomes the IOException to throw.
     */
    private static IOException lostConnection(String op, Throwable cause) throws ControlException {
        if (cause instanceof ControlException refused) {
            throw new ControlException(refused.code(), refused.getMessage());
        }
        return new IOException("'" + op + "' failed: " + cause.getMessage(), cause);
    }

    /**
     * A socket another user owns is not this user's engine, whoever listens on it: an impostor would see every
     * command and could answer anything, so nothing is sent. (The engine replaces such a socket when it starts.)
     */
    private static void refuseIfNotOurs(Path path) throws IOException {
        if (!PrivateDirs.ownedByCurrentUser(path)) {
            throw new AccessDeniedException(path.toString(), null, "the control socket belongs to "
                    + Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName() + ", not to " + System.getProperty("user.name")
                    + ", so it is not your engine; nothing was sent to it (nexus-services up replaces it)");
        }
    }

    private static EngineNotRunningException notRunning(Path path, Throwable cause) {
        return new EngineNotRunningException(path,
                "no engine is running: the control socket " + path + " does not exist", cause);
    }

    private static void pause() throws InterruptedIOException {
        try {
            Thread.sleep(CONNECT_RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to the engine");
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            Log.LOGGER.warn("an onDisconnect action failed", e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            Log.LOGGER.debug("closing the control connection failed: {}", e.getMessage());
        }
    }
}
