package dev.nexus.services.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Non-blocking TCP connects for every tcp probe, on one selector thread. All channel work happens on
 * that thread (callers only enqueue), so a hanging connect costs a registered key, not a thread.
 */
final class TcpConnector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpConnector.class);

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    TcpConnector() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "nexus-probe-tcp");
        thread.setDaemon(true);
        thread.start();
    }

    /** A connect in progress; {@link #cancel()} closes its socket. */
    final class Connect {
        private final InetSocketAddress target;
        private final Consumer<IOException> done;
        private SocketChannel channel;
        private boolean finished;

        private Connect(InetSocketAddress target, Consumer<IOException> done) {
            this.target = target;
            this.done = done;
        }

        void cancel() {
            submit(() -> finish(null, false));
        }

        private void begin() {
            if (finished) {
                return;
            }
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                if (channel.connect(target)) {
                    finish(null, true);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, this);
                }
            } catch (IOException e) {
                finish(e, true);
            } catch (RuntimeException e) {
                // UnresolvedAddressException, UnsupportedAddressTypeException and the like.
                finish(new IOException(e.toString(), e), true);
            }
        }

        private void connectable() {
            try {
                if (channel.finishConnect()) {
                    finish(null, true);
                }
            } catch (IOException e) {
                finish(e, true);
            }
        }

        private void finish(IOException error, boolean report) {
            if (finished) {
                return;
            }
            finished = true;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.trace("closing probe socket to {} failed", target, e);
                }
            }
            if (report) {
                try {
                    done.accept(error);
                } catch (RuntimeException e) {
                    LOG.warn("tcp probe callback for {} failed", target, e);
                }
            }
        }
    }

    /** Starts a connect; {@code done} runs on the selector thread with null on success, else the error. */
    Connect connect(InetSocketAddress target, Consumer<IOException> done) {
        Connect c = new Connect(target, done);
        if (!submit(c::begin)) {
            done.accept(new IOException("tcp prober is shut down"));
        }
        return c;
    }

    private boolean submit(Runnable task) {
        if (closed) {
            return false;
        }
        tasks.add(task);
        selector.wakeup();
        return true;
    }

    private void run() {
        try {
            while (!closed) {
                selector.select();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isValid() && key.isConnectable()) {
                        ((Connect) key.attachment()).connectable();
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                LOG.error("tcp probe selector failed; tcp probes will time out until restart", e);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("tcp probe selector thread died; tcp probes will time out until restart", e);
        } finally {
            closeAll();
        }
    }

    private void closeAll() {
        closed = true;
        try {
            for (SelectionKey key : List.copyOf(selector.keys())) {
                ((Connect) key.attachment()).finish(new IOException("tcp prober is shut down"), true);
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            LOG.debug("closing the tcp probe selector failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
