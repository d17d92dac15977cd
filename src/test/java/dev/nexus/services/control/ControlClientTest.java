package dev.nexus.services.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real server over a real socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path temp;
    Path socket;
    TestHandler handler;
    ControlServer server;
    final List<ControlClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        socket = temp.resolve("state/run/control.sock");
        handler = new TestHandler();
        server = new ControlServer(socket, handler);
        server.start();
    }

    @AfterEach
    void stopAll() {
        handler.release.countDown();
        clients.forEach(ControlClient::close);
        server.close();
    }

    private ControlClient connect() throws IOException {
        ControlClient client = ControlClient.connect(socket, TIMEOUT);
        clients.add(client);
        return client;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void roundTripReturnsTheResultAndRefusalsBecomeControlExceptions() throws Exception {
        ControlClient client = connect();
        ObjectNode args = TestHandler.args("name", "gateway", "ports", List.of(18789, 18790));
        assertEquals(args, client.call("echo", args, TIMEOUT));
        assertEquals(Json.MAPPER.createObjectNode(), client.call("echo", null, TIMEOUT));

        ControlException unknown = assertThrows(ControlException.class, () -> client.call("frobnicate", null, TIMEOUT));
        assertEquals(ControlProtocol.UNKNOWN_OP, unknown.code());
        assertTrue(unknown.getMessage().contains("frobnicate"));

        ControlException refused = assertThrows(ControlException.class, () -> client.call("refuse",
                TestHandler.args("code", "not_found", "message", "no service named 'x'"), TIMEOUT));
        assertEquals("not_found", refused.code());
        assertEquals("no service named 'x'", refused.getMessage());

        ControlException internal = assertThrows(ControlException.class, () -> client.call("boom", null, TIMEOUT));
        assertEquals(ControlProtocol.INTERNAL, internal.code());
        assertFalse(internal.getMessage().contains(TestHandler.SECRET));

        assertEquals(args, client.call("echo", args, TIMEOUT), "the connection survives refusals and failures");
    }

    @Test
    void aRequestOverTheLimitIsRefusedLocallyWithoutBreakingTheConnection() throws Exception {
        ControlClient client = connect();
        ObjectNode huge = TestHandler.args("blob", "z".repeat(ControlProtocol.MAX_REQUEST_BYTES));
        ControlException tooLarge = assertThrows(ControlException.class, () -> client.call("echo", huge, TIMEOUT));
        assertEquals(ControlProtocol.TOO_LARGE, tooLarge.code());
        assertTrue(client.isConnected());
        assertEquals(TestHandler.args("n", 1), client.call("echo", TestHandler.args("n", 1), TIMEOUT));
    }

    @Test
    void manyConcurrentCallsFromSeveralClientsEachGetTheirOwnReply() throws Exception {
        int clientCount = 4;
        int threadsPerClient = 6;
        int callsPerThread = 150;
        List<ControlClient> connected = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            connected.add(connect());
        }
        ExecutorService pool = Executors.newFixedThreadPool(clientCount * threadsPerClient);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clientCount; c++) {
                ControlClient client = connected.get(c);
                for (int t = 0; t < threadsPerClient; t++) {
                    String caller = c + "/" + t;
                    results.add(pool.submit(() -> {
                        for (int i = 0; i < callsPerThread; i++) {
                            ObjectNode args = TestHandler.args("caller", caller, "i", i);
                            JsonNode result = client.call("echo", args, TIMEOUT);
                            assertEquals(args, result, "a reply went to the wrong call");
                        }
                        return callsPerThread;
                    }));
                }
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(20, TimeUnit.SECONDS);
            }
            assertEquals(clientCount * threadsPerClient * callsPerThread, total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eventsReachTheSubscriberInOrder() throws Exception {
        ControlClient client = connect();
        List<String> received = new ArrayList<>();
        client.onEvent((name, data) -> {
            synchronized (received) {
                received.add(name + ":" + data.path("seq").asInt());
            }
        });
        assertTrue(client.call("subscribe", null, TIMEOUT).path("subscribed").asBoolean());
        ControlSession session = handler.subscribers.get(0);
        int count = 1000;
        for (int i = 0; i < count; i++) {
            session.sendEvent("state", TestHandler.args("seq", i));
        }
        await(() -> {
            synchronized (received) {
                return received.size() == count;
            }
        }, "all events arrived");
        synchronized (received) {
            for (int i = 0; i < count; i++) {
                assertEquals("state:" + i, received.get(i));
            }
        }
        assertEquals(TestHandler.args("after", true), client.call("echo", TestHandler.args("after", true), TIMEOUT),
                "calls still work while events stream");
    }

    @Test
    void aSlowOpTimesOutNamingItAndTheConnectionRemainsUsable() throws Exception {
        ControlClient client = connect();
        IOException timeout = assertThrows(IOException.class, () -> client.call("block", null, Duration.ofMillis(200)));
        assertTrue(timeout.getMessage().contains("'block'"), timeout.getMessage());
        handler.release.countDown();
        assertEquals(TestHandler.args("k", "v"), client.call("echo", TestHandler.args("k", "v"), TIMEOUT));
    }

    @Test
    void closingTheServerUnblocksClientsRunsOnCloseActionsAndRemovesTheSocket() throws Exception {
        ControlClient subscriber = connect();
        ControlClient waiting = connect();
        CountDownLatch subscriberLost = new CountDownLatch(1);
        CountDownLatch waitingLost = new CountDownLatch(1);
        subscriber.onDisconnect(subscriberLost::countDown);
        waiting.onDisconnect(waitingLost::countDown);
        subscriber.call("subscribe", null, TIMEOUT);
        AtomicInteger slowCleanups = new AtomicInteger();
        handler.subscribers.get(0).onClose(() -> {
            try {
                Thread.sleep(300); // cleanup work that takes a while, like flushing state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slowCleanups.incrementAndGet();
        });

        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<JsonNode> blocked = caller.submit(() -> waiting.call("block", null, Duration.ofSeconds(20)));
            assertTrue(handler.blocking.await(5, TimeUnit.SECONDS), "the blocking op started");

            long started = System.nanoTime();
            server.close();
            assertEquals(1, handler.closedSubscribers.get(), "onClose actions ran before close() returned");
            assertEquals(1, slowCleanups.get(), "close() waited for a slow onClose action");
            assertFalse(Files.exists(socket), "the socket file is removed");

            assertTrue(subscriberLost.await(5, TimeUnit.SECONDS), "the subscriber's onDisconnect ran");
            assertTrue(waitingLost.await(5, TimeUnit.SECONDS), "the waiting client's onDisconnect ran");
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> blocked.get(5, TimeUnit.SECONDS));
            IOException cause = assertInstanceOf(IOException.class, failed.getCause());
            assertTrue(cause.getMessage().contains("'block'"), cause.getMessage());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the blocked call was released early");

            assertFalse(subscriber.isConnected());
            IOException afterwards = assertThrows(IOException.class, () -> subscriber.call("echo", null, TIMEOUT));
            assertTrue(afterwards.getMessage().contains("closed the connection"), afterwards.getMessage());

            server.close();
            CountDownLatch late = new CountDownLatch(1);
            subscriber.onDisconnect(late::countDown);
            assertEquals(0, late.getCount(), "onDisconnect registered after the fact runs at once");
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void aClientClosingItsConnectionRunsTheServerSideOnCloseButNotItsOwnOnDisconnect() throws Exception {
        ControlClient client = connect();
        AtomicInteger disconnects = new AtomicInteger();
        client.onDisconnect(disconnects::incrementAndGet);
        client.call("subscribe", null, TIMEOUT);
        client.close();
        client.close();
        await(() -> handler.closedSubscribers.get() == 1, "the server ran the session's onClose action");
        await(() -> server.connectionCount() == 0, "the server forgot the session");
        assertEquals(0, disconnects.get());
        assertThrows(IOException.class, () -> client.call("echo", null, TIMEOUT));
    }

    @Test
    void aRefusedConnectionSurfacesTheEnginesReason() throws Exception {
        server.close();
        Path limited = temp.resolve("limited/control.sock");
        try (ControlServer small = new ControlServer(limited, handler, new ControlServer.Limits(1, 1024, 1 << 20))) {
            small.start();
            try (ControlClient first = ControlClient.connect(limited, TIMEOUT);
                    ControlClient extra = ControlClient.connect(limited, TIMEOUT)) {
                first.call("echo", null, TIMEOUT);
                ControlException refused = assertThrows(ControlException.class, () -> extra.call("echo", null, TIMEOUT));
                assertEquals(ControlProtocol.TOO_MANY_CONNECTIONS, refused.code());
                assertEquals(Json.MAPPER.createObjectNode(), first.call("echo", null, TIMEOUT));
            }
        }
    }

    @Test
    void aMissingSocketMeansNoEngineIsRunning() {
        server.close();
        EngineNotRunningException missing = assertThrows(EngineNotRunningException.class,
                () -> ControlClient.connect(socket, TIMEOUT));
        assertEquals(socket, missing.socketPath());
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void aStaleSocketMeansNoEngineIsRunning() throws Exception {
        server.close();
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        long started = System.nanoTime();
        EngineNotRunningException stale = assertThrows(EngineNotRunningException.class,
                () -> ControlClient.connect(socket, TIMEOUT));
        assertTrue(stale.getMessage().contains("connection refused"), stale.getMessage());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1), "a stale socket is reported at once");
    }
}
