package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.ParseOutcome;
import dev.nexus.services.connect.ConnectTimer;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.connect.GatewayClient;
import dev.nexus.services.connect.GatewayError;
import dev.nexus.services.connect.ShutdownNotice;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.ControlServer;
import dev.nexus.services.control.ControlSession;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.daemon.EngineLock;
import dev.nexus.services.engine.UnknownServiceException;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.PrivateDirs;
import dev.nexus.services.support.Quoted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One quick regression test per fault the reliability suite found, so that each stays fixed without running
 * the fuzzers or the launcher ITs (docs/RELIABILITY.md lists the faults and how they were found).
 */
class ReliabilityFindingsRegressionTest {
    @TempDir
    Path temp;

    private ParseOutcome parse(String text) {
        return new CatalogCodec(new NexusPaths(temp)).parse(text, "services.json");
    }

    private static String service(String fields) {
        return "{\"version\": 1, \"services\": [{\"name\": \"svc\", \"command\": [\"true\"], " + fields + "}]}";
    }

    private static void assertOneCleanLine(List<CatalogProblem> problems) {
        assertFalse(problems.isEmpty());
        for (CatalogProblem p : problems) {
            String shown = p.toString();
            assertTrue(shown.length() < 500, "one readable line, not the whole value: " + shown.length() + " chars");
            assertTrue(shown.chars().noneMatch(Character::isISOControl), "no raw control characters: " + shown);
        }
    }

    /** Fuzz catalog: a 10 000-character duration was echoed whole in the error (and in the engine log). */
    @Test
    void aHugeValueIsClippedInTheProblem() {
        for (String field : List.of("\"stopTimeout\": \"10s" + "[".repeat(10_000) + "\"",
                "\"kind\": \"" + "d".repeat(10_000) + "\"",
                "\"manager\": \"" + "m".repeat(10_000) + "\"",
                "\"restart\": {\"policy\": \"" + "p".repeat(10_000) + "\"}",
                "\"log\": {\"maxSize\": \"" + "9".repeat(10_000) + "\"}",
                "\"dependsOn\": [\"" + "x".repeat(10_000) + "\"]",
                "\"env\": {\"" + "1".repeat(10_000) + "\": \"v\"}",
                "\"probes\": {\"liveness\": {\"type\": \"" + "t".repeat(10_000) + "\"}}")) {
            ParseOutcome outcome = parse(service(field));
            assertFalse(outcome.ok(), field.substring(0, 20));
            assertOneCleanLine(outcome.errors());
            assertTrue(outcome.errors().get(0).message().contains("..."), outcome.errors().get(0).message());
        }
    }

    /** Fuzz catalog: an unknown field's name went raw into the warning, terminal escapes included. */
    @Test
    void anUnknownFieldNameIsEscapedAndClippedInTheWarning() {
        ParseOutcome outcome = parse(service("\"\\u001b[2J\\u009b31m" + "k".repeat(5_000) + "\": 1"));
        assertTrue(outcome.ok(), outcome.problems().toString());
        assertOneCleanLine(outcome.warnings());
        assertTrue(outcome.warnings().get(0).message().contains("\\u001b[2J"), outcome.warnings().get(0).message());
    }

    /** Fuzz catalog: a syntax error quoted the offending token raw, control characters included. */
    @Test
    void aSyntaxErrorShowsTheTokenEscaped() {
        ParseOutcome outcome = parse("{\"version\": 1, \"services\": [w\u0085\u001b[2J" + "x".repeat(1_000) + "]}");
        assertOneCleanLine(outcome.errors());
        assertTrue(outcome.errors().get(0).message().contains("unrecognized token"), outcome.errors().get(0).message());
    }

    /** Fuzz catalog: JSON quoting left DEL and C1 control characters of a value raw in the message. */
    @Test
    void controlCharactersJsonLeavesAloneAreEscaped() {
        ParseOutcome outcome = parse(service("\"kind\": \"daemon\\u007f\\u009b\""));
        assertOneCleanLine(outcome.errors());
        assertEquals("\"a\\u007fb\\u009bc\"", Quoted.of("a\u007fb\u009bc"));
        assertEquals("\"" + "x".repeat(Quoted.MAX_CHARS - 3) + "...\"", Quoted.of("x".repeat(1000)));
        assertEquals("\"gateway\"", Quoted.of("gateway"), "ordinary values read as before");
    }

    /** Fuzz control frames: an unknown op or service name came back whole in the error message. */
    @Test
    void unknownOpsAndServicesAreQuotedClippedInTheError() {
        ControlSession session = new ControlSession() {
            @Override
            public void sendEvent(String name, JsonNode data) {
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void onClose(Runnable action) {
            }
        };
        String op = "start" + "[".repeat(5_000) + "\u001b[2J";
        // An unknown op is refused before the engine is asked anything.
        ControlException unknownOp = org.junit.jupiter.api.Assertions.assertThrows(ControlException.class,
                () -> new EngineControlHandler(null, () -> { }).handle(op, Json.MAPPER.createObjectNode(), session));
        assertEquals("unknown_op", unknownOp.code());
        assertTrue(unknownOp.getMessage().length() < 400, unknownOp.getMessage());
        assertTrue(unknownOp.getMessage().chars().noneMatch(Character::isISOControl), unknownOp.getMessage());

        String many = new UnknownServiceException(java.util.Collections.nCopies(1_000, "x".repeat(1_000)),
                List.of("gateway", "cloud")).getMessage();
        assertTrue(many.length() < 1_500 && many.contains("and 990 more") && many.endsWith("(known: gateway, cloud)"), many);
        assertEquals("unknown service \"clod\" (known: gateway, cloud)",
                new UnknownServiceException(List.of("clod"), List.of("gateway", "cloud")).getMessage());
    }

    /** Fuzz control frames: an id of 1e400 was echoed back as the string "Infinity", not as sent. */
    @Test
    void anIdThatCannotBeEchoedUnchangedIsRefused() throws Exception {
        Path socket = temp.resolve("run/control.sock");
        try (ControlServer server = new ControlServer(socket, (op, args, s) -> Json.MAPPER.createObjectNode())) {
            server.start();
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                String requests = "{\"v\":1,\"id\":1e400,\"op\":\"hello\"}\n{\"v\":1,\"id\":-1e999,\"op\":\"hello\"}\n"
                        + "{\"v\":1,\"id\":12345678901234567890123,\"op\":\"hello\"}\n{\"v\":1,\"id\":2.5,\"op\":\"hello\"}\n";
                channel.write(ByteBuffer.wrap(requests.getBytes(StandardCharsets.UTF_8)));
                channel.shutdownOutput();
                List<JsonNode> replies = readLines(channel);
                assertEquals(4, replies.size(), replies.toString());
                for (JsonNode refused : replies.subList(0, 2)) {
                    assertTrue(refused.path("id").isNull(), refused.toString());
                    assertEquals("bad_request", refused.path("error").path("code").asText(), refused.toString());
                }
                assertEquals("12345678901234567890123", replies.get(2).path("id").asText(), "a big integer id is exact");
                assertEquals(2.5, replies.get(3).path("id").asDouble());
                assertTrue(replies.get(3).path("ok").asBoolean(), replies.get(3).toString());
            }
        }
    }

    private static List<JsonNode> readLines(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        Channels.newInputStream(channel).transferTo(all);
        List<JsonNode> replies = new java.util.ArrayList<>();
        for (String line : all.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                replies.add(Json.MAPPER.readTree(line));
            }
        }
        return replies;
    }

    /**
     * Fuzz gateway frames: a hello-ok announcing a tick interval of Long.MAX_VALUE ms overflowed arming the
     * heartbeat timer; the session was then neither up nor down and the client stayed "connecting" for good.
     */
    @Test
    void aHugeTickIntervalStillGivesAConnectedSession() throws Exception {
        for (long tick : new long[] {Long.MAX_VALUE, 4_611_686_018_427_387L}) {
            ObjectNode hello = Json.MAPPER.createObjectNode().put("type", "res").put("id", "c1").put("ok", true);
            hello.putObject("payload").put("type", "hello-ok").put("protocol", 3).putObject("policy")
                    .put("tickIntervalMs", tick);
            ObjectNode challenge = Json.MAPPER.createObjectNode().put("type", "event").put("event", "connect.challenge");
            challenge.putObject("payload").put("nonce", "n-1");
            try (HostileGateway gateway = new HostileGateway(i -> new HostileGateway.Script(i, "huge tick", List.of(
                    conn -> conn.json(challenge), conn -> conn.awaitRequest("connect", 5_000), conn -> conn.json(hello)),
                    HostileGateway.End.HOLD))) {
                GatewayClient client = GatewayClient.builder(URI.create(gateway.url()))
                        .connectTimeout(Duration.ofSeconds(2)).build();
                try {
                    client.start();
                    Deadline.until("the client is connected despite a tick interval of " + tick + " ms",
                            Duration.ofSeconds(10), () -> client.status().connection().connected());
                    assertEquals(Duration.ofHours(1), client.status().hello().tickInterval(),
                            "an interval of years would never notice a dead session");
                } finally {
                    client.close();
                }
            }
        }
        // And a timer asked for a delay that Duration.toNanos cannot hold does not throw.
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        try {
            ConnectTimer.of(scheduler).schedule(Duration.ofSeconds(Long.MAX_VALUE / 2), () -> { }).cancel();
            assertEquals(Long.MAX_VALUE, ConnectTimer.nanos(Duration.ofDays(400_000_000)));
            assertEquals(0, ConnectTimer.nanos(Duration.ofMillis(-5)));
            assertEquals(1_500_000_000L, ConnectTimer.nanos(Duration.ofMillis(1_500)));
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** Fuzz gateway frames: the gateway's own words (errors, shutdown reasons) went into status lines whole and raw. */
    @Test
    void whatTheGatewaySaysIsEscapedAndClipped() throws Exception {
        JsonNode error = Json.MAPPER.readTree("{\"code\":\"AUTH_\\u001b[2J" + "C".repeat(500) + "\",\"message\":\""
                + "m".repeat(5_000) + "\\u009b\"}");
        String described = GatewayError.parse(error).describe();
        assertTrue(described.length() < 500, described.length() + " chars");
        assertTrue(described.chars().noneMatch(Character::isISOControl), described);
        assertEquals(Drop.Problem.CREDENTIALS, GatewayError.parse(error).problem(),
                "the code still decides what the user must fix");
        String reason = new ShutdownNotice("update\u001b]0;pwned\u0007" + "r".repeat(50_000), Duration.ofSeconds(1),
                Instant.EPOCH).describe();
        assertTrue(reason.startsWith("gateway restarting (update\\u001b]0;pwned\\u0007") && reason.length() < 300, reason);
        assertEquals("gateway restarting (config changed)",
                new ShutdownNotice("config changed", Duration.ofSeconds(1), Instant.EPOCH).describe(),
                "ordinary reasons read as before");
    }

    /** Control socket: a lock planted as a symlink (in a run dir left world-writable) was followed and overwritten. */
    @Test
    void theEngineLockNeverWritesThroughASymlink() throws Exception {
        Path run = Files.createDirectories(temp.resolve("run"));
        Path victim = Files.writeString(temp.resolve("victim"), "precious\n");
        Files.createSymbolicLink(run.resolve("engine.lock"), victim);
        try (EngineLock lock = EngineLock.tryAcquire(run.resolve("engine.lock")).orElseThrow()) {
            assertEquals("precious\n", Files.readString(victim));
            assertFalse(Files.isSymbolicLink(run.resolve("engine.lock")));
            assertEquals(ProcessHandle.current().pid(), EngineLock.holderPid(run.resolve("engine.lock")).orElseThrow());
        }
    }

    /**
     * Control socket: a run dir that another user had made a symlink was followed (chmod'ed, and the socket
     * made, wherever it led). One's own symlink to one's own directory is still followed.
     */
    @Test
    void aSymlinkedPrivateDirIsFollowedOnlyWhenItIsAllOurs() throws Exception {
        Path mine = Files.createDirectories(temp.resolve("mine"));
        Path dir = temp.resolve("state/run");
        Files.createDirectories(dir.getParent());
        Files.createSymbolicLink(dir, mine);
        PrivateDirs.create(dir);
        assertTrue(Files.isSymbolicLink(dir), "our own link to our own directory is kept");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)));

        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "a symlink of another user needs root to make");
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path planted = temp.resolve("state/logs");
        Files.createSymbolicLink(planted, elsewhere);
        java.nio.file.attribute.UserPrincipal nobody = planted.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName("nobody");
        Files.getFileAttributeView(planted, java.nio.file.attribute.PosixFileAttributeView.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
        PrivateDirs.create(planted);
        assertFalse(Files.isSymbolicLink(planted), "another user's link is replaced by a directory of our own");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(planted)));
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(elsewhere)), "left alone");
        try (var aside = Files.list(planted.getParent())) {
            assertEquals(1, aside.filter(p -> p.getFileName().toString().startsWith("logs.untrusted-")).count());
        }
    }

    /** Control socket: a run dir left writable by others was only chmod'ed; what others planted in it stayed. */
    @Test
    void aLoosePrivateDirIsTightenedAndClearedOfPlantedLinks() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("loose"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path own = Files.writeString(dir.resolve("children.json"), "{}");
        Files.createSymbolicLink(dir.resolve("credentials.key"), temp.resolve("attacker-key"));
        PrivateDirs.create(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Files.exists(own), "our own entries stay (child records: services must still be adopted)");
        assertFalse(Files.exists(dir.resolve("credentials.key"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "a planted symlink is removed");
    }

    /** Control socket: the CLI talked to whatever listened at the socket path, another user's impostor included. */
    @Test
    void aSocketOfAnotherUserIsNotTalkedTo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "giving a socket to another owner needs root");
        Path socket = temp.resolve("run/control.sock");
        try (ControlServer server = new ControlServer(socket, (op, args, s) -> Json.MAPPER.createObjectNode())) {
            server.start();
            Files.setOwner(socket, socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            java.nio.file.AccessDeniedException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.nio.file.AccessDeniedException.class, () -> ControlClient.connect(socket, Duration.ofSeconds(2)));
            assertTrue(refused.getMessage().contains("not your engine"), refused.getMessage());
        }
    }
}
