package dev.nexus.services.bench;

import static dev.nexus.services.bench.Bench.line;
import static dev.nexus.services.bench.Bench.mib;
import static dev.nexus.services.bench.Bench.pct;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The engine at rest: idle with the four services, and with many tcp-probed services. */
final class EngineBench {
    private EngineBench() {
    }

    record Window(int services, Proc.Sample before, Proc.Sample after, long probes, Duration length,
                  String loadBefore, String loadAfter, String threads, String busiest, long runtimeNanos) {
        double cpuPercent() {
            return after.cpuPercentSince(before);
        }

        double probesPerSecond() {
            return probes / (length.toNanos() / 1e9);
        }
    }

    static void idle(Path launcher, Bench.Options o) throws Exception {
        Duration seconds = Duration.ofSeconds(o.integer("seconds", 60));
        Duration settle = Duration.ofSeconds(o.integer("settle", 30));
        Bench.section("idle engine: 4 daemons, tcp liveness probe every 5 s, " + seconds.toSeconds() + " s window");
        try (Listener listener = new Listener();
             Sandbox sandbox = Sandbox.create(launcher, Catalogs.fourDaemons(listener.port()))) {
            sandbox.up();
            sandbox.awaitAll(Sandbox::healthy, Duration.ofSeconds(60));
            Window w = measure(sandbox, listener, 4, settle, seconds);
            report(w);
            Bench.verdict("CPU <= 0.2 % of one core and RSS <= 64 MiB",
                    w.cpuPercent() <= 0.2 && w.after.rssKiB() <= 64 * 1024);
        }
    }

    static void scale(Path launcher, Bench.Options o) throws Exception {
        Duration seconds = Duration.ofSeconds(o.integer("seconds", 60));
        Duration settle = Duration.ofSeconds(o.integer("settle", 15));
        List<Integer> sizes = o.integers("sizes", "10,100,500");
        List<Window> windows = new ArrayList<>();
        for (int n : sizes) {
            Bench.section("scale: " + n + " connection services, tcp liveness probe every 1 s, "
                    + seconds.toSeconds() + " s window");
            try (Listener listener = new Listener();
                 Sandbox sandbox = Sandbox.create(launcher, Catalogs.connections(n, listener.port()))) {
                sandbox.up();
                sandbox.awaitAll(Sandbox::healthy, Duration.ofSeconds(120));
                Window w = measure(sandbox, listener, n, settle, seconds);
                report(w);
                if (n >= 500) {
                    Bench.verdict("CPU <= 10 % of one core and <= 32 threads at " + n + " services",
                            w.cpuPercent() <= 10 && w.after.threads() <= 32);
                }
                windows.add(w);
            }
        }
        Bench.section("scale: growth");
        line(String.format(Locale.ROOT, "%8s %10s %8s %10s %10s %12s", "services", "CPU %", "threads", "RSS MiB",
                "HWM MiB", "probes/s"));
        for (Window w : windows) {
            line(String.format(Locale.ROOT, "%8d %10.3f %8d %10.1f %10.1f %12.1f", w.services, w.cpuPercent(),
                    w.after.threads(), w.after.rssKiB() / 1024.0, w.after.hwmKiB() / 1024.0, w.probesPerSecond()));
        }
    }

    /** Lets start-up work (compilation, first probes) finish, then measures one window. */
    private static Window measure(Sandbox sandbox, Listener listener, int services, Duration settle, Duration length)
            throws Exception {
        long pid = sandbox.enginePid();
        Bench.window(settle);
        sandbox.noteDescendants();
        String loadBefore = Bench.loadAverage();
        long acceptedBefore = listener.accepted();
        Map<Long, String> threadsBefore = Proc.threadTicks(pid);
        long runtimeBefore = Proc.liveThreadsRuntimeNanos(pid);
        Proc.Sample before = Proc.sample(pid);
        Bench.window(length);
        Proc.Sample after = Proc.sample(pid);
        long runtimeAfter = Proc.liveThreadsRuntimeNanos(pid);
        Map<Long, String> threadsAfter = Proc.threadTicks(pid);
        long probes = listener.accepted() - acceptedBefore;
        return new Window(services, before, after, probes, Duration.ofNanos(after.atNanos() - before.atNanos()),
                loadBefore, Bench.loadAverage(), Bench.threadSummary(pid), busiest(threadsBefore, threadsAfter),
                runtimeAfter - runtimeBefore);
    }

    /** The threads that used CPU in the window, busiest first ("nexus-engine 5, VM Thread 2"; ticks). */
    private static String busiest(Map<Long, String> before, Map<Long, String> after) {
        Map<String, Long> byName = new TreeMap<>();
        after.forEach((tid, now) -> {
            long ticks = Long.parseLong(now.substring(0, now.indexOf(' ')));
            String was = before.get(tid);
            long used = ticks - (was == null ? 0 : Long.parseLong(was.substring(0, was.indexOf(' '))));
            if (used > 0) {
                byName.merge(now.substring(now.indexOf(' ') + 1), used, Long::sum);
            }
        });
        List<String> parts = new ArrayList<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    private static void report(Window w) {
        line("engine CPU      " + pct(w.cpuPercent()) + " of one core ("
                + (w.after.cpuTicks() - w.before.cpuTicks()) + " ticks of 1/" + Proc.TICKS_PER_SECOND + " s in "
                + String.format(Locale.ROOT, "%.1f", w.length.toNanos() / 1e9) + " s; "
                + (w.after.userTicks() - w.before.userTicks()) + " of them in user space)");
        line("cross-check     " + pct(100.0 * w.runtimeNanos / w.length.toNanos())
                + " of one core from the scheduler's exact per-thread run time (live threads only)");
        line("engine RSS      " + mib(w.after.rssKiB()) + " now, " + mib(w.after.hwmKiB()) + " peak (VmHWM)");
        line("engine threads  " + w.after.threads() + ": " + w.threads);
        line("CPU by thread   " + w.busiest + " (ticks in the window; threads that ended meanwhile not shown)");
        line(String.format(Locale.ROOT, "probes          %d connections accepted by the listener (%.1f/s)",
                w.probes, w.probesPerSecond()));
        line("load average    before " + w.loadBefore + ", after " + w.loadAfter);
    }
}
