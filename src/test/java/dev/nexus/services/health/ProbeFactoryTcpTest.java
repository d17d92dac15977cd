package dev.nexus.services.health;

import static dev.nexus.services.health.ProbeTestSupport.LOOPBACK;
import static dev.nexus.services.health.ProbeTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeFactoryTcpTest {
    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

    @TempDir
    Path tmp;
    private ScheduledThreadPoolExecutor timer;
    private ProbeFactory factory;

    @BeforeEach
    void setUp() {
        timer = ProbeTestSupport.newTimer();
        factory = new ProbeFactory(timer, tmp.resolve("scratch"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        factory.close();
        timer.shutdownNow();
    }

    @Test
    void tcpConnectToListeningPortIsOkWithLatencyAndClockTimestamp() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            ProbeResult r = await(factory.checkOnce(new ProbeCheck.Tcp("127.0.0.1", server.getLocalPort()),
                    Duration.ofSeconds(2), -1), Duration.ofSeconds(3));
            assertEquals(Outcome.OK, r.outcome());
            assertEquals("connected", r.message());
            assertEquals(NOW, r.at());
            assertTrue(r.latency().compareTo(Duration.ZERO) > 0 && r.latency().compareTo(Duration.ofSeconds(2)) < 0,
                    "latency " + r.latency());
            assertFalse(factory.hasHttpClient(), "a tcp probe must not start the HTTP client");
        }
    }

    @Test
    void tcpByHostNameResolvesOffTheTimer() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            ProbeResult r = await(factory.checkOnce(new ProbeCheck.Tcp("localhost", server.getLocalPort()),
                    Duration.ofSeconds(2), -1), Duration.ofSeconds(3));
            assertEquals(Outcome.OK, r.outcome(), r.message());
        }
    }

    @Test
    void tcpToClosedPortIsRefusedWithAddress() throws IOException {
        int port = ProbeTestSupport.closedPort();
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ofSeconds(2), -1),
                Duration.ofSeconds(3));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("connection refused (127.0.0.1:" + port + ")", r.message());
    }

    @Test
    void tcpToUnknownHostFails() {
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.Tcp("no-such-host.invalid", 80),
                Duration.ofSeconds(2), -1), Duration.ofSeconds(5));
        assertEquals(Outcome.FAIL, r.outcome());
        assertTrue(r.message().contains("no-such-host.invalid:80"), r.message());
    }

    /**
     * A listener with backlog 1 that never accepts: once its queue is full, Linux drops further SYNs,
     * so a connect hangs exactly like one to a wedged service.
     */
    @Test
    void tcpToFullBacklogTimesOutOnTime() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            List<Socket> fillers = new ArrayList<>();
            try {
                assumeTrue(fillBacklog(server, fillers),
                        "this kernel answers connects to a full backlog, so no hanging connect here");

                long start = System.nanoTime();
                ProbeResult r = await(factory.checkOnce(new ProbeCheck.Tcp("127.0.0.1", server.getLocalPort()),
                        Duration.ofMillis(300), -1), Duration.ofSeconds(3));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertEquals(Outcome.FAIL, r.outcome());
                assertEquals("timed out after 300 ms", r.message());
                assertTrue(took.compareTo(Duration.ofMillis(290)) >= 0, "gave up early: " + took);
                assertTrue(took.compareTo(Duration.ofMillis(1000)) < 0, "timeout overshot: " + took);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void everyProbeThatCanHangBoundsItselfSoTheLoopNeedsNoWatchdog() {
        for (ProbeCheck check : List.of(new ProbeCheck.Tcp("127.0.0.1", 1),
                new ProbeCheck.Http(java.net.URI.create("http://127.0.0.1:1/healthz")),
                new ProbeCheck.WebSocket(java.net.URI.create("ws://127.0.0.1:1/")),
                new ProbeCheck.Exec(List.of("true")))) {
            assertTrue(factory.create(check, Duration.ofSeconds(1), () -> -1).boundsItself(), check.type());
        }
    }

    @Test
    void cancellingTheFutureDoesNotBreakLaterProbes() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            ProbeCheck.Tcp check = new ProbeCheck.Tcp("127.0.0.1", server.getLocalPort());
            CompletableFuture<ProbeResult> cancelled = factory.checkOnce(check, Duration.ofSeconds(2), -1);
            cancelled.cancel(true);
            ProbeResult r = await(factory.checkOnce(check, Duration.ofSeconds(2), -1), Duration.ofSeconds(3));
            assertEquals(Outcome.OK, r.outcome());
        }
    }

    @Test
    void processProbeSeesLiveAndMissingPids() throws Exception {
        long self = ProcessHandle.current().pid();
        ProbeResult alive = await(factory.checkOnce(new ProbeCheck.ProcessAlive(), Duration.ofSeconds(1), self),
                Duration.ofSeconds(1));
        assertEquals(Outcome.OK, alive.outcome());
        assertEquals("pid " + self + " alive", alive.message());

        ProbeResult none = await(factory.checkOnce(new ProbeCheck.ProcessAlive(), Duration.ofSeconds(1), -1),
                Duration.ofSeconds(1));
        assertEquals(Outcome.FAIL, none.outcome());
        assertEquals("not running", none.message());

        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        ProbeResult exited = await(factory.checkOnce(new ProbeCheck.ProcessAlive(), Duration.ofSeconds(1), p.pid()),
                Duration.ofSeconds(1));
        assertEquals(Outcome.FAIL, exited.outcome());
        assertEquals("not running", exited.message());
    }

    @Test
    void processProbeReadsThePidAtEachTry() {
        long[] pid = {-1};
        Probe probe = factory.create(new ProbeCheck.ProcessAlive(), Duration.ofSeconds(1), () -> pid[0]);
        assertEquals(Outcome.FAIL, await(probe.check(), Duration.ofSeconds(1)).outcome());
        pid[0] = ProcessHandle.current().pid();
        assertEquals(Outcome.OK, await(probe.check(), Duration.ofSeconds(1)).outcome());
    }

    @Test
    void closingTheFactoryEndsTriesInFlightAndRefusesNewProbes() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            List<Socket> fillers = new ArrayList<>();
            try {
                assumeTrue(fillBacklog(server, fillers), "no hanging connect on this kernel");
                CompletableFuture<ProbeResult> inFlight = factory.checkOnce(
                        new ProbeCheck.Tcp("127.0.0.1", server.getLocalPort()), Duration.ofSeconds(30), -1);
                factory.close();
                ProbeResult r = await(inFlight, Duration.ofSeconds(2));
                assertEquals(Outcome.FAIL, r.outcome());
                assertNotNull(r.message());
                assertThrows(IllegalStateException.class,
                        () -> factory.create(new ProbeCheck.Tcp("127.0.0.1", 1), Duration.ofSeconds(1), () -> -1));
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void nonPositiveTimeoutIsRejectedWithTheProbeType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> factory.create(new ProbeCheck.Tcp("127.0.0.1", 1), Duration.ZERO, () -> -1));
        assertTrue(e.getMessage().contains("tcp"), e.getMessage());
    }

    @Test
    void badPortFailsTheTryInsteadOfThrowing() {
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.Tcp("127.0.0.1", 70000), Duration.ofSeconds(1), -1),
                Duration.ofSeconds(2));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("probe failed to start: port out of range:70000", r.message());
    }

    /** Connects until one connect hangs; true if the backlog is now full (further connects hang). */
    static boolean fillBacklog(ServerSocket server, List<Socket> fillers) throws IOException {
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket();
            fillers.add(s);
            try {
                s.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 200);
            } catch (SocketTimeoutException e) {
                return true;
            }
        }
        return false;
    }
}
