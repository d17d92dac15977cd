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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daemons under an OS service manager, end to end: the manager is a stand-in for systemd --user that really
 * runs the fixture processes and restarts them on failure ({@link StandInServiceManager}); probes, ports and
 * processes are real.
 */
class EngineManagedDaemonTest {
    private static final Duration GRACE = Duration.ofMillis(1500);

    @TempDir
    Path root;
    NexusPaths paths;
    StandInServiceManager systemd;
    ManagerLookup managers;
    final List<Engine> engines = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        paths = new NexusPaths(root);
        systemd = new StandInServiceManager(ManagerKind.SYSTEMD, root.resolve("systemd-user"), Duration.ofMillis(100));
        managers = ManagerLookup.of(List.of(systemd), List.of(ManagerKind.SYSTEMD));
    }

    @AfterEach
    void tearDown() {
        for (Engine e : engines) {
            try {
                e.down().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closed already: a later engine does the stopping
            }
            e.close();
        }
        systemd.close();
    }

    private Engine engine() throws IOException {
        Engine e = EngineFixture.start(paths, managers);
        engines.add(e);
        return e;
    }

    private Engine engineWithGrace() throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        Engine e = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(3), env)
                .withWakeGrace(GRACE).withManagers(managers));
        engines.add(e);
        return e;
    }

    /** A listening fixture daemon with TCP probes, under the given manager. */
    private ServiceSpec listening(String name, int port, ManagerKind manager, String... more) {
        List<String> args = new ArrayList<>(List.of("--listen", String.valueOf(port)));
        args.addAll(List.of(more));
        return daemon(paths, name, Fixtures.command(args.toArray(String[]::new)), port, tcpProbes(port), FAST_RESTART,
                List.of(), List.of()).withManager(manager);
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + EngineFixture.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " did not happen within " + EngineFixture.WAIT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void startAndStopGoThroughTheManagerWhichInstallsOnlyWhenTheSpecChanged() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine engine = engine();

        ServiceSnapshot up = engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0);

        assertEquals("systemd", up.manager());
        assertEquals(Lifecycle.RUNNING, up.lifecycle(), up.toString());
        assertEquals(DisplayStatus.HEALTHY, up.status(), up.toString());
        assertEquals(List.of(up.pid()), systemd.launched("cloud"), "the manager runs the one process");
        assertEquals(up.pid(), Ports.listenerPid(port).orElseThrow());
        assertEquals(1, systemd.count("install", "cloud"));
        assertEquals(1, systemd.count("start", "cloud"));
        assertTrue(Files.exists(systemd.unitFile("cloud")));

        ServiceSnapshot stopped = engine.stop(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0);

        assertEquals(Lifecycle.STOPPED, stopped.lifecycle(), stopped.toString());
        assertNull(stopped.pid());
        assertFalse(alive(up.pid()));
        assertFalse(Ports.isListening(port));
        assertFalse(systemd.state("cloud").running());
        assertTrue(systemd.state("cloud").installed(), "stopping keeps it installed");

        ServiceSnapshot again = engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0);
        assertEquals(DisplayStatus.HEALTHY, again.status(), again.toString());
        assertEquals(1, systemd.count("install", "cloud"), "same spec: not installed again");
        assertEquals(2, systemd.count("start", "cloud"));
        engine.stop(List.of("cloud")).get(30, TimeUnit.SECONDS);

        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD, "--say", "changed"));
        engine.reload().get(10, TimeUnit.SECONDS);
        ServiceSnapshot changed = engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0);

        assertEquals(DisplayStatus.HEALTHY, changed.status(), changed.toString());
        assertEquals(2, systemd.count("install", "cloud"), "a changed spec is installed before the start");
        assertTrue(ProcessHandle.of(changed.pid()).orElseThrow().info().arguments().map(List::of).orElseThrow()
                .contains("changed"));
    }

    @Test
    void aKilledProcessIsRestartedByTheManagerAndCountedOnceByTheEngine() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine engine = engine();
        long first = engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0).pid();

        ProcessHandle.of(first).orElseThrow().destroyForcibly(); // SIGKILL

        ServiceSnapshot back = await(engine, "cloud", "healthy again with a new pid",
                s -> s.pid() != null && s.pid() != first && s.status() == DisplayStatus.HEALTHY);
        assertEquals(1, back.restarts(), back.toString());
        assertEquals("exit 137 (SIGKILL)", back.lastExit());
        assertEquals(List.of(first, back.pid()), systemd.launched("cloud"), "one new process, no second copy");
        assertEquals(back.pid(), Ports.listenerPid(port).orElseThrow());
        Thread.sleep(ManagedDaemonUnit.STEADY_POLL.toMillis() + 300); // a steady look or two: no more counting
        ServiceSnapshot later = service(engine, "cloud");
        assertEquals(1, later.restarts(), later.toString());
        assertEquals(back.pid(), later.pid());
    }

    @Test
    void aCrashLoopStopsTheServiceInTheManagerAndIsRetriedWithOurBackoff() throws Exception {
        RestartSpec loopAfterThree = new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofMillis(50), 2,
                Duration.ofMillis(400), 0, Duration.ofSeconds(60), 3, Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMillis(1500));
        writeCatalog(paths, daemon(paths, "cloud", Fixtures.command("--crash-after", "10ms", "--exit-code", "3"),
                null, Probes.NONE, loopAfterThree, List.of(), List.of()).withManager(ManagerKind.SYSTEMD));
        Engine engine = engine();
        engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot loop = await(engine, "cloud", "in a crash loop", s -> s.lifecycle() == Lifecycle.CRASH_LOOP);
        assertEquals(DisplayStatus.DOWN, loop.status());
        assertTrue(loop.message().startsWith("crash loop: exit 3"), loop.message());
        assertTrue(loop.restarts() >= 2, "the manager's restarts are counted: " + loop);
        awaitTrue("the unit stopped in the manager", () -> systemd.count("stop", "cloud") >= 1);
        awaitTrue("the manager no longer restarting it", () -> {
            try {
                var state = systemd.state("cloud");
                return !state.running() && state.detail().equals("inactive (dead)");
            } catch (Exception e) {
                return false;
            }
        });
        long startsBefore = systemd.count("start", "cloud");

        awaitTrue("our retry after the backoff, through the manager", () -> systemd.count("start", "cloud") > startsBefore);

        // "Retry now" works too: a user's start in the loop goes to the manager.
        await(engine, "cloud", "in the crash loop again", s -> s.lifecycle() == Lifecycle.CRASH_LOOP);
        long startsNow = systemd.count("start", "cloud");
        engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS);
        assertTrue(systemd.count("start", "cloud") > startsNow, systemd.calls().toString());
    }

    @Test
    void exitSeventyEightIsAConfigurationFailureThatNobodyRestarts() throws Exception {
        writeCatalog(paths, daemon(paths, "cloud", Fixtures.command("--exit-code", "78"), null, Probes.NONE,
                FAST_RESTART, List.of(), List.of()).withManager(ManagerKind.SYSTEMD));
        Engine engine = engine();
        engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot failed = await(engine, "cloud", "failed", s -> s.lifecycle() == Lifecycle.FAILED);
        assertEquals("config", failed.failure());
        assertTrue(failed.message().contains("78"), failed.message());
        assertEquals("exit 78", failed.lastExit());
        Thread.sleep(500); // several restart delays of both the manager and the engine: nothing may happen
        ServiceSnapshot later = service(engine, "cloud");
        assertEquals(Lifecycle.FAILED, later.lifecycle());
        assertEquals(0, later.restarts());
        assertEquals(1, systemd.launched("cloud").size(), systemd.calls().toString());
        assertFalse(systemd.state("cloud").running());
    }

    @Test
    void movingADaemonBetweenEmbeddedAndTheManagerNeverRunsTwoCopies() throws Exception {
        int port = freePort();
        String marker = "copy-" + UUID.randomUUID();
        ServiceSpec embedded = listening("cloud", port, ManagerKind.EMBEDDED, "--say", marker);
        writeCatalog(paths, embedded);
        Engine engine = engine();
        long embeddedPid = engine.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        assertEquals("embedded", service(engine, "cloud").manager());

        Set<Long> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                List<Long> copies = ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                        .map(ProcessHandle::pid).filter(EngineFixture::alive).toList();
                seen.addAll(copies);
                most.accumulateAndGet(copies.size(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "copy-sampler");
        sampler.start();
        try {
            writeCatalog(paths, embedded.withManager(ManagerKind.SYSTEMD));
            engine.reload().get(10, TimeUnit.SECONDS);

            ServiceSnapshot underSystemd = await(engine, "cloud", "healthy under systemd",
                    s -> "systemd".equals(s.manager()) && s.status() == DisplayStatus.HEALTHY);
            assertFalse(alive(embeddedPid), "the embedded copy is gone");
            assertEquals(List.of(underSystemd.pid()), systemd.launched("cloud"));
            assertEquals(underSystemd.pid(), Ports.listenerPid(port).orElseThrow());

            writeCatalog(paths, embedded);
            engine.reload().get(10, TimeUnit.SECONDS);

            ServiceSnapshot back = await(engine, "cloud", "healthy under the embedded supervisor again",
                    s -> "embedded".equals(s.manager()) && s.status() == DisplayStatus.HEALTHY);
            assertFalse(alive(underSystemd.pid()), "the systemd copy is gone");
            assertFalse(systemd.state("cloud").installed(), "and systemd forgot it: it will not start at login");
            assertFalse(Files.exists(systemd.unitFile("cloud")));
            assertEquals(back.pid(), Ports.listenerPid(port).orElseThrow());
        } finally {
            sampling.set(false);
            sampler.join(5000);
        }
        assertEquals(1, most.get(), "never two copies at once; saw " + seen);
        assertEquals(3, seen.size(), "embedded, systemd, embedded: " + seen);
    }

    @Test
    void aNewEngineOnlyAsksTheManagerAndDownStopsTheServiceThere() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine first = engine();
        long pid = first.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        first.close();
        assertTrue(alive(pid), "the engine's exit leaves the service to its manager");
        assertTrue(systemd.state("cloud").running());

        Engine second = engine();

        ServiceSnapshot seen = await(second, "cloud", "healthy, the same process",
                s -> s.status() == DisplayStatus.HEALTHY && Long.valueOf(pid).equals(s.pid()));
        assertEquals(0, seen.restarts());
        assertEquals("systemd", seen.manager());
        assertEquals(1, systemd.count("start", "cloud"), "not started twice: " + systemd.calls());
        assertEquals(1, systemd.count("install", "cloud"));
        assertEquals(List.of(pid), systemd.launched("cloud"));

        ServiceSnapshot down = second.down().get(30, TimeUnit.SECONDS).services().get(0);

        assertEquals(Lifecycle.STOPPED, down.lifecycle(), down.toString());
        awaitDead(pid);
        assertFalse(systemd.state("cloud").running());
        assertFalse(Ports.isListening(port));
    }

    @Test
    void aNewEngineStartsAServiceThatIsWantedUpButNoLongerRunsUnderTheManager() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine first = engine();
        long pid = first.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        first.close();
        systemd.stop("cloud"); // the user stopped it with systemctl while no engine ran
        assertFalse(alive(pid));

        Engine second = engine();

        ServiceSnapshot back = await(second, "cloud", "running again",
                s -> s.pid() != null && s.status() == DisplayStatus.HEALTHY);
        assertNotEquals(pid, back.pid());
        assertEquals(2, systemd.launched("cloud").size());
    }

    @Test
    void aManagerChangedWhileNoEngineRanIsLeftBeforeTheServiceStartsUnderItsNewOne() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine first = engine();
        long underSystemd = first.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        first.close();
        writeCatalog(paths, listening("cloud", port, ManagerKind.EMBEDDED));

        Engine second = engine();

        ServiceSnapshot embedded = await(second, "cloud", "healthy under the embedded supervisor",
                s -> "embedded".equals(s.manager()) && s.status() == DisplayStatus.HEALTHY);
        assertFalse(alive(underSystemd), "the copy under systemd was stopped first");
        assertFalse(systemd.state("cloud").installed(), "and removed from systemd");
        assertEquals(embedded.pid(), Ports.listenerPid(port).orElseThrow());
        assertEquals(List.of(underSystemd), systemd.launched("cloud"));
    }

    @Test
    void anEmbeddedCopyLeftByTheLastEngineIsStoppedBeforeTheManagerStartsTheService() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.EMBEDDED));
        Engine first = engine();
        long embedded = first.up().get(30, TimeUnit.SECONDS).services().get(0).pid();
        first.close();
        assertTrue(alive(embedded));
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));

        Engine second = engine();

        ServiceSnapshot underSystemd = await(second, "cloud", "healthy under systemd",
                s -> "systemd".equals(s.manager()) && s.status() == DisplayStatus.HEALTHY);
        assertFalse(alive(embedded), "the embedded copy was stopped first");
        assertEquals(List.of(underSystemd.pid()), systemd.launched("cloud"));
        assertEquals(underSystemd.pid(), Ports.listenerPid(port).orElseThrow());
    }

    @Test
    void aManagerErrorIsAFailureInTheToolsWordsAndARetryStartsIt() throws Exception {
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine engine = engine();
        systemd.failNext("start", "cloud", "Failed to start nexus-cloud.service: Unit nexus-cloud.service has a bad "
                + "unit file setting.");

        ServiceSnapshot failed = engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0);

        assertEquals(Lifecycle.FAILED, failed.lifecycle(), failed.toString());
        assertEquals("manager", failed.failure());
        assertTrue(failed.message().contains("has a bad unit file setting"), failed.message());
        assertTrue(failed.message().contains("`systemctl --user start nexus-cloud.service` failed (exit 5)"),
                failed.message());
        assertEquals("systemd", failed.detail().path("manager").asText());
        assertTrue(failed.detail().path("error").asText().contains("has a bad unit file setting"), failed.toString());
        assertTrue(systemd.launched("cloud").isEmpty());

        ServiceSnapshot retried = engine.start(List.of("cloud")).get(30, TimeUnit.SECONDS).services().get(0);
        assertEquals(DisplayStatus.HEALTHY, retried.status(), retried.toString());
        assertNull(retried.failure());
    }

    @Test
    void afterAWakeADeafServiceIsRestartedThroughTheManagerOnlyOnceTheGraceIsOver() throws Exception {
        int port = freePort();
        Path trigger = root.resolve("deaf.trigger");
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD, "--deaf-after-file", trigger.toString()));
        Engine engine = engineWithGrace();
        long deafPid = engine.up().get(30, TimeUnit.SECONDS).services().get(0).pid();

        engine.prepareForSleep("test").get(5, TimeUnit.SECONDS);
        Files.writeString(trigger, "now");
        awaitTrue("the port closed", () -> !Files.exists(trigger) && !Ports.isListening(port));
        Instant wokeAt = Instant.now();
        WakeRecovery started = engine.wake("test", null).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("cloud"), started.probed());

        while (Instant.now().isBefore(wokeAt.plus(GRACE).minusMillis(200))) {
            ServiceSnapshot now = service(engine, "cloud");
            assertEquals(deafPid, now.pid(), "no restart during the grace: " + now);
            assertEquals(0, systemd.count("restart", "cloud"));
            Thread.sleep(20); // sampling the state through the grace, not synchronising
        }

        ServiceSnapshot restarted = await(engine, "cloud", "restarted and healthy after the grace",
                s -> s.pid() != null && s.pid() != deafPid && s.status() == DisplayStatus.HEALTHY);
        assertEquals(1, restarted.restarts());
        assertEquals(1, systemd.count("restart", "cloud"), systemd.calls().toString());
        assertEquals("exit 143 (SIGTERM)", restarted.lastExit());
        assertFalse(alive(deafPid));
        WakeRecovery recovery = engine.snapshot().engine().lastRecovery();
        assertEquals(1, recovery.restarted().size(), recovery.toString());
        assertEquals("liveness failed after grace", recovery.restarted().get(0).reason());
        assertFalse(recovery.restarted().get(0).at().isBefore(recovery.graceUntil()));
    }

    @Test
    void theEngineSaysWhichManagersAreUsableAndAnUnusableOneMeansEmbeddedUntilItIsUsable() throws Exception {
        systemd.makeUnavailable("no systemd user manager: Failed to connect to bus: No medium found");
        int port = freePort();
        writeCatalog(paths, listening("cloud", port, ManagerKind.SYSTEMD));
        Engine engine = engine();

        Map<String, EngineSnapshot.ManagerInfo> info = byKind(engine.snapshot().engine().managers());
        assertEquals(List.of("auto", "embedded", "launchd", "systemd", "windows-task"), List.copyOf(info.keySet()));
        assertFalse(info.get("systemd").available());
        assertTrue(info.get("systemd").reason().contains("Failed to connect to bus"), info.toString());
        assertEquals("embedded", info.get("systemd").effective());
        assertEquals("embedded", info.get("auto").effective());
        assertTrue(info.get("embedded").available());
        assertFalse(info.get("launchd").available());
        assertEquals("launchd is not supported on this system", info.get("launchd").reason());
        EngineSnapshot overTheWire = Json.MAPPER.treeToValue(Json.MAPPER.valueToTree(engine.snapshot()),
                EngineSnapshot.class);
        assertEquals(engine.snapshot().engine().managers(), overTheWire.engine().managers(), "as the control API sends it");
        ServiceSnapshot up = engine.up().get(30, TimeUnit.SECONDS).services().get(0);
        assertEquals("embedded", up.manager());
        assertEquals(DisplayStatus.HEALTHY, up.status(), up.toString());
        assertTrue(systemd.calls().stream().noneMatch(c -> c.startsWith("install") || c.startsWith("start")),
                systemd.calls().toString());

        systemd.makeUnavailable(null);
        engine.reload().get(10, TimeUnit.SECONDS);

        info = byKind(engine.snapshot().engine().managers());
        assertTrue(info.get("systemd").available());
        assertNull(info.get("systemd").reason());
        assertEquals("systemd", info.get("auto").effective());
        ServiceSnapshot moved = await(engine, "cloud", "moved to systemd once it is usable",
                s -> "systemd".equals(s.manager()) && s.status() == DisplayStatus.HEALTHY);
        assertFalse(alive(up.pid()));
        assertEquals(List.of(moved.pid()), systemd.launched("cloud"));
    }

    private static Map<String, EngineSnapshot.ManagerInfo> byKind(List<EngineSnapshot.ManagerInfo> infos) {
        Map<String, EngineSnapshot.ManagerInfo> map = new java.util.LinkedHashMap<>();
        infos.forEach(i -> map.put(i.kind(), i));
        return map;
    }
}
