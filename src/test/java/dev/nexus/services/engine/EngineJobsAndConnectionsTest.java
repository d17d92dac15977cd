package dev.nexus.services.engine;

import static dev.nexus.services.engine.EngineFixture.await;
import static dev.nexus.services.engine.EngineFixture.service;
import static dev.nexus.services.engine.EngineFixture.writeCatalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.NexusPaths;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineJobsAndConnectionsTest {
    @TempDir
    java.nio.file.Path root;

    @Test
    void aJobRunsAtOnceKeepsItsResultAndANewEngineDoesNotRerunItEarly() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths, EngineFixture.job(paths, "hub", List.of("sh", "-c",
                "echo '{\"updates\":[\"weather\",\"calendar\"]}'"), Duration.ofHours(6)));
        ServiceSnapshot first;
        try (Engine engine = EngineFixture.start(paths)) {
            first = engine.up().get(30, TimeUnit.SECONDS).services().get(0);
            assertEquals(Lifecycle.RUNNING, first.lifecycle(), first.toString());
            assertEquals(DisplayStatus.HEALTHY, first.status(), first.toString());
            assertEquals(2, first.job().updatesAvailable());
            assertEquals("2 updates available", first.message());
            assertNotNull(first.job().nextRunAt());
            assertTrue(Files.exists(paths.state().resolve("jobs/hub.json")));
        }
        try (Engine engine = EngineFixture.start(paths)) {
            ServiceSnapshot after = service(engine, "hub");
            assertEquals(first.job().lastRunAt(), after.job().lastRunAt(), "kept, not rerun");
            assertEquals(2, after.job().updatesAvailable());
            assertEquals(first.job().lastRunAt().plus(Duration.ofHours(6)), after.job().nextRunAt(),
                    "next run stays on the original schedule");
        }
    }

    @Test
    void aFailingJobRunIsDegradedNotDown() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths, EngineFixture.job(paths, "hub", List.of("sh", "-c", "echo offline >&2; exit 4"),
                Duration.ofHours(6)));
        try (Engine engine = EngineFixture.start(paths)) {
            ServiceSnapshot s = engine.up().get(30, TimeUnit.SECONDS).services().get(0);
            assertEquals(DisplayStatus.DEGRADED, s.status());
            assertEquals("last run failed: exit 4: offline", s.message());
            assertEquals("fail", s.job().lastOutcome());
        }
    }

    @Test
    void aJobLogThatCannotBeWrittenIsAnEngineProblemUntilARunWritesItAgain() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        java.nio.file.Path blocked = root.resolve("blocked");
        Files.writeString(blocked, "a file where the log directory should be");
        java.nio.file.Path log = blocked.resolve("hub.log");
        writeCatalog(paths, EngineFixture.job(paths, "hub", List.of("true"), Duration.ofHours(6),
                new LogSpec(log, log, LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP)));
        try (Engine engine = EngineFixture.start(paths)) {
            List<String> problems = engine.up().get(30, TimeUnit.SECONDS).engine().problems();
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("cannot write " + log + " ("), problems.get(0));
            assertTrue(problems.get(0).endsWith("hub's run history is not kept until it can be written"), problems.get(0));
            assertEquals(DisplayStatus.HEALTHY, service(engine, "hub").status(), "the job itself is fine");

            Files.delete(blocked);
            Files.createDirectories(blocked);
            engine.start(List.of("hub")).get(30, TimeUnit.SECONDS);
            await(engine, "hub", "the second run written", s -> Files.exists(log) && s.job().lastRunAt() != null);
            assertTrue(Files.readString(log).contains(" ok in "), Files.readString(log));
            assertEquals(List.of(), engine.snapshot().engine().problems());
        }
    }

    @Test
    void aConnectionIsHealthyWhileItsWebSocketAnswersAndDownWhenItGoesAway() throws Exception {
        WebSocketServer server = new WebSocketServer(new InetSocketAddress("127.0.0.1", 0)) {
            @Override
            public void onOpen(WebSocket conn, ClientHandshake handshake) {
            }

            @Override
            public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            }

            @Override
            public void onMessage(WebSocket conn, String message) {
            }

            @Override
            public void onError(WebSocket conn, Exception ex) {
            }

            @Override
            public void onStart() {
            }
        };
        server.setReuseAddr(true);
        server.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.getPort() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths, EngineFixture.connection(paths, "collab", URI.create("ws://127.0.0.1:" + server.getPort()
                + "/")));
        try (Engine engine = EngineFixture.start(paths)) {
            engine.up().get(30, TimeUnit.SECONDS);
            ServiceSnapshot up = await(engine, "collab", "healthy", s -> s.status() == DisplayStatus.HEALTHY);
            assertNull(up.pid());
            assertNotNull(up.latencyMs());
        } finally {
            server.stop(1000);
        }
    }

    @Test
    void aBadCatalogOnReloadKeepsTheRunningOneAndReportsTheProblemWithItsLine() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths, EngineFixture.job(paths, "hub", List.of("true"), Duration.ofHours(6)));
        try (Engine engine = EngineFixture.start(paths)) {
            Files.writeString(paths.catalogFile(), "{\n  \"version\": 1,\n  \"services\": [\n    {\"name\": \"Bad Name\"}\n  ]\n}\n");

            EngineSnapshot after = engine.reload().get(10, TimeUnit.SECONDS);

            assertEquals(List.of("hub"), after.services().stream().map(ServiceSnapshot::name).toList());
            assertTrue(after.engine().problems().stream().anyMatch(p -> p.startsWith("services.json:4:")),
                    after.engine().problems().toString());
            assertNotNull(after.engine().note());
        }
    }

    @Test
    void aGoodCatalogOnReloadAddsAndRemovesServices() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths, EngineFixture.job(paths, "hub", List.of("true"), Duration.ofHours(6)));
        try (Engine engine = EngineFixture.start(paths)) {
            writeCatalog(paths, EngineFixture.job(paths, "skills", List.of("true"), Duration.ofHours(1)));
            EngineSnapshot after = engine.reload().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("skills"), after.services().stream().map(ServiceSnapshot::name).toList());
            assertTrue(after.engine().problems().isEmpty());
        }
    }
}
