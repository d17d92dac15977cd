package dev.nexus.services.control;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client that speaks bytes, not the protocol: for feeding the server garbage and reading raw frames. */
final class RawConnection implements AutoCloseable {
    private static final byte[] EOF = new byte[0];

    final SocketChannel channel;
    private final BlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();

    private RawConnection(SocketChannel channel) {
        this.channel = channel;
        Thread reader = new Thread(this::readLoop, "raw-connection-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static RawConnection open(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawConnection(channel);
    }

    void send(String text) throws IOException {
        sendBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void sendBytes(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next frame the server sent; fails the test on EOF or after 5 s. */
    JsonNode next() throws Exception {
        byte[] line = lines.poll(5, TimeUnit.SECONDS);
        assertNotNull(line, "no frame from the server within 5 s");
        if (line == EOF) {
            fail("the server closed the connection");
        }
        return Json.MAPPER.readTree(line);
    }

    JsonNode request(String text) throws Exception {
        send(text);
        return next();
    }

    /** True when the server closes the connection within the timeout (frames before that are skipped). */
    boolean awaitEof(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            byte[] line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return false;
            }
            if (line == EOF) {
                return true;
            }
        }
    }

    private void readLoop() {
        LineReader reader = new LineReader(channel, ControlClient.MAX_INCOMING_BYTES);
        try {
            LineReader.Frame frame;
            while ((frame = reader.next()) != null) {
                lines.add(((LineReader.Line) frame).bytes());
            }
        } catch (IOException e) {
            // The test closed the channel or the server dropped us: both end the stream.
        }
        lines.add(EOF);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
