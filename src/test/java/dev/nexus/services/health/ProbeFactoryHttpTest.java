package dev.nexus.services.health;

import static dev.nexus.services.health.ProbeTestSupport.LOOPBACK;
import static dev.nexus.services.health.ProbeTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeFactoryHttpTest {
    @TempDir
    Path tmp;
    private ScheduledThreadPoolExecutor timer;
    private ProbeFactory factory;
    private HttpServer server;
    private final AtomicInteger hangingRequests = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        timer = ProbeTestSupport.newTimer();
        factory = new ProbeFactory(timer, tmp.resolve("scratch"), Clock.systemUTC());
        server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 100);
        server.createContext("/healthz", ex -> respond(ex, 200, "application/json", "{\"ok\":true,\"status\":\"live\"}"));
        server.createContext("/html", ex -> respond(ex, 200, "text/html", "<html>control ui</html>"));
        server.createContext("/busy", ex -> respond(ex, 429, "text/plain", "slow down"));
        server.createContext("/readyz", ex -> respond(ex, 503, "application/json; charset=utf-8", "{\"ready\":false}"));
        server.createContext("/huge", ex -> respond(ex, 200, "application/json", hugeJson()));
        // Never answers: returns without a response, so the connection just sits (no thread held).
        server.createContext("/hang", ex -> hangingRequests.incrementAndGet());
        // Sends headers, then a body that never ends.
        server.createContext("/stall-body", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write("{\"partial\":".getBytes(StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        factory.close();
        timer.shutdownNow();
        server.stop(0);
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String hugeJson() {
        StringBuilder sb = new StringBuilder("{\"pad\":\"");
        sb.append("x".repeat(ProbeFactory.MAX_DETAIL_BYTES + 10));
        return sb.append("\"}").toString();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private ProbeResult probe(String path, Duration timeout) {
        return await(factory.checkOnce(new ProbeCheck.Http(url(path)), timeout, -1),
                timeout.plusSeconds(2));
    }

    @Test
    void okWithJsonBodyAsDetail() {
        ProbeResult r = probe("/healthz", Duration.ofSeconds(2));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals("HTTP 200", r.message());
        assertNotNull(r.detail());
        assertEquals("live", r.detail().get("status").asText());
        assertTrue(r.latency().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void htmlBodyIsNotDetail() {
        ProbeResult r = probe("/html", Duration.ofSeconds(2));
        assertEquals(Outcome.OK, r.outcome());
        assertNull(r.detail());
    }

    @Test
    void tooManyRequestsIsDegraded() {
        ProbeResult r = probe("/busy", Duration.ofSeconds(2));
        assertEquals(Outcome.DEGRADED, r.outcome());
        assertEquals("HTTP 429 (rate limited)", r.message());
    }

    @Test
    void serviceUnavailableFailsAndKeepsItsJsonDetail() {
        ProbeResult r = probe("/readyz", Duration.ofSeconds(2));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("HTTP 503", r.message());
        assertEquals(false, r.detail().get("ready").asBoolean());
    }

    @Test
    void notFoundFails() {
        ProbeResult r = probe("/nothing-here", Duration.ofSeconds(2));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("HTTP 404", r.message());
    }

    @Test
    void bodyOverTheLimitIsNotDetailButStatusCounts() {
        ProbeResult r = probe("/huge", Duration.ofSeconds(2));
        assertEquals(Outcome.OK, r.outcome());
        assertNull(r.detail());
    }

    @Test
    void hangingServerTimesOutOnTime() {
        long start = System.nanoTime();
        ProbeResult r = probe("/hang", Duration.ofMillis(400));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("timed out after 400 ms", r.message());
        assertTrue(took.compareTo(Duration.ofMillis(390)) >= 0 && took.compareTo(Duration.ofMillis(1200)) < 0,
                "took " + took);
    }

    @Test
    void bodyThatNeverEndsTimesOut() {
        ProbeResult r = probe("/stall-body", Duration.ofMillis(400));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("timed out after 400 ms", r.message());
    }

    @Test
    void refusedConnectionNamesTheAddress() throws IOException {
        int port = ProbeTestSupport.closedPort();
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.Http(URI.create("http://127.0.0.1:" + port + "/")),
                Duration.ofSeconds(2), -1), Duration.ofSeconds(4));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("connection refused (127.0.0.1:" + port + ")", r.message());
    }

    @Test
    void fiftyHangingProbesDoNotDelayAGoodOne() {
        Duration timeout = Duration.ofSeconds(2);
        List<CompletableFuture<ProbeResult>> hanging = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            hanging.add(factory.checkOnce(new ProbeCheck.Http(url("/hang")), timeout, -1));
        }
        ProbeTestSupport.waitUntil(Duration.ofSeconds(2), () -> hangingRequests.get() >= 50,
                () -> "server saw only " + hangingRequests.get() + " hanging requests");

        long start = System.nanoTime();
        ProbeResult good = await(factory.checkOnce(new ProbeCheck.Http(url("/healthz")), timeout, -1),
                Duration.ofSeconds(3));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Outcome.OK, good.outcome());
        assertTrue(took.compareTo(Duration.ofMillis(1000)) < 0, "good probe waited behind hanging ones: " + took);
        assertTrue(hanging.stream().noneMatch(CompletableFuture::isDone), "hanging probes ended too early");

        for (CompletableFuture<ProbeResult> f : hanging) {
            ProbeResult r = await(f, Duration.ofSeconds(3));
            assertEquals("timed out after 2 s", r.message());
        }
    }

    @Test
    void timedOutProbeClosesItsConnection() throws IOException {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, LOOPBACK)) {
            CompletableFuture<ProbeResult> f = factory.checkOnce(
                    new ProbeCheck.Http(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/healthz")),
                    Duration.ofMillis(300), -1);
            ProbeTestSupport.assertPeerCloses(silent, Duration.ofSeconds(3));
            assertEquals("timed out after 300 ms", await(f, Duration.ofSeconds(1)).message());
        }
    }
}
