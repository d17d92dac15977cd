package dev.nexus.services.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.TestGateway;
import dev.nexus.services.credentials.use.InMemoryCredentialStore;
import dev.nexus.services.credentials.use.ServiceEnvironments;
import dev.nexus.services.credentials.use.StoreSecretSource;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.health.ProbeFactory;
import dev.nexus.services.support.NexusPaths;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hooks the sleep/wake recovery calls, exercised on a unit the way the engine runs it (its own loop,
 * probe timer and blocking pool): {@code forceReconnect()} replaces the live gateway session at once and
 * leaves a rejected one alone; and status without an engine speaks the protocol once. The gateway is the
 * protocol-speaking test server; the credential store is the in-memory TEST DOUBLE.
 */
class ServiceConnectionsWiringTest {
    @TempDir
    Path root;
    NexusPaths paths;
    TestGateway gateway;
    ScheduledExecutorService loop;
    ScheduledExecutorService probeTimer;
    ProbeFactory probes;
    final InMemoryCredentialStore store = new InMemoryCredentialStore().put("gateway/token", "tok-A");

    @BeforeEach
    void setUp() throws Exception {
        paths = new NexusPaths(root);
        gateway = TestGateway.start(0);
        gateway.token = "tok-A";
        gateway.channel("telegram", "Telegram", true);
        loop = Executors.newSingleThreadScheduledExecutor();
        probeTimer = Executors.newSingleThreadScheduledExecutor();
        probes = new ProbeFactory(probeTimer, root.resolve("probes"), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        probes.close();
        loop.shutdownNow();
        probeTimer.shutdownNow();
        gateway.shutDown();
    }

    private ServiceSpec remote() {
        URI url = URI.create(gateway.url());
        ProbeSpec fast = new ProbeSpec(new ProbeCheck.Gateway(url), Duration.ZERO, Duration.ofMillis(200),
                Duration.ofSeconds(1), 3, 1);
        return new ServiceSpec("gateway", "Gateway", ServiceKind.CONNECTION, true, List.of(), paths.home(), Map.of(),
                ManagerKind.AUTO, List.of(), null, new Probes(null, fast, fast), RestartSpec.DEFAULT,
                Duration.ofSeconds(3), null, List.of(), null, url);
    }

    private ConnectionUnit unit() {
        EngineContext ctx = new EngineContext(paths, Clock.systemUTC(), new SplittableRandom(9), loop, probeTimer,
                Executors.newCachedThreadPool(), probes, null,
                new ServiceEnvironments(Map.of(), new StoreSecretSource(store), Executors.newCachedThreadPool()),
                name -> { }, (what, problem) -> { });
        return onLoop(() -> new ConnectionUnit(ctx, remote()));
    }

    private <T> T onLoop(Callable<T> work) {
        try {
            return loop.submit(work).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("loop call failed", e);
        }
    }

    private ServiceSnapshot await(ConnectionUnit unit, String what, Predicate<ServiceSnapshot> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ServiceSnapshot last = null;
        while (System.nanoTime() < deadline) {
            last = onLoop(unit::snapshot);
            if (condition.test(last)) {
                return last;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail(what + " not reached; last " + last);
        return last;
    }

    @Test
    void forceReconnectReplacesTheLiveSessionAtOnce() {
        ConnectionUnit unit = unit();
        onLoop(() -> unit.start(true));
        await(unit, "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        assertEquals(1, gateway.hellos.get());

        long forcedAt = System.nanoTime();
        onLoop(() -> {
            unit.forceReconnect();
            return null;
        });
        await(unit, "a new session", s -> gateway.hellos.get() == 2 && s.status() == DisplayStatus.HEALTHY);
        long tookMs = (System.nanoTime() - forcedAt) / 1_000_000;
        assertTrue(tookMs < 1000, "no backoff before the first try, took " + tookMs + " ms");
        onLoop(unit::stop);
        Await.closed(gateway);
    }

    @Test
    void aRejectedSessionIsNotRetriedByAForcedReconnectButIsByTheUsersStart() {
        store.put("gateway/token", "tok-old");
        ConnectionUnit unit = unit();
        onLoop(() -> unit.start(true));
        ServiceSnapshot failed = await(unit, "failed", s -> s.lifecycle() == Lifecycle.FAILED);
        assertEquals("credentials", failed.failure());
        onLoop(() -> {
            unit.forceReconnect();
            return null;
        });
        sleep(300);
        assertEquals(1, gateway.opened.get(), "a wake does not retry a refused token");

        store.put("gateway/token", "tok-A");
        onLoop(() -> unit.start(true));
        ServiceSnapshot healthy = await(unit, "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        assertNull(healthy.failure());
        onLoop(unit::stop);
    }

    @Test
    void statusWithoutAnEngineAsksTheGatewayOnce() throws Exception {
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), new CatalogCodec(paths).write(new Catalog(1, List.of(remote())), null),
                StandardCharsets.UTF_8);
        EngineSnapshot snapshot = OneShotStatus.probe(paths, new StoreSecretSource(store), Map.of());
        ServiceSnapshot s = snapshot.services().get(0);
        assertEquals(DisplayStatus.HEALTHY, s.status(), s.toString());
        assertEquals("gateway 2026.2.19, protocol 4, 1 channel up", s.message());
        assertEquals(4, s.detail().get("protocol").asInt());

        store.put("gateway/token", "tok-old");
        ServiceSnapshot refused = OneShotStatus.probe(paths, new StoreSecretSource(store), Map.of()).services().get(0);
        assertEquals(DisplayStatus.DOWN, refused.status());
        assertTrue(refused.message().endsWith("(AUTH_TOKEN_MISMATCH)"), refused.message());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the test gateway has no client left. */
    private static final class Await {
        static void closed(TestGateway g) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!g.getConnections().isEmpty() && System.nanoTime() < deadline) {
                sleep(10);
            }
            assertTrue(g.getConnections().isEmpty(), "stopping the unit closed its session");
        }
    }
}
