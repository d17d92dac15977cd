package dev.nexus.services.health;

import static dev.nexus.services.health.ProbeTestSupport.LOOPBACK;
import static dev.nexus.services.health.ProbeTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeFactoryWebSocketTest {
    @TempDir
    Path tmp;
    private ScheduledThreadPoolExecutor timer;
    private ProbeFactory factory;
    private TestServer server;

    /** A real WebSocket server; with {@code answerPings} false it swallows pings like a wedged peer. */
    static final class TestServer extends WebSocketServer {
        final boolean answerPings;
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger pings = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        TestServer(boolean answerPings) {
            super(new InetSocketAddress(LOOPBACK, 0));
            this.answerPings = answerPings;
            setReuseAddr(true);
        }

        @Override
        public void onWebsocketPing(WebSocket conn, Framedata f) {
            pings.incrementAndGet();
            if (answerPings) {
                super.onWebsocketPing(conn, f);
            }
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            closes.incrementAndGet();
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

        URI uri() {
            return URI.create("ws://127.0.0.1:" + getPort() + "/");
        }
    }

    @BeforeEach
    void setUp() {
        timer = ProbeTestSupport.newTimer();
        factory = new ProbeFactory(timer, tmp.resolve("scratch"), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        factory.close();
        timer.shutdownNow();
        if (server != null) {
            server.stop(1000);
        }
    }

    private TestServer startServer(boolean answerPings) throws InterruptedException {
        server = new TestServer(answerPings);
        server.start();
        assertTrue(server.started.await(5, TimeUnit.SECONDS), "websocket server did not start");
        return server;
    }

    @Test
    void handshakeAndPongIsOkAndTheConnectionIsClosed() throws InterruptedException {
        TestServer s = startServer(true);
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.WebSocket(s.uri()), Duration.ofSeconds(2), -1),
                Duration.ofSeconds(4));
        assertEquals(Outcome.OK, r.outcome(), r.message());
        assertEquals("handshake + pong", r.message());
        assertEquals(1, s.pings.get());
        ProbeTestSupport.waitUntil(Duration.ofSeconds(3), () -> s.getConnections().isEmpty(),
                () -> "probe left " + s.getConnections().size() + " connection(s) open");
    }

    @Test
    void serverThatNeverPongsFailsAfterTheTimeoutAndIsAborted() throws InterruptedException {
        TestServer s = startServer(false);
        // Generous: the first handshake in a cold JVM alone takes about half a second here.
        Duration timeout = Duration.ofMillis(1500);
        long start = System.nanoTime();
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.WebSocket(s.uri()), timeout, -1),
                Duration.ofSeconds(4));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("no pong within 1.5 s", r.message(), "pings seen: " + s.pings.get() + ", took " + took);
        assertTrue(took.compareTo(timeout.minusMillis(10)) >= 0 && took.compareTo(timeout.plusMillis(1000)) < 0,
                "took " + took);
        assertEquals(1, s.pings.get());
        ProbeTestSupport.waitUntil(Duration.ofSeconds(3), () -> s.getConnections().isEmpty(),
                () -> "timed-out probe left " + s.getConnections().size() + " connection(s) open");
    }

    @Test
    void upgradeRejectedByAPlainHttpServerFailsWithItsStatus() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 10);
        http.start();
        try {
            URI uri = URI.create("ws://127.0.0.1:" + http.getAddress().getPort() + "/gateway");
            ProbeResult r = await(factory.checkOnce(new ProbeCheck.WebSocket(uri), Duration.ofSeconds(2), -1),
                    Duration.ofSeconds(4));
            assertEquals(Outcome.FAIL, r.outcome());
            assertEquals("handshake rejected: HTTP 404", r.message());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void handshakeThatNeverAnswersTimesOut() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 10);
        http.createContext("/", ex -> { });
        http.start();
        try {
            URI uri = URI.create("ws://127.0.0.1:" + http.getAddress().getPort() + "/");
            ProbeResult r = await(factory.checkOnce(new ProbeCheck.WebSocket(uri), Duration.ofMillis(400), -1),
                    Duration.ofSeconds(3));
            assertEquals(Outcome.FAIL, r.outcome());
            assertEquals("timed out after 400 ms", r.message());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void refusedConnectionNamesTheAddress() throws IOException {
        int port = ProbeTestSupport.closedPort();
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.WebSocket(URI.create("ws://127.0.0.1:" + port + "/")),
                Duration.ofSeconds(2), -1), Duration.ofSeconds(4));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("connection refused (127.0.0.1:" + port + ")", r.message());
    }

    @Test
    void timedOutHandshakeClosesItsConnection() throws IOException {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, LOOPBACK)) {
            CompletableFuture<ProbeResult> f = factory.checkOnce(
                    new ProbeCheck.WebSocket(URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/")),
                    Duration.ofMillis(300), -1);
            ProbeTestSupport.assertPeerCloses(silent, Duration.ofSeconds(3));
            assertEquals("timed out after 300 ms", await(f, Duration.ofSeconds(1)).message());
        }
    }
}
