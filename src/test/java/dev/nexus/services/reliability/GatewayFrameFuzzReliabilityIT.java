package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.connect.ConnectionState;
import dev.nexus.services.connect.ConnectionState.Phase;
import dev.nexus.services.connect.DeviceIdentity;
import dev.nexus.services.connect.GatewayClient;
import dev.nexus.services.connect.GatewayHealth;
import dev.nexus.services.connect.GatewayHello;
import dev.nexus.services.connect.GatewayRequestException;
import dev.nexus.services.connect.GatewayToken;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.supervise.Backoff;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the gateway client from the server side: a {@link HostileGateway} on 127.0.0.1 answers each
 * connection of real {@link GatewayClient}s with a seeded script of bad frames: malformed and mutated JSON,
 * wrong types, unexpected events and answers, bad challenges, bad hello-ok (protocols, tick intervals),
 * error frames, hostile health answers, binary, fragmented, masked, reserved-opcode and oversized frames,
 * lengths never delivered, huge messages, odd close codes, silence. Each case must end within its deadline
 * (no connection held open by a client that neither finished nor gave up), every failure must read as one
 * clear line, every health request must complete with its documented exception at worst, the clients must
 * keep reconnecting, and when they close no thread, socket or connection may be left.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class GatewayFrameFuzzReliabilityIT {
    private static final String SCENARIO = "fuzz-gateway-frames";
    /** Most of a case's time is waiting (for a timeout the case provokes), so many clients at once. */
    private static final int CLIENTS = 16;
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(300);
    /** No state change for this long, while not connected, is a client that hangs. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(6);
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(5), 0);
    private static final Pattern INTERNALS = Pattern.compile("\\tat |\\$\\$|java\\.lang\\.|NullPointer|ArithmeticException");
    private static final List<String> FIELD_NAMES = List.of("type", "event", "payload", "nonce", "ts", "id", "ok",
            "error", "code", "message", "details", "protocol", "server", "version", "policy", "tickIntervalMs",
            "reason", "restartExpectedMs", "channels", "channelOrder", "channelLabels", "linked", "configured");

    @Test
    void hostileFramesEndEachSessionCleanlyAndTheClientsReconnect() throws Exception {
        int cases = FuzzRandom.cases(ReliabilityMode.current().pick(10_000, 50_000));
        long base = FuzzRandom.baseSeed(SCENARIO);
        Long replay = FuzzRandom.replaySeed();
        quiet();
        JsonMutator mutator = new JsonMutator(FIELD_NAMES);
        // The shared HTTP client and timer start their threads on first use: warm them up before counting.
        warmUp();
        long threadsBefore = countThreads();
        long fdsBefore = openFds();
        ScenarioFigures.run(SCENARIO, figures -> {
            try (HostileGateway gateway = new HostileGateway(i -> script(replay != null ? replay : FuzzRandom.caseSeed(base, i),
                    mutator))) {
                figures.put("baseSeed", base);
                int target = replay != null ? 1 : cases;
                List<Driver> drivers = new ArrayList<>();
                for (int c = 0; c < (replay != null ? 1 : CLIENTS); c++) {
                    drivers.add(new Driver(c, gateway, target));
                }
                long started = System.nanoTime();
                drivers.forEach(Driver::start);
                for (Driver d : drivers) {
                    d.thread.join(TimeUnit.MINUTES.toMillis(12));
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                drivers.forEach(Driver::close);
                Deadline.until("the clients closed every connection", Duration.ofSeconds(15),
                        () -> gateway.openConnections() == 0);

                if (!gateway.brokenScripts.isEmpty()) {
                    AssertionError broken = new AssertionError("the test's own scripts failed " + gateway.brokenScripts.size()
                            + " times", gateway.brokenScripts.get(0));
                    throw broken;
                }
                FuzzFailures failures = new FuzzFailures(SCENARIO);
                for (HostileGateway.Ended e : gateway.ended) {
                    if (e.hung() || e.millis() > HostileGateway.HOLD_LIMIT_MS + 2_000) {
                        failures.add(new AssertionError("the client hung on " + e.summary() + " (" + e.how() + ", "
                                + e.millis() + " ms): " + FuzzRandom.replayHint(e.seed())));
                    }
                }
                for (Driver d : drivers) {
                    d.problems.forEach(failures::add);
                }
                failures.rethrow();

                Map<String, Integer> endings = new TreeMap<>();
                gateway.ended.forEach(e -> endings.merge(e.how().replaceAll("[0-9]+", "#"), 1, Integer::sum));
                Map<String, Long> phases = new TreeMap<>();
                drivers.forEach(d -> d.phases.forEach((k, v) -> phases.merge(k, v.get(), Long::sum)));
                long connected = drivers.stream().mapToLong(d -> d.connected.get()).sum();
                long healthOk = drivers.stream().mapToLong(d -> d.healthOk.get()).sum();
                long healthFailed = drivers.stream().mapToLong(d -> d.healthFailed.get()).sum();
                long retries = drivers.stream().mapToLong(d -> d.retries.get()).sum();
                long maxCaseMs = gateway.ended.stream().mapToLong(HostileGateway.Ended::millis).max().orElse(0);
                long slowCases = gateway.ended.stream().filter(e -> e.millis() > 1_000).count();
                double meanCaseMs = gateway.ended.stream().mapToLong(HostileGateway.Ended::millis).average().orElse(0);
                if (Boolean.getBoolean("nexus.fuzz.profile")) {
                    Map<String, long[]> byStep = new TreeMap<>();
                    for (HostileGateway.Ended e : gateway.ended) {
                        for (String step : e.summary().split(", ")) {
                            long[] t = byStep.computeIfAbsent(step.replaceAll("[-0-9]+", "#"), k -> new long[2]);
                            t[0]++;
                            t[1] += e.millis();
                        }
                    }
                    byStep.forEach((k, t) -> System.out.printf("profile %-40s %6d cases %8d ms %6.1f ms/case%n", k, t[0], t[1],
                            (double) t[1] / t[0]));
                }
                figures.put("cases", gateway.ended.size()).put("clients", drivers.size()).put("sessionsUp", connected)
                        .put("healthAnswered", healthOk).put("healthFailedCleanly", healthFailed)
                        .put("retriesAfterRejection", retries).put("maxCaseMs", maxCaseMs).put("meanCaseMs", meanCaseMs).put("casesOver1s", slowCases)
                        .put("casesPerSecond", gateway.ended.size() / seconds).put("fuzzSeconds", seconds);
                figures.putJson("phasesSeen", phases);
                figures.putJson("serverSideEndings", endings);

                assertTrue(replay != null || gateway.ended.size() >= cases, "ran " + gateway.ended.size() + " cases");
                assertTrue(replay != null || connected > cases / 10, "sessions came up between the bad ones: " + connected);
                // Nothing left behind once the clients are closed.
                Deadline.until("the connection threads are back to " + threadsBefore + " (now " + countThreads() + ")",
                        Duration.ofSeconds(45), () -> countThreads() <= threadsBefore);
                long fdsAfter = openFds();
                figures.put("threadsBefore", threadsBefore).put("threadsAfter", countThreads())
                        .put("fdsBefore", fdsBefore).put("fdsAfter", fdsAfter);
                assertTrue(fdsAfter <= fdsBefore + 4, "file descriptors leaked: " + fdsBefore + " before, " + fdsAfter);
            }
        });
    }

    // ---- the clients ---------------------------------------------------------------------------------------

    /** One real client, driven like the engine drives it: health when connected, Retry after a rejection. */
    private static final class Driver {
        final int number;
        final HostileGateway gateway;
        final int target;
        final GatewayClient client;
        final BlockingQueue<ConnectionState> changes = new LinkedBlockingQueue<>();
        final List<AssertionError> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, AtomicLong> phases = new ConcurrentHashMap<>();
        final AtomicLong connected = new AtomicLong();
        final AtomicLong healthOk = new AtomicLong();
        final AtomicLong healthFailed = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final Thread thread;

        Driver(int number, HostileGateway gateway, int target) {
            this.number = number;
            this.gateway = gateway;
            this.target = target;
            GatewayClient.Builder builder = GatewayClient.builder(URI.create(gateway.url())).backoff(QUICK)
                    .connectTimeout(CONNECT_TIMEOUT).token(GatewayToken.of(Secret.of("fuzz-token-" + number)))
                    .listener(status -> changes.add(status.connection()));
            if (number % 2 == 1) {
                builder.deviceIdentity(DeviceIdentity.generate()); // a bad nonce must not break the signing
            }
            client = builder.build();
            thread = new Thread(this::drive, "gateway-fuzz-driver-" + number);
            thread.setDaemon(true);
        }

        void start() {
            client.start();
            thread.start();
        }

        void close() {
            client.close();
        }

        private void drive() {
            try {
                while (gateway.accepted() < target) {
                    ConnectionState s = changes.poll(STALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                    if (s == null) {
                        ConnectionState now = client.status().connection();
                        if (now.phase() != Phase.CONNECTED) {
                            problems.add(new AssertionError("client " + number + " made no progress for "
                                    + STALL_LIMIT.toSeconds() + " s in " + now.phase() + " (" + now.message() + "); " + lastCase()));
                            client.forceReconnect();
                        }
                        continue;
                    }
                    phases.computeIfAbsent(s.phase().name(), k -> new AtomicLong()).incrementAndGet();
                    switch (s.phase()) {
                        case CONNECTED -> {
                            connected.incrementAndGet();
                            askHealth();
                            client.forceReconnect();
                        }
                        case WAITING, RESTARTING, REJECTED -> {
                            checkMessage(s);
                            if (s.phase() == Phase.RESTARTING) {
                                client.forceReconnect(); // a planned wait can be a minute: not worth waiting out
                            } else if (s.phase() == Phase.REJECTED) {
                                retries.incrementAndGet();
                                client.retry(); // the user's Retry
                            }
                        }
                        default -> {
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                problems.add(new AssertionError("driver " + number + " failed: " + e, e));
            }
        }

        private void askHealth() {
            CompletableFuture<?> health = client.health(HEALTH_TIMEOUT);
            try {
                GatewayHealth answer = (GatewayHealth) health.get(HEALTH_TIMEOUT.toMillis() + 3_000, TimeUnit.MILLISECONDS);
                healthOk.incrementAndGet();
                // What the gateway said goes on status lines: it must be as clean as an error.
                for (GatewayHealth.Channel channel : answer.channels()) {
                    cleanIfAny("a channel's label", channel.label());
                    cleanIfAny("a channel's detail", channel.detail());
                }
                GatewayHello hello = client.status().hello();
                if (hello != null) {
                    cleanIfAny("the server version", hello.serverVersion());
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GatewayRequestException g) {
                    healthFailed.incrementAndGet();
                    clean("a health failure", g.getMessage());
                } else {
                    problems.add(new AssertionError("health failed with an undocumented " + e.getCause() + "; "
                            + lastCase(), e.getCause()));
                }
            } catch (TimeoutException e) {
                problems.add(new AssertionError("health never completed (asked with a " + HEALTH_TIMEOUT.toMillis()
                        + " ms timeout); " + lastCase()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private String lastCase() {
            return "the client's last case: " + gateway.lastCaseOfToken.getOrDefault(token(), "(none reached connect)");
        }

        private String token() {
            return "fuzz-token-" + number;
        }

        private void checkMessage(ConnectionState s) {
            clean("the " + s.phase() + " message", s.message());
        }

        /** The gateway may leave a label or version empty; what it does say must be clean. */
        private void cleanIfAny(String what, String text) {
            if (text != null && !text.isBlank()) {
                clean(what, text);
            }
        }

        private void clean(String what, String message) {
            if (message == null || message.isBlank()) {
                problems.add(new AssertionError(what + " is empty; " + lastCase()));
                return;
            }
            boolean controls = message.chars().anyMatch(Character::isISOControl);
            if (message.length() > 1_000 || controls || INTERNALS.matcher(message).find()) {
                problems.add(new AssertionError(what + " is not one clear line (" + message.length() + " chars): "
                        + oneLine(message) + "; " + lastCase()));
            }
        }

    }

    private static String oneLine(String s) {
        String oneLine = s.replace("\n", "\\n").replace("\r", "\\r");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
    }

    // ---- the cases -------------------------------------------------------------------------------------------

    static HostileGateway.Script script(long seed, JsonMutator mutator) {
        FuzzRandom r = new FuzzRandom(seed);
        List<HostileGateway.Step> steps = new ArrayList<>();
        List<String> what = new ArrayList<>();
        if (r.chance(0.25)) {
            int n = r.between(1, 2);
            for (int i = 0; i < n; i++) {
                junk(r, mutator, steps, what);
            }
        }
        // The challenge.
        double c = r.nextInt(1000) / 1000.0;
        if (c < 0.005) {
            what.add("no challenge");
        } else if (c < 0.2) {
            ObjectNode challenge = challenge();
            JsonNode bad = mutator.mutateTree(challenge, r, r.between(1, 2));
            steps.add(conn -> conn.json(bad));
            what.add("mutated challenge");
        } else {
            steps.add(conn -> conn.json(challenge()));
            what.add("challenge");
        }
        steps.add(conn -> {
            if (conn.awaitRequest("connect", 2_000) == null) {
                throw new java.io.EOFException("no connect");
            }
        });
        // The answer to connect.
        double a = r.nextInt(1000) / 1000.0;
        if (a < 0.005) {
            what.add("no hello");
        } else if (a < 0.55) {
            JsonNode hello = hello(r);
            steps.add(conn -> conn.json(hello));
            what.add("hello " + hello.path("payload").path("protocol") + " tick "
                    + hello.path("payload").path("policy").path("tickIntervalMs"));
        } else if (a < 0.85) {
            JsonNode bad = mutator.mutateTree(hello(r), r, r.between(1, 3));
            steps.add(conn -> conn.json(bad));
            what.add("mutated hello");
        } else {
            JsonNode error = errorAnswer(r, "c1");
            steps.add(conn -> conn.json(error));
            what.add("connect error " + error.path("error").path("code"));
        }
        int after = r.between(0, 4);
        for (int i = 0; i < after; i++) {
            junk(r, mutator, steps, what);
        }
        if (r.chance(0.5)) {
            int kind = r.nextInt(10);
            JsonNode answer = kind < 4 ? health(r, "?") : kind < 7 ? mutator.mutateTree(health(r, "?"), r, r.between(1, 3))
                    : kind < 9 ? errorAnswer(r, "?") : null;
            steps.add(conn -> {
                String id = conn.awaitRequest("health", 1_500);
                if (id != null && answer != null) {
                    JsonNode withId = answer.deepCopy();
                    if (withId instanceof ObjectNode o && o.path("id").asText().equals("?")) {
                        o.put("id", id); // the mutation may have replaced the id, or the whole answer
                    }
                    conn.json(withId);
                }
            });
            what.add(answer == null ? "health unanswered" : "health " + (kind < 4 ? "ok" : kind < 7 ? "mutated" : "error"));
        }
        HostileGateway.End end;
        int e = r.nextInt(10);
        if (e < 5) {
            end = HostileGateway.End.DROP;
        } else if (e < 7) {
            byte[] close = closeFrame(r);
            steps.add(conn -> conn.raw(close));
            end = HostileGateway.End.DROP;
            what.add("close frame");
        } else {
            end = HostileGateway.End.HOLD;
        }
        return new HostileGateway.Script(seed, String.join(", ", what) + ", then " + end.name().toLowerCase(), steps, end);
    }

    private static ObjectNode challenge() {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", "event").put("event", "connect.challenge");
        e.putObject("payload").put("nonce", UUID.randomUUID().toString()).put("ts", System.currentTimeMillis());
        return e;
    }

    private static JsonNode hello(FuzzRandom r) {
        ObjectNode res = Json.MAPPER.createObjectNode().put("type", "res").put("id", "c1").put("ok", true);
        ObjectNode payload = res.putObject("payload").put("type", "hello-ok").put("protocol", r.chance(0.5) ? 3 : 4);
        payload.putObject("server").put("version", "2026.2.19");
        ObjectNode policy = payload.putObject("policy");
        if (r.chance(0.7)) {
            policy.put("tickIntervalMs", 30_000);
        } else {
            switch (r.nextInt(8)) {
                case 0 -> policy.put("tickIntervalMs", 0);
                case 1 -> policy.put("tickIntervalMs", -1);
                case 2 -> policy.put("tickIntervalMs", 1);
                case 3 -> policy.put("tickIntervalMs", Long.MAX_VALUE);
                case 4 -> policy.put("tickIntervalMs", 1e300);
                case 5 -> policy.put("tickIntervalMs", Long.MAX_VALUE / 2 + 12_345);
                case 6 -> policy.put("tickIntervalMs", "30000");
                default -> policy.put("tickIntervalMs", 4_611_686_018_427_387L);
            }
        }
        return res;
    }

    private static JsonNode health(FuzzRandom r, String id) {
        ObjectNode res = Json.MAPPER.createObjectNode().put("type", "res").put("id", id).put("ok", true);
        ObjectNode payload = res.putObject("payload").put("ok", r.chance(0.9)).put("durationMs", r.between(0, 50));
        ObjectNode channels = payload.putObject("channels");
        channels.putObject("telegram").put("configured", true).put("linked", r.chance(0.8));
        channels.putObject("whatsapp").put("configured", true).putObject("probe").put("ok", r.chance(0.8))
                .put("status", 401).put("error", "Unauthorized");
        payload.putArray("channelOrder").add("telegram").add("whatsapp");
        payload.putObject("channelLabels").put("telegram", "Telegram").put("whatsapp", "WhatsApp");
        return res;
    }

    private static JsonNode errorAnswer(FuzzRandom r, String id) {
        ObjectNode res = Json.MAPPER.createObjectNode().put("type", "res").put("id", id).put("ok", false);
        switch (r.nextInt(6)) {
            case 0 -> res.putObject("error").put("code", r.oneOf("AUTH_TOKEN_MISMATCH", "NOT_PAIRED", "MISSING_SCOPE",
                    "PROTOCOL_MISMATCH", "INTERNAL", "RATE_LIMITED")).put("message", "refused by the fuzzer");
            case 1 -> res.putObject("error").put("code", "INVALID_REQUEST").put("message", "x".repeat(r.between(0, 5_000)))
                    .putObject("details").put("code", r.oneOf("AUTH_TOKEN_MISSING", "DEVICE_IDENTITY_REQUIRED", "weird"));
            case 2 -> res.putArray("error").add(1);
            case 3 -> res.put("error", "just a string\u001b[2J");
            case 4 -> res.putObject("error").put("code", 42).put("message", (String) null);
            default -> {
                // no error object at all
            }
        }
        return res;
    }

    private static byte[] closeFrame(FuzzRandom r) {
        int code = r.oneOf(1000, 1001, 1002, 1008, 1011, 1012, 999, 1005, 1006, 4000, 5000, 65535);
        byte[] reason = r.chance(0.2) ? new byte[] {(byte) 0xC3, 0x28} : ("bye " + r.asciiWord(r.between(0, 200)))
                .getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return HostileGateway.frame(true, 0, HostileGateway.OP_CLOSE, r.chance(0.1) ? new byte[] {3} : payload, false);
    }

    /** One bad frame (or a few), of the many kinds a broken or hostile server can send. */
    private static void junk(FuzzRandom r, JsonMutator mutator, List<HostileGateway.Step> steps, List<String> what) {
        int kind = r.nextInt(180);
        byte[] bytes;
        String name;
        if (kind < 20) {
            ObjectNode tick = Json.MAPPER.createObjectNode().put("type", "event").put("event", r.oneOf("tick", "presence", "agent"));
            tick.putObject("payload").put("ts", System.currentTimeMillis());
            bytes = text(JsonMutator.toBytes(mutator.mutateTree(tick, r, r.between(1, 3)), false));
            name = "mutated event";
        } else if (kind < 35) {
            ObjectNode event = Json.MAPPER.createObjectNode().put("type", "event").put("event", r.nastyString());
            event.set("payload", mutator.nastyValue(r, 0));
            bytes = text(JsonMutator.toBytes(event, false));
            name = "unexpected event";
        } else if (kind < 50) {
            ObjectNode res = Json.MAPPER.createObjectNode().put("type", "res").put("ok", r.chance(0.5));
            switch (r.nextInt(3)) {
                case 0 -> res.put("id", "c1");
                case 1 -> res.put("id", "r" + r.between(0, 99));
                default -> res.putObject("id");
            }
            res.set("payload", mutator.nastyValue(r, 0));
            bytes = text(JsonMutator.toBytes(res, false));
            name = "unexpected answer";
        } else if (kind < 65) {
            bytes = text(r.chance(0.5) ? r.asciiWord(r.between(0, 100)).getBytes(StandardCharsets.US_ASCII)
                    : Arrays.copyOf(challenge().toString().getBytes(StandardCharsets.UTF_8), r.between(0, 40)));
            name = "not JSON";
        } else if (kind < 75) {
            bytes = text(new byte[] {'{', '"', (byte) 0xC3, 0x28, (byte) 0xFF, '"', '}'});
            name = "invalid UTF-8 text";
        } else if (kind < 90) {
            bytes = HostileGateway.frame(true, 0, HostileGateway.OP_BINARY, r.bytes(r.between(0, 1_000)), false);
            name = "binary";
        } else if (kind < 100) {
            bytes = HostileGateway.frame(true, 0, r.chance(0.5) ? HostileGateway.OP_PING : HostileGateway.OP_PONG,
                    r.bytes(r.between(0, 125)), false);
            name = "ping or pong";
        } else if (kind < 105) {
            bytes = HostileGateway.frame(true, 0, HostileGateway.OP_PING, r.bytes(r.between(126, 300)), false);
            name = "oversized ping";
        } else if (kind < 115) {
            byte[] json = challenge().toString().getBytes(StandardCharsets.UTF_8);
            int cut = r.between(1, json.length - 1);
            byte[] first = HostileGateway.frame(false, 0, r.chance(0.8) ? HostileGateway.OP_TEXT : HostileGateway.OP_CONTINUATION,
                    Arrays.copyOf(json, cut), false);
            byte[] between = r.chance(0.3) ? HostileGateway.frame(true, 0, HostileGateway.OP_PING, new byte[0], false)
                    : r.chance(0.2) ? HostileGateway.frame(false, 0, HostileGateway.OP_PING, new byte[0], false) : new byte[0];
            byte[] second = HostileGateway.frame(true, 0, r.chance(0.8) ? HostileGateway.OP_CONTINUATION : HostileGateway.OP_TEXT,
                    Arrays.copyOfRange(json, cut, json.length), false);
            bytes = concat(first, between, second);
            name = "fragmented";
        } else if (kind < 122) {
            bytes = HostileGateway.frame(true, r.between(1, 7), HostileGateway.OP_TEXT, "{}".getBytes(StandardCharsets.US_ASCII), false);
            name = "RSV bits";
        } else if (kind < 129) {
            bytes = HostileGateway.frame(true, 0, r.oneOf(3, 4, 5, 6, 7, 0xB, 0xC, 0xF), r.bytes(r.between(0, 20)), false);
            name = "reserved opcode";
        } else if (kind < 136) {
            bytes = HostileGateway.frame(true, 0, HostileGateway.OP_TEXT, challenge().toString().getBytes(StandardCharsets.UTF_8), true);
            name = "masked";
        } else if (kind < 146) {
            bytes = closeFrame(r);
            name = "close frame";
        } else if (kind < 150) {
            bytes = HostileGateway.frame(true, 0, HostileGateway.OP_TEXT, "{\"type\":".getBytes(StandardCharsets.US_ASCII), false,
                    r.oneOf(1_000L, 70_000L, 1L << 40, Long.MAX_VALUE));
            name = "length never delivered";
        } else if (kind < 165) {
            ObjectNode shutdown = Json.MAPPER.createObjectNode().put("type", "event").put("event", "shutdown");
            ObjectNode payload = shutdown.putObject("payload").put("reason", r.nastyString());
            switch (r.nextInt(6)) {
                case 0 -> payload.put("restartExpectedMs", -1);
                case 1 -> payload.put("restartExpectedMs", Long.MAX_VALUE);
                case 2 -> payload.put("restartExpectedMs", 1e300);
                case 3 -> payload.put("restartExpectedMs", "soon");
                case 4 -> payload.put("restartExpectedMs", 1_500);
                default -> payload.putNull("restartExpectedMs");
            }
            bytes = text(JsonMutator.toBytes(shutdown, false));
            name = "shutdown event";
        } else if (kind < 172) {
            bytes = text(new byte[0]);
            name = "empty text";
        } else if (kind < 179) {
            bytes = text(("{\"type\":\"event\",\"payload\":" + "[".repeat(r.between(65, 5_000))).getBytes(StandardCharsets.US_ASCII));
            name = "deep nesting";
        } else if (r.chance(0.01)) {
            // Past the client's 16M-character limit: a few per run, each ~17 MB through loopback.
            byte[] huge = new byte[16 * 1024 * 1024 + 10];
            Arrays.fill(huge, (byte) 'x');
            bytes = HostileGateway.frame(true, 0, HostileGateway.OP_TEXT, huge, false);
            name = "17 MB message";
        } else {
            bytes = text("{\"type\":\"event\",\"event\":\"tick\"}".getBytes(StandardCharsets.US_ASCII));
            name = "tick";
        }
        byte[] frame = bytes;
        steps.add(conn -> conn.raw(frame));
        what.add(name);
    }

    private static byte[] text(byte[] payload) {
        return HostileGateway.frame(true, 0, HostileGateway.OP_TEXT, payload, false);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    // ---- bookkeeping ------------------------------------------------------------------------------------------

    /** One clean session, so that the shared HTTP client and timer threads exist before counting threads. */
    private static void warmUp() throws Exception {
        try (HostileGateway gateway = new HostileGateway(i -> new HostileGateway.Script(0, "warm-up", List.of(
                conn -> conn.json(challenge()),
                conn -> conn.awaitRequest("connect", 5_000),
                conn -> conn.json(hello(new FuzzRandom(0)))), HostileGateway.End.HOLD))) {
            AtomicInteger up = new AtomicInteger();
            GatewayClient client = GatewayClient.builder(URI.create(gateway.url())).backoff(QUICK)
                    .listener(s -> {
                        if (s.connection().connected()) {
                            up.incrementAndGet();
                        }
                    }).build();
            client.start();
            Deadline.until("the warm-up client connects", Duration.ofSeconds(20), () -> up.get() > 0);
            client.close();
            Deadline.until("the warm-up connection ends", Duration.ofSeconds(20), () -> gateway.openConnections() == 0);
        }
    }

    /** Threads other than the common pool's (which it sizes itself) and this test's own. */
    private static long countThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> !n.startsWith("ForkJoinPool.commonPool") && !n.startsWith("hostile-gateway")
                        && !n.startsWith("gateway-fuzz-driver"))
                .count();
    }

    private static long openFds() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    private static void quiet() {
        ((Logger) LoggerFactory.getLogger("dev.nexus.services.connect")).setLevel(Level.ERROR);
    }

    @Test
    void theCaseGeneratorIsReproducible() {
        JsonMutator mutator = new JsonMutator(FIELD_NAMES);
        assertEquals(script(42, mutator).summary(), script(42, mutator).summary());
        assertEquals(script(42, mutator).steps().size(), script(42, mutator).steps().size());
    }
}
