package dev.nexus.services.power;

import dev.nexus.services.engine.EngineEvent;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.engine.LongLivedConnection;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The sleep/wake figures of docs/BENCHMARKS.md (sleep and wake section) (run it with bench/power-wake): 4 fixture daemons
 * under an engine, the logind source and the clock source on a private system bus with the stand-in
 * logind, and N sleep/wake cycles. Per cycle it measures
 * <ul>
 *   <li>prepare: PrepareForSleep(true) sent to the delay lock released (as the stand-in logind sees it);</li>
 *   <li>reconnect: the wake command sent to {@code forceReconnect()} called on an attached connection;</li>
 *   <li>healthy: the wake command sent to every service shown HEALTHY again (each goes through
 *       "waking up" first, so this is a fresh probe, not the state from before the sleep);</li>
 * </ul>
 * and at the end checks that no healthy service was restarted and each has exactly one process, also
 * after the last grace is over. Times include the stand-in's own handling (Python) of the command.
 *
 * <p>Arguments: {@code --cycles N} (100), {@code --grace SECONDS} (30, the default grace).
 */
public final class PowerWakeBench {
    private static final List<String> SERVICES = List.of("gateway", "cloud", "hub", "collab");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private PowerWakeBench() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = 100;
        Duration grace = EngineOptions.DEFAULT_WAKE_GRACE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--grace" -> grace = Duration.ofSeconds(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--cycles N, --grace S)");
            }
        }
        if (!PrivateSystemBus.toolsInstalled()) {
            throw new IllegalStateException("needs dbus-daemon, dbus-send and python3-dbus/python3-gi (scripts/test installs them)");
        }
        Path dir = Files.createTempDirectory("nexus-power-bench");
        try {
            run(dir, cycles, grace);
        } finally {
            deleteTree(dir);
        }
    }

    private static void run(Path dir, int cycles, Duration grace) throws Exception {
        System.out.printf(Locale.ROOT, "power-wake: %d sleep/wake cycles, %d daemons (%s), grace %d s, %s, %d cpus%n",
                cycles, SERVICES.size(), String.join(", ", SERVICES), grace.toSeconds(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        try (WakeScenario s = WakeScenario.start(dir, SERVICES, List.of(), grace)) {
            Map<String, Long> pids = new LinkedHashMap<>();
            for (String name : SERVICES) {
                ServiceSnapshot snapshot = s.service(name);
                if (snapshot.status() != DisplayStatus.HEALTHY) {
                    throw new IllegalStateException(name + " not healthy at the start: " + snapshot);
                }
                pids.put(name, snapshot.pid());
            }
            AtomicLong reconnectedAt = new AtomicLong();
            LongLivedConnection session = () -> reconnectedAt.compareAndSet(0, System.nanoTime());
            s.engine.attachConnection("gateway", session).get();
            Map<String, Long> healthyAt = new ConcurrentHashMap<>();
            Map<String, Boolean> wakingSeen = new ConcurrentHashMap<>();
            Consumer<EngineEvent> events = e -> {
                ServiceSnapshot x = e.service();
                if (x == null) {
                    return;
                }
                if (x.message() != null && x.message().startsWith("waking up")) {
                    wakingSeen.put(x.name(), true);
                } else if (x.status() == DisplayStatus.HEALTHY && wakingSeen.containsKey(x.name())) {
                    healthyAt.putIfAbsent(x.name(), System.nanoTime());
                }
            };
            s.engine.subscribe(events).get();

            List<Double> prepare = new ArrayList<>();
            List<Double> reconnect = new ArrayList<>();
            List<Double> healthy = new ArrayList<>();
            Map<String, List<Double>> healthyBy = new HashMap<>();
            for (int cycle = 1; cycle <= cycles; cycle++) {
                LogindStandIn.SleepOutcome slept = s.sleep();
                if (!slept.released()) {
                    throw new IllegalStateException("cycle " + cycle + ": the delay lock was not released within 5 s");
                }
                prepare.add((double) slept.waited().toMillis());
                healthyAt.clear();
                wakingSeen.clear();
                reconnectedAt.set(0);
                long wokeAt = System.nanoTime();
                s.wake();
                int n = cycle;
                Await.until("cycle " + n + ": every service healthy again", WAIT,
                        () -> healthyAt.keySet().containsAll(SERVICES) && reconnectedAt.get() != 0,
                        () -> healthyAt + " " + s.engine.snapshot().services());
                Await.until("cycle " + n + ": the lock taken again", WAIT, s.logindSource::holdsDelayLock);
                reconnect.add(millis(reconnectedAt.get() - wokeAt));
                long last = healthyAt.values().stream().max(Comparator.naturalOrder()).orElseThrow();
                healthy.add(millis(last - wokeAt));
                healthyAt.forEach((name, at) -> healthyBy.computeIfAbsent(name, k -> new ArrayList<>()).add(millis(at - wokeAt)));
            }
            s.engine.unsubscribe(events);

            System.out.println();
            System.out.println("figure                                   median     p95     max   (ms, over " + cycles + " cycles)");
            row("sleep announced -> delay lock released", prepare);
            row("wake signal -> connections reconnecting", reconnect);
            row("wake signal -> all 4 services HEALTHY", healthy);
            for (String name : SERVICES) {
                row("  wake signal -> " + name + " HEALTHY", healthyBy.get(name));
            }

            System.out.println();
            System.out.println("waiting for the last grace to end (" + grace.toSeconds() + " s) before counting restarts...");
            Await.until("the grace over", grace.plus(WAIT), () -> s.engine.snapshot().engine().wakeGraceUntil() == null);
            int restarts = 0;
            int duplicates = 0;
            int pidChanges = 0;
            for (String name : SERVICES) {
                ServiceSnapshot x = s.service(name);
                restarts += x.restarts();
                pidChanges += x.pid().equals(pids.get(name)) ? 0 : 1;
                long processes = s.processes(name);
                duplicates += (int) Math.max(0, processes - 1);
                System.out.printf(Locale.ROOT, "  %-8s pid %d (%s), restarts %d, processes %d, %s%n", name, x.pid(),
                        x.pid().equals(pids.get(name)) ? "unchanged" : "CHANGED", x.restarts(), processes, x.status());
            }
            SleepWakeMonitor.Counts counts = s.monitor.counts();
            System.out.printf(Locale.ROOT, "restarts of healthy services: %d; duplicate processes: %d; pid changes: %d%n",
                    restarts, duplicates, pidChanges);
            System.out.printf(Locale.ROOT, "monitor: %d sleeps, %d wakes, %d duplicates dropped; inhibit calls %d; "
                    + "delay locks held now %d%n", counts.sleeps(), counts.wakes(), counts.duplicates(),
                    s.logind.inhibitCalls(), s.logind.heldDelayLocks());
            System.out.println("last recovery: " + s.engine.snapshot().engine().lastRecovery().summary());
            boolean ok = restarts == 0 && duplicates == 0 && pidChanges == 0 && counts.wakes() == cycles
                    && percentile(healthy, 1.0) <= 1000;
            System.out.println(ok ? "RESULT: pass" : "RESULT: FAIL");
            if (!ok) {
                System.exit(1);
            }
        }
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static void row(String label, List<Double> values) {
        System.out.printf(Locale.ROOT, "%-40s %7.1f %7.1f %7.1f%n", label, percentile(values, 0.5),
                percentile(values, 0.95), percentile(values, 1.0));
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
