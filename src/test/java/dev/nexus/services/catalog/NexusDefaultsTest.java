package dev.nexus.services.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.NexusPaths;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NexusDefaultsTest {
    @TempDir
    Path root;

    @Test
    void theFourNexusServices() {
        NexusPaths paths = new NexusPaths(root);
        Catalog catalog = NexusDefaults.catalog(paths);
        assertEquals(List.of("gateway", "cloud", "hub", "collab"), catalog.names());

        ServiceSpec gateway = catalog.find("gateway").orElseThrow();
        assertEquals(ServiceKind.DAEMON, gateway.kind());
        assertEquals(List.of("nexus", "gateway-daemon"), gateway.command());
        assertEquals(18789, gateway.port());
        ProbeCheck ws = new ProbeCheck.WebSocket(URI.create("ws://127.0.0.1:18789/"));
        assertEquals(ProbeSpec.startup(ws), gateway.probes().startup(), "startup only waits for the socket");
        ProbeCheck session = new ProbeCheck.Gateway(URI.create("ws://127.0.0.1:18789/"), null, false);
        assertEquals(ProbeSpec.liveness(session), gateway.probes().liveness(), "steady state speaks the protocol");
        assertEquals(ProbeSpec.readiness(session), gateway.probes().readiness());
        assertEquals(List.of("bridge 18790 Bridge", "browser-control 18791 Browser control", "canvas 18793 Canvas"),
                gateway.children().stream().map(c -> c.name() + " " + ((ProbeCheck.Tcp) c.probe().check()).port()
                        + " " + c.displayName()).toList());
        assertEquals(paths.home(), gateway.workingDir());
        assertEquals(paths.stdoutLog("gateway"), gateway.log().stdout());

        ServiceSpec cloud = catalog.find("cloud").orElseThrow();
        assertEquals(List.of("nexus", "cloud"), cloud.command());
        assertEquals(new ProbeCheck.ProcessAlive(), cloud.probes().liveness().check());
        ProbeSpec status = cloud.probes().readiness();
        assertEquals(new ProbeCheck.Exec(List.of("nexus", "cloud", "status", "--json")), status.check());
        assertEquals(Duration.ofSeconds(30), status.period());
        assertEquals(Duration.ofSeconds(5), status.timeout());

        ServiceSpec hub = catalog.find("hub").orElseThrow();
        assertEquals(ServiceKind.JOB, hub.kind());
        assertEquals(List.of("nexus", "skills", "update", "--check"), hub.command());
        assertEquals(new JobSpec(Duration.ofHours(6), Duration.ofMinutes(2)), hub.job());

        ServiceSpec collab = catalog.find("collab").orElseThrow();
        assertEquals(ServiceKind.CONNECTION, collab.kind());
        assertFalse(collab.enabled());
        assertNull(collab.url());
        assertTrue(collab.command().isEmpty());
    }
}
