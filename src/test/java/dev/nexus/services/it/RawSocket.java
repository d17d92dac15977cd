package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Bytes to and lines from the engine's control socket, without the product's client in between. */
final class RawSocket implements AutoCloseable {
    private static final byte[] EOF = new byte[0];
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private final SocketChannel channel;
    private final BlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();

    private RawSocket(SocketChannel channel) {
        this.channel = channel;
        Thread reader = new Thread(this::readLoop, "it-raw-socket-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static RawSocket open(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawSocket(channel);
    }

    void sendLine(String text) throws IOException {
        send((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next line the engine sent, as JSON; fails on end of stream or after 10 s. */
    JsonNode next() throws Exception {
        byte[] line = lines.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(line, "the engine sent nothing within " + REPLY_TIMEOUT.toSeconds() + " s");
        if (line == EOF) {
            fail("the engine closed the connection");
        }
        return Json.MAPPER.readTree(line);
    }

    JsonNode request(String line) throws Exception {
        sendLine(line);
        return next();
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        try {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        lines.add(current.toByteArray());
                        current.reset();
                    } else {
                        current.write(b);
                    }
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // closed
        }
        lines.add(EOF);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
