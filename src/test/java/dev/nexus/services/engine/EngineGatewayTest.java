package dev.nexus.services.engine;

import static dev.nexus.services.engine.EngineFixture.await;
import static dev.nexus.services.engine.EngineFixture.writeCatalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.connect.TestGateway;
import dev.nexus.services.credentials.use.InMemoryCredentialStore;
import dev.nexus.services.credentials.use.StoreSecretSource;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine keeps one gateway session per gateway-probed service and turns it into health: HEALTHY
 * with server version, protocol and channels; DEGRADED naming a channel that is down or while
 * reconnecting; UNHEALTHY once the session has been dead past the liveness threshold; FAILED(credentials)
 * in the gateway's own words when it refuses the token. A remote gateway runs as a connection against a
 * protocol-speaking server in this JVM; the local case runs that same server as a real supervised child
 * process. The credential store is the in-memory TEST DOUBLE.
 */
class EngineGatewayTest {
    @TempDir
    Path root;
    NexusPaths paths;
    final InMemoryCredentialStore store = new InMemoryCredentialStore();
    final List<Engine> engines = new ArrayList<>();
    TestGateway gateway;

    @BeforeEach
    void setUp() throws InterruptedException {
        paths = new NexusPaths(root);
        gateway = TestGateway.start(0);
        gateway.token = "tok-A";
        gateway.channel("telegram", "Telegram", true).channel("whatsapp", "WhatsApp", true);
        store.put("gateway/token", "tok-A");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Engine e : engines) {
            try {
                e.down().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the test stopped it already
            }
            e.close();
        }
        gateway.shutDown();
    }

    private Engine start() throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(NexusPaths.ROOT_VARIABLE, root.toString());
        env.remove("NEXUS_GATEWAY_TOKEN");
        env.remove("OPENCLAW_GATEWAY_TOKEN");
        Engine engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(3), env,
                new StoreSecretSource(store)));
        engines.add(engine);
        return engine;
    }

    /** Probed every 200 ms; liveness fails after three misses. */
    private static ProbeSpec fast(ProbeCheck check) {
        return new ProbeSpec(check, Duration.ZERO, Duration.ofMillis(200), Duration.ofSeconds(1), 3, 1);
    }

    private ServiceSpec remoteGateway(URI url) {
        ProbeCheck session = new ProbeCheck.Gateway(url);
        return new ServiceSpec("gateway", "Gateway", ServiceKind.CONNECTION, true, List.of(), paths.home(), Map.of(),
                ManagerKind.AUTO, List.of(), null, new Probes(null, fast(session), fast(session)), RestartSpec.DEFAULT,
                Duration.ofSeconds(3), null, List.of(), null, url);
    }

    private static DisplayStatus child(ServiceSnapshot s, String name) {
        return s.children().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no child " + name + " in " + s.children())).status();
    }

    @Test
    void aRemoteGatewayIsHealthyWithItsChannelsOverOneSessionAndDegradedNamingAChannelThatIsDown() throws Exception {
        writeCatalog(paths, remoteGateway(URI.create(gateway.url())));
        Engine engine = start();
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot up = await(engine, "gateway", "healthy with channels",
                s -> s.status() == DisplayStatus.HEALTHY && s.detail() != null && s.detail().has("channels"));
        assertEquals(Lifecycle.RUNNING, up.lifecycle());
        assertNull(up.pid(), "no local process");
        assertEquals("gateway 2026.2.19, protocol 4, 2 channels up", up.message());
        JsonNode d = up.detail();
        assertEquals("2026.2.19", d.at("/server/version").asText());
        assertEquals(4, d.get("protocol").asInt());
        assertEquals("connected", d.get("session").asText());
        assertEquals("[\"telegram\",\"whatsapp\"]", d.findValues("id").toString().replace(" ", ""));
        assertNotNull(up.latencyMs(), "latency is the health round trip");
        assertEquals(DisplayStatus.HEALTHY, child(up, "channel:telegram"));

        int requests = gateway.healthRequests.get();
        Thread.sleep(1000); // five probe periods
        assertTrue(gateway.healthRequests.get() >= requests + 5, "a health request every period");
        assertEquals(1, gateway.opened.get(), "one long-lived session, not a connection per probe");

        gateway.channel("whatsapp", "WhatsApp", false);
        ServiceSnapshot degraded = await(engine, "gateway", "degraded", s -> s.status() == DisplayStatus.DEGRADED);
        assertEquals(Health.DEGRADED, degraded.health());
        assertEquals("channel WhatsApp (not linked) down", degraded.message());
        assertEquals(DisplayStatus.DOWN, child(degraded, "channel:whatsapp"));
        assertEquals(DisplayStatus.HEALTHY, child(degraded, "channel:telegram"));

        gateway.channel("whatsapp", "WhatsApp", true);
        await(engine, "gateway", "healthy again", s -> s.status() == DisplayStatus.HEALTHY);
    }

    @Test
    void aRefusedTokenIsFailedCredentialsInTheGatewaysWordsAndAFixedTokenRetriedIsHealthyAgain() throws Exception {
        store.put("gateway/token", "tok-old");
        writeCatalog(paths, remoteGateway(URI.create(gateway.url())));
        Engine engine = start();
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot failed = await(engine, "gateway", "failed", s -> s.lifecycle() == Lifecycle.FAILED);
        assertEquals("credentials", failed.failure());
        assertEquals(DisplayStatus.DOWN, failed.status());
        assertTrue(failed.message().startsWith("the gateway refused the connection: unauthorized: gateway token mismatch"),
                failed.message());
        assertTrue(failed.message().contains("nexus-services credential set gateway/token"), failed.message());
        assertEquals("gateway/token", failed.detail().at("/credentials/0/credential").asText());
        assertEquals("rejected", failed.detail().at("/credentials/0/problem").asText());

        Thread.sleep(1500); // several backoff periods
        assertEquals(1, gateway.opened.get(), "no tight loop: the same token is not offered again");

        store.put("gateway/token", "tok-A");
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS); // the user's Retry
        ServiceSnapshot healthy = await(engine, "gateway", "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        assertNull(healthy.failure());
        assertEquals(2, gateway.opened.get());
    }

    @Test
    void aLostGatewayIsDegradedWhileReconnectingDownPastTheThresholdAndHealthyWhenItIsBack() throws Exception {
        writeCatalog(paths, remoteGateway(URI.create(gateway.url())));
        Engine engine = start();
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);
        await(engine, "gateway", "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        List<ServiceSnapshot> events = new CopyOnWriteArrayList<>();
        engine.subscribe(e -> {
            if (e.service() != null) {
                events.add(e.service());
            }
        }).get(5, TimeUnit.SECONDS);

        int port = gateway.port();
        gateway.shutDown();
        ServiceSnapshot down = await(engine, "gateway", "down", s -> s.status() == DisplayStatus.DOWN);
        assertEquals(Health.UNHEALTHY, down.health());
        assertEquals(Lifecycle.RUNNING, down.lifecycle(), "a connection has nothing to restart");
        assertTrue(events.stream().anyMatch(s -> s.status() == DisplayStatus.DEGRADED
                && s.message().startsWith("reconnecting: ")), "degraded before the threshold: " + events);

        gateway = TestGateway.start(port);
        gateway.token = "tok-A";
        gateway.channel("telegram", "Telegram", true);
        ServiceSnapshot back = await(engine, "gateway", "healthy again", s -> s.status() == DisplayStatus.HEALTHY);
        assertEquals("connected", back.detail().get("session").asText());
    }

    @Test
    void aPlannedRestartIsShownAsRestartingAndNeverAsAnOutage() throws Exception {
        writeCatalog(paths, remoteGateway(URI.create(gateway.url())));
        Engine engine = start();
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);
        await(engine, "gateway", "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        List<ServiceSnapshot> events = new CopyOnWriteArrayList<>();
        engine.subscribe(e -> {
            if (e.service() != null) {
                events.add(e.service());
            }
        }).get(5, TimeUnit.SECONDS);

        gateway.announceRestart("gateway restarting", 300L);
        await(engine, "gateway", "reconnected", s -> gateway.hellos.get() == 2 && s.status() == DisplayStatus.HEALTHY);
        assertTrue(events.stream().anyMatch(s -> "gateway restarting".equals(s.message())), events.toString());
        assertTrue(events.stream().allMatch(s -> s.status() == DisplayStatus.HEALTHY),
                "a planned restart is not an outage: " + events);
    }

    /** The stand-in gateway as a real supervised process: the same protocol server, run by the engine. */
    private ServiceSpec localGateway(int port, Path channels) {
        List<String> command = new ArrayList<>(List.of(Fixtures.javaBinary()));
        command.addAll(Fixtures.JVM_FLAGS);
        // The whole test class path: the stand-in gateway needs the WebSocket server library.
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TestGateway.class.getName(),
                "--port", Integer.toString(port), "--token", "tok-A", "--channels-file", channels.toString(),
                "--version", "2026.3.1"));
        URI url = URI.create("ws://127.0.0.1:" + port + "/");
        ProbeSpec startup = new ProbeSpec(new ProbeCheck.WebSocket(url), Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(500), 150, 1);
        ProbeCheck session = new ProbeCheck.Gateway(url);
        return new ServiceSpec("gateway", "Gateway", ServiceKind.DAEMON, true, command, paths.home(),
                Map.of(), ManagerKind.EMBEDDED, List.of(), port, new Probes(startup, fast(session), fast(session)),
                EngineFixture.FAST_RESTART, Duration.ofSeconds(3),
                new LogSpec(paths.stdoutLog("gateway"), paths.stderrLog("gateway"), LogSpec.DEFAULT_MAX_BYTES,
                        LogSpec.DEFAULT_KEEP), List.of(), null, null);
    }

    @Test
    void aLocalGatewayDaemonIsProbedOverItsSessionHealthyWithChannelsAndDegradedNamingAChannel() throws Exception {
        int port = EngineFixture.freePort();
        Path channels = root.resolve("channels.json");
        Files.writeString(channels, """
                {"channels": {"slack": {"configured": true, "probe": {"ok": true, "elapsedMs": 40}}},
                 "channelLabels": {"slack": "Slack"}}""");
        writeCatalog(paths, localGateway(port, channels));
        Engine engine = start();
        engine.start(List.of("gateway")).get(60, TimeUnit.SECONDS);

        ServiceSnapshot up = await(engine, "gateway", "healthy with channels",
                s -> s.status() == DisplayStatus.HEALTHY && s.detail() != null && s.detail().has("channels"));
        assertNotNull(up.pid());
        assertEquals("gateway 2026.3.1, protocol 4, 1 channel up", up.message());
        assertEquals("2026.3.1", up.detail().at("/server/version").asText());
        assertEquals(DisplayStatus.HEALTHY, child(up, "channel:slack"));

        Files.writeString(channels, """
                {"channels": {"slack": {"configured": true, "probe": {"ok": false, "status": 401, "error": "invalid_auth"}}},
                 "channelLabels": {"slack": "Slack"}}""");
        ServiceSnapshot degraded = await(engine, "gateway", "degraded", s -> s.status() == DisplayStatus.DEGRADED);
        assertEquals("channel Slack (failed (401) - invalid_auth) down", degraded.message());
        assertEquals(up.pid(), degraded.pid(), "a channel down is not a reason to restart the gateway");
        assertEquals(0, degraded.restarts());
    }

    @Test
    void aLocalGatewayThatRefusesOurTokenIsFailedCredentialsWithoutARestartUntilRetried() throws Exception {
        store.put("gateway/token", "tok-old");
        int port = EngineFixture.freePort();
        Path channels = root.resolve("channels.json");
        Files.writeString(channels, "{\"channels\": {}}");
        writeCatalog(paths, localGateway(port, channels));
        Engine engine = start();
        engine.start(List.of("gateway")).get(60, TimeUnit.SECONDS);

        ServiceSnapshot failed = await(engine, "gateway", "failed", s -> s.lifecycle() == Lifecycle.FAILED);
        assertEquals("credentials", failed.failure());
        assertTrue(failed.message().contains("gateway token mismatch"), failed.message());
        assertNotNull(failed.pid(), "the process is fine: it is not stopped");
        assertTrue(EngineFixture.alive(failed.pid()));
        assertEquals("rejected", failed.detail().at("/credentials/0/problem").asText());
        Thread.sleep(1000); // many liveness periods: a refused session is no reason to restart
        ServiceSnapshot still = EngineFixture.service(engine, "gateway");
        assertEquals(Lifecycle.FAILED, still.lifecycle());
        assertEquals(failed.pid(), still.pid());
        assertEquals(0, still.restarts());

        store.put("gateway/token", "tok-A");
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS); // the user's Retry
        ServiceSnapshot healthy = await(engine, "gateway", "healthy", s -> s.status() == DisplayStatus.HEALTHY);
        assertEquals(failed.pid(), healthy.pid(), "the same process");
        assertNull(healthy.failure());
    }
}
