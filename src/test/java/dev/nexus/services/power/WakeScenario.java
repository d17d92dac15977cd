package dev.nexus.services.power;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.power.linux.LogindSleepSource;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole chain as the daemon runs it, on a private bus: fixture daemons under an engine, the
 * stand-in logind, the logind source and a clock source (with clocks the test moves) combined by a
 * monitor, and the recovery coordinator between the monitor and the engine. Used by the end-to-end
 * test and the benchmark.
 */
final class WakeScenario implements AutoCloseable {
    /** Fast probes so the test is quick: liveness every 100 ms, 500 ms timeout, 3 failures. */
    static final RestartSpec RESTART = new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofMillis(100), 2,
            Duration.ofSeconds(1), 0.2, Duration.ofSeconds(60), 50, Duration.ofSeconds(10), Duration.ofMinutes(5),
            Duration.ofSeconds(2));

    final Path dir;
    final NexusPaths paths;
    final String marker = "wake-scenario-" + UUID.randomUUID();
    final Map<String, Integer> ports = new LinkedHashMap<>();
    final Map<String, Path> deafTriggers = new HashMap<>();
    final ClockJumpSleepSourceTest.FakeClocks clocks = new ClockJumpSleepSourceTest.FakeClocks();
    PrivateSystemBus bus;
    LogindStandIn logind;
    Engine engine;
    LogindSleepSource logindSource;
    ClockJumpSleepSource clockSource;
    SleepWakeMonitor monitor;
    RecoveryCoordinator coordinator;

    private WakeScenario(Path dir) {
        this.dir = dir;
        this.paths = new NexusPaths(dir.resolve("nexus"));
    }

    /**
     * @param healthy daemons that stay well
     * @param deaf    daemons that stop listening once their trigger file appears ({@link #makeDeaf})
     */
    static WakeScenario start(Path dir, List<String> healthy, List<String> deaf, Duration grace) throws Exception {
        WakeScenario s = new WakeScenario(dir);
        try {
            s.bus = PrivateSystemBus.start(Files.createDirectories(dir.resolve("bus")));
            s.logind = s.bus.startLogind();
            List<ServiceSpec> specs = new ArrayList<>();
            for (String name : healthy) {
                specs.add(s.daemon(name, null));
            }
            for (String name : deaf) {
                Path trigger = dir.resolve(name + ".deaf");
                s.deafTriggers.put(name, trigger);
                specs.add(s.daemon(name, trigger));
            }
            Files.createDirectories(s.paths.state());
            Files.writeString(s.paths.catalogFile(), new CatalogCodec(s.paths)
                    .write(new Catalog(Catalog.CURRENT_VERSION, specs), null), StandardCharsets.UTF_8);
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put(NexusPaths.ROOT_VARIABLE, s.paths.root().toString());
            s.engine = Engine.start(new EngineOptions(s.paths, Clock.systemUTC(), new SplittableRandom(5), env)
                    .withWakeGrace(grace));
            s.engine.up().get(60, TimeUnit.SECONDS);
            s.logindSource = new LogindSleepSource(s.bus.address(), LogindSleepSource.DEFAULT_LIBRARY,
                    LogindSleepSource.DEFAULT_PREPARE_LIMIT, Clock.systemUTC());
            s.clockSource = new ClockJumpSleepSource(() -> s.clocks, Clock.systemUTC(), Duration.ofHours(1));
            s.monitor = new SleepWakeMonitor(List.of(s.logindSource, s.clockSource), Clock.systemUTC(),
                    SleepWakeMonitor.DEFAULT_NO_WAKE_LIMIT);
            s.coordinator = RecoveryCoordinator.start(s.engine, s.monitor);
            if (!s.coordinator.sources().equals(List.of("logind", "clock"))) {
                throw new IllegalStateException("sources: " + s.coordinator.sources() + ", left out: "
                        + s.monitor.unavailableSources());
            }
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private ServiceSpec daemon(String name, Path deafTrigger) throws IOException {
        int port = freePort();
        ports.put(name, port);
        List<String> args = new ArrayList<>(List.of("--listen", String.valueOf(port), "--say", marker + "-" + name));
        if (deafTrigger != null) {
            args.addAll(List.of("--deaf-after-file", deafTrigger.toString()));
        }
        ProbeCheck tcp = new ProbeCheck.Tcp("127.0.0.1", port);
        Probes probes = new Probes(new ProbeSpec(tcp, Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(500), 150, 1),
                new ProbeSpec(tcp, Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(500), 3, 1), null);
        return new ServiceSpec(name, name, ServiceKind.DAEMON, true, Fixtures.command(args.toArray(String[]::new)),
                paths.home(), Map.of(), ManagerKind.EMBEDDED, List.of(), port, probes, RESTART, Duration.ofSeconds(3),
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP),
                List.of(), null, null);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The stand-in logind announces sleep and waits, as logind does, for the delay lock to go. */
    LogindStandIn.SleepOutcome sleep() throws IOException {
        return logind.sleep(Duration.ofSeconds(5));
    }

    void wake() throws IOException {
        logind.wake();
    }

    /** The clock source looks now and finds that the machine was suspended for {@code slept}. */
    void clockNotices(Duration slept) {
        clocks.asleep(slept);
        clockSource.checkNow();
    }

    /** Makes the daemon stop listening (it stays alive): trips its trigger and waits until the port is closed. */
    void makeDeaf(String name) throws IOException {
        Path trigger = deafTriggers.get(name);
        Files.writeString(trigger, "now");
        int port = ports.get(name);
        Await.until(name + " deaf", Duration.ofSeconds(10), () -> !Files.exists(trigger)
                && !dev.nexus.services.supervise.Ports.isListening(port));
    }

    ServiceSnapshot service(String name) {
        return engine.snapshot().services().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    /** Live processes started for {@code name} in this scenario (the marker is on their command line). */
    long processes(String name) {
        String mine = marker + "-" + name;
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(mine + " ") || c.endsWith(mine)).orElse(false))
                .count();
    }

    @Override
    public void close() {
        if (coordinator != null) {
            coordinator.close();
        }
        if (engine != null) {
            try {
                engine.down().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closed below either way
            }
            engine.close();
        }
        if (logind != null) {
            logind.close();
        }
        if (bus != null) {
            bus.close();
        }
    }
}
