package dev.nexus.services.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What Linux says about a process: CPU time, memory, threads (from /proc). */
final class Proc {
    /** Clock ticks per second of utime/stime; USER_HZ is 100 on every mainstream Linux. */
    static final long TICKS_PER_SECOND = ticksPerSecond();

    private Proc() {
    }

    /**
     * One look at a process.
     *
     * @param cpuTicks  utime + stime of every thread it ever ran (dead ones too), in clock ticks
     * @param userTicks the utime part (the rest is time in the kernel on its behalf)
     * @param rssKiB   VmRSS: resident now
     * @param hwmKiB   VmHWM: the most it was ever resident
     * @param threads  live threads (/proc/pid/task)
     */
    record Sample(long atNanos, long cpuTicks, long userTicks, long rssKiB, long hwmKiB, int threads) {
        /** CPU used between two samples, as a percentage of one core. */
        double cpuPercentSince(Sample earlier) {
            double cpuSeconds = (cpuTicks - earlier.cpuTicks) / (double) TICKS_PER_SECOND;
            double wallSeconds = (atNanos - earlier.atNanos) / 1e9;
            return 100.0 * cpuSeconds / wallSeconds;
        }
    }

    static Sample sample(long pid) throws IOException {
        long now = System.nanoTime();
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(f[11]); // field 14
        long stime = Long.parseLong(f[12]); // field 15
        long rss = 0;
        long hwm = 0;
        int threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kib(line);
            }
        }
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            threads = (int) tasks.count();
        }
        return new Sample(now, utime + stime, utime, rss, hwm, threads);
    }

    /** The names of a process's live threads, counted by name with the numbers stripped ("pool-N"). */
    static List<String> threadNames(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.map(t -> {
                try {
                    return Files.readString(t.resolve("comm")).trim();
                } catch (IOException e) {
                    return "(gone)";
                }
            }).sorted().toList();
        }
    }

    /**
     * Nanoseconds on a CPU, summed over the live threads (/proc/pid/task/tid/schedstat, the scheduler's
     * exact count). Threads that ended are missing, so over a window this only complements the ticks.
     */
    static long liveThreadsRuntimeNanos(long pid) throws IOException {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    sum += Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return sum;
    }

    /** CPU ticks (utime + stime) of each live thread, by thread name (names repeat: pump threads). */
    static java.util.Map<Long, String> threadTicks(long pid) throws IOException {
        java.util.Map<Long, String> byTid = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    byTid.put(Long.parseLong(t.getFileName().toString()),
                            (Long.parseLong(f[11]) + Long.parseLong(f[12])) + " " + name);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return byTid;
    }

    static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static long ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0 && out.matches("[0-9]+")) {
                return Long.parseLong(out);
            }
        } catch (IOException e) {
            // fall through to the Linux default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
