package dev.nexus.services.engine;

import static dev.nexus.services.engine.EngineFixture.FAST_RESTART;
import static dev.nexus.services.engine.EngineFixture.alive;
import static dev.nexus.services.engine.EngineFixture.await;
import static dev.nexus.services.engine.EngineFixture.awaitDead;
import static dev.nexus.services.engine.EngineFixture.daemon;
import static dev.nexus.services.engine.EngineFixture.freePort;
import static dev.nexus.services.engine.EngineFixture.tcpProbes;
import static dev.nexus.services.engine.EngineFixture.writeCatalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that dies (SIGKILL, a crash) while its grandchild holds the service's port: the engine stops
 * what it left in its process group before restarting it. Before this, the grandchild lived on as an
 * orphan and the restart failed with port_in_use naming it (found by the kill storm of issue 7). The
 * same when the process died while no engine ran (the engine was killed during a stop): the next engine
 * stops what is left of its group before starting it again (found by the engine kill -9 scenario).
 */
class DaemonLeftoversTest {
    @TempDir
    Path root;
    /** Grandchildren seen, killed after each test should the engine have failed to (no orphan outlives a failed test). */
    private final List<Long> grandchildren = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void noOrphanOutlivesTheTest() {
        grandchildren.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void aKilledDaemonsGrandchildIsStoppedAndTheRestartGetsThePort() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        int port = freePort();
        // The leader does not listen; its grandchild, which ignores SIGTERM, holds the service's port.
        writeCatalog(paths, daemon(paths, "family", Fixtures.command("--grandchild-holds-port", String.valueOf(port)),
                port, tcpProbes(port), FAST_RESTART, List.of(), List.of()));
        Engine engine = EngineFixture.start(paths);
        try {
            ServiceSnapshot up = engine.up().get(60, TimeUnit.SECONDS).services().get(0);
            assertEquals(DisplayStatus.HEALTHY, up.status(), up.toString());
            long grandchild = Ports.listenerPid(port).orElseThrow();
            grandchildren.add(grandchild);
            assertNotEquals(up.pid().longValue(), grandchild);

            assertTrue(ProcessHandle.of(up.pid()).orElseThrow().destroyForcibly());

            awaitDead(grandchild);
            ServiceSnapshot back = await(engine, "family", "healthy again with a new process",
                    s -> s.status() == DisplayStatus.HEALTHY && s.pid() != null && !s.pid().equals(up.pid()));
            assertEquals(1, back.restarts(), back.toString());
            assertEquals(null, back.failure(), "not port_in_use: " + back);
            long newHolder = Ports.listenerPid(port).orElseThrow();
            grandchildren.add(newHolder);
            assertNotEquals(grandchild, newHolder);
            assertTrue(ProcessHandle.of(back.pid()).orElseThrow().descendants().anyMatch(d -> d.pid() == newHolder),
                    "the port is held by the new leader's grandchild");
            assertFalse(alive(up.pid()));
        } finally {
            engine.down().get(60, TimeUnit.SECONDS);
            engine.close();
        }
    }

    @Test
    void whatADaemonLeftWhenItDiedWithNoEngineIsStoppedByTheNextEngineBeforeItStarts() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        int port = freePort();
        writeCatalog(paths, daemon(paths, "family", Fixtures.command("--grandchild-holds-port", String.valueOf(port)),
                port, tcpProbes(port), FAST_RESTART, List.of(), List.of()));
        Engine first = EngineFixture.start(paths);
        ServiceSnapshot up = first.up().get(60, TimeUnit.SECONDS).services().get(0);
        assertEquals(DisplayStatus.HEALTHY, up.status(), up.toString());
        long grandchild = Ports.listenerPid(port).orElseThrow();
        grandchildren.add(grandchild);
        // The engine dies in the middle of a stop: its SIGTERM reached the group, its SIGKILL never came.
        first.close();
        assertTrue(ProcessHandle.of(up.pid()).orElseThrow().destroy());
        awaitDead(up.pid());
        assertTrue(alive(grandchild), "the grandchild ignores SIGTERM and lives on");

        Engine second = EngineFixture.start(paths);
        try {
            awaitDead(grandchild);
            ServiceSnapshot back = await(second, "family", "started again, since it was up",
                    s -> s.status() == DisplayStatus.HEALTHY && s.pid() != null);
            assertNotEquals(up.pid(), back.pid());
            assertEquals(null, back.failure(), "not port_in_use: " + back);
            long newHolder = Ports.listenerPid(port).orElseThrow();
            grandchildren.add(newHolder);
            assertTrue(ProcessHandle.of(back.pid()).orElseThrow().descendants().anyMatch(d -> d.pid() == newHolder),
                    "the port is held by the new leader's grandchild");
        } finally {
            second.down().get(60, TimeUnit.SECONDS);
            second.close();
        }
    }
}
