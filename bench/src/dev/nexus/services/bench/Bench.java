package dev.nexus.services.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmarks of docs/BENCHMARKS.md. Run through {@code bench/run FIGURE [--option value ...]};
 * every figure starts its own engine in a temp NEXUS_ROOT, talks only to 127.0.0.1, and stops
 * everything it started.
 */
public final class Bench {
    private Bench() {
    }

    /** Command-line options: {@code --name value}, with defaults per figure. */
    record Options(Map<String, String> values) {
        int integer(String name, int fallback) {
            return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
        }

        String text(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        List<Integer> integers(String name, String fallback) {
            return List.of(text(name, fallback).split(",")).stream().map(String::trim).map(Integer::parseInt).toList();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("bench: expected --option value, got " + args[i]);
                usage();
                System.exit(2);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        Options o = new Options(values);
        Path launcher = Path.of(o.text("launcher", System.getProperty("bench.launcher", "bin/nexus-services")))
                .toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            System.err.println("bench: no launcher at " + launcher);
            System.exit(2);
        }
        List<String> figures = args[0].equals("all") ? List.of("status", "idle", "scale", "crash") : List.of(args[0]);
        if (!List.of("status", "status-flags", "status-compare", "idle", "scale", "crash").containsAll(figures)) {
            System.err.println("bench: unknown figure " + args[0]);
            usage();
            System.exit(2);
        }
        machine(launcher);
        for (String figure : figures) {
            awaitQuiet(o);
            switch (figure) {
                case "status" -> StatusBench.run(launcher, o);
                case "status-flags" -> StatusBench.flags(launcher, o);
                case "status-compare" -> StatusBench.compare(launcher, o);
                case "idle" -> EngineBench.idle(launcher, o);
                case "scale" -> EngineBench.scale(launcher, o);
                case "crash" -> CrashBench.run(launcher, o);
                default -> throw new IllegalStateException("figure " + figure);
            }
        }
    }

    private static void usage() {
        System.err.println("""
                usage: bench/run FIGURE [--option value ...]
                  status        status --json against a running engine with 4 services
                                  --runs 50 --warmup 5
                  status-flags  the same with JVM flag variants, interleaved (docs/BENCHMARKS.md)
                                  --rounds 20
                  status-compare  the same with other builds' launchers, interleaved
                                  --launchers PATH,PATH... --rounds 20
                  idle          engine CPU and memory with 4 services probed every 5 s
                                  --seconds 60 --settle 30
                  scale         engine CPU, threads and memory with N tcp-probed services (1 s period)
                                  --sizes 10,100,500 --seconds 60 --settle 15
                  crash         child exit (kill -9) to state event over the control socket
                                  --kills 100 --warmup 3
                  all           status, idle, scale and crash with their defaults
                every figure: --launcher PATH (default bin/nexus-services of this checkout)
                              --quiet-below L: first wait until the 1-min load average is below L
                                (at most --quiet-wait 900 s): the machine may be shared""");
    }

    /** The machine, once per run: what the figures depend on. */
    private static void machine(Path launcher) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> String.format(Locale.ROOT, "%.1f GiB",
                        Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0)).orElse("unknown");
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        section("machine");
        line("date            " + Instant.now());
        line("cpus (nproc)    " + Runtime.getRuntime().availableProcessors());
        line("cpu model       " + cpu);
        line("memory          " + mem);
        line("kernel          " + kernel);
        line("jdk             " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        line("launcher        " + launcher);
        line("load average    " + loadAverage());
    }

    /**
     * With {@code --quiet-below L}, waits (up to {@code --quiet-wait} seconds, default 900) until the
     * 1-minute load average is below L: the machine may be shared with builds that would skew a figure.
     */
    private static void awaitQuiet(Options o) throws Exception {
        if (!o.values().containsKey("quiet-below")) {
            return;
        }
        double limit = Double.parseDouble(o.text("quiet-below", "1"));
        long deadline = System.nanoTime() + Duration.ofSeconds(o.integer("quiet-wait", 900)).toNanos();
        double load = oneMinuteLoad();
        if (load < limit) {
            return;
        }
        System.out.printf(Locale.ROOT, "%n   (load %.2f: waiting for it to drop below %.2f)%n", load, limit);
        while (load >= limit && System.nanoTime() < deadline) {
            Thread.sleep(5000);
            load = oneMinuteLoad();
        }
        System.out.printf(Locale.ROOT, "   (load %.2f: %s)%n", load, load < limit ? "starting" : "gave up waiting, starting anyway");
    }

    private static double oneMinuteLoad() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0]);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    static void line(String text) {
        System.out.println("   " + text);
        System.out.flush();
    }

    static void verdict(String target, boolean met) {
        line("target          " + target + ": " + (met ? "MET" : "NOT MET"));
    }

    static String mib(long kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    static String pct(double value) {
        return String.format(Locale.ROOT, "%.3f %%", value);
    }

    /** Sleeps for a measurement window (not a synchronisation: the window is what is measured). */
    static void window(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** Thread names of a process, grouped ("nexus-probe-tcp ×1, process reaper ×4"). */
    static String threadSummary(long pid) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String name : Proc.threadNames(pid)) {
            // Linux keeps 15 characters of a thread's name: "log-pump-gatewa" is one of two per child.
            String group = name.startsWith("log-pump-") ? "log-pump-*" : name.replaceAll("[-#]?[0-9]+$", "-N");
            counts.merge(group, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((name, n) -> parts.add(name + " ×" + n));
        return String.join(", ", parts);
    }
}
