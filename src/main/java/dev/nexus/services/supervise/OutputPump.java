package dev.nexus.services.supervise;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one output stream of a child (its FIFO, or a plain pipe on Windows) to a sink, on its own
 * thread. Reading goes through an interruptible channel so {@link #detach()} can stop a read that is
 * blocked, without losing or duplicating bytes: whatever is not read stays in the FIFO for the next
 * engine.
 */
final class OutputPump {
    private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);
    private static final int BUFFER = 16 * 1024;

    private final String name;
    private final ReadableByteChannel source;
    private final OutputStream sink;
    private final Runnable onEndOfStream;
    private final Thread thread;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile Closeable keeper;
    private volatile boolean sinkBroken;

    /**
     * @param keeper        an extra write end of the FIFO held by the engine so that reading cannot hit
     *                      end-of-file before the child has opened its end; null when not needed
     * @param onEndOfStream runs on the pump thread when every writer has closed the stream
     */
    OutputPump(String name, ReadableByteChannel source, Closeable keeper, OutputStream sink, Runnable onEndOfStream) {
        this.name = name;
        this.source = source;
        this.keeper = keeper;
        this.sink = sink;
        this.onEndOfStream = onEndOfStream;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    OutputPump start() {
        thread.start();
        return this;
    }

    /** From now on the stream ends as soon as no process holds its write end any more. */
    void releaseKeeper() {
        Closeable k = keeper;
        keeper = null;
        closeQuietly(k);
    }

    /** Stops reading now; bytes not yet read stay in the FIFO. */
    void detach() {
        releaseKeeper();
        closeQuietly(source);
    }

    /** Completes when the thread has stopped and the sink is closed. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    private void run() {
        boolean endOfStream = false;
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        try {
            while (true) {
                buffer.clear();
                int n = source.read(buffer);
                if (n < 0) {
                    endOfStream = true;
                    break;
                }
                if (n > 0) {
                    deliver(buffer.array(), n);
                }
            }
        } catch (ClosedChannelException e) {
            // detach() closed the channel (AsynchronousCloseException is a subclass): a normal stop.
        } catch (IOException e) {
            LOG.warn("{}: reading the child's output failed, output is no longer captured: {}", name, e.toString());
        } finally {
            releaseKeeper();
            closeQuietly(source);
            closeQuietly(sink);
        }
        try {
            if (endOfStream && onEndOfStream != null) {
                onEndOfStream.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: end-of-output handler failed", name, e);
        } finally {
            finished.complete(null);
        }
    }

    /**
     * A failing sink must not stop the reading: a FIFO nobody drains fills up and then blocks the
     * child. So on failure the bytes are dropped and reading goes on.
     */
    private void deliver(byte[] bytes, int length) {
        if (sinkBroken) {
            return;
        }
        try {
            sink.write(bytes, 0, length);
            sink.flush();
        } catch (IOException | RuntimeException e) {
            sinkBroken = true;
            LOG.warn("{}: writing the child's output failed; further output is dropped: {}", name, e.toString());
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }
}
