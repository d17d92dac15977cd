package dev.nexus.services.reliability;

import static dev.nexus.services.reliability.FaultRig.healthy;
import static dev.nexus.services.reliability.FaultRig.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.reliability.FaultRig.Proc;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine killed with SIGKILL in the middle of an operation, then started again, K times (short 5,
 * long 20). Operations in turn: idle; a {@code restart}; a {@code stop}; a {@code start} of a stopped
 * service; the recovery of a service that just crashed. After each new engine is up:
 * <ul>
 *   <li>every service not being operated on runs on as the same process, adopted (same pid, not restarted);</li>
 *   <li>no service has two processes, no grandchild is left without its parent;</li>
 *   <li>the one being operated on settles into a state the snapshot and the process table agree on;</li>
 *   <li>services.json is unchanged, and run/desired.json and every run/children/*.json parse.</li>
 * </ul>
 * At the end an adopted process that is killed is still restarted: supervision went on.
 */
class EngineKillReliabilityIT {
    private static final List<String> SERVICES = List.of("alpha", "beta", "gamma");

    @TempDir
    Path dir;

    private enum Operation { IDLE, RESTART, STOP, START, CRASH_RECOVERY }

    @Test
    void childrenSurviveEngineKillsAreAdoptedAndNoStateFileIsCorrupted() throws Exception {
        int cycles = ReliabilityMode.current().pick(5, 20);
        ScenarioFigures.run("engine-kill", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                Map<String, Integer> ports = new LinkedHashMap<>();
                SERVICES.forEach(s -> ports.put(s, FaultCatalog.freePort()));
                String catalog = new FaultCatalog()
                        .add(FaultCatalog.daemon(rig, "alpha", ports.get("alpha"), "--listen", String.valueOf(ports.get("alpha"))))
                        .add(FaultCatalog.daemon(rig, "beta", ports.get("beta"), "--listen", String.valueOf(ports.get("beta")),
                                "--chatty", "20"))
                        .add(FaultCatalog.daemon(rig, "gamma", ports.get("gamma"), "--grandchild-holds-port",
                                String.valueOf(ports.get("gamma"))))
                        .text();
                rig.writeCatalog(catalog);
                rig.expect(0, "up");

                long seed = System.nanoTime();
                Random random = new Random(seed);
                figures.put("seed", seed).put("cycles", cycles);
                int adopted = 0;
                int operatedRunning = 0;
                int operatedStopped = 0;
                List<Long> engineBackMs = new ArrayList<>();
                Map<Operation, Integer> done = new LinkedHashMap<>();
                for (int cycle = 0; cycle < cycles; cycle++) {
                    Operation op = Operation.values()[cycle % Operation.values().length];
                    done.merge(op, 1, Integer::sum);
                    JsonNode before = allHealthy(rig);
                    long enginePid = before.path("engine").path("pid").asLong();
                    String target = SERVICES.get(random.nextInt(SERVICES.size()));
                    if (op == Operation.START) {
                        rig.call("stop", FaultRig.services(target), Duration.ofSeconds(60));
                        before = rig.snapshot();
                    }
                    Map<String, Long> pids = new LinkedHashMap<>();
                    for (String s : SERVICES) {
                        JsonNode svc = service(before, s);
                        pids.put(s, svc.path("pid").isNumber() ? svc.path("pid").asLong() : -1);
                    }

                    CompletableFuture<?> inFlight = switch (op) {
                        case IDLE -> CompletableFuture.completedFuture(null);
                        case RESTART -> async(rig, "restart", target);
                        case STOP -> async(rig, "stop", target);
                        case START -> async(rig, "start", target);
                        case CRASH_RECOVERY -> {
                            assertTrue(ProcessHandle.of(pids.get(target)).orElseThrow().destroyForcibly());
                            yield CompletableFuture.completedFuture(null);
                        }
                    };
                    FaultRig.sleep(random.nextInt(op == Operation.IDLE ? 200 : 1200));
                    assertTrue(ProcessHandle.of(enginePid).orElseThrow().destroyForcibly(), "SIGKILL to the engine");
                    FaultRig.awaitDead(enginePid);
                    inFlight.handle((r, e) -> null).get(30, TimeUnit.SECONDS); // its connection broke

                    // The engine's death alone kills nobody.
                    for (String s : SERVICES) {
                        if (!s.equals(target) || op == Operation.IDLE) {
                            assertTrue(alive(pids.get(s)), s + " (pid " + pids.get(s) + ") survived the engine's SIGKILL");
                        }
                    }
                    assertStateFilesParse(rig, catalog);

                    long restartAt = System.nanoTime();
                    rig.startEngine();
                    String when = "cycle " + cycle + " (" + op + " " + target + ")";
                    JsonNode after = rig.awaitSnapshot(when + ": every service settled after the engine restart", snap -> {
                        for (String s : SERVICES) {
                            String lifecycle = service(snap, s).path("lifecycle").asText();
                            if (!healthy(service(snap, s)) && !lifecycle.equals("STOPPED")) {
                                return false;
                            }
                        }
                        return true;
                    });
                    engineBackMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt));
                    for (String s : SERVICES) {
                        JsonNode svc = service(after, s);
                        if (!s.equals(target) || op == Operation.IDLE) {
                            assertEquals(pids.get(s), svc.path("pid").asLong(), "cycle " + cycle + " (" + op + " " + target
                                    + "): " + s + " adopted, not restarted: " + svc.toPrettyString());
                            adopted++;
                        } else if (svc.path("pid").isNumber()) {
                            operatedRunning++;
                        } else {
                            operatedStopped++;
                        }
                    }
                    assertProcessTableMatches(rig, after, ports, "cycle " + cycle + " (" + op + " " + target + ")");
                    assertStateFilesParse(rig, catalog);
                }

                // Supervision goes on for adopted processes.
                JsonNode now = allHealthy(rig);
                long alpha = service(now, "alpha").path("pid").asLong();
                assertTrue(ProcessHandle.of(alpha).orElseThrow().destroyForcibly());
                rig.awaitSnapshot("the adopted alpha restarted after a kill", snap -> {
                    JsonNode s = service(snap, "alpha");
                    return healthy(s) && s.path("pid").asLong() != alpha;
                });
                assertProcessTableMatches(rig, rig.snapshot(), ports, "after the last cycle");

                figures.put("adoptedUnchanged", adopted).put("operatedEndedRunning", operatedRunning)
                        .put("operatedEndedStopped", operatedStopped)
                        .put("leftoverTempFiles", tempFiles(rig).size())
                        .putDistribution("engineRestartToSettled", engineBackMs);
                done.forEach((op, n) -> figures.put("cycles" + op.name(), n));
            }
        });
    }

    private static CompletableFuture<?> async(FaultRig rig, String op, String service) {
        return CompletableFuture.runAsync(() -> {
            try {
                rig.call(op, FaultRig.services(service), Duration.ofSeconds(60));
            } catch (Exception e) {
                // Expected: the engine is killed while the operation runs.
            }
        });
    }

    private static JsonNode allHealthy(FaultRig rig) throws Exception {
        JsonNode now = rig.snapshot();
        if (SERVICES.stream().allMatch(s -> healthy(service(now, s)))) {
            return now;
        }
        rig.call("up", null, Duration.ofSeconds(90));
        return rig.awaitSnapshot("every service healthy", snap -> SERVICES.stream().allMatch(s -> healthy(service(snap, s))));
    }

    /**
     * One process per running service and none for a stopped one, the one the snapshot names; the
     * grandchild holding gamma's port belongs to gamma's current process.
     */
    private static void assertProcessTableMatches(FaultRig rig, JsonNode snapshot, Map<String, Integer> ports, String when) {
        Map<Long, Proc> all = rig.processes();
        for (String s : SERVICES) {
            List<Proc> mine = FaultRig.withMarker(all, FaultCatalog.marker(rig, s)).stream()
                    .filter(p -> all.values().stream().noneMatch(q -> q.pid() == p.ppid()
                            && q.cmdline().contains(FaultCatalog.marker(rig, s))))
                    .toList();
            JsonNode svc = service(snapshot, s);
            if (svc.path("pid").isNumber()) {
                assertEquals(1, mine.size(), when + ": exactly one process of " + s + ": " + mine);
                assertEquals(svc.path("pid").asLong(), mine.get(0).pid(), when + ": the one the engine supervises");
            } else {
                assertEquals(List.of(), mine, when + ": no process of the stopped " + s);
            }
        }
        String grandchild = "FixtureService --listen " + ports.get("gamma") + " --ignore-term";
        List<Proc> heirs = all.values().stream().filter(p -> p.cmdline().contains(grandchild)).toList();
        JsonNode gamma = service(snapshot, "gamma");
        if (gamma.path("pid").isNumber()) {
            assertEquals(1, heirs.size(), when + ": one grandchild of gamma: " + heirs);
            assertEquals(gamma.path("pid").asLong(), heirs.get(0).pgrp(), when + ": in the group of gamma's process");
        } else {
            assertEquals(List.of(), heirs, when + ": no grandchild of the stopped gamma");
        }
    }

    /** services.json is the user's, byte for byte; the engine's own state files are whole JSON. */
    private static void assertStateFilesParse(FaultRig rig, String catalog) throws IOException {
        assertEquals(catalog, Files.readString(rig.paths().catalogFile(), StandardCharsets.UTF_8),
                "services.json is never rewritten");
        Path desired = rig.paths().run().resolve("desired.json");
        if (Files.exists(desired)) {
            JsonNode d = parse(desired);
            assertTrue(d.path("services").isObject(), desired + ": " + d);
        }
        Path children = rig.paths().run().resolve("children");
        if (Files.isDirectory(children)) {
            try (Stream<Path> files = Files.list(children)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                    JsonNode r = parse(f);
                    assertTrue(r.path("pid").isNumber() && r.path("command").isArray() && r.path("service").isTextual(),
                            f + " is a whole child record: " + r);
                }
            }
        }
    }

    private static JsonNode parse(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            fail(file + " does not parse: " + e.getMessage());
            return null;
        }
    }

    private static List<Path> tempFiles(FaultRig rig) throws IOException {
        try (Stream<Path> files = Files.walk(rig.paths().run())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static boolean alive(long pid) {
        return pid > 0 && Proc.read(pid).map(p -> !p.zombie()).orElse(false);
    }
}
