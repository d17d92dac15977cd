package dev.nexus.services.control;

import static dev.nexus.services.control.ControlProtocol.INTERNAL;
import static dev.nexus.services.control.ControlProtocol.MAX_REQUEST_BYTES;
import static dev.nexus.services.control.ControlProtocol.TOO_LARGE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the {@link ControlServer}: a reader thread that parses requests and calls the
 * handler in order, and a writer thread that drains a bounded queue of encoded frames to the socket.
 * The writer thread is the one that finally closes the session and runs its onClose actions, so those
 * never run inside a caller of {@link #sendEvent} (which may be iterating its subscribers).
 */
final class ServerSession implements ControlSession {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final int WRITE_BATCH = 64;

    private final long number;
    private final SocketChannel channel;
    private final ControlHandler handler;
    private final OutgoingQueue outgoing;
    private final Consumer<ServerSession> onFinished;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final List<Runnable> closeActions = new ArrayList<>();
    private boolean closeActionsRan;
    private volatile String closeReason;
    private final Thread reader;
    private final Thread writer;

    ServerSession(long number, SocketChannel channel, ControlHandler handler, ControlServer.Limits limits,
            Consumer<ServerSession> onFinished) {
        this.number = number;
        this.channel = channel;
        this.handler = handler;
        this.outgoing = new OutgoingQueue(limits.maxQueuedFrames(), limits.maxQueuedBytes());
        this.onFinished = onFinished;
        this.writer = daemonThread("nexus-control-write-" + number, this::writeLoop);
        this.reader = daemonThread("nexus-control-read-" + number, this::readLoop);
    }

    void start() {
        writer.start();
        reader.start();
    }

    long number() {
        return number;
    }

    @Override
    public void sendEvent(String name, JsonNode data) {
        Objects.requireNonNull(name, "event name");
        if (!open.get()) {
            return;
        }
        byte[] frame;
        try {
            frame = Frames.encode(Frames.event(name, data));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event '" + name + "' cannot be encoded as JSON: "
                    + e.getOriginalMessage(), e);
        }
        enqueue(frame);
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public void onClose(Runnable action) {
        Objects.requireNonNull(action, "action");
        synchronized (this) {
            if (!closeActionsRan) {
                closeActions.add(action);
                return;
            }
        }
        // Registered too late to be queued: the client is gone already, so honour the contract now.
        runQuietly(action);
    }

    /** Closes the connection now, dropping unsent frames; the writer thread then runs the onClose actions. */
    void terminate(String reason) {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        closeReason = reason;
        outgoing.close();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("control client #{}: closing the socket failed", number, e);
        }
    }

    /** Waits until the onClose actions have run (unless called from this session's own writer). */
    boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        if (Thread.currentThread() == writer) {
            return true;
        }
        writer.join(unit.toMillis(timeout));
        return !writer.isAlive();
    }

    private void readLoop() {
        try {
            LineReader lines = new LineReader(channel, MAX_REQUEST_BYTES);
            LineReader.Frame frame;
            while (open.get() && (frame = lines.next()) != null) {
                if (frame instanceof LineReader.Oversized oversized) {
                    log.debug("control client #{} sent a line over {} bytes", number, oversized.limit());
                    enqueue(Frames.encodeFailure(null, TOO_LARGE, "request line exceeds " + oversized.limit()
                            + " bytes; it was skipped up to the next newline"));
                } else {
                    LineReader.Line line = (LineReader.Line) frame;
                    if (!line.isBlank()) {
                        handleLine(line.bytes());
                    }
                }
            }
            // The client finished sending (maybe only half-closed, like `nc -U`): let it read what is
            // queued for it before the connection closes.
            outgoing.finish();
        } catch (ClosedChannelException e) {
            // terminate() closed the socket; the reason has been recorded there.
        } catch (IOException e) {
            terminate("reading failed: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            log.error("control client #{}: the connection's reader failed", number, e);
            terminate("reader failed");
            throw e;
        }
    }

    private void handleLine(byte[] bytes) {
        Frames.Request request;
        try {
            request = Frames.toRequest(Frames.parse(bytes));
        } catch (Frames.RejectedFrame rejected) {
            log.debug("control client #{}: {} ({})", number, rejected.getMessage(), rejected.code());
            enqueue(Frames.encodeFailure(rejected.id(), rejected.code(), rejected.getMessage()));
            return;
        }
        enqueue(respond(request));
    }

    private byte[] respond(Frames.Request request) {
        String op = request.op();
        JsonNode result;
        try {
            result = handler.handle(op, request.args(), this);
        } catch (ControlException e) {
            String code = e.code() == null || e.code().isBlank() ? INTERNAL : e.code();
            String message = e.getMessage() == null ? code : e.getMessage();
            return Frames.encodeFailure(request.id(), code, message);
        } catch (RuntimeException | StackOverflowError e) {
            // Exception text can carry secrets (tokens in URLs, environment values): log only.
            log.error("control op '{}' (request id {}, client #{}) failed", op, request.id(), number, e);
            return internalError(request, "the engine failed while handling '" + op + "'; see the engine log");
        }
        try {
            return Frames.encode(Frames.success(request.id(), result));
        } catch (JsonProcessingException e) {
            log.error("control op '{}' (request id {}, client #{}) returned a result that cannot be encoded",
                    op, request.id(), number, e);
            return internalError(request, "the engine could not encode the result of '" + op + "'");
        }
    }

    private static byte[] internalError(Frames.Request request, String message) {
        return Frames.encodeFailure(request.id(), INTERNAL, message);
    }

    private void enqueue(byte[] frame) {
        if (outgoing.offer(frame)) {
            return;
        }
        log.warn("control client #{} is not reading ({} frames, {} bytes waiting); disconnecting it",
                number, outgoing.size(), outgoing.bytes());
        terminate("it did not read its replies and events");
    }

    private void writeLoop() {
        try {
            List<byte[]> batch;
            while ((batch = outgoing.take(WRITE_BATCH)) != null) {
                ByteBuffer[] buffers = new ByteBuffer[batch.size()];
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(batch.get(i));
                }
                writeFully(buffers);
            }
            terminate("the client closed the connection");
        } catch (IOException e) {
            terminate("writing failed: " + e.getMessage());
        } catch (InterruptedException e) {
            terminate("the writer was interrupted");
        } catch (RuntimeException | Error e) {
            log.error("control client #{}: the connection's writer failed", number, e);
            terminate("writer failed");
        } finally {
            log.debug("control client #{} disconnected: {}", number, closeReason);
            runCloseActions();
            onFinished.accept(this);
        }
    }

    private void writeFully(ByteBuffer[] buffers) throws IOException {
        ByteBuffer last = buffers[buffers.length - 1];
        while (last.hasRemaining()) {
            channel.write(buffers);
        }
    }

    private void runCloseActions() {
        List<Runnable> actions;
        synchronized (this) {
            if (closeActionsRan) {
                return;
            }
            closeActionsRan = true;
            actions = new ArrayList<>(closeActions);
            closeActions.clear();
        }
        actions.forEach(this::runQuietly);
    }

    private void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("control client #{}: an onClose action failed", number, e);
        }
    }

    private static Thread daemonThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
