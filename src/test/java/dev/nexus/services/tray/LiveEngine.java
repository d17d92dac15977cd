package dev.nexus.services.tray;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.ChildSpec;
import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.control.ControlServer;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A real engine in this JVM with its real control socket, supervising real fixture daemons (JVMs that
 * listen on an ephemeral port, probed over TCP), in a temp NEXUS_ROOT. What the tray talks to in tests.
 */
public final class LiveEngine implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final RestartSpec QUICK_RESTART = new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofMillis(100),
            2, Duration.ofSeconds(1), 0.2, Duration.ofSeconds(60), 50, Duration.ofSeconds(10), Duration.ofMinutes(5),
            Duration.ofSeconds(2));

    public final NexusPaths paths;
    public final Engine engine;
    private ControlServer server;

    private LiveEngine(NexusPaths paths, Engine engine) {
        this.paths = paths;
        this.engine = engine;
    }

    /** A fixture daemon listening on a fresh port; {@code children} get TCP readiness probes on that port. */
    public static ServiceSpec daemon(NexusPaths paths, String name, String displayName, String... children)
            throws IOException {
        int port = freePort();
        ProbeSpec startup = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO,
                Duration.ofMillis(100), Duration.ofMillis(500), 150, 1);
        ProbeSpec liveness = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO,
                Duration.ofMillis(200), Duration.ofMillis(500), 3, 1);
        List<ChildSpec> childSpecs = new ArrayList<>();
        for (String child : children) {
            childSpecs.add(new ChildSpec(child, Character.toUpperCase(child.charAt(0)) + child.substring(1),
                    new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO, Duration.ofMillis(200),
                            Duration.ofMillis(500), 2, 1)));
        }
        return new ServiceSpec(name, displayName, ServiceKind.DAEMON, true,
                Fixtures.command("--listen", String.valueOf(port)), paths.home(), Map.of(), ManagerKind.EMBEDDED,
                List.of(), port, new Probes(startup, liveness, null), QUICK_RESTART, Duration.ofSeconds(3),
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP),
                childSpecs, null, null);
    }

    /** Writes the catalog, starts the engine and its control socket, and brings every enabled service up. */
    public static LiveEngine start(NexusPaths paths, ServiceSpec... services) throws Exception {
        Files.createDirectories(paths.state());
        String text = new CatalogCodec(paths).write(new Catalog(Catalog.CURRENT_VERSION, List.of(services)), null);
        Files.writeString(paths.catalogFile(), text, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        Engine engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(7), env));
        LiveEngine live = new LiveEngine(paths, engine);
        live.listen();
        engine.up().get(60, TimeUnit.SECONDS);
        return live;
    }

    /** Opens the control socket (again, after {@link #closeSocket}). */
    public synchronized void listen() throws IOException {
        server = new ControlServer(paths.controlSocket(), new EngineControlHandler(engine, () -> { }));
        server.start();
    }

    /** The engine "goes away" for its clients: the socket closes, the services keep running. */
    public synchronized void closeSocket() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public ServiceSnapshot service(String name) {
        return engine.snapshot().services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no service " + name));
    }

    public ServiceSnapshot await(String name, String what, Predicate<ServiceSnapshot> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ServiceSnapshot last = null;
        while (System.nanoTime() < deadline) {
            last = service(name);
            if (condition.test(last)) {
                return last;
            }
            pause();
        }
        fail(name + " never became " + what + " within " + WAIT.toSeconds() + " s; last: " + last);
        return last;
    }

    /** Polls until the condition holds; fails with {@code what} after {@link #WAIT}. */
    public static void waitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            pause();
        }
        fail("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public void close() throws Exception {
        try {
            engine.down().get(60, TimeUnit.SECONDS);
        } finally {
            closeSocket();
            engine.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
