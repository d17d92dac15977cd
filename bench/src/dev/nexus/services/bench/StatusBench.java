package dev.nexus.services.bench;

import static dev.nexus.services.bench.Bench.line;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code nexus-services status --json} against a running engine with four services. */
final class StatusBench {
    private static final String TIME = "/usr/bin/time";

    private StatusBench() {
    }

    static void run(Path launcher, Bench.Options o) throws Exception {
        int runs = o.integer("runs", 50);
        int warmup = o.integer("warmup", 5);
        Bench.section("status --json: running engine, 4 services");
        try (Listener listener = new Listener();
             Sandbox sandbox = Sandbox.create(launcher, Catalogs.fourDaemons(listener.port()))) {
            sandbox.up();
            sandbox.awaitAll(Sandbox::healthy, Duration.ofSeconds(60));
            check(sandbox);
            line("load average    before " + Bench.loadAverage());

            Stats wall;
            if (onPath("hyperfine")) {
                wall = hyperfine(sandbox, runs, warmup);
                line("wall (hyperfine -N, " + warmup + " warm-up runs)");
            } else {
                wall = ownLoop(sandbox, runs, warmup).wall;
                line("wall (no hyperfine here: timed by the harness around each run, " + warmup + " warm-up)");
            }
            line("   " + wall.describe("ms"));
            Stats rss = ownLoop(sandbox, runs, 0).rss;
            line("peak RSS of each run (" + TIME + " %M)");
            line("   " + rss.describe("MiB"));
            line("load average    after " + Bench.loadAverage());
            Bench.verdict("median <= 150 ms and peak RSS <= 64 MiB", wall.median() <= 150 && rss.max() <= 64);
        }
    }

    /** One way of running {@code status --json}: which launcher, with which extra JVM flags. */
    private record Variant(String label, Path launcher, String javaOpts) {
    }

    /**
     * The same command with JVM flag variants (added after the launcher's own through NEXUS_JAVA_OPTS,
     * so they override it).
     */
    static void flags(Path launcher, Bench.Options o) throws Exception {
        Path jdkArchive = Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa");
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("as shipped (bin/nexus-services)", "");
        flags.put("no CDS at all (-Xshare:off)", "-Xshare:off");
        flags.put("only the JDK's default CDS archive", "-XX:SharedArchiveFile=" + jdkArchive);
        flags.put("C1 and C2 (-XX:TieredStopAtLevel=4)", "-XX:TieredStopAtLevel=4");
        flags.put("interpreter only (-Xint)", "-Xint");
        flags.put("G1 instead of Serial GC", "-XX:-UseSerialGC -XX:+UseG1GC");
        flags.put("one compiler thread (-XX:CICompilerCount=1)", "-XX:CICompilerCount=1");
        flags.put("small heap (-Xms8m -Xmx32m)", "-Xms8m -Xmx32m");
        flags.put("small young gen (-Xmn4m)", "-Xmn4m");
        flags.put("smaller stacks (-Xss256k)", "-Xss256k");
        flags.put("COMPAT locale data (-Djava.locale.providers=COMPAT)", "-Djava.locale.providers=COMPAT");
        List<Variant> variants = new ArrayList<>();
        flags.forEach((label, opts) -> variants.add(new Variant(label, launcher, opts)));
        interleaved("JVM flag variants", launcher, variants, o.integer("rounds", 20));
    }

    /**
     * The same command from other builds (for example one per step of an optimisation), all against
     * one engine started by {@code launcher}.
     */
    static void compare(Path launcher, Bench.Options o) throws Exception {
        List<Variant> variants = new ArrayList<>();
        for (String path : o.text("launchers", launcher.toString()).split(",")) {
            variants.add(new Variant(path, Path.of(path).toAbsolutePath(), ""));
        }
        interleaved("launchers compared", launcher, variants, o.integer("rounds", 20));
    }

    /** Runs every variant once per round, so that load from elsewhere hits all of them alike. */
    private static void interleaved(String what, Path launcher, List<Variant> variants, int rounds) throws Exception {
        Bench.section("status --json: " + what + ", " + rounds + " interleaved rounds");
        try (Listener listener = new Listener();
             Sandbox sandbox = Sandbox.create(launcher, Catalogs.fourDaemons(listener.port()))) {
            sandbox.up();
            sandbox.awaitAll(Sandbox::healthy, Duration.ofSeconds(60));
            check(sandbox);
            line("load average    before " + Bench.loadAverage());
            Map<Variant, List<Double>> wall = new LinkedHashMap<>();
            Map<Variant, List<Double>> rss = new LinkedHashMap<>();
            for (Variant v : variants) {
                wall.put(v, new ArrayList<>());
                rss.put(v, new ArrayList<>());
            }
            for (int round = -1; round < rounds; round++) { // round -1 warms the page cache, not counted
                for (Variant v : variants) {
                    Timed t = timedRun(sandbox, v.launcher, v.javaOpts);
                    if (round >= 0) {
                        wall.get(v).add(t.wallMs);
                        rss.get(v).add(t.rssMiB);
                    }
                }
            }
            int width = Math.max(52, variants.stream().mapToInt(v -> v.label.length()).max().orElse(0));
            line(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %10s", "variant", "median ms", "p90 ms",
                    "peak MiB"));
            for (Variant v : variants) {
                Stats w = Stats.of(wall.get(v));
                Stats r = Stats.of(rss.get(v));
                line(String.format(Locale.ROOT, "%-" + width + "s %9.1f %9.1f %10.1f", v.label, w.median(), w.p90(),
                        r.max()));
            }
            line("load average    after " + Bench.loadAverage());
        }
    }

    /** The command works and answers what the figure claims: 4 healthy services from a running engine. */
    private static void check(Sandbox sandbox) throws Exception {
        Sandbox.Run r = sandbox.cli("status", "--json");
        JsonNode json = Json.MAPPER.readTree(r.output());
        if (r.exitCode() != 0 || json.path("services").size() != 4 || !json.path("engine").path("supervising").asBoolean()) {
            throw new IOException("status --json did not show 4 healthy services of a running engine (exit "
                    + r.exitCode() + "):\n" + r.output());
        }
    }

    private static Stats hyperfine(Sandbox sandbox, int runs, int warmup) throws Exception {
        Path export = Files.createTempFile("nexus-bench-hyperfine", ".json");
        try {
            ProcessBuilder pb = new ProcessBuilder("hyperfine", "-N", "--style", "none", "--warmup",
                    Integer.toString(warmup), "--runs", Integer.toString(runs), "--export-json", export.toString(),
                    sandbox.launcher + " status --json");
            pb.environment().putAll(sandbox.environment());
            Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("hyperfine failed (exit " + p.exitValue() + ")");
            }
            List<Double> ms = new ArrayList<>();
            Json.MAPPER.readTree(export.toFile()).path("results").get(0).path("times")
                    .forEach(t -> ms.add(t.asDouble() * 1000));
            return Stats.of(ms);
        } finally {
            Files.deleteIfExists(export);
        }
    }

    private record Loop(Stats wall, Stats rss) {
    }

    private static Loop ownLoop(Sandbox sandbox, int runs, int warmup) throws Exception {
        List<Double> wall = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            Timed t = timedRun(sandbox, sandbox.launcher, "");
            if (i >= warmup) {
                wall.add(t.wallMs);
                rss.add(t.rssMiB);
            }
        }
        return new Loop(Stats.of(wall), Stats.of(rss));
    }

    private record Timed(double wallMs, double rssMiB) {
    }

    /**
     * One {@code status --json} under /usr/bin/time (peak RSS); wall is measured here around the whole,
     * so it includes /usr/bin/time's own fork and exec (about a millisecond, the same for every variant).
     */
    private static Timed timedRun(Sandbox sandbox, Path launcher, String javaOpts) throws Exception {
        Path rssFile = Files.createTempFile("nexus-bench-rss", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            boolean haveTime = new File(TIME).canExecute();
            if (haveTime) {
                cmd.addAll(List.of(TIME, "-f", "%M", "-o", rssFile.toString()));
            }
            cmd.addAll(List.of(launcher.toString(), "status", "--json"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(sandbox.environment());
            if (!javaOpts.isEmpty()) {
                pb.environment().put("NEXUS_JAVA_OPTS", javaOpts);
            }
            long start = System.nanoTime();
            Process p = pb.start();
            p.getOutputStream().close();
            int exit = p.waitFor();
            double ms = (System.nanoTime() - start) / 1e6;
            if (exit != 0) {
                throw new IOException("status --json exited " + exit + " (NEXUS_JAVA_OPTS=" + javaOpts + ")");
            }
            double mib = haveTime ? Long.parseLong(Files.readString(rssFile).trim().lines()
                    .reduce((a, b) -> b).orElse("0")) / 1024.0 : Double.NaN;
            return new Timed(ms, mib);
        } finally {
            Files.deleteIfExists(rssFile);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
