package dev.nexus.services.reliability;

import static dev.nexus.services.reliability.FaultRig.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.reliability.FaultRig.Proc;
import dev.nexus.services.supervise.ExitStatus;
import dev.nexus.services.supervise.RestartPolicy;
import dev.nexus.services.supervise.RestartPolicy.Decision;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash loop: a daemon that exits 100 ms after every start.
 *
 * <p><b>Real time, real daemon</b> ({@link #aCrashLoopRestartsWithinTheBackoffBoundShowsCrashLoopAndKeepsTheEngineCalm}):
 * short mode 40 s with a compressed policy (250 ms × 2 up to 2 s, 4 s in a crash loop); long mode 5 minutes
 * with the product's defaults (1 s × 2 up to 60 s, 300 s in a crash loop). Every restart is planned within
 * the backoff bound (± the jitter) and happens then, never earlier and not much later; CRASH_LOOP is shown
 * from the 5th short run on (also by {@code status}); the engine's CPU time over the window, read from
 * /proc/PID/stat, stays under 5 % of one core.
 *
 * <p><b>Engine time compressed by an injected clock</b> ({@link #fiveMinutesOfCrashLoopInEngineTimeStayWithinTheBound}):
 * the restart policy the daemon uses, fed 5 minutes of exits by a manual clock (the engine's timers run in
 * real time, so only the policy can honestly be compressed). Same bounds, no sleeping.
 */
class CrashLoopReliabilityIT {
    /** Never restarted earlier than the lower bound (minus the loop's timer resolution) ... */
    private static final Duration EARLY_TOLERANCE = Duration.ofMillis(50);
    /** ... nor later than the upper bound plus this (fork and exec on a busy 2-core machine). */
    private static final Duration LATE_TOLERANCE = Duration.ofMillis(1500);
    private static final double CPU_BOUND_PERCENT = 5.0;

    @TempDir
    Path dir;

    /** One event as the subscriber received it. */
    private record Seen(long atMillis, JsonNode service) {
    }

    @Test
    void aCrashLoopRestartsWithinTheBackoffBoundShowsCrashLoopAndKeepsTheEngineCalm() throws Exception {
        ReliabilityMode mode = ReliabilityMode.current();
        Duration window = mode.pick(Duration.ofSeconds(40), Duration.ofMinutes(5));
        RestartSpec policy = mode.pick(
                new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofMillis(250), 2.0, Duration.ofSeconds(2), 0.2,
                        Duration.ofSeconds(60), 5, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(4)),
                RestartSpec.DEFAULT);
        ScenarioFigures.run("crash-loop", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                ObjectNode crasher = FaultCatalog.daemon(rig, "crasher", null, "--crash-after", "100ms", "--exit-code", "1");
                ObjectNode restart = crasher.putObject("restart");
                restart.put("initialDelay", policy.initialDelay().toMillis() + "ms")
                        .put("multiplier", policy.multiplier())
                        .put("maxDelay", policy.maxDelay().toMillis() + "ms")
                        .put("jitter", policy.jitter());
                restart.putObject("crashLoop").put("runs", policy.crashLoopRuns())
                        .put("shorterThan", policy.shortRun().toMillis() + "ms")
                        .put("within", policy.crashLoopWindow().toMillis() + "ms")
                        .put("maxDelay", policy.crashLoopMaxDelay().toMillis() + "ms");
                rig.writeCatalog(new FaultCatalog().add(crasher).text());
                long enginePid = rig.startEngine();

                List<Seen> events = java.util.Collections.synchronizedList(new ArrayList<>());
                try (ControlClient watch = ControlClient.connect(rig.paths().controlSocket(), Duration.ofSeconds(5))) {
                    watch.onEvent((type, data) -> {
                        if (type.equals("service") && data.path("name").asText().equals("crasher")) {
                            events.add(new Seen(System.currentTimeMillis(), data));
                        }
                    });
                    watch.call("subscribe", null, Duration.ofSeconds(10));

                    long cpuBefore = cpuTicks(enginePid);
                    long began = System.nanoTime();
                    rig.call("start", FaultRig.services("crasher"), Duration.ofSeconds(60));
                    // A measuring window, not a synchronisation: the crash loop runs for this long.
                    long end = began + window.toNanos();
                    while (System.nanoTime() < end) {
                        FaultRig.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    }
                    long cpuAfter = cpuTicks(enginePid);
                    double wallSeconds = (System.nanoTime() - began) / 1e9;
                    double cpuSeconds = (cpuAfter - cpuBefore) / 100.0;
                    double cpuPercent = 100 * cpuSeconds / wallSeconds;
                    figures.put("windowSeconds", wallSeconds).put("engineCpuSeconds", cpuSeconds)
                            .put("engineCpuPercent", cpuPercent).put("cpuBoundPercent", CPU_BOUND_PERCENT);
                    analyse(figures, policy, List.copyOf(events));
                    assertTrue(cpuPercent < CPU_BOUND_PERCENT, String.format(Locale.ROOT,
                            "the engine used %.2f s of CPU in %.1f s (%.2f %%) while the daemon crash-looped",
                            cpuSeconds, wallSeconds, cpuPercent));
                }

                JsonNode now = service(rig.snapshot(), "crasher");
                assertTrue(now.path("lifecycle").asText().equals("CRASH_LOOP") || now.path("lifecycle").asText().equals("RUNNING")
                        || now.path("lifecycle").asText().equals("STARTING"), now.toPrettyString());
                Launcher.Result status = rig.cli("status", "crasher");
                figures.put("restartsCounted", now.path("restarts").asInt());
                if (now.path("lifecycle").asText().equals("CRASH_LOOP")) {
                    assertTrue(status.out().contains("crash-loop"), "status shows the crash loop: " + status);
                    assertTrue(status.out().contains("crash loop: "), "and why: " + status);
                }
                assertTrue(FaultRig.withMarker(rig.processes(), FaultCatalog.marker(rig, "crasher")).size() <= 1,
                        "never more than one process: " + rig.processes().values());
            }
        });
    }

    /**
     * Per restart: the delay the engine planned (nextRestartAt − lastExitAt, both its own clock) lies within
     * the policy's bound for that attempt, and the new process appeared no earlier than the bound and not
     * much later (both times as this subscriber received the events).
     */
    private static void analyse(ScenarioFigures figures, RestartSpec policy, List<Seen> events) {
        Map<String, Seen> decisions = new LinkedHashMap<>(); // by lastExitAt: the first event announcing the restart
        Map<Long, Seen> starts = new LinkedHashMap<>();      // by pid: the first event showing it
        for (Seen e : events) {
            JsonNode s = e.service();
            String lifecycle = s.path("lifecycle").asText();
            if ((lifecycle.equals("BACKOFF") || lifecycle.equals("CRASH_LOOP")) && s.path("nextRestartAt").isTextual()) {
                decisions.putIfAbsent(s.path("lastExitAt").asText(), e);
            }
            if (s.path("pid").isNumber()) {
                starts.putIfAbsent(s.path("pid").asLong(), e);
            }
        }
        List<Seen> startList = new ArrayList<>(starts.values());
        int index = 0;
        int firstCrashLoopAttempt = -1;
        long worstEarlyMs = Long.MAX_VALUE;
        long worstLateMs = Long.MIN_VALUE;
        double maxPlannedOverBound = 0;
        List<Long> plannedMs = new ArrayList<>();
        for (Seen d : decisions.values()) {
            JsonNode s = d.service();
            int attempt = s.path("attempt").asInt();
            index++;
            boolean loop = s.path("lifecycle").asText().equals("CRASH_LOOP");
            if (loop && firstCrashLoopAttempt < 0) {
                firstCrashLoopAttempt = attempt;
            }
            // The 5th short run within the window makes it a crash loop: from then on the higher cap.
            assertEquals(index >= policy.crashLoopRuns(), loop, "exit " + index + " is "
                    + (index >= policy.crashLoopRuns() ? "" : "not yet ") + "a crash loop: " + s.toPrettyString());
            assertEquals(index, attempt, "attempts count every restart: " + s.toPrettyString());
            Duration cap = loop ? policy.crashLoopMaxDelay() : policy.maxDelay();
            double base = Math.min(policy.initialDelay().toMillis() * Math.pow(policy.multiplier(), attempt - 1), cap.toMillis());
            double low = base * (1 - policy.jitter());
            double high = base * (1 + policy.jitter());
            long planned = Duration.between(Instant.parse(s.path("lastExitAt").asText()),
                    Instant.parse(s.path("nextRestartAt").asText())).toMillis();
            plannedMs.add(planned);
            assertTrue(planned >= low - EARLY_TOLERANCE.toMillis() && planned <= high + EARLY_TOLERANCE.toMillis(),
                    "attempt " + attempt + " planned " + planned + " ms after the exit, bound [" + low + ", " + high + "]: "
                            + s.toPrettyString());
            maxPlannedOverBound = Math.max(maxPlannedOverBound, planned / high);
            Seen next = startList.stream().filter(x -> x.atMillis() >= d.atMillis()
                    && x.service().path("pid").asLong() != s.path("pid").asLong()).findFirst().orElse(null);
            if (next == null) {
                continue; // the window ended during this backoff
            }
            long actual = next.atMillis() - d.atMillis();
            worstEarlyMs = Math.min(worstEarlyMs, actual - (long) low);
            worstLateMs = Math.max(worstLateMs, actual - (long) high);
            assertTrue(actual >= low - EARLY_TOLERANCE.toMillis(), "attempt " + attempt + " restarted " + actual
                    + " ms after the exit, earlier than the bound " + low + " ms");
            assertTrue(actual <= high + LATE_TOLERANCE.toMillis(), "attempt " + attempt + " restarted " + actual
                    + " ms after the exit, later than the bound " + high + " ms + " + LATE_TOLERANCE.toMillis());
        }
        assertTrue(decisions.size() >= policy.crashLoopRuns() + 1, "enough exits to be a crash loop: " + decisions.size());
        figures.put("starts", starts.size()).put("exits", decisions.size())
                .put("crashLoopFromAttempt", firstCrashLoopAttempt)
                .put("restartEarliestVsLowerBoundMs", worstEarlyMs)
                .put("restartLatestVsUpperBoundMs", worstLateMs)
                .put("plannedDelayMaxOverUpperBound", maxPlannedOverBound);
        figures.putAll("plannedDelaysMs", plannedMs);
    }

    private static long cpuTicks(long pid) {
        return Proc.read(pid).orElseThrow(() -> new AssertionError("engine pid " + pid + " is gone")).cpuTicks();
    }

    /**
     * The policy the daemon runs, over 5 minutes of engine time from a manual clock: a process that runs
     * 300 ms and exits 1, restarted as decided. Every delay lies within the bound for its attempt, the
     * crash loop starts at the 5th short run, and the number of starts is what the bound allows.
     */
    @Test
    void fiveMinutesOfCrashLoopInEngineTimeStayWithinTheBound() throws Exception {
        ScenarioFigures.run("crash-loop-engine-time", figures -> {
            RestartSpec spec = RestartSpec.DEFAULT;
            RestartPolicy policy = new RestartPolicy(spec, new SplittableRandom(7));
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            Instant end = start.plus(Duration.ofMinutes(5));
            Duration run = Duration.ofMillis(300);
            Instant now = start;
            int starts = 0;
            int crashLoopFrom = -1;
            List<Long> delays = new ArrayList<>();
            Duration maxDelaySeen = Duration.ZERO;
            while (now.isBefore(end)) {
                starts++;
                Instant exitAt = now.plus(run);
                Decision d = policy.onExit(new ExitStatus(1, exitAt), run, false, exitAt);
                Decision.Restart r = assertInstanceOf(Decision.Restart.class, d, "a crash is always retried");
                assertEquals(starts, r.attempt());
                assertEquals(starts >= spec.crashLoopRuns(), r.crashLoop(), "crash loop from the 5th short run, exit " + starts);
                if (r.crashLoop() && crashLoopFrom < 0) {
                    crashLoopFrom = starts;
                }
                Duration cap = r.crashLoop() ? spec.crashLoopMaxDelay() : spec.maxDelay();
                double base = Math.min(spec.initialDelay().toMillis() * Math.pow(spec.multiplier(), starts - 1), cap.toMillis());
                long delay = r.delay().toMillis();
                assertTrue(delay >= Math.floor(base * (1 - spec.jitter())) && delay <= Math.ceil(base * (1 + spec.jitter())),
                        "exit " + starts + ": delay " + delay + " ms outside [" + base * 0.8 + ", " + base * 1.2 + "]");
                assertFalse(policy.resetIfStable(now, exitAt), "a 300 ms run never counts as stable");
                delays.add(delay);
                maxDelaySeen = r.delay().compareTo(maxDelaySeen) > 0 ? r.delay() : maxDelaySeen;
                now = exitAt.plus(r.delay());
            }
            // With the lower bound of every delay the most starts 5 minutes could hold.
            int maxStarts = 0;
            double t = 0;
            for (int attempt = 1; t < Duration.ofMinutes(5).toMillis(); attempt++) {
                maxStarts++;
                Duration cap = attempt >= spec.crashLoopRuns() ? spec.crashLoopMaxDelay() : spec.maxDelay();
                t += run.toMillis() + Math.min(spec.initialDelay().toMillis() * Math.pow(spec.multiplier(), attempt - 1),
                        cap.toMillis()) * (1 - spec.jitter());
            }
            assertTrue(starts <= maxStarts, starts + " starts in 5 minutes; the bound allows " + maxStarts);
            assertEquals(spec.crashLoopRuns(), crashLoopFrom);
            figures.put("engineMinutes", 5).put("starts", starts).put("maxStartsByBound", maxStarts)
                    .put("crashLoopFromAttempt", crashLoopFrom).put("longestDelay", maxDelaySeen)
                    .put("clock", "manual (RestartPolicy with injected instants; engine timers are real time)");
            figures.putAll("delaysMs", delays);
        });
    }
}
