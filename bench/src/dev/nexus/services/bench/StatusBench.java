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
                wall = ownLoop(sandbox, "", runs, warmup).wall;
                line("wall (no hyperfine here: timed by the harness around each run, " + warmup + " warm-up)");
            }
            line("   " + wall.describe("ms"));
            Stats rss = ownLoop(sandbox, "", runs, 0).rss;
            line("peak RSS of each run (" + TIME + " %M)");
            line("   " + rss.describe("MiB"));
            line("load average    after " + Bench.loadAverage());
            Bench.verdict("median <= 150 ms and peak RSS <= 64 MiB", wall.median() <= 150 && rss.max() <= 64);
        }
    }

    /**
     * The same command with JVM flag variants (added after the launcher's own through NEXUS_JAVA_OPTS,
     * so they override it), run in interleaved rounds so that load from elsewhere hits all alike.
     */
    static void flags(Path launcher, Bench.Options o) throws Exception {
        int rounds = o.integer("rounds", 20);
        Path jdkArchive = Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa");
        Map<String, String> variants = new LinkedHashMap<>();
        variants.put("as shipped (bin/nexus-services)", "");
        variants.put("no CDS at all (-Xshare:off)", "-Xshare:off");
        variants.put("only the JDK's default CDS archive", "-XX:SharedArchiveFile=" + jdkArchive);
        variants.put("C1 and C2 (-XX:TieredStopAtLevel=4)", "-XX:TieredStopAtLevel=4");
        variants.put("interpreter only (-Xint)", "-Xint");
        variants.put("G1 instead of Serial GC", "-XX:-UseSerialGC -XX:+UseG1GC");
        variants.put("one compiler thread (-XX:CICompilerCount=1)", "-XX:CICompilerCount=1");
        variants.put("small heap (-Xms8m -Xmx32m)", "-Xms8m -Xmx32m");
        variants.put("small young gen (-Xmn4m)", "-Xmn4m");
        variants.put("smaller stacks (-Xss256k)", "-Xss256k");
        variants.put("COMPAT locale data (-Djava.locale.providers=COMPAT)", "-Djava.locale.providers=COMPAT");
        Bench.section("status --json: JVM flag variants, " + rounds + " interleaved rounds");
        try (Listener listener = new Listener();
             Sandbox sandbox = Sandbox.create(launcher, Catalogs.fourDaemons(listener.port()))) {
            sandbox.up();
            sandbox.awaitAll(Sandbox::healthy, Duration.ofSeconds(60));
            check(sandbox);
            line("load average    before " + Bench.loadAverage());
            Map<String, List<Double>> wall = new LinkedHashMap<>();
            Map<String, List<Double>> rss = new LinkedHashMap<>();
            variants.keySet().forEach(k -> {
                wall.put(k, new ArrayList<>());
                rss.put(k, new ArrayList<>());
            });
            for (int round = -1; round < rounds; round++) { // round -1 warms the page cache, not counted
                for (Map.Entry<String, String> v : variants.entrySet()) {
                    Timed t = timedRun(sandbox, v.getValue());
                    if (round >= 0) {
                        wall.get(v.getKey()).add(t.wallMs);
                        rss.get(v.getKey()).add(t.rssMiB);
                    }
                }
            }
            line(String.format(Locale.ROOT, "%-52s %9s %9s %10s", "variant", "median ms", "p90 ms", "peak MiB"));
            for (String k : variants.keySet()) {
                Stats w = Stats.of(wall.get(k));
                Stats r = Stats.of(rss.get(k));
                line(String.format(Locale.ROOT, "%-52s %9.1f %9.1f %10.1f", k, w.median(), w.p90(), r.max()));
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

    private static Loop ownLoop(Sandbox sandbox, String javaOpts, int runs, int warmup) throws Exception {
        List<Double> wall = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            Timed t = timedRun(sandbox, javaOpts);
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
    private static Timed timedRun(Sandbox sandbox, String javaOpts) throws Exception {
        Path rssFile = Files.createTempFile("nexus-bench-rss", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            boolean haveTime = new File(TIME).canExecute();
            if (haveTime) {
                cmd.addAll(List.of(TIME, "-f", "%M", "-o", rssFile.toString()));
            }
            cmd.addAll(List.of(sandbox.launcher.toString(), "status", "--json"));
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
