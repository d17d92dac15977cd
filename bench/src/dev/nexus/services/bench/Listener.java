package dev.nexus.services.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the tcp probes connect to: a listener on 127.0.0.1 (ephemeral port) that accepts and closes
 * every connection, and counts them, so a run can show that the probes really happened.
 */
final class Listener implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final AtomicLong accepted = new AtomicLong();

    Listener() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        acceptor = new Thread(this::acceptLoop, "bench-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException("listener has no address", e);
        }
    }

    long accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                accepted.incrementAndGet();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
