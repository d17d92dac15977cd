package dev.nexus.services.engine;

import static dev.nexus.services.engine.EngineFixture.FAST_RESTART;
import static dev.nexus.services.engine.EngineFixture.alive;
import static dev.nexus.services.engine.EngineFixture.await;
import static dev.nexus.services.engine.EngineFixture.awaitDead;
import static dev.nexus.services.engine.EngineFixture.daemon;
import static dev.nexus.services.engine.EngineFixture.freePort;
import static dev.nexus.services.engine.EngineFixture.service;
import static dev.nexus.services.engine.EngineFixture.tcpProbes;
import static dev.nexus.services.engine.EngineFixture.writeCatalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.nexus.services.catalog.ChildSpec;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The embedded supervisor end to end: real fixture processes, real ports, real probes. */
class EngineSupervisionTest {
    @TempDir
    java.nio.file.Path root;
    NexusPaths paths;
    final List<Engine> engines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Engine e : engines) {
            try {
                e.down().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closed already: a later engine does the stopping
            }
            e.close();
        }
    }

    private Engine engine() throws IOException {
        Engine e = EngineFixture.start(paths);
        engines.add(e);
        return e;
    }

    private List<String> listening(int port, String... more) {
        List<String> args = new ArrayList<>(List.of("--listen", String.valueOf(port)));
        args.addAll(List.of(more));
        return Fixtures.command(args.toArray(String[]::new));
    }

    @Test
    void upStartsADaemonAndReportsItHealthyWithPidAndLatency() throws Exception {
        int port = freePort();
        writeCatalog(paths, daemon(paths, "gateway", listening(port, "--say", "hello"), port, tcpProbes(port),
                FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();

        EngineSnapshot result = engine.up().get(30, TimeUnit.SECONDS);

        ServiceSnapshot s = result.services().get(0);
        assertEquals(Lifecycle.RUNNING, s.lifecycle(), s.toString());
        assertEquals(Health.HEALTHY, s.health(), s.toString());
        assertEquals(DisplayStatus.HEALTHY, s.status());
        assertNotNull(s.pid());
        assertTrue(alive(s.pid()));
        assertNotNull(s.latencyMs());
        assertNotNull(s.startedAt());
        assertEquals("embedded", s.manager());
        assertTrue(Ports.isListening(port));
    }

    @Test
    void aKilledDaemonIsRestartedAndCountedOnce() throws Exception {
        int port = freePort();
        writeCatalog(paths, daemon(paths, "gateway", listening(port), port, tcpProbes(port), FAST_RESTART,
                List.of(), List.of()));
        Engine engine = engine();
        long first = engine.up().get(30, TimeUnit.SECONDS).services().get(0).pid();

        ProcessHandle.of(first).orElseThrow().destroyForcibly(); // SIGKILL

        ServiceSnapshot back = await(engine, "gateway", "healthy again with a new pid",
                s -> s.pid() != null && s.pid() != first && s.status() == DisplayStatus.HEALTHY);
        assertEquals(1, back.restarts());
        assertEquals("exit 137 (SIGKILL)", back.lastExit());
        assertFalse(alive(first));
    }

    @Test
    void exitSeventyEightIsAConfigurationFailureAndIsNotRestarted() throws Exception {
        writeCatalog(paths, daemon(paths, "cloud", Fixtures.command("--exit-code", "78"), null, Probes.NONE,
                FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);

        ServiceSnapshot failed = await(engine, "cloud", "failed", s -> s.lifecycle() == Lifecycle.FAILED);
        assertEquals("config", failed.failure());
        assertTrue(failed.message().contains("78"), failed.message());
        Thread.sleep(500); // several restart delays: nothing may happen
        ServiceSnapshot later = service(engine, "cloud");
        assertEquals(Lifecycle.FAILED, later.lifecycle());
        assertEquals(0, later.restarts());
        assertNull(later.pid());
    }

    @Test
    void repeatedQuickCrashesBecomeACrashLoopThatKeepsRetrying() throws Exception {
        RestartSpec loopAfterThree = new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofMillis(50), 2,
                Duration.ofMillis(400), 0, Duration.ofSeconds(60), 3, Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMillis(800));
        writeCatalog(paths, daemon(paths, "cloud", Fixtures.command("--crash-after", "10ms", "--exit-code", "3"),
                null, Probes.NONE, loopAfterThree, List.of(), List.of()));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);

        ServiceSnapshot loop = await(engine, "cloud", "in a crash loop", s -> s.lifecycle() == Lifecycle.CRASH_LOOP);
        assertEquals(DisplayStatus.DOWN, loop.status());
        assertTrue(loop.message().startsWith("crash loop: exit 3"), loop.message());
        assertNotNull(loop.nextRestartAt());
        int restarts = loop.restarts();
        await(engine, "cloud", "retried while in the loop", s -> s.restarts() > restarts);
    }

    @Test
    void stopEndsTheWholeTreeIncludingAGrandchildThatHoldsAPort() throws Exception {
        int port = freePort();
        int grandchildPort = freePort();
        writeCatalog(paths, daemon(paths, "gateway", listening(port, "--grandchild-holds-port",
                String.valueOf(grandchildPort)), port, tcpProbes(port), FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();
        ServiceSnapshot up = engine.up().get(30, TimeUnit.SECONDS).services().get(0);
        assertEquals(DisplayStatus.HEALTHY, up.status(), up.toString());
        long grandchild = Ports.listenerPid(grandchildPort).orElseThrow();

        ServiceSnapshot stopped = engine.stop(List.of("gateway")).get(30, TimeUnit.SECONDS).services().get(0);

        assertEquals(Lifecycle.STOPPED, stopped.lifecycle());
        assertNull(stopped.pid());
        assertFalse(alive(up.pid()));
        awaitDead(grandchild);
        assertFalse(Ports.isListening(port));
        assertFalse(Ports.isListening(grandchildPort));
    }

    @Test
    void dependenciesStartFirstAndStopAfterTheirDependents() throws Exception {
        int dbPort = freePort();
        int apiPort = freePort();
        writeCatalog(paths,
                daemon(paths, "api", listening(apiPort), apiPort, tcpProbes(apiPort), FAST_RESTART, List.of("db"),
                        List.of()),
                daemon(paths, "db", listening(dbPort), dbPort, tcpProbes(dbPort), FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();

        EngineSnapshot started = engine.start(List.of("api")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot db = started.services().stream().filter(s -> s.name().equals("db")).findFirst().orElseThrow();
        ServiceSnapshot api = started.services().stream().filter(s -> s.name().equals("api")).findFirst().orElseThrow();
        assertEquals(DisplayStatus.HEALTHY, db.status());
        assertEquals(DisplayStatus.HEALTHY, api.status());
        assertTrue(!api.startedAt().isBefore(db.startedAt()), "api started after db became healthy");

        EngineSnapshot stopped = engine.stop(List.of("db")).get(30, TimeUnit.SECONDS);
        assertTrue(stopped.services().stream().allMatch(s -> s.lifecycle() == Lifecycle.STOPPED),
                "stopping db stops api, which depends on it: " + stopped.services());
    }

    @Test
    void aPortHeldByAForeignProcessIsReportedWithItsPidAndLeftAlone() throws Exception {
        try (ServerSocket foreign = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = foreign.getLocalPort();
            writeCatalog(paths, daemon(paths, "gateway", listening(port), port, tcpProbes(port), FAST_RESTART,
                    List.of(), List.of()));
            Engine engine = engine();
            engine.up().get(30, TimeUnit.SECONDS);

            ServiceSnapshot s = await(engine, "gateway", "failed", x -> x.lifecycle() == Lifecycle.FAILED);
            assertEquals("port_in_use", s.failure());
            assertTrue(s.message().contains("pid " + ProcessHandle.current().pid()), s.message());
            assertFalse(foreign.isClosed());
            assertTrue(Ports.isListening(port), "the foreign listener is untouched");
        }
    }

    @Test
    void aNewEngineAdoptsRunningChildrenWithoutStartingSecondCopies() throws Exception {
        int port = freePort();
        writeCatalog(paths, daemon(paths, "gateway", listening(port), port, tcpProbes(port), FAST_RESTART,
                List.of(), List.of()));
        Engine first = engine();
        long pid = first.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        first.close();
        assertTrue(alive(pid), "closing the engine leaves services running");

        Engine second = engine();

        ServiceSnapshot adopted = await(second, "gateway", "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        assertEquals(pid, adopted.pid());
        assertEquals(0, adopted.restarts());
        assertEquals(pid, Ports.listenerPid(port).orElseThrow(), "still the one and only listener");
    }

    @Test
    void aServiceThatDiedWhileNoEngineWatchedIsBroughtBackButAUserStopIsRespected() throws Exception {
        int port = freePort();
        int stoppedPort = freePort();
        writeCatalog(paths,
                daemon(paths, "gateway", listening(port), port, tcpProbes(port), FAST_RESTART, List.of(), List.of()),
                daemon(paths, "cloud", listening(stoppedPort), stoppedPort, tcpProbes(stoppedPort), FAST_RESTART,
                        List.of(), List.of()));
        Engine first = engine();
        long pid = first.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        first.stop(List.of("cloud")).get(30, TimeUnit.SECONDS);
        first.close();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        awaitDead(pid);

        Engine second = engine();

        ServiceSnapshot back = await(second, "gateway", "running again",
                s -> s.pid() != null && s.status() == DisplayStatus.HEALTHY);
        assertNotEquals(pid, back.pid());
        Thread.sleep(300);
        assertEquals(Lifecycle.STOPPED, service(second, "cloud").lifecycle(), "the user stopped it");
    }

    @Test
    void failingLivenessRestartsTheProcess() throws Exception {
        int closedPort = freePort();
        ProbeSpec processAlive = new ProbeSpec(new ProbeCheck.ProcessAlive(), Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(500), 3, 1);
        Probes probes = new Probes(processAlive, EngineFixture.tcp(closedPort), null);
        writeCatalog(paths, daemon(paths, "cloud", Fixtures.command(), null, probes, FAST_RESTART, List.of(),
                List.of()));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);

        ServiceSnapshot restarted = await(engine, "cloud", "restarted after liveness failed", s -> s.restarts() >= 1);
        assertEquals("exit 143 (SIGTERM)", restarted.lastExit());
    }

    @Test
    void aStartThatNeverBecomesHealthyFailsAsStartTimeoutAndStopsTheProcess() throws Exception {
        int closedPort = freePort();
        ProbeSpec startup = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", closedPort), Duration.ZERO,
                Duration.ofMillis(100), Duration.ofMillis(200), 5, 1);
        writeCatalog(paths, daemon(paths, "gateway", Fixtures.command(), null, new Probes(startup, null, null),
                FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();
        ServiceSnapshot started = engine.up().get(30, TimeUnit.SECONDS).services().get(0);

        ServiceSnapshot failed = await(engine, "gateway", "failed", s -> s.lifecycle() == Lifecycle.FAILED
                && s.pid() == null);
        assertEquals("start_timeout", failed.failure());
        assertTrue(failed.message().contains("connection refused"), failed.message());
        if (started.pid() != null) {
            awaitDead(started.pid());
        }
    }

    @Test
    void aChildItemDownMakesTheServiceDegradedAndSaysWhich() throws Exception {
        int port = freePort();
        int closedPort = freePort();
        List<ChildSpec> children = List.of(new ChildSpec("bridge", "Bridge", EngineFixture.tcp(port)),
                new ChildSpec("canvas", "Canvas", EngineFixture.tcp(closedPort)));
        writeCatalog(paths, daemon(paths, "gateway", listening(port), port, tcpProbes(port), FAST_RESTART,
                List.of(), children));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);

        ServiceSnapshot s = await(engine, "gateway", "degraded", x -> x.status() == DisplayStatus.DEGRADED);
        assertEquals("canvas down", s.message());
        assertEquals(DisplayStatus.HEALTHY, s.children().get(0).status());
        assertEquals(DisplayStatus.DOWN, s.children().get(1).status());
    }

    @Test
    void readinessExitOneIsDegradedWithTheCommandsJsonAsDetail() throws Exception {
        int port = freePort();
        ProbeSpec readiness = new ProbeSpec(new ProbeCheck.Exec(List.of("sh", "-c",
                "echo '{\"syncing\":true,\"pending\":3}'; exit 1")), Duration.ZERO, Duration.ofMillis(200),
                Duration.ofSeconds(2), 1, 1);
        Probes probes = new Probes(tcpProbes(port).startup(), EngineFixture.tcp(port), readiness);
        writeCatalog(paths, daemon(paths, "cloud", listening(port), port, probes, FAST_RESTART, List.of(),
                List.of()));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);

        ServiceSnapshot s = await(engine, "cloud", "degraded", x -> x.status() == DisplayStatus.DEGRADED);
        assertNotNull(s.detail());
        assertEquals(3, s.detail().path("pending").asInt());
    }

    @Test
    void aMissingProgramIsReportedAsNotInstalledWithoutRetrying() throws Exception {
        writeCatalog(paths, daemon(paths, "gateway", List.of("nexus-no-such-binary", "gateway-daemon"), null,
                Probes.NONE, FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();
        ServiceSnapshot s = engine.up().get(30, TimeUnit.SECONDS).services().get(0);
        assertEquals(Lifecycle.FAILED, s.lifecycle());
        assertEquals("binary_missing", s.failure());
        assertTrue(s.message().startsWith("nexus-no-such-binary not found on PATH"), s.message());
    }

    @Test
    void subscribersSeeEachVisibleTransitionInOrder() throws Exception {
        int port = freePort();
        writeCatalog(paths, daemon(paths, "gateway", listening(port), port, tcpProbes(port), FAST_RESTART,
                List.of(), List.of()));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);
        List<Lifecycle> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        EngineSnapshot initial = engine.subscribe(e -> {
            // Several events may share a lifecycle (the pid goes before the port is free); count transitions.
            if (e.service() != null && (seen.isEmpty() || seen.get(seen.size() - 1) != e.service().lifecycle())) {
                seen.add(e.service().lifecycle());
            }
        }).get(5, TimeUnit.SECONDS);
        assertEquals(Lifecycle.RUNNING, initial.services().get(0).lifecycle());

        engine.stop(List.of("gateway")).get(30, TimeUnit.SECONDS);

        assertEquals(List.of(Lifecycle.STOPPING, Lifecycle.STOPPED), List.copyOf(seen));
    }

    @Test
    void unknownServicesAreRefusedNamingTheKnownOnes() throws Exception {
        writeCatalog(paths, daemon(paths, "gateway", Fixtures.command(), null, Probes.NONE, FAST_RESTART, List.of(),
                List.of()));
        Engine engine = engine();
        UnknownServiceException e = org.junit.jupiter.api.Assertions.assertThrows(UnknownServiceException.class,
                () -> engine.start(Set.of("gatewya")));
        assertEquals("unknown service \"gatewya\" (known: gateway)", e.getMessage());
    }

    @Test
    void startingADisabledServiceIsRefusedByName() throws Exception {
        writeCatalog(paths, daemon(paths, "gateway", Fixtures.command(), null, Probes.NONE, FAST_RESTART, List.of(),
                List.of()).withEnabled(false));
        Engine engine = engine();
        CommandRefusedException e = org.junit.jupiter.api.Assertions.assertThrows(CommandRefusedException.class,
                () -> engine.start(List.of("gateway")));
        assertEquals("disabled", e.code());
        assertTrue(e.getMessage().startsWith("gateway is disabled in "), e.getMessage());
        assertEquals(Lifecycle.STOPPED, engine.up().get(10, TimeUnit.SECONDS).services().get(0).lifecycle(),
                "up skips it quietly");
    }

    @Test
    void aCatalogChangeAppliesAtOnceToAStoppedServiceAndAtTheNextStartToARunningOne() throws Exception {
        int port = freePort();
        writeCatalog(paths, daemon(paths, "gateway", listening(port, "--say", "first"), port, tcpProbes(port),
                FAST_RESTART, List.of(), List.of()));
        Engine engine = engine();
        engine.up().get(30, TimeUnit.SECONDS);

        writeCatalog(paths, daemon(paths, "gateway", listening(port, "--say", "second"), port, tcpProbes(port),
                FAST_RESTART, List.of(), List.of()));
        ServiceSnapshot running = engine.reload().get(10, TimeUnit.SECONDS).services().get(0);
        assertTrue(running.message().endsWith("(configuration changed; restart to apply)"), running.message());

        ServiceSnapshot restarted = engine.restart(List.of("gateway")).get(30, TimeUnit.SECONDS).services().get(0);
        assertEquals(DisplayStatus.HEALTHY, restarted.status());
        assertFalse(restarted.message().contains("configuration changed"), restarted.message());
        assertTrue(ProcessHandle.of(restarted.pid()).orElseThrow().info().arguments().map(List::of).orElseThrow()
                .contains("second"));
    }

    @Test
    void closingTwiceIsQuietAndLeavesTheDaemonRunning() throws Exception {
        int port = freePort();
        writeCatalog(paths, daemon(paths, "cloud", listening(port), port, tcpProbes(port), FAST_RESTART,
                List.of(), List.of()));
        Engine engine = engine();
        long pid = engine.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        Logger logger = (Logger) LoggerFactory.getLogger(Engine.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            engine.close();
            engine.close();
        } finally {
            logger.detachAppender(logged);
        }

        assertTrue(alive(pid), "closing detaches; it never stops a daemon");
        assertEquals(List.of(), logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList());
        Engine next = engine();
        assertEquals(pid, next.up().get(30, TimeUnit.SECONDS).services().get(0).pid(), "adopted, not doubled");
    }
}
