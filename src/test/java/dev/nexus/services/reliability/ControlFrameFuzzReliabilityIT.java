package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlProtocol;
import dev.nexus.services.control.ControlServer;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the control socket: a real {@link ControlServer} with the real {@link EngineControlHandler} over
 * a real {@link Engine} (cheap {@code sleep} daemons and a job), and clients on the real Unix socket sending
 * valid requests, mutated ones (wrong types, missing fields, deep nesting, huge numbers), truncated and
 * binary lines, invalid UTF-8, oversized lines, all pipelined in random chunks, from several connections at
 * once; some connections drop mid-line, some never read, and a crowd tries to exceed the connection limit.
 * Every line gets exactly one reply, in order, never {@code internal}; every connection ends cleanly; a
 * well-behaved client is served throughout; no thread, socket or process is left behind.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ControlFrameFuzzReliabilityIT {
    private static final String SCENARIO = "fuzz-control-frames";
    private static final Duration CONNECTION_DEADLINE = Duration.ofSeconds(60);
    private static final Duration GOOD_CLIENT_DEADLINE = Duration.ofSeconds(10);
    private static final int PARALLEL_CONNECTIONS = 4;
    private static final List<String> OPS = List.of("hello", "snapshot", "start", "stop", "restart", "up", "down",
            "reload", "probe", "logs", "credentials", "credential", "subscribe", "shutdown", "echo", "", "SNAPSHOT");
    private static final List<String> NAMES = List.of("alpha", "beta", "chore", "idle", "nowhere", "", "ALPHA");
    private static final List<String> FIELD_NAMES = List.of("v", "id", "op", "args", "services", "all", "service",
            "lines", "stderr", "name", "reveal");

    @TempDir
    Path temp;

    /** What one connection sent and what it must get back. */
    /** @param expectedIds one per non-blank line as the server splits the bytes: the frames to judge */
    private record Batch(byte[] bytes, List<JsonNode> expectedIds, int oversized, int binaryLines) {
    }

    @Test
    void malformedFramesGetRepliesAndNeverDisturbTheEngineOrOtherClients() throws Exception {
        int frameTarget = ReliabilityMode.current().pick(10_000, 100_000);
        long base = FuzzRandom.baseSeed(SCENARIO);
        Long replay = FuzzRandom.replaySeed();
        Path root = Files.createDirectories(temp.resolve("r"));
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DBUS_SESSION_BUS_ADDRESS"); // the encrypted file under the test root, never a real keyring
        env.put(NexusPaths.ROOT_VARIABLE, root.toString());
        quiet(Level.ERROR, "dev.nexus.services.control", "dev.nexus.services.engine", "dev.nexus.services.catalog");
        AtomicInteger shutdownsAsked = new AtomicInteger();
        Engine engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(base), env));
        ControlServer server = new ControlServer(paths.controlSocket(),
                new EngineControlHandler(engine, shutdownsAsked::incrementAndGet));
        try {
            ScenarioFigures.run(SCENARIO, figures -> {
                figures.put("baseSeed", base);
                server.start();
                int threadsBefore = controlThreads();
                long fdsBefore = openFds();
                Stats stats = new Stats();
                GoodClient good = new GoodClient(paths.controlSocket());
                good.start();
                long started = System.nanoTime();
                FuzzFailures failures = new FuzzFailures(SCENARIO);
                if (replay != null) {
                    runConnection(paths.controlSocket(), replay, stats);
                } else {
                    crowd(paths.controlSocket(), stats);
                    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_CONNECTIONS);
                    AtomicInteger next = new AtomicInteger();
                    List<Future<?>> workers = new ArrayList<>();
                    for (int w = 0; w < PARALLEL_CONNECTIONS; w++) {
                        workers.add(pool.submit(() -> {
                            while (stats.frames.get() < frameTarget) {
                                long seed = FuzzRandom.caseSeed(base, next.getAndIncrement());
                                try {
                                    runConnection(paths.controlSocket(), seed, stats);
                                } catch (AssertionError e) {
                                    synchronized (failures) {
                                        failures.add(e);
                                    }
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> worker : workers) {
                        worker.get();
                    }
                    pool.shutdown();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                good.stop();
                failures.rethrow();

                // The well-behaved client was served the whole time, and still is.
                assertEquals(List.of(), good.failures, "the well-behaved client was refused or kept waiting");
                assertTrue(good.calls.get() > 10, "the well-behaved client made calls: " + good.calls);
                try (ControlClient after = ControlClient.connect(paths.controlSocket(), Duration.ofSeconds(5))) {
                    assertEquals(ControlProtocol.VERSION, after.call("hello", null, Duration.ofSeconds(5)).path("protocol").asInt());
                }
                // Every connection ended and took its threads and socket with it; with the services stopped the
                // engine holds no more descriptors than before.
                engine.down().get(60, TimeUnit.SECONDS);
                Deadline.until("every fuzz connection is gone", Duration.ofSeconds(30), () -> server.connectionCount() == 0);
                Deadline.until("the control threads are back to " + threadsBefore, Duration.ofSeconds(30),
                        () -> controlThreads() <= threadsBefore);
                long fdsAfter = openFds();
                figures.put("frames", stats.frames.get()).put("connections", stats.connections.get())
                        .put("replies", stats.replies.get()).put("errorReplies", stats.errorReplies.get())
                        .put("okReplies", stats.replies.get() - stats.errorReplies.get())
                        .put("oversizedLines", stats.oversized.get()).put("binaryLines", stats.binaryLines.get())
                        .put("droppedMidLine", stats.abrupt.get()).put("nonReadersDisconnected", stats.nonReaders.get())
                        .put("unreadRequestsBeforeDisconnect", stats.unreadRequests.get())
                        .put("refusedOverLimit", stats.refused.get()).put("shutdownRequests", shutdownsAsked.get())
                        .put("goodClientCalls", good.calls.get()).put("goodClientMaxMs", good.maxNanos.get() / 1e6)
                        .put("fdsBefore", fdsBefore).put("fdsAfter", fdsAfter).put("framesPerSecond", stats.frames.get() / seconds)
                        .put("fuzzSeconds", seconds);
                figures.putJson("errorCodes", new TreeMap<>(stats.codes));
                assertTrue(fdsAfter <= fdsBefore + 4, "file descriptors leaked: " + fdsBefore + " before, " + fdsAfter + " after");
                assertTrue(replay != null || stats.frames.get() >= frameTarget, "sent " + stats.frames + " frames");
                assertTrue(replay != null || stats.refused.get() > 0, "the connection limit was reached and enforced");
            });
        } finally {
            server.close();
            try {
                engine.down().get(60, TimeUnit.SECONDS);
            } finally {
                engine.close();
                killLeftovers();
            }
        }
    }

    // ---- the engine under test -------------------------------------------------------------------------

    /** Cheap real services: sleep processes (each with its own number, so /proc tells them apart) and a job. */
    private static void writeCatalog(NexusPaths paths) throws IOException {
        ObjectNode catalog = Json.MAPPER.createObjectNode().put("version", 1);
        ArrayNode services = catalog.putArray("services");
        services.add(sleeper("alpha", 971_001));
        ObjectNode beta = sleeper("beta", 971_002);
        beta.putArray("dependsOn").add("alpha");
        services.add(beta);
        ObjectNode job = services.addObject().put("name", "chore").put("kind", "job");
        job.putArray("command").add("true");
        job.putObject("schedule").put("every", "1h").put("timeout", "10s");
        services.add(sleeper("idle", 971_003).put("enabled", false));
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), catalog.toPrettyString());
    }

    private static ObjectNode sleeper(String name, int marker) {
        ObjectNode s = Json.MAPPER.createObjectNode().put("name", name).put("kind", "daemon");
        s.putArray("command").add("sleep").add(Integer.toString(marker));
        s.putObject("probes").putObject("liveness").put("type", "process").put("period", "500ms");
        s.putObject("restart").put("initialDelay", "100ms").put("maxDelay", "1s");
        s.put("stopTimeout", "2s");
        return s;
    }

    private static void killLeftovers() {
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").matches("sleep 97100[123]"))
                .forEach(ProcessHandle::destroyForcibly);
    }

    // ---- one fuzz connection -----------------------------------------------------------------------------

    static final class Stats {
        /** Lines the server had to judge, each checked for its one reply. */
        final AtomicLong frames = new AtomicLong();
        final AtomicLong replies = new AtomicLong();
        final AtomicLong errorReplies = new AtomicLong();
        final AtomicLong oversized = new AtomicLong();
        final AtomicLong binaryLines = new AtomicLong();
        /** Requests of the clients that never read: not fuzz cases, so not counted in {@link #frames}. */
        final AtomicLong unreadRequests = new AtomicLong();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger abrupt = new AtomicInteger();
        final AtomicInteger nonReaders = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final Map<String, Integer> codes = new ConcurrentHashMap<>();
    }

    private void runConnection(Path socket, long seed, Stats stats) throws Exception {
        FuzzRandom r = new FuzzRandom(seed);
        String where = FuzzRandom.replayHint(seed);
        int mode = r.nextInt(100);
        stats.connections.incrementAndGet();
        if (mode < 4) {
            droppedMidLine(socket, r, stats, where);
        } else if (mode < 5) {
            neverReads(socket, r, stats, where);
        } else {
            wellFramed(socket, r, stats, where);
        }
    }

    /** Frames, pipelined in random chunks; every line gets its one reply in order, then a clean close. */
    private void wellFramed(Path socket, FuzzRandom r, Stats stats, String where) throws Exception {
        Batch batch = batch(r, r.between(1, 80));
        try (Raw raw = Raw.open(socket)) {
            Future<?> sending = raw.sendInChunks(batch.bytes(), r);
            for (int i = 0; i < batch.expectedIds().size(); i++) {
                JsonNode reply = raw.nextReply(CONNECTION_DEADLINE);
                if (reply == null) {
                    throw new AssertionError("reply " + (i + 1) + " of " + batch.expectedIds().size()
                            + " did not come within " + CONNECTION_DEADLINE.toSeconds() + " s (or the engine hung up): "
                            + where);
                }
                checkReply(reply, batch.expectedIds().get(i), stats, where);
            }
            sending.get(CONNECTION_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            raw.channel.shutdownOutput();
            JsonNode extra = raw.nextReply(CONNECTION_DEADLINE);
            if (extra != null) {
                throw new AssertionError("a reply more than lines sent: " + extra + "; " + where);
            }
            assertTrue(raw.closedByPeer(), "the engine closes the connection after the last reply: " + where);
        }
        stats.frames.addAndGet(batch.expectedIds().size());
        stats.oversized.addAndGet(batch.oversized());
        stats.binaryLines.addAndGet(batch.binaryLines());
    }

    /** Half a line, then the socket is gone: the server must just forget the client. */
    private void droppedMidLine(Path socket, FuzzRandom r, Stats stats, String where) throws Exception {
        Batch batch = batch(r, r.between(1, 20));
        byte[] half = Arrays.copyOf(batch.bytes(), Math.max(1, r.nextInt(batch.bytes().length)));
        try (Raw raw = Raw.open(socket)) {
            raw.sendInChunks(half, r).get(CONNECTION_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // The server may already have answered and closed (a too_large line): that is its right.
        }
        stats.abrupt.incrementAndGet();
    }

    /**
     * Asks for replies and never reads them: the engine must drop this client rather than buffer for it.
     * Requests go out until the engine hangs up (a write fails), which must happen long before the cap.
     */
    private void neverReads(Path socket, FuzzRandom r, Stats stats, String where) throws Exception {
        int cap = 20_000;
        int sent = 0;
        boolean droppedWhileSending = false;
        try (Raw raw = Raw.open(socket, false)) {
            long deadline = System.nanoTime() + CONNECTION_DEADLINE.toNanos();
            try {
                while (sent < cap && System.nanoTime() < deadline) {
                    StringBuilder chunk = new StringBuilder();
                    for (int i = 0; i < 100; i++, sent++) {
                        chunk.append("{\"v\":1,\"id\":").append(sent).append(",\"op\":\"snapshot\"}\n");
                    }
                    raw.send(chunk.toString().getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                droppedWhileSending = true; // broken pipe: the engine hung up, as it should
            }
            assertTrue(droppedWhileSending, "a client that never reads is disconnected; " + sent
                    + " requests went out unread: " + where);
            raw.startReading();
            int got = 0;
            while (raw.nextReply(CONNECTION_DEADLINE) != null) {
                got++;
            }
            assertTrue(raw.closedByPeer(), "the connection ends after what was already sent: " + where);
            assertTrue(got < sent, "the engine did not buffer without bound: " + got + " of " + sent + "; " + where);
        }
        stats.nonReaders.incrementAndGet();
        stats.unreadRequests.addAndGet(sent);
    }

    /** More clients than the limit at once: the extra ones are told so and closed, the rest served. */
    private void crowd(Path socket, Stats stats) throws Exception {
        List<Raw> crowd = new ArrayList<>();
        try {
            for (int i = 0; i < ControlServer.Limits.defaults().maxConnections() + 6; i++) {
                crowd.add(Raw.open(socket));
            }
            int refused = 0;
            int served = 0;
            for (Raw raw : crowd) {
                raw.send("{\"v\":1,\"id\":\"crowd\",\"op\":\"hello\"}\n".getBytes(StandardCharsets.UTF_8));
            }
            for (Raw raw : crowd) {
                JsonNode reply = raw.nextReply(CONNECTION_DEADLINE);
                assertTrue(reply != null, "every crowd member hears something");
                if ("too_many_connections".equals(reply.path("error").path("code").asText())) {
                    assertTrue(reply.path("id").isNull(), reply.toString());
                    refused++;
                } else {
                    assertEquals("crowd", reply.path("id").asText(), reply.toString());
                    served++;
                }
            }
            stats.refused.addAndGet(refused);
            assertTrue(refused >= 6 && served >= ControlServer.Limits.defaults().maxConnections() - 2,
                    "served " + served + ", refused " + refused);
        } finally {
            for (Raw raw : crowd) {
                raw.close();
            }
        }
    }

    private void checkReply(JsonNode reply, JsonNode expectedId, Stats stats, String where) {
        stats.replies.incrementAndGet();
        assertEquals(1, reply.path("v").asInt(), "every reply says v=1: " + reply + "; " + where);
        assertTrue(reply.path("ok").isBoolean(), "every reply says ok: " + reply + "; " + where);
        if (expectedId.isTextual() && expectedId.textValue().equals("oversized")) {
            assertEquals(ControlProtocol.TOO_LARGE, reply.path("error").path("code").asText(), reply + "; " + where);
            assertTrue(reply.path("id").isNull(), reply + "; " + where);
        } else {
            assertEquals(expectedId, reply.get("id"), "replies come back in request order with the request's id: "
                    + reply + "; " + where);
        }
        if (!reply.path("ok").booleanValue()) {
            stats.errorReplies.incrementAndGet();
            String code = reply.path("error").path("code").asText("");
            String message = reply.path("error").path("message").asText("");
            stats.codes.merge(code, 1, Integer::sum);
            assertTrue(!code.isEmpty() && !message.isEmpty(), "an error has a code and a message: " + reply + "; " + where);
            assertTrue(!code.equals(ControlProtocol.INTERNAL), "the engine failed inside an op (a crash, see the log): "
                    + reply + "; " + where);
            assertTrue(message.length() < 2_000, "an error message is one readable line, not an echo: "
                    + message.length() + " chars: " + clip(message) + "; " + where);
        }
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    // ---- frames ------------------------------------------------------------------------------------------

    private Batch batch(FuzzRandom r, int lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonMutator mutator = new JsonMutator(FIELD_NAMES);
        int oversized = 0;
        int binary = 0;
        for (int i = 0; i < lines; i++) {
            int kind = r.nextInt(1000);
            byte[] line;
            if (kind < 350) {
                line = JsonMutator.toBytes(validRequest(r, i), false);
            } else if (kind < 650) {
                line = JsonMutator.toBytes(mutator.mutateTree(validRequest(r, i), r, r.between(1, 3)), false);
            } else if (kind < 850) {
                line = mutator.mutateBytes(JsonMutator.toBytes(validRequest(r, i), false), r, r.between(1, 3));
            } else if (kind < 930) {
                line = r.bytes(r.between(1, 300));
                binary++;
            } else if (kind < 960) {
                line = ("{\"v\":1,\"id\":" + i + ",\"op\":\"hello\",\"args\":" + "[".repeat(r.between(60, 50_000)))
                        .getBytes(StandardCharsets.US_ASCII);
            } else if (kind < 990) {
                line = new byte[0]; // blank, or only whitespace
                if (r.chance(0.5)) {
                    line = " \t\r".getBytes(StandardCharsets.US_ASCII);
                }
            } else if (kind < 993 && r.chance(0.3)) {
                line = new byte[ControlProtocol.MAX_REQUEST_BYTES + r.between(1, 100_000)];
                Arrays.fill(line, (byte) 'x');
            } else {
                line = ("{\"v\":1,\"id\":" + i + ",\"op\":\"hello\"}").getBytes(StandardCharsets.US_ASCII);
            }
            out.writeBytes(line);
            out.write(r.chance(0.05) ? '\r' : ' ');
            out.write('\n');
        }
        byte[] bytes = out.toByteArray();
        List<JsonNode> ids = expectedReplies(bytes);
        for (JsonNode id : ids) {
            if (id != null && id.isTextual() && id.textValue().equals("oversized")) {
                oversized++;
            }
        }
        return new Batch(bytes, ids, oversized, binary);
    }

    /** A request the engine should accept as a request: any op, plausible or odd arguments. */
    private JsonNode validRequest(FuzzRandom r, int index) {
        ObjectNode request = Json.MAPPER.createObjectNode().put("v", 1);
        if (r.chance(0.5)) {
            request.put("id", index);
        } else {
            request.put("id", "req-" + index);
        }
        String op = weighted(r);
        request.put("op", op);
        ObjectNode args = request.putObject("args");
        switch (op) {
            case "start", "stop", "restart" -> {
                if (r.chance(0.1)) {
                    args.put("all", true);
                } else {
                    ArrayNode names = args.putArray("services");
                    int n = r.between(0, 3);
                    for (int i = 0; i < n; i++) {
                        names.add(r.pick(NAMES));
                    }
                }
            }
            case "logs" -> args.put("service", r.pick(NAMES)).put("lines", r.between(-5, 12_000))
                    .put("stderr", r.chance(0.5));
            case "credential" -> args.put("name", r.oneOf("gateway/token", "a/b", "bad name", "", "x/y/z"))
                    .put("reveal", r.chance(0.2));
            default -> {
                if (r.chance(0.3)) {
                    request.remove("args");
                }
            }
        }
        return request;
    }

    /** Mostly cheap ops; the ones that start and stop processes less often, so a run stays quick. */
    private static String weighted(FuzzRandom r) {
        int w = r.nextInt(100);
        if (w < 60) {
            return r.oneOf("hello", "snapshot", "logs", "credentials", "credential", "echo", "", "SNAPSHOT", "subscribe");
        }
        if (w < 97) {
            return r.oneOf("start", "stop", "restart", "probe", "reload");
        }
        return r.oneOf("up", "down", "shutdown");
    }

    /**
     * The replies a byte stream must get, one per line as the server splits it (blank lines get none): the
     * id each must carry, or the text "oversized" for a line over the limit (its reply is too_large).
     */
    static List<JsonNode> expectedReplies(byte[] bytes) {
        List<JsonNode> expected = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            int end = i;
            if (end - start > ControlProtocol.MAX_REQUEST_BYTES) {
                expected.add(Json.MAPPER.getNodeFactory().textNode("oversized"));
            } else {
                byte[] line = Arrays.copyOfRange(bytes, start, end > start && bytes[end - 1] == '\r' ? end - 1 : end);
                if (!blank(line)) {
                    expected.add(expectedId(line));
                }
            }
            start = i + 1;
        }
        return expected;
    }

    private static boolean blank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = Json.MAPPER.readerFor(JsonNode.class)
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The id a reply must carry, read the way the protocol says: a line that is one UTF-8 JSON object with a
     * string or (finite) number "id" gets that id back, whatever else is wrong with it; any other line gets null.
     */
    private static JsonNode expectedId(byte[] line) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line)).toString();
            JsonNode node = STRICT.readTree(text);
            JsonNode id = node == null ? null : node.get("id");
            boolean finiteNumber = id != null && id.isNumber()
                    && (!id.isFloatingPointNumber() || Double.isFinite(id.doubleValue()));
            if (node != null && node.isObject() && id != null && (id.isTextual() || finiteNumber)) {
                return id;
            }
        } catch (IOException | RuntimeException e) {
            // not a JSON object: the reply's id is null
        }
        return Json.MAPPER.getNodeFactory().nullNode();
    }

    // ---- observers ---------------------------------------------------------------------------------------

    /** A client that keeps asking for snapshots on its own connection while the fuzzing goes on. */
    private static final class GoodClient {
        final Path socket;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicLong maxNanos = new AtomicLong();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        Thread thread;

        GoodClient(Path socket) {
            this.socket = socket;
        }

        void start() {
            thread = new Thread(() -> {
                try (ControlClient client = ControlClient.connect(socket, Duration.ofSeconds(5))) {
                    while (running.get()) {
                        long t0 = System.nanoTime();
                        try {
                            JsonNode snapshot = client.call("snapshot", null, GOOD_CLIENT_DEADLINE);
                            if (snapshot.path("services").size() != 4) {
                                failures.add("odd snapshot: " + snapshot);
                            }
                        } catch (Exception e) {
                            failures.add("snapshot failed: " + e);
                            return;
                        }
                        maxNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        calls.incrementAndGet();
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    failures.add("the good client could not connect or was interrupted: " + e);
                }
            }, "good-control-client");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private static int controlThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("nexus-control-read-") || t.getName().startsWith("nexus-control-write-"))
                .count();
    }

    private static long openFds() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    private static void quiet(Level level, String... loggers) {
        for (String name : loggers) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(level);
        }
    }

    // ---- a byte-level client -------------------------------------------------------------------------------

    /** Writes bytes as given and reads whatever lines come back, parsed when they are JSON. */
    private static final class Raw implements AutoCloseable {
        private static final JsonNode EOF = Json.MAPPER.getNodeFactory().textNode("<eof>");
        private static final ExecutorService SENDERS = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuzz-control-sender");
            t.setDaemon(true);
            return t;
        });
        final SocketChannel channel;
        private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        private volatile boolean eof;

        private Raw(SocketChannel channel) {
            this.channel = channel;
        }

        static Raw open(Path socket) throws IOException {
            return open(socket, true);
        }

        static Raw open(Path socket, boolean read) throws IOException {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            Raw raw = new Raw(channel);
            if (read) {
                raw.startReading();
            }
            return raw;
        }

        void startReading() {
            Thread reader = new Thread(this::readLoop, "fuzz-control-reader");
            reader.setDaemon(true);
            reader.start();
        }

        void send(byte[] bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }

        /** Sends on another thread in random chunk sizes, so that replies are read while requests go out. */
        Future<?> sendInChunks(byte[] bytes, FuzzRandom r) {
            List<Integer> cuts = new ArrayList<>();
            int at = 0;
            while (at < bytes.length) {
                int size = r.chance(0.3) ? r.between(1, 16) : r.between(1, 64 * 1024);
                cuts.add(Math.min(size, bytes.length - at));
                at += size;
            }
            return SENDERS.submit(() -> {
                int offset = 0;
                for (int size : cuts) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, size);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    offset += size;
                }
                return null;
            });
        }

        /** The next reply or event-free frame; null at the end of the stream or after the timeout. */
        JsonNode nextReply(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                JsonNode line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || line == EOF) {
                    if (line == EOF) {
                        lines.add(EOF);
                    }
                    return null;
                }
                if (!line.has("event")) {
                    return line;
                }
            }
        }

        boolean closedByPeer() throws InterruptedException {
            long deadline = System.nanoTime() + CONNECTION_DEADLINE.toNanos();
            while (!eof && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            return eof;
        }

        private void readLoop() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (channel.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        byte b = buffer.get();
                        if (b == '\n') {
                            lines.add(parse(line.toByteArray()));
                            line.reset();
                        } else {
                            line.write(b);
                        }
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                // closed by either side
            }
            eof = true;
            lines.add(EOF);
        }

        private static JsonNode parse(byte[] line) {
            try {
                return Json.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("the engine sent a line that is not JSON: "
                        + new String(line, StandardCharsets.UTF_8), e);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
