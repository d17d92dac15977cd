package dev.nexus.services.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The server against raw bytes: every kind of bad input gets a reply and the connection lives on. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlServerTest {
    @TempDir
    Path temp;
    Path socket;
    TestHandler handler;
    ControlServer server;

    @BeforeEach
    void startServer() throws Exception {
        socket = temp.resolve("state/run/control.sock");
        handler = new TestHandler();
        server = new ControlServer(socket, handler);
        server.start();
    }

    @AfterEach
    void stopServer() {
        handler.release.countDown();
        server.close();
    }

    private static void assertError(JsonNode reply, String code) {
        assertEquals(1, reply.path("v").asInt(), reply.toString());
        assertFalse(reply.path("ok").asBoolean(true), reply.toString());
        assertEquals(code, reply.path("error").path("code").asText(), reply.toString());
        assertTrue(reply.path("error").path("message").isTextual(), reply.toString());
    }

    /** Proves the connection still works: an echo round trip with a fresh id. */
    private static void assertUsable(RawConnection raw, String id) throws Exception {
        JsonNode reply = raw.request("{\"v\":1,\"id\":\"" + id + "\",\"op\":\"echo\",\"args\":{\"still\":\"here\"}}");
        assertEquals(id, reply.path("id").asText(), reply.toString());
        assertTrue(reply.path("ok").asBoolean(), reply.toString());
        assertEquals("here", reply.path("result").path("still").asText());
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
    void wellFormedRequestsGetRepliesEchoingStringAndNumberIds() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            JsonNode reply = raw.request("{\"v\":1,\"id\":\"7\",\"op\":\"echo\",\"args\":{\"a\":[1,2]}}");
            assertEquals(Json.MAPPER.readTree("{\"v\":1,\"id\":\"7\",\"ok\":true,\"result\":{\"a\":[1,2]}}"), reply);

            reply = raw.request("{\"v\":1,\"id\":42,\"op\":\"echo\"}");
            assertEquals(Json.MAPPER.readTree("{\"v\":1,\"id\":42,\"ok\":true,\"result\":{}}"), reply,
                    "absent args reach the handler as an empty object");

            reply = raw.request("{\"v\":1,\"id\":\"n\",\"op\":\"echo\",\"args\":null}\r");
            assertEquals("n", reply.path("id").asText());
            assertTrue(reply.path("result").isObject() && reply.path("result").isEmpty());

            reply = raw.request("{\"v\":1,\"id\":\"u\",\"op\":\"nope\"}");
            assertError(reply, ControlProtocol.UNKNOWN_OP);
            assertEquals("u", reply.path("id").asText());

            reply = raw.request("{\"v\":1,\"id\":\"r\",\"op\":\"refuse\",\"args\":{\"code\":\"not_found\",\"message\":\"no service 'x'\"}}");
            assertError(reply, "not_found");
            assertEquals("no service 'x'", reply.path("error").path("message").asText());
        }
    }

    @Test
    void blankLinesAreIgnoredAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            StringBuilder burst = new StringBuilder("\n  \n");
            for (int i = 0; i < 100; i++) {
                burst.append("{\"v\":1,\"id\":").append(i).append(",\"op\":\"echo\",\"args\":{\"i\":").append(i).append("}}\n");
            }
            raw.sendBytes(burst.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 100; i++) {
                JsonNode reply = raw.next();
                assertEquals(i, reply.path("id").asInt());
                assertEquals(i, reply.path("result").path("i").asInt());
            }
        }
    }

    @Test
    void notJsonTruncatedJsonAndTrailingGarbageAreBadRequests() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            for (String bad : List.of("hello", "{\"v\":1,\"id\":\"t\",\"op\":\"sna",
                    "{\"v\":1,\"id\":\"a\",\"op\":\"echo\"} {\"v\":1}", "{\"v\":1,\"v\":1,\"id\":\"d\",\"op\":\"echo\"}",
                    "\u0000\u0001\u0002", "{'v':1}")) {
                JsonNode reply = raw.request(bad);
                assertError(reply, ControlProtocol.BAD_REQUEST);
                assertTrue(reply.path("id").isNull(), reply.toString());
            }
            assertUsable(raw, "after-garbage");
        }
    }

    @Test
    void valuesThatAreNotObjectsAreBadRequests() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            for (String bad : List.of("[1,2]", "42", "\"op\"", "null", "true")) {
                JsonNode reply = raw.request(bad);
                assertError(reply, ControlProtocol.BAD_REQUEST);
                assertTrue(reply.path("error").path("message").asText().contains("object"), reply.toString());
            }
            assertUsable(raw, "after-non-objects");
        }
    }

    @Test
    void invalidUtf8IsABadRequest() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.writeBytes("{\"v\":1,\"id\":\"u\",\"op\":\"".getBytes(StandardCharsets.US_ASCII));
            line.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80});
            line.writeBytes("\"}\n".getBytes(StandardCharsets.US_ASCII));
            raw.sendBytes(line.toByteArray());
            JsonNode reply = raw.next();
            assertError(reply, ControlProtocol.BAD_REQUEST);
            assertTrue(reply.path("error").path("message").asText().contains("UTF-8"), reply.toString());
            assertUsable(raw, "after-utf8");
        }
    }

    @Test
    void randomBinaryGarbageOnlyEverGetsErrorRepliesAndTheConnectionSurvives() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            for (long seed = 1; seed <= 5; seed++) {
                byte[] garbage = new byte[64 * 1024];
                new Random(seed).nextBytes(garbage);
                raw.sendBytes(garbage);
                String id = "after-seed-" + seed;
                raw.send("\n{\"v\":1,\"id\":\"" + id + "\",\"op\":\"echo\"}");
                int errors = 0;
                while (true) {
                    JsonNode reply = raw.next();
                    if (id.equals(reply.path("id").asText(null))) {
                        assertTrue(reply.path("ok").asBoolean(), reply.toString());
                        break;
                    }
                    assertFalse(reply.path("ok").asBoolean(true), "garbage must not succeed: " + reply);
                    String code = reply.path("error").path("code").asText();
                    assertTrue(List.of(ControlProtocol.BAD_REQUEST, ControlProtocol.UNSUPPORTED_VERSION).contains(code),
                            reply.toString());
                    errors++;
                }
                assertTrue(errors > 0, "random bytes produced no error reply for seed " + seed);
            }
        }
    }

    @Test
    void aFiveMebibyteLineIsRefusedAsTooLargeAndTheConnectionStaysUsable() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            byte[] huge = new byte[5 * 1024 * 1024 + 1];
            byte[] prefix = "{\"v\":1,\"id\":\"big\",\"op\":\"echo\",\"args\":{\"s\":\"".getBytes(StandardCharsets.US_ASCII);
            Arrays.fill(huge, (byte) 'a');
            System.arraycopy(prefix, 0, huge, 0, prefix.length);
            huge[huge.length - 3] = '"';
            huge[huge.length - 2] = '}';
            huge[huge.length - 1] = '\n';
            raw.sendBytes(huge);
            JsonNode reply = raw.next();
            assertError(reply, ControlProtocol.TOO_LARGE);
            assertTrue(reply.path("error").path("message").asText().contains(String.valueOf(ControlProtocol.MAX_REQUEST_BYTES)));
            assertUsable(raw, "after-huge");

            // Twice more: skipping must not accumulate anything per oversized line.
            for (int i = 0; i < 2; i++) {
                raw.sendBytes(huge);
                assertError(raw.next(), ControlProtocol.TOO_LARGE);
            }
            assertUsable(raw, "after-more-huge");
        }
    }

    @Test
    void tenThousandLevelsOfNestingAreABadRequestNotACrash() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            String deepArgs = "{\"v\":1,\"id\":\"deep\",\"op\":\"echo\",\"args\":{\"x\":"
                    + "[".repeat(10_000) + "]".repeat(10_000) + "}}";
            JsonNode reply = raw.request(deepArgs);
            assertError(reply, ControlProtocol.BAD_REQUEST);
            assertTrue(reply.path("error").path("message").asText().contains("nesting"), reply.toString());

            reply = raw.request("{\"a\":".repeat(10_000));
            assertError(reply, ControlProtocol.BAD_REQUEST);

            String withinLimit = "{\"v\":1,\"id\":\"ok\",\"op\":\"echo\",\"args\":{\"x\":"
                    + "[".repeat(20) + "]".repeat(20) + "}}";
            assertTrue(raw.request(withinLimit).path("ok").asBoolean());
            assertUsable(raw, "after-deep");
        }
    }

    @Test
    void illTypedFieldsAreBadRequestsEchoingTheIdWhenItIsUsable() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            JsonNode reply = raw.request("{\"v\":1,\"id\":{\"x\":1},\"op\":\"echo\"}");
            assertError(reply, ControlProtocol.BAD_REQUEST);
            assertTrue(reply.path("id").isNull(), reply.toString());
            assertTrue(reply.path("error").path("message").asText().contains("\"id\""), reply.toString());

            reply = raw.request("{\"v\":1,\"op\":\"echo\"}");
            assertError(reply, ControlProtocol.BAD_REQUEST);

            reply = raw.request("{\"v\":1,\"id\":\"op-number\",\"op\":5}");
            assertError(reply, ControlProtocol.BAD_REQUEST);
            assertEquals("op-number", reply.path("id").asText());
            assertTrue(reply.path("error").path("message").asText().contains("\"op\""), reply.toString());

            reply = raw.request("{\"v\":1,\"id\":3,\"args\":{}}");
            assertError(reply, ControlProtocol.BAD_REQUEST);
            assertEquals(3, reply.path("id").asInt());

            reply = raw.request("{\"v\":1,\"id\":\"args-array\",\"op\":\"echo\",\"args\":[1]}");
            assertError(reply, ControlProtocol.BAD_REQUEST);
            assertEquals("args-array", reply.path("id").asText());
            assertTrue(reply.path("error").path("message").asText().contains("\"args\""), reply.toString());

            assertUsable(raw, "after-types");
        }
    }

    @Test
    void missingOrUnknownVersionIsUnsupportedAndNamesTheSupportedOnes() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            for (String bad : List.of("{\"id\":\"nov\",\"op\":\"echo\"}", "{\"v\":2,\"id\":\"nov\",\"op\":\"echo\"}",
                    "{\"v\":\"1\",\"id\":\"nov\",\"op\":\"echo\"}", "{\"v\":1.5,\"id\":\"nov\",\"op\":\"echo\"}")) {
                JsonNode reply = raw.request(bad);
                assertError(reply, ControlProtocol.UNSUPPORTED_VERSION);
                assertEquals("nov", reply.path("id").asText(), reply.toString());
                assertTrue(reply.path("error").path("message").asText().contains("[1]"), reply.toString());
            }
            assertUsable(raw, "after-versions");
        }
    }

    @Test
    void aHandlerFailureIsLoggedWithItsStackButRepliedWithoutItsText() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ServerSession.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (RawConnection raw = RawConnection.open(socket)) {
            JsonNode reply = raw.request("{\"v\":1,\"id\":\"b\",\"op\":\"boom\"}");
            assertError(reply, ControlProtocol.INTERNAL);
            assertEquals("b", reply.path("id").asText());
            assertFalse(reply.toString().contains(TestHandler.SECRET), reply.toString());
            assertFalse(reply.toString().contains("IllegalStateException"), reply.toString());
            assertUsable(raw, "after-boom");
        } finally {
            logger.detachAppender(logged);
        }
        assertTrue(logged.list.stream().anyMatch(event -> event.getThrowableProxy() != null
                && event.getThrowableProxy().getMessage().contains(TestHandler.SECRET)
                && event.getThrowableProxy().getStackTraceElementProxyArray().length > 0),
                "the failure is in the engine log with its stack trace");
    }

    @Test
    void aHalfClosedClientStillGetsItsReplies() throws Exception {
        try (RawConnection raw = RawConnection.open(socket)) {
            raw.send("{\"v\":1,\"id\":\"h1\",\"op\":\"echo\"}\n{\"v\":1,\"id\":\"h2\",\"op\":\"echo\"}");
            raw.channel.shutdownOutput();
            assertEquals("h1", raw.next().path("id").asText());
            assertEquals("h2", raw.next().path("id").asText());
            assertTrue(raw.awaitEof(5_000), "the server closes once the replies are out");
        }
        await(() -> server.connectionCount() == 0, "the half-closed session is gone");
    }

    @Test
    void socketIsOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    void aStaleSocketFileFromADeadServerIsReplacedOnStart() throws Exception {
        server.close();
        Path stale = temp.resolve("stale/control.sock");
        Files.createDirectories(stale.getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale), "closing a Unix server socket leaves its file behind");

        try (ControlServer replacement = new ControlServer(stale, handler);
                RawConnection raw = startAndConnect(replacement)) {
            assertUsable(raw, "on-replacement");
        }
        assertFalse(Files.exists(stale), "close() removes the socket file");
    }

    private static RawConnection startAndConnect(ControlServer server) throws Exception {
        server.start();
        return RawConnection.open(server.socketPath());
    }

    @Test
    void connectionsBeyondTheLimitArePolitelyRefused() throws Exception {
        server.close();
        Path limited = temp.resolve("limited/control.sock");
        try (ControlServer small = new ControlServer(limited, handler, new ControlServer.Limits(2, 1024, 1 << 20))) {
            small.start();
            RawConnection first = RawConnection.open(limited);
            RawConnection second = RawConnection.open(limited);
            assertUsable(first, "first");
            assertUsable(second, "second");
            try (RawConnection third = RawConnection.open(limited)) {
                JsonNode refusal = third.next();
                assertError(refusal, ControlProtocol.TOO_MANY_CONNECTIONS);
                assertTrue(refusal.path("id").isNull());
                assertTrue(third.awaitEof(5_000), "the refused connection is closed");
            }
            assertUsable(first, "first-still");

            first.close();
            await(() -> small.connectionCount() == 1, "the closed connection is forgotten");
            try (RawConnection fourth = RawConnection.open(limited)) {
                assertUsable(fourth, "fourth");
            }
            second.close();
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedWithoutStallingOthersOrTheHandler() throws Exception {
        server.close();
        Path path = temp.resolve("slow/control.sock");
        TestHandler events = new TestHandler();
        try (ControlServer small = new ControlServer(path, events, new ControlServer.Limits(8, 16, 1 << 20));
                SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX);
                ControlClient reader = startAndConnectClient(small)) {
            silent.connect(UnixDomainSocketAddress.of(path));
            silent.write(ByteBuffer.wrap("{\"v\":1,\"id\":1,\"op\":\"subscribe\"}\n".getBytes(StandardCharsets.UTF_8)));
            await(() -> events.subscribers.size() == 1, "the silent client subscribed");

            List<Integer> received = new ArrayList<>();
            reader.onEvent((name, data) -> {
                synchronized (received) {
                    received.add(data.path("seq").asInt());
                }
            });
            reader.call("subscribe", null, Duration.ofSeconds(5));
            assertEquals(2, events.subscribers.size());

            String padding = "p".repeat(8 * 1024);
            int sent = 0;
            while (events.closedSubscribers.get() == 0) {
                assertTrue(sent < 10_000, "the silent client was never dropped");
                // Each publish returns only after the handler ran: a blocked handler fails this call.
                reader.call("publish", TestHandler.args("seq", sent, "padding", padding), Duration.ofSeconds(5));
                int expected = ++sent;
                await(() -> {
                    synchronized (received) {
                        return received.size() == expected;
                    }
                }, "the reading client got event " + (expected - 1));
            }
            assertEquals(1, events.subscribers.size(), "only the reading client is still subscribed");
            await(() -> small.connectionCount() == 1, "the silent client's connection is gone");

            for (int i = 0; i < 20; i++) {
                reader.call("publish", TestHandler.args("seq", sent++), Duration.ofSeconds(5));
            }
            int total = sent;
            await(() -> {
                synchronized (received) {
                    return received.size() == total;
                }
            }, "the reading client got every event");
            synchronized (received) {
                for (int i = 0; i < total; i++) {
                    assertEquals(i, received.get(i), "events arrive in order");
                }
            }
        }
    }

    private static ControlClient startAndConnectClient(ControlServer server) throws Exception {
        server.start();
        return ControlClient.connect(server.socketPath(), Duration.ofSeconds(1));
    }
}
