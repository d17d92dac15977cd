package dev.nexus.services.it;

import static dev.nexus.services.it.TestRoot.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How particular services end up, through the real launcher and daemon: failures a restart cannot fix (a
 * service that exits with 78, EX_CONFIG, and one whose port another process holds) show FAILED with the
 * reason and are not restarted in a loop; a daemon probed only at startup is healthy once that passes.
 */
class ServiceOutcomesIT {
    /** Many times the restart delay (100 ms) and the probe period (200 ms) of the fixtures. */
    private static final Duration NO_RESTART_WINDOW = Duration.ofMillis(1500);

    @TempDir
    static Path tempDir;
    private static TestRoot root;
    private static Cli cli;
    private static ServerSocket foreign;

    @BeforeAll
    static void catalog() throws Exception {
        root = TestRoot.in(tempDir);
        cli = root.cli();
        foreign = new ServerSocket();
        foreign.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        root.writeCatalog(ServicesJson.catalog()
                .add(ServicesJson.fixtureProcess("misconfigured", root.pidFile("misconfigured"), "--exit-code", "78"))
                .add(ServicesJson.fixtureDaemon("squatted", foreign.getLocalPort(), root.pidFile("squatted")))
                .add(startupProbeOnly(ServicesJson.fixtureDaemon("quiet", ServicesJson.freePort(), root.pidFile("quiet"))))
                .text());
    }

    /** No liveness or readiness: once started, only the process being alive says anything. */
    private static ObjectNode startupProbeOnly(ObjectNode service) {
        ObjectNode probes = (ObjectNode) service.get("probes");
        probes.remove("liveness");
        // A small startup budget keeps the engine's wait for a start to settle short (about 40 s).
        ((ObjectNode) probes.get("startup")).put("failureThreshold", 25);
        return service;
    }

    @AfterAll
    static void downAndNothingLeft() throws Exception {
        try {
            if (root != null) {
                root.shutDown();
            }
        } finally {
            if (foreign != null) {
                foreign.close();
            }
        }
    }

    @Test
    void exitCode78IsFailedConfigAndNotRestarted() {
        // `start` may return before the process exits (it was alive when probed); the outcome is polled.
        cli.run("start", "misconfigured");
        JsonNode failed = service(root.awaitSnapshot("misconfigured to fail", snapshot ->
                service(snapshot, "misconfigured").path("lifecycle").asText().equals("FAILED")), "misconfigured");
        assertEquals("config", failed.path("failure").asText(), failed.toPrettyString());
        assertEquals("DOWN", failed.path("status").asText());
        assertEquals("exit 78", failed.path("lastExit").asText());
        assertTrue(failed.path("message").asText().contains("EX_CONFIG"), failed.toPrettyString());
        long ranAs = root.pidFromFile("misconfigured").orElseThrow();

        // Absence over time can only be observed: every look in the window must still say FAILED, no pid.
        long until = System.nanoTime() + NO_RESTART_WINDOW.toNanos();
        while (System.nanoTime() < until) {
            JsonNode s = service(root.engineSnapshot().orElseThrow(), "misconfigured");
            assertEquals("FAILED", s.path("lifecycle").asText(), s.toPrettyString());
            assertTrue(s.path("pid").isNull(), "not running again: " + s.toPrettyString());
            assertTrue(s.path("nextRestartAt").isNull(), "no restart planned: " + s.toPrettyString());
            assertEquals(0, s.path("restarts").asInt(), s.toPrettyString());
        }
        assertEquals(ranAs, root.pidFromFile("misconfigured").orElseThrow().longValue(),
                "the fixture did not run again (it rewrites its pid file at every start)");

        Launcher.Result status = cli.expect(1, "status", "misconfigured");
        Map<String, String> row = StatusTableText.parse(status.out()).row("misconfigured");
        assertEquals("✖", row.get("badge"));
        assertEquals("failed (config)", row.get("STATE"), status.toString());
        assertEquals("-", row.get("PID"));
        assertEquals("exit 78", row.get("LAST EXIT"));
        assertTrue(row.get("DETAIL").contains("EX_CONFIG"), row.toString());
    }

    @Test
    void aPortHeldByAnotherProcessIsFailedPortInUseNamingThatProcess() throws Exception {
        int port = foreign.getLocalPort();
        Launcher.Result start = cli.expect(1, "start", "squatted");
        Map<String, String> row = StatusTableText.parse(start.out()).row("squatted");
        assertEquals("failed (port_in_use)", row.get("STATE"), start.toString());
        assertTrue(row.get("DETAIL").contains("port " + port + " is already in use by pid "
                + ProcessHandle.current().pid()), "names who holds it: " + start);
        assertFalse(Files.exists(root.pidFile("squatted")), "the service was not started at all");
        assertFalse(foreign.isClosed(), "the holder is left alone");
        assertTrue(ServicesJson.isListening(port), "and still listens");

        JsonNode s = service(root.engineSnapshot().orElseThrow(), "squatted");
        assertEquals("port_in_use", s.path("failure").asText());
        assertTrue(s.path("nextRestartAt").isNull(), "no retry loop: " + s.toPrettyString());
    }

    @Test
    void aDaemonProbedOnlyAtStartupIsHealthyOnceTheProbePasses() {
        long began = System.nanoTime();
        Launcher.Result start = cli.run("start", "quiet");
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        Map<String, String> row = StatusTableText.parse(start.out()).row("quiet");
        assertEquals("running", row.get("STATE"), start.toString());
        assertEquals("healthy", row.get("HEALTH"), "nothing is failing and its process lives: " + start);
        assertEquals(0, start.exit(), start.toString());
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0,
                "start returns once the startup probe passed, not after the settle timeout; took " + took);
    }
}
