package dev.nexus.services.reliability;

import static dev.nexus.services.reliability.FaultRig.healthy;
import static dev.nexus.services.reliability.FaultRig.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.it.Wait;
import dev.nexus.services.power.LogindStandIn;
import dev.nexus.services.power.PrivateSystemBus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sleep/wake soak: the real daemon with 4 fixture daemons, its logind source on a private system bus
 * ({@code DBUS_SYSTEM_BUS_ADDRESS}) where the stand-in logind sends PrepareForSleep, N cycles (short 10,
 * long 100) of sleep (the delay lock must be released) and wake (every service healthy again, the lock
 * taken again). After the last wake's grace (the daemon's 30 s) is over: no service restarted (same
 * pids, restarts 0, one process each), and the engine has the same threads (by name, from
 * /proc/PID/task) and the same open file descriptors (by kind, from /proc/PID/fd) as after a first
 * warm-up cycle.
 */
class SleepWakeSoakReliabilityIT {
    private static final List<String> SERVICES = List.of("gateway", "cloud", "hub", "collab");
    private static final Duration SLEEP_LIMIT = Duration.ofSeconds(5);
    /** The daemon's wake grace (EngineOptions.DEFAULT_WAKE_GRACE) and then some. */
    private static final Duration GRACE_WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void healthyServicesRideThroughSleepAndWakeWithoutRestartsOrLeakedThreadsOrFds() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"), "logind is Linux only");
        assumeTrue(PrivateSystemBus.toolsInstalled(),
                "dbus-daemon, dbus-send and python3-dbus/python3-gi are needed (scripts/test installs them)");
        int cycles = ReliabilityMode.current().pick(10, 100);
        ScenarioFigures.run("sleep-wake-soak", figures -> {
            try (PrivateSystemBus bus = PrivateSystemBus.start(Files.createDirectories(dir.resolve("bus")));
                 LogindStandIn logind = bus.startLogind()) {
                FaultRig rig = FaultRig.in(Files.createDirectories(dir.resolve("r")));
                try (FaultRig r = rig) {
                    rig.engineEnv("DBUS_SYSTEM_BUS_ADDRESS", bus.address());
                    FaultCatalog catalog = new FaultCatalog();
                    for (String name : SERVICES) {
                        int port = FaultCatalog.freePort();
                        catalog.add(FaultCatalog.daemon(rig, name, port, "--listen", String.valueOf(port)));
                    }
                    rig.writeCatalog(catalog.text());
                    long engine = rig.startEngine();
                    rig.call("up", null, Duration.ofSeconds(90));
                    JsonNode up = allHealthy(rig, "every service healthy after up");
                    Wait.until("the daemon's logind source to hold its delay lock", FaultRig.WAIT,
                            () -> delayLocks(logind) == 1);
                    Map<String, Long> pids = new LinkedHashMap<>();
                    SERVICES.forEach(s -> pids.put(s, service(up, s).path("pid").asLong()));

                    cycle(rig, logind, 0); // the first wake creates what every later one reuses
                    Map<String, Integer> threadsBefore = quiet(engine, () -> threads(engine));
                    Map<String, Integer> fdsBefore = quiet(engine, () -> fds(engine));

                    List<Long> prepareMs = new ArrayList<>();
                    List<Long> healthyMs = new ArrayList<>();
                    for (int i = 1; i <= cycles; i++) {
                        long[] figuresOfCycle = cycle(rig, logind, i);
                        prepareMs.add(figuresOfCycle[0]);
                        healthyMs.add(figuresOfCycle[1]);
                    }

                    long graceWaitStart = System.nanoTime();
                    rig.awaitSnapshot("the last wake's grace to end", GRACE_WAIT,
                            snap -> snap.path("engine").path("wakeGraceUntil").isNull());
                    figures.put("graceWaitMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - graceWaitStart));
                    JsonNode after = allHealthy(rig, "every service healthy after the grace");
                    int restarts = 0;
                    for (String s : SERVICES) {
                        JsonNode svc = service(after, s);
                        assertEquals(pids.get(s).longValue(), svc.path("pid").asLong(), s + " was never restarted");
                        assertEquals(0, svc.path("restarts").asInt(), s + ": " + svc.toPrettyString());
                        assertEquals(1, FaultRig.withMarker(rig.processes(), FaultCatalog.marker(rig, s)).size(),
                                "one process of " + s);
                        restarts += svc.path("restarts").asInt();
                    }
                    Map<String, Integer> threadsAfter = quiet(engine, () -> threads(engine));
                    Map<String, Integer> fdsAfter = quiet(engine, () -> fds(engine));
                    figures.put("cycles", cycles).put("services", SERVICES.size()).put("restarts", restarts)
                            .put("threadsBefore", total(threadsBefore)).put("threadsAfter", total(threadsAfter))
                            .put("fdsBefore", total(fdsBefore)).put("fdsAfter", total(fdsAfter))
                            .put("delayLocksHeld", delayLocks(logind))
                            .putDistribution("sleepAnnouncedToLockReleased", prepareMs)
                            .putDistribution("wakeToAllHealthy", healthyMs);
                    figures.putJson("threadsByName", threadsAfter).putJson("fdsByKind", fdsAfter);
                    assertEquals(withoutPools(threadsBefore), withoutPools(threadsAfter), "the engine's threads by name, "
                            + "after the warm-up and after " + cycles + " cycles");
                    POOLS.forEach((pool, bound) -> assertTrue(threadsAfter.getOrDefault(pool, 0) <= bound,
                            pool + " threads: " + threadsAfter));
                    assertEquals(fdsBefore, fdsAfter, "the engine's open file descriptors by kind");
                    assertEquals(1, delayLocks(logind), "the engine holds its delay lock again after the last wake");
                }
            }
        });
    }

    /** One sleep and wake; returns {ms from sleep announced to lock released, ms from wake to all healthy}. */
    private static long[] cycle(FaultRig rig, LogindStandIn logind, int cycle) throws IOException {
        String wokeBefore = rig.snapshot().path("engine").path("lastWakeAt").asText();
        LogindStandIn.SleepOutcome slept = logind.sleep(SLEEP_LIMIT);
        assertTrue(slept.released(), "cycle " + cycle + ": the engine let go of its delay lock before sleep");
        long wokeAt = System.nanoTime();
        logind.wake();
        rig.awaitSnapshot("cycle " + cycle + ": the wake seen and every service healthy again", snap -> {
            String woke = snap.path("engine").path("lastWakeAt").asText();
            return !woke.equals(wokeBefore) && SERVICES.stream().allMatch(s -> healthy(service(snap, s))
                    && !service(snap, s).path("message").asText().startsWith("waking up"));
        });
        long healthyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wokeAt);
        Wait.until("cycle " + cycle + ": the delay lock taken again", FaultRig.WAIT, () -> delayLocks(logind) == 1);
        return new long[] {slept.waited().toMillis(), healthyMs};
    }

    private static JsonNode allHealthy(FaultRig rig, String what) {
        return rig.awaitSnapshot(what, snap -> SERVICES.stream().allMatch(s -> healthy(service(snap, s))));
    }

    private static int delayLocks(LogindStandIn logind) {
        try {
            return logind.heldDelayLocks();
        } catch (IOException e) {
            throw new AssertionError("the logind stand-in does not answer", e);
        }
    }

    /**
     * Pools whose idle threads come and go (the engine's blocking pool lets idle threads end after 30 s):
     * bounded, so checked against their bound rather than counted exactly.
     */
    private static final Map<String, Integer> POOLS = Map.of("nexus-blocking-", 4,
            "ForkJoinPool.co", Runtime.getRuntime().availableProcessors()); // names as /proc cuts them: 15 chars

    private static Map<String, Integer> withoutPools(Map<String, Integer> threads) {
        Map<String, Integer> rest = new TreeMap<>(threads);
        POOLS.keySet().forEach(rest::remove);
        return rest;
    }

    /** Reads a count. */
    @FunctionalInterface
    private interface Count {
        Map<String, Integer> read() throws IOException;
    }

    /**
     * {@code count} once the engine is quiet: no control connection open (this test's own snapshot calls
     * have a reader and a writer thread and a socket each while they last) and two reads in a row alike.
     */
    private static Map<String, Integer> quiet(long engine, Count count) {
        java.util.concurrent.atomic.AtomicReference<Map<String, Integer>> last = new java.util.concurrent.atomic.AtomicReference<>();
        return Wait.forValue("the engine without control connections and steady", FaultRig.WAIT, () -> {
            try {
                boolean sessions = threads(engine).keySet().stream()
                        .anyMatch(n -> n.startsWith("nexus-control-r") || n.startsWith("nexus-control-w"));
                Map<String, Integer> now = count.read();
                boolean steady = now.equals(last.getAndSet(now));
                return !sessions && steady ? java.util.Optional.of(now) : java.util.Optional.empty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The engine's threads by name (digits dropped, so numbered pool threads count as one kind). */
    private static Map<String, Integer> threads(long pid) throws IOException {
        Map<String, Integer> names = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("\\d+", "#");
                    names.merge(name, 1, Integer::sum);
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        return names;
    }

    /** The engine's open file descriptors by kind: socket, pipe, eventfd, other anon, fifo/file under its root, jar/lib. */
    private static Map<String, Integer> fds(long pid) throws IOException {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue;
                }
                String kind = target.startsWith("socket:") ? "socket"
                        : target.startsWith("pipe:") ? "pipe"
                        : target.startsWith("anon_inode:") ? target.substring("anon_inode:".length())
                        : target.replaceAll("/tmp/junit-?\\d+", "<tmp>").replaceAll("\\d+", "#");
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        return kinds;
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
