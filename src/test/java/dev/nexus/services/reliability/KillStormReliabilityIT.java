package dev.nexus.services.reliability;

import static dev.nexus.services.reliability.FaultRig.healthy;
import static dev.nexus.services.reliability.FaultRig.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.reliability.FaultRig.Proc;
import dev.nexus.services.supervise.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill storm: every supervised fixture daemon is killed with SIGKILL N times (short 10, long 100) at
 * random moments: while it runs, while it is starting (the new process is killed before its startup
 * probe passed) and while it is being stopped. Three daemons, each storm running in parallel:
 * <ul>
 *   <li>{@code solo}: listens on its port;</li>
 *   <li>{@code stubborn}: listens, ignores SIGTERM (a stop waits for the grace, then SIGKILL) and
 *       writes 50 lines a second to stdout and stderr;</li>
 *   <li>{@code family}: does not listen itself; its grandchild (ignoring SIGTERM) holds the service's
 *       port, as a launcher script with a server under it does.</li>
 * </ul>
 * After every kill: the service is healthy again with a new pid, the killed process and its
 * grandchild are gone, the port is open again and held by the new process tree. Throughout, a sampler
 * reads the process table every 25 ms: never two processes of one service. At the end the restart
 * counts in {@code status --json} equal the kills outside a stop, and a stop frees every port and
 * leaves no process.
 */
class KillStormReliabilityIT {
    private static final Duration RECOVERY = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    private enum Moment { RUNNING, STARTING, STOPPING }

    /** A service under the storm; {@code grandchild} when its port is held by a grandchild. */
    private record Target(String name, int port, boolean grandchild, boolean ignoresTerm) {
    }

    /** What one service's storm did. */
    private static final class Storm {
        final Target target;
        final Map<Moment, Integer> landed = new LinkedHashMap<>();
        final List<Long> recoveryMs = new ArrayList<>();
        int kills;
        /** Kills outside a stop: each one must be followed by exactly one restart. */
        int expectedRestarts;
        /** Kills after which a new process was seen with nothing of the killed tree left. */
        int recovered;
        int orphansReaped;

        Storm(Target target) {
            this.target = target;
            for (Moment m : Moment.values()) {
                landed.put(m, 0);
            }
        }
    }

    @Test
    void everyKillIsRecoveredWithoutDuplicatesOrphansOrMiscountedRestarts() throws Exception {
        int killsPerService = ReliabilityMode.current().pick(10, 100);
        ScenarioFigures.run("kill-storm", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                List<Target> targets = List.of(
                        new Target("solo", FaultCatalog.freePort(), false, false),
                        new Target("stubborn", FaultCatalog.freePort(), false, true),
                        new Target("family", FaultCatalog.freePort(), true, false));
                FaultCatalog catalog = new FaultCatalog();
                for (Target t : targets) {
                    List<String> args = new ArrayList<>();
                    if (t.grandchild()) {
                        args.addAll(List.of("--grandchild-holds-port", String.valueOf(t.port())));
                    } else {
                        args.addAll(List.of("--listen", String.valueOf(t.port())));
                    }
                    if (t.ignoresTerm()) {
                        args.addAll(List.of("--ignore-term", "--chatty", "50"));
                    }
                    catalog.add(FaultCatalog.daemon(rig, t.name(), t.port(), args.toArray(String[]::new)));
                }
                rig.writeCatalog(catalog.text());
                rig.expect(0, "up");

                Sampler sampler = new Sampler(rig, targets);
                sampler.start();
                List<Storm> storms = new ArrayList<>();
                ExecutorService pool = Executors.newFixedThreadPool(targets.size());
                try {
                    List<Future<Storm>> running = new ArrayList<>();
                    long seed = System.nanoTime();
                    figures.put("seed", seed);
                    for (int i = 0; i < targets.size(); i++) {
                        Target t = targets.get(i);
                        Random random = new Random(seed + i);
                        running.add(pool.submit(() -> storm(rig, t, killsPerService, random)));
                    }
                    for (Future<Storm> f : running) {
                        storms.add(f.get(30, TimeUnit.MINUTES));
                    }
                } finally {
                    pool.shutdownNow();
                    sampler.stop();
                }

                // The counts as the user sees them.
                JsonNode status = rig.cli("status", "--json").json();
                int kills = 0;
                int restarts = 0;
                List<Long> recoveries = new ArrayList<>();
                for (Storm s : storms) {
                    JsonNode svc = service(status, s.target.name());
                    assertTrue(healthy(svc), s.target.name() + " ends healthy: " + svc.toPrettyString());
                    assertEquals(s.expectedRestarts, svc.path("restarts").asInt(),
                            s.target.name() + ": one restart per kill outside a stop, no more, no less: " + svc.toPrettyString());
                    kills += s.kills;
                    restarts += svc.path("restarts").asInt();
                    recoveries.addAll(s.recoveryMs);
                    figures.put(s.target.name() + "Kills", s.kills);
                    figures.put(s.target.name() + "Restarts", svc.path("restarts").asInt());
                    for (Moment m : Moment.values()) {
                        figures.put(s.target.name() + "KilledWhile" + capitalized(m), s.landed.get(m));
                    }
                }
                figures.put("services", targets.size()).put("killsPerService", killsPerService).put("kills", kills)
                        .put("restartsCounted", restarts)
                        .put("restartsExpected", storms.stream().mapToInt(s -> s.expectedRestarts).sum())
                        .put("recovered", storms.stream().mapToInt(s -> s.recovered).sum())
                        .put("orphanedGrandchildrenGone", storms.stream().mapToInt(s -> s.orphansReaped).sum())
                        .put("processTableSamples", sampler.samples.get())
                        .put("maxProcessesPerService", sampler.maxLeaders())
                        .put("maxGrandchildren", sampler.maxGrandchildren())
                        .putDistribution("recovery", recoveries);
                for (Storm s : storms) {
                    assertEquals(s.kills, s.recovered + s.landed.get(Moment.STOPPING),
                            s.target.name() + ": every kill outside a stop was recovered from");
                }
                assertEquals(1, sampler.maxLeaders(), "never two processes of one service: " + sampler.duplicates);
                assertEquals(1, sampler.maxGrandchildren(), "never two grandchildren: " + sampler.duplicates);
                for (Storm s : storms) {
                    assertTrue(s.landed.get(Moment.STARTING) > 0, s.target.name() + " was killed while starting: " + s.landed);
                    assertTrue(s.landed.get(Moment.STOPPING) > 0, s.target.name() + " was killed while stopping: " + s.landed);
                }

                // Finally a stop frees every port and leaves nothing behind.
                rig.expect(0, "stop", "solo", "stubborn", "family");
                for (Target t : targets) {
                    assertFalse(FaultCatalog.listening(t.port()), t.name() + "'s port " + t.port() + " is free after stop");
                }
                assertEquals(List.of(), serviceProcesses(rig, targets), "no process of any service after stop");
            }
        });
    }

    private static String capitalized(Moment m) {
        return m.name().charAt(0) + m.name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    /** The storm of one service: {@code kills} SIGKILLs at moments picked by {@code random}. */
    private static Storm storm(FaultRig rig, Target t, int kills, Random random) throws Exception {
        Storm storm = new Storm(t);
        // Each kind of moment comes up regularly; the order and the delays are random.
        List<Moment> plan = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
            plan.add(i % 4 == 1 ? Moment.STARTING : i % 4 == 3 ? Moment.STOPPING : Moment.RUNNING);
        }
        java.util.Collections.shuffle(plan, random);
        Killed last = null;      // the last kill outside a stop, until its recovery was checked
        long lastPid = -1;       // the last process that was killed or stopped
        CompletableFuture<JsonNode> userStart = null;
        for (int i = 0; storm.kills < kills; i++) {
            Moment planned = plan.get(i % plan.size());
            Moment next = plan.get((i + 1) % plan.size());
            if (planned == Moment.STARTING) {
                if (last == null && userStart == null) {
                    // Nothing is starting: a kill of the running process makes a start happen.
                    JsonNode s = awaitHealthy(rig, t.name(), lastPid);
                    last = kill(rig, t, storm, s.path("pid").asLong(), false);
                    lastPid = last.pid();
                }
                long previous = lastPid;
                JsonNode starting = service(rig.awaitSnapshot(t.name() + " starting a new process", RECOVERY, snap -> {
                    JsonNode s = service(snap, t.name());
                    return s.path("pid").isNumber() && s.path("pid").asLong() != previous;
                }), t.name());
                if (last != null) {
                    // A new process is never started while anything of the killed one is left.
                    assertGone(t, last);
                    storm.recovered++;
                    if (last.grandchild() > 0) {
                        storm.orphansReaped++;
                    }
                }
                FaultRig.sleep(random.nextInt(100)); // a fixture JVM takes 300-500 ms to listen
                last = kill(rig, t, storm, starting.path("pid").asLong(), true);
                lastPid = last.pid();
                userStart = settled(userStart);
            } else if (planned == Moment.RUNNING) {
                JsonNode s = awaitHealthy(rig, t.name(), lastPid);
                if (last != null) {
                    recovered(rig, t, storm, last);
                    last = null;
                }
                userStart = settled(userStart);
                FaultRig.sleep(random.nextInt(800));
                last = kill(rig, t, storm, s.path("pid").asLong(), false);
                lastPid = last.pid();
            } else {
                JsonNode s = awaitHealthy(rig, t.name(), lastPid);
                if (last != null) {
                    recovered(rig, t, storm, last);
                    last = null;
                }
                userStart = settled(userStart);
                long pid = s.path("pid").asLong();
                long grandchild = t.grandchild() ? grandchildOf(t).orElse(-1) : -1;
                CompletableFuture<JsonNode> stop = CompletableFuture.supplyAsync(() -> call(rig, "stop", t.name()));
                rig.awaitSnapshot(t.name() + " stopping", RECOVERY, snap -> {
                    String lifecycle = service(snap, t.name()).path("lifecycle").asText();
                    return lifecycle.equals("STOPPING") || lifecycle.equals("STOPPED");
                });
                FaultRig.sleep(random.nextInt(t.ignoresTerm() || t.grandchild() ? 1500 : 20));
                // Whichever process of the tree is still there takes the SIGKILL.
                boolean landed = kill(pid) || (grandchild > 0 && kill(grandchild));
                if (landed) {
                    storm.kills++;
                    storm.landed.merge(Moment.STOPPING, 1, Integer::sum);
                }
                stop.get(60, TimeUnit.SECONDS);
                JsonNode stopped = service(rig.snapshot(), t.name());
                assertEquals("STOPPED", stopped.path("lifecycle").asText(), stopped.toPrettyString());
                assertTrue(stopped.path("pid").isNull(), stopped.toPrettyString());
                assertFalse(alive(pid), t.name() + ": pid " + pid + " gone after the stop");
                if (grandchild > 0) {
                    assertFalse(alive(grandchild), t.name() + ": grandchild " + grandchild + " gone after the stop");
                }
                assertFalse(Ports.isListening(t.port()), t.name() + ": port " + t.port() + " free after the stop");
                lastPid = pid;
                // The user starts it again; the next moment may well be this start.
                userStart = CompletableFuture.supplyAsync(() -> call(rig, "start", t.name()));
            }
            if (next != Moment.STARTING && last != null && storm.kills < kills) {
                awaitHealthy(rig, t.name(), lastPid);
                recovered(rig, t, storm, last);
                last = null;
            }
        }
        settled(userStart);
        awaitHealthy(rig, t.name(), lastPid);
        if (last != null) {
            recovered(rig, t, storm, last);
        }
        return storm;
    }

    private static JsonNode call(FaultRig rig, String op, String service) {
        try {
            return rig.call(op, FaultRig.services(service), Duration.ofSeconds(90));
        } catch (Exception e) {
            throw new AssertionError(op + " " + service + ": " + e, e);
        }
    }

    private static CompletableFuture<JsonNode> settled(CompletableFuture<JsonNode> command) throws Exception {
        if (command != null) {
            command.get(120, TimeUnit.SECONDS);
        }
        return null;
    }

    /** A SIGKILL that landed: the process, its grandchild then (or -1), and when. */
    private record Killed(long pid, long grandchild, long atNanos) {
    }

    /**
     * SIGKILLs {@code pid}, the service's process.
     *
     * @param duringStart the kill was aimed at a start: it counts as one when the service was still
     *                    STARTING just before it
     */
    private static Killed kill(FaultRig rig, Target t, Storm storm, long pid, boolean duringStart) {
        JsonNode before = service(rig.snapshot(), t.name());
        assertEquals(pid, before.path("pid").asLong(), t.name() + " still runs the process to be killed: "
                + before.toPrettyString());
        boolean starting = before.path("lifecycle").asText().equals("STARTING");
        long grandchild = t.grandchild() ? grandchildOf(t).orElse(-1) : -1;
        long killedAt = System.nanoTime();
        assertTrue(kill(pid), t.name() + ": pid " + pid + " was alive to be killed");
        storm.kills++;
        storm.landed.merge(duringStart && starting ? Moment.STARTING : Moment.RUNNING, 1, Integer::sum);
        storm.expectedRestarts++;
        return new Killed(pid, grandchild, killedAt);
    }

    /** The killed process and what it had started are gone. */
    private static void assertGone(Target t, Killed k) {
        assertFalse(alive(k.pid()), t.name() + ": the killed pid " + k.pid() + " is gone");
        if (k.grandchild() > 0) {
            assertFalse(alive(k.grandchild()), t.name() + ": the grandchild " + k.grandchild() + " of killed pid "
                    + k.pid() + " did not outlive it (orphan)");
        }
    }

    /**
     * After a kill, once the service is healthy again: a new pid, nothing of the killed tree left, and
     * the port open and held by the new process tree.
     */
    private static void recovered(FaultRig rig, Target t, Storm storm, Killed k) {
        JsonNode back = awaitHealthy(rig, t.name(), k.pid());
        storm.recoveryMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - k.atNanos()));
        long now = back.path("pid").asLong();
        assertGone(t, k);
        storm.recovered++;
        if (k.grandchild() > 0) {
            storm.orphansReaped++;
        }
        OptionalLong holder = Ports.listenerPid(t.port());
        assertTrue(holder.isPresent(), t.name() + ": port " + t.port() + " open again");
        assertTrue(holder.getAsLong() == now || ProcessHandle.of(now).map(h -> h.descendants()
                        .anyMatch(d -> d.pid() == holder.getAsLong())).orElse(false),
                t.name() + ": port " + t.port() + " is held by the new process " + now + " or its child, not by "
                        + holder.getAsLong());
    }

    private static JsonNode awaitHealthy(FaultRig rig, String name, long notPid) {
        return service(rig.awaitSnapshot(name + " healthy with a pid other than " + notPid, RECOVERY, snap -> {
            JsonNode s = service(snap, name);
            return healthy(s) && s.path("pid").asLong() != notPid;
        }), name);
    }

    private static OptionalLong grandchildOf(Target t) {
        String needle = "FixtureService --listen " + t.port() + " --ignore-term";
        return Proc.all().stream().filter(p -> !p.zombie() && p.cmdline().contains(needle))
                .mapToLong(Proc::pid).findFirst();
    }

    private static boolean kill(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::destroyForcibly).orElse(false);
    }

    private static boolean alive(long pid) {
        return Proc.read(pid).map(p -> !p.zombie()).orElse(false);
    }

    private static List<String> serviceProcesses(FaultRig rig, List<Target> targets) {
        List<String> found = new ArrayList<>();
        for (Proc p : Proc.all()) {
            for (Target t : targets) {
                if (!p.zombie() && (p.cmdline().contains(FaultCatalog.marker(rig, t.name()))
                        || p.cmdline().contains("FixtureService --listen " + t.port() + " "))) {
                    found.add(p.toString());
                }
            }
        }
        return found;
    }

    /** Reads the process table every 25 ms and keeps the most processes seen at once per service. */
    private static final class Sampler {
        private final FaultRig rig;
        private final List<Target> targets;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Map<String, Integer> leaders = new ConcurrentHashMap<>();
        private final Map<String, Integer> grandchildren = new ConcurrentHashMap<>();
        final List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger samples = new AtomicInteger();
        private Thread thread;

        Sampler(FaultRig rig, List<Target> targets) {
            this.rig = rig;
            this.targets = targets;
        }

        void start() {
            thread = new Thread(() -> {
                while (running.get()) {
                    List<Proc> all = Proc.all();
                    for (Target t : targets) {
                        String marker = FaultCatalog.marker(rig, t.name());
                        String grandchild = "FixtureService --listen " + t.port() + " --ignore-term";
                        List<Proc> marked = all.stream().filter(p -> !p.zombie() && p.cmdline().contains(marker)).toList();
                        // A leader's own child between fork and exec still shows the leader's command line:
                        // that is the grandchild being born, not a second copy of the service.
                        List<Proc> mine = marked.stream()
                                .filter(p -> marked.stream().noneMatch(q -> q.pid() == p.ppid())).toList();
                        List<Proc> heirs = all.stream().filter(p -> !p.zombie() && p.cmdline().contains(grandchild)).toList();
                        leaders.merge(t.name(), mine.size(), Math::max);
                        grandchildren.merge(t.name(), heirs.size(), Math::max);
                        if (mine.size() > 1 || heirs.size() > 1) {
                            duplicates.add(t.name() + ": " + mine + " " + heirs);
                        }
                    }
                    samples.incrementAndGet();
                    try {
                        Thread.sleep(25);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "kill-storm-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }

        int maxLeaders() {
            return leaders.values().stream().max(Integer::compare).orElse(0);
        }

        int maxGrandchildren() {
            return targets.stream().filter(Target::grandchild).mapToInt(t -> grandchildren.getOrDefault(t.name(), 0))
                    .max().orElse(0);
        }
    }
}
