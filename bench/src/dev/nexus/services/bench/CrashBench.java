package dev.nexus.services.bench;

import static dev.nexus.services.bench.Bench.line;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Child exit to state change: SIGKILL the supervised child, and time until the engine's event saying
 * so arrives on a control-socket subscription. Both timestamps are taken here, on one monotonic clock:
 * the kill just before the signal is sent, the event when the client has read and parsed it. So the
 * figure covers the kernel reaping the child, the JDK noticing, the engine's loop, and the socket.
 */
final class CrashBench {
    private static final String VICTIM = "victim";

    private CrashBench() {
    }

    private record Arrival(long atNanos, JsonNode service) {
    }

    static void run(Path launcher, Bench.Options o) throws Exception {
        int kills = o.integer("kills", 100);
        int warmup = o.integer("warmup", 3);
        Bench.section("crash detection: kill -9 of a supervised child to its state event, " + kills + " kills");
        try (Sandbox sandbox = Sandbox.create(launcher, Catalogs.crashVictim())) {
            sandbox.up();
            sandbox.awaitAll(s -> "RUNNING".equals(s.path("lifecycle").asText()), Duration.ofSeconds(30));
            line("load average    before " + Bench.loadAverage());
            BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
            List<Double> latencies = new ArrayList<>();
            List<Double> warmups = new ArrayList<>();
            Map<String, Integer> seen = new TreeMap<>();
            try (ControlClient client = sandbox.connect()) {
                client.onEvent((name, data) -> {
                    long now = System.nanoTime(); // first thing: the arrival time
                    if (name.equals("service") && VICTIM.equals(data.path("name").asText())) {
                        arrivals.add(new Arrival(now, data));
                    }
                });
                JsonNode current = victimIn(client.call("subscribe", Json.MAPPER.createObjectNode(),
                        Duration.ofSeconds(10)));
                long lastKilled = -1;
                for (int i = 0; i < warmup + kills; i++) {
                    current = awaitRunning(arrivals, current, lastKilled);
                    long pid = current.path("pid").asLong();
                    awaitExec(pid);
                    sandbox.noteDescendants();
                    ProcessHandle child = ProcessHandle.of(pid).orElseThrow(() ->
                            new IOException("child " + pid + " vanished before the kill"));
                    long killedAt = System.nanoTime();
                    child.destroyForcibly(); // SIGKILL
                    Arrival exit = awaitExit(arrivals, pid, killedAt);
                    double ms = (exit.atNanos - killedAt) / 1e6;
                    (i < warmup ? warmups : latencies).add(ms);
                    seen.merge(exit.service.path("lifecycle").asText() + " / " + exit.service.path("lastExit").asText(),
                            1, Integer::sum);
                    current = exit.service;
                    lastKilled = pid;
                }
            }
            Stats s = Stats.of(latencies);
            line("warm-up kills   " + warmups.stream().map(v -> String.format(Locale.ROOT, "%.1f ms", v)).toList()
                    + " (not counted)");
            line("exit to event   " + s.describe("ms"));
            line("first event     " + seen + " (lifecycle / lastExit it reported)");
            line("load average    after " + Bench.loadAverage());
            Bench.verdict("median <= 50 ms", s.median() <= 50);
        }
    }

    private static JsonNode victimIn(JsonNode snapshot) throws IOException {
        for (JsonNode s : snapshot.path("services")) {
            if (VICTIM.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new IOException("no service \"" + VICTIM + "\" in the snapshot");
    }

    /** Follows events until the victim runs again as a new process. */
    private static JsonNode awaitRunning(BlockingQueue<Arrival> arrivals, JsonNode current, long lastKilled)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!("RUNNING".equals(current.path("lifecycle").asText()) && current.path("pid").isIntegralNumber()
                && current.path("pid").asLong() != lastKilled)) {
            Arrival a = arrivals.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == null) {
                throw new IOException("the victim was not restarted within 15 s; last state: " + current);
            }
            current = a.service;
        }
        return current;
    }

    /** The restarted child is really {@code sleep} (the exec after fork has happened). */
    private static void awaitExec(long pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Proc.commandLine(pid).endsWith("sleep 100000")) {
            if (System.nanoTime() > deadline) {
                throw new IOException("pid " + pid + " is not the victim's sleep: " + Proc.commandLine(pid));
            }
            Thread.sleep(1);
        }
    }

    /** The first event after the kill that no longer shows the killed process running. */
    private static Arrival awaitExit(BlockingQueue<Arrival> arrivals, long pid, long killedAt) throws Exception {
        long deadline = killedAt + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Arrival a = arrivals.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == null) {
                throw new IOException("no event within 5 s of killing " + pid);
            }
            boolean stillThatProcess = "RUNNING".equals(a.service.path("lifecycle").asText())
                    && a.service.path("pid").asLong() == pid;
            if (a.atNanos > killedAt && !stillThatProcess) {
                return a;
            }
        }
    }
}
