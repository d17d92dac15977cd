package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.connect.ConnectionState.Phase;
import dev.nexus.services.health.ProbeResult;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A plain WebSocket (collab) kept open on the same reconnect machine, pinged for liveness. */
class WebSocketConnectionTest {
    Plain server;
    WebSocketConnection connection;
    final List<ConnectionState> seen = new CopyOnWriteArrayList<>();

    /** A real WebSocket server; with {@code answerPings} false it swallows pings like a dead peer. */
    static final class Plain extends WebSocketServer {
        volatile boolean answerPings = true;
        final AtomicInteger opened = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);

        Plain(int port) {
            super(new InetSocketAddress("127.0.0.1", port));
            setReuseAddr(true);
            setConnectionLostTimeout(0);
        }

        static Plain start(int port) throws InterruptedException {
            Plain p = new Plain(port);
            p.start();
            assertTrue(p.started.await(10, TimeUnit.SECONDS));
            return p;
        }

        @Override
        public void onWebsocketPing(WebSocket conn, Framedata f) {
            if (answerPings) {
                super.onWebsocketPing(conn, f);
            }
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            opened.incrementAndGet();
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (connection != null) {
            connection.close();
        }
        server.stop(1000);
    }

    private WebSocketConnection open() {
        connection = WebSocketConnection.builder(URI.create("ws://127.0.0.1:" + server.getPort() + "/"))
                .backoff(GatewayClientTest.FAST).listener(seen::add).build();
        connection.start();
        await(Phase.CONNECTED);
        return connection;
    }

    private void await(Phase phase) {
        Await.until(GatewayClientTest.WAIT, "phase " + phase, () -> connection.state().phase() == phase,
                connection::state);
    }

    @Test
    void keepsOneSocketAndMeasuresThePingRoundTrip() throws Exception {
        server = Plain.start(0);
        open();
        for (int i = 0; i < 5; i++) {
            ProbeResult r = connection.probe(Duration.ofSeconds(1), Clock.systemUTC()).check().get(5, TimeUnit.SECONDS);
            assertEquals(ProbeResult.Outcome.OK, r.outcome(), r.toString());
            assertTrue(r.message().startsWith("connected, pong in "), r.message());
        }
        assertEquals(1, server.opened.get(), "one socket for every check");
    }

    @Test
    void aSocketThatNoLongerAnswersPingsIsDroppedAndDialedAgain() throws Exception {
        server = Plain.start(0);
        open();
        server.answerPings = false;
        ProbeResult r = connection.probe(Duration.ofMillis(200), Clock.systemUTC()).check().get(5, TimeUnit.SECONDS);
        assertEquals(ProbeResult.Outcome.FAIL, r.outcome());
        assertEquals("no pong within 200 ms; reconnecting", r.message());
        Await.until(GatewayClientTest.WAIT, "a new socket", () -> server.opened.get() == 2, server.opened::get);
        await(Phase.CONNECTED);
        Await.until(GatewayClientTest.WAIT, "the listener told why", () -> seen.stream()
                .anyMatch(s -> s.message().startsWith("no pong within 200 ms: the connection was dead")), () -> seen);
    }

    @Test
    void survivesTheServerRestartingAndForceReconnectReplacesTheSocket() throws Exception {
        server = Plain.start(0);
        open();
        int port = server.getPort();
        server.stop(1000);
        await(Phase.WAITING);
        ProbeResult down = connection.probe(Duration.ofSeconds(1), Clock.systemUTC()).check().get(5, TimeUnit.SECONDS);
        assertEquals(ProbeResult.Outcome.FAIL, down.outcome());
        assertEquals("waiting", down.detail().get("session").asText());
        server = Plain.start(port);
        await(Phase.CONNECTED);
        assertTrue(connection.forceReconnect());
        Await.until(GatewayClientTest.WAIT, "a forced new socket", () -> server.opened.get() == 2, server.opened::get);
        await(Phase.CONNECTED);
    }
}
