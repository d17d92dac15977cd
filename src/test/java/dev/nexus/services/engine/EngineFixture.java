package dev.nexus.services.engine;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.ChildSpec;
import dev.nexus.services.catalog.JobSpec;
import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/** Builds catalogs of real fixture services and waits on engine state, for engine tests. */
final class EngineFixture {
    static final RestartSpec FAST_RESTART = new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofMillis(100), 2,
            Duration.ofSeconds(1), 0.2, Duration.ofSeconds(60), 50, Duration.ofSeconds(10), Duration.ofMinutes(5),
            Duration.ofSeconds(2));
    static final Duration WAIT = Duration.ofSeconds(20);

    private EngineFixture() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static ProbeSpec tcp(int port) {
        return new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(500), 3, 1);
    }

    /** Startup waits generously (a fixture JVM takes a few hundred ms); liveness is quick. */
    static Probes tcpProbes(int port) {
        ProbeSpec startup = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO,
                Duration.ofMillis(100), Duration.ofMillis(500), 150, 1);
        return new Probes(startup, tcp(port), null);
    }

    static ServiceSpec daemon(NexusPaths paths, String name, List<String> command, Integer port, Probes probes,
                              RestartSpec restart, List<String> dependsOn, List<ChildSpec> children) {
        return new ServiceSpec(name, name, ServiceKind.DAEMON, true, command, paths.home(), Map.of(),
                ManagerKind.EMBEDDED, dependsOn, port, probes, restart, Duration.ofSeconds(3),
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP),
                children, null, null);
    }

    static ServiceSpec job(NexusPaths paths, String name, List<String> command, Duration every) {
        return job(paths, name, command, every,
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP));
    }

    static ServiceSpec job(NexusPaths paths, String name, List<String> command, Duration every, LogSpec log) {
        return new ServiceSpec(name, name, ServiceKind.JOB, true, command, paths.home(), Map.of(),
                ManagerKind.EMBEDDED, List.of(), null, Probes.NONE, RestartSpec.DEFAULT, Duration.ofSeconds(3),
                log, List.of(), new JobSpec(every, Duration.ofSeconds(10)), null);
    }

    static ServiceSpec connection(NexusPaths paths, String name, URI url) {
        return new ServiceSpec(name, name, ServiceKind.CONNECTION, true, List.of(), paths.home(), Map.of(),
                ManagerKind.AUTO, List.of(), null, Probes.NONE, RestartSpec.DEFAULT, Duration.ofSeconds(3),
                null, List.of(), null, url);
    }

    /** Writes the catalog as services.json, as a user would have it. */
    static void writeCatalog(NexusPaths paths, ServiceSpec... services) throws IOException {
        Files.createDirectories(paths.state());
        String text = new CatalogCodec(paths).write(new Catalog(Catalog.CURRENT_VERSION, List.of(services)), null);
        Files.writeString(paths.catalogFile(), text, StandardCharsets.UTF_8);
    }

    static Engine start(NexusPaths paths) throws IOException {
        return start(paths, ManagerLookup.EMBEDDED_ONLY);
    }

    /** With these OS managers (stand-ins in tests). */
    static Engine start(NexusPaths paths, ManagerLookup managers) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        return Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(42), env)
                .withManagers(managers));
    }

    static ServiceSnapshot service(Engine engine, String name) {
        return engine.snapshot().services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no service " + name + " in " + engine.snapshot()));
    }

    /** Polls the published snapshot until the condition holds; fails with the last state seen. */
    static ServiceSnapshot await(Engine engine, String name, String what, Predicate<ServiceSnapshot> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ServiceSnapshot last = null;
        while (System.nanoTime() < deadline) {
            last = service(engine, name);
            if (condition.test(last)) {
                return last;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail(name + " never became " + what + " within " + WAIT.toSeconds() + " s; last: " + last);
        return last;
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !isZombie(pid);
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(java.nio.file.Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    static void awaitDead(long pid) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive(pid)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        fail("pid " + pid + " is still alive");
    }
}
