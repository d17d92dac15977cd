package dev.nexus.services.benchtray;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tray figures of docs/BENCHMARKS.md, on a private Xvfb with trayer as the tray host, the real
 * launcher (bin/nexus-services tray) and a real daemon supervising 4 stand-in services (TCP probes).
 *
 * <pre>
 *   launch  [--runs N]     launch to icon docked (external: process start to the XEmbed window; and the
 *                          tray's own "icon shown" log line), median over N launches
 *   idle    [--seconds S]  tray RSS and CPU over S seconds of idle (after a 10 s settle)
 *   latency [--samples N]  kill -9 of a service to the tray icon turning "down": engine.log line (the
 *                          engine saw the exit) to tray.log line (the icon was set), median and max
 * </pre>
 */
public final class TrayBench {
    private static final Pattern STAMP = Pattern.compile("^(\\S+) ");
    private final Path home = Path.of(System.getProperty("bench.home", "."));
    private final Path launcher = home.resolve("bin/nexus-services");
    private final Path work;
    private final NexusPaths paths;
    private String display;
    private final List<Process> started = new ArrayList<>();

    private TrayBench(Path work) {
        this.work = work;
        this.paths = new NexusPaths(work.resolve("root"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.println("usage: bench/tray-run launch [--runs N] | idle [--seconds S] | latency [--samples N] | all");
            System.exit(2);
        }
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path work = Path.of(System.getProperty("bench.home", ".")).resolve("target/bench-tray")
                .resolve("run-" + System.currentTimeMillis());
        TrayBench bench = new TrayBench(work);
        try {
            bench.setUp();
            switch (args[0]) {
                case "launch" -> bench.launch(Integer.parseInt(options.getOrDefault("runs", "11")));
                case "idle" -> bench.idle(Integer.parseInt(options.getOrDefault("seconds", "60")));
                case "latency" -> bench.latency(Integer.parseInt(options.getOrDefault("samples", "20")));
                case "all" -> {
                    bench.launch(Integer.parseInt(options.getOrDefault("runs", "11")));
                    bench.latency(Integer.parseInt(options.getOrDefault("samples", "20")));
                    bench.idle(Integer.parseInt(options.getOrDefault("seconds", "60")));
                }
                default -> throw new IllegalArgumentException("unknown figure " + args[0]);
            }
        } finally {
            bench.tearDown();
        }
    }

    // ---- figures --------------------------------------------------------------------------------

    private void launch(int runs) throws Exception {
        List<Long> external = new ArrayList<>();
        List<Long> internal = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            int shownBefore = trayLines("tray icon shown").size();
            long t0 = System.nanoTime();
            Process tray = startTray();
            String icon = poll(Duration.ofSeconds(20), 2, () -> window("^JavaEmbeddedFrame$"), "the icon docks");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            external.add(ms);
            long inApp = poll(Duration.ofSeconds(5), 10, () -> trayLines("tray icon shown").size() > shownBefore
                    ? lastIconShown() : Optional.empty(), "the tray logs 'icon shown'");
            internal.add(inApp);
            System.out.printf("launch %2d: icon docked %4d ms after the process started (tray's own count from main: %d ms)%n",
                    i + 1, ms, inApp);
            stopTray(tray);
            poll(Duration.ofSeconds(10), 20, () -> window("^JavaEmbeddedFrame$").isPresent() ? Optional.empty()
                    : Optional.of(icon), "the icon goes");
        }
        System.out.printf("launch to icon docked: median %d ms, min %d, max %d over %d launches (from main: median %d ms)%n",
                median(external), Collections.min(external), Collections.max(external), runs, median(internal));
    }

    private void idle(int seconds) throws Exception {
        Process tray = startTray();
        poll(Duration.ofSeconds(20), 10, () -> window("^JavaEmbeddedFrame$"), "the icon docks");
        long pid = tray.pid();
        Thread.sleep(10_000);
        long ticks0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long ticks1 = cpuTicks(pid);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (ticks1 - ticks0) / 100.0 / wall * 100;
        Map<String, String> status = procStatus(pid);
        System.out.printf("idle %d s with 4 services: CPU %.2f %% of one core (%d ticks), RSS %s, peak RSS %s, threads %s%n",
                seconds, cpu, ticks1 - ticks0, status.get("VmRSS"), status.get("VmHWM"), status.get("Threads"));
        stopTray(tray);
    }

    private void latency(int samples) throws Exception {
        Process tray = startTray();
        poll(Duration.ofSeconds(20), 10, () -> window("^JavaEmbeddedFrame$"), "the icon docks");
        poll(Duration.ofSeconds(20), 50, () -> trayLines("tray icon now HEALTHY").isEmpty() ? Optional.empty()
                : Optional.of(true), "the icon shows healthy");
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            String service = "svc" + (i % 4);
            long pid = poll(Duration.ofSeconds(20), 50, () -> Optional.ofNullable(statusOf(service))
                    .filter(s -> s.path("status").asText().equals("HEALTHY") && allHealthy())
                    .map(s -> s.path("pid").asLong()), service + " healthy");
            int downBefore = trayLines("tray icon now DOWN").size();
            int exitsBefore = engineLines(service + ": exit 137").size();
            new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
            String engineLine = poll(Duration.ofSeconds(10), 5, () -> {
                List<String> lines = engineLines(service + ": exit 137");
                return lines.size() > exitsBefore ? Optional.of(lines.get(lines.size() - 1)) : Optional.empty();
            }, "the engine logs the exit");
            String trayLine = poll(Duration.ofSeconds(10), 5, () -> {
                List<String> lines = trayLines("tray icon now DOWN");
                return lines.size() > downBefore ? Optional.of(lines.get(lines.size() - 1)) : Optional.empty();
            }, "the icon turns down");
            long ms = Duration.between(stamp(engineLine), stamp(trayLine)).toMillis();
            latencies.add(ms);
            System.out.printf("latency %2d (%s): %d ms%n", i + 1, service, ms);
            poll(Duration.ofSeconds(20), 50, () -> allHealthy() ? Optional.of(true) : Optional.empty(), "all healthy again");
        }
        System.out.printf("engine sees a crash → tray icon shows it: median %d ms, max %d ms over %d crashes%n",
                median(latencies), Collections.max(latencies), samples);
        stopTray(tray);
    }

    // ---- set-up ---------------------------------------------------------------------------------

    private void setUp() throws Exception {
        Files.createDirectories(work);
        for (int n = 150; n < 250; n++) {
            if (Files.exists(Path.of("/tmp/.X" + n + "-lock")) || Files.exists(Path.of("/tmp/.X11-unix/X" + n))) {
                continue;
            }
            display = ":" + n;
            started.add(new ProcessBuilder("Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
                    .redirectErrorStream(true).redirectOutput(work.resolve("xvfb.log").toFile()).start());
            break;
        }
        poll(Duration.ofSeconds(10), 50, () -> x("xwininfo", "-root"), "Xvfb answers");
        ProcessBuilder trayer = new ProcessBuilder("trayer", "--edge", "top", "--align", "right", "--widthtype",
                "request", "--height", "24", "--SetDockType", "true", "--transparent", "false")
                .redirectErrorStream(true).redirectOutput(work.resolve("trayer.log").toFile());
        trayer.environment().put("DISPLAY", display);
        started.add(trayer.start());
        poll(Duration.ofSeconds(10), 50, () -> window("^panel$"), "trayer's panel");

        List<ServiceSpec> services = new ArrayList<>();
        Path classes = Path.of(BenchListener.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (int i = 0; i < 4; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProbeCheck tcp = new ProbeCheck.Tcp("127.0.0.1", port);
            // The defaults' shape: startup every 1 s, liveness every 10 s, readiness every 5 s.
            Probes probes = new Probes(new ProbeSpec(tcp, Duration.ZERO, Duration.ofMillis(200), Duration.ofSeconds(1), 50, 1),
                    new ProbeSpec(tcp, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(2), 3, 1),
                    new ProbeSpec(tcp, Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 1));
            String name = "svc" + i;
            services.add(new ServiceSpec(name, "Service " + i, ServiceKind.DAEMON, true,
                    List.of(javaBinary(), "-XX:+UseSerialGC", "-Xmx16m", "-XX:TieredStopAtLevel=1", "-cp",
                            classes.toString(), BenchListener.class.getName(), String.valueOf(port)),
                    paths.home(), Map.of(), ManagerKind.EMBEDDED, List.of(), port, probes, RestartSpec.DEFAULT,
                    Duration.ofSeconds(5), new LogSpec(paths.stdoutLog(name), paths.stderrLog(name),
                    LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP), List.of(), null, null));
        }
        Files.createDirectories(paths.state());
        Files.createDirectories(paths.home());
        Files.writeString(paths.catalogFile(), new CatalogCodec(paths).write(new Catalog(Catalog.CURRENT_VERSION,
                services), null), StandardCharsets.UTF_8);
        cli("up");
        poll(Duration.ofSeconds(60), 100, () -> allHealthy() ? Optional.of(true) : Optional.empty(), "4 healthy services");
        System.out.println("set-up: Xvfb " + display + " with trayer, engine with 4 services in " + paths.root());
    }

    private void tearDown() {
        try {
            cli("down");
            cli("daemon", "stop");
        } catch (Exception e) {
            System.out.println("tear-down: " + e.getMessage());
        }
        Collections.reverse(started);
        for (Process p : started) {
            p.destroy();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Process startTray() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "tray").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("tray.out").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("DISPLAY", display);
        pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        return pb.start();
    }

    private static void stopTray(Process tray) throws InterruptedException {
        tray.destroy();
        if (!tray.waitFor(10, TimeUnit.SECONDS)) {
            tray.destroyForcibly().waitFor();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private Optional<Long> lastIconShown() {
        List<String> lines = trayLines("tray icon shown");
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("shown (\\d+) ms").matcher(lines.get(lines.size() - 1));
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private List<String> trayLines(String containing) {
        return lines(paths.logs().resolve("tray.log"), containing);
    }

    private List<String> engineLines(String containing) {
        return lines(paths.engineLog(), containing);
    }

    private static List<String> lines(Path file, String containing) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.contains(containing)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static java.time.Instant stamp(String line) {
        Matcher m = STAMP.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no time stamp in: " + line);
        }
        return OffsetDateTime.parse(m.group(1), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    private JsonNode status() {
        try {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "status", "--json")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
            Process p = pb.start();
            JsonNode n = Json.MAPPER.readTree(p.getInputStream());
            p.waitFor();
            return n;
        } catch (IOException | InterruptedException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private JsonNode statusOf(String service) {
        for (JsonNode s : status().path("services")) {
            if (s.path("name").asText().equals(service)) {
                return s;
            }
        }
        return null;
    }

    private boolean allHealthy() {
        JsonNode services = status().path("services");
        if (services.size() != 4) {
            return false;
        }
        for (JsonNode s : services) {
            if (!s.path("status").asText().equals("HEALTHY")) {
                return false;
            }
        }
        return true;
    }

    private void cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("cli.out").toFile()));
        pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        pb.start().waitFor(120, TimeUnit.SECONDS);
    }

    private Optional<String> window(String name) {
        return x("xdotool", "search", "--name", name).map(s -> s.lines().findFirst().orElse("")).filter(s -> !s.isBlank());
    }

    private Optional<String> x(String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DISPLAY", display);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException | InterruptedException e) {
            return Optional.empty();
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
    }

    private static Map<String, String> procStatus(long pid) throws IOException {
        Map<String, String> m = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            int colon = line.indexOf(':');
            m.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return m;
    }

    private static <T> T poll(Duration timeout, long everyMs, java.util.function.Supplier<Optional<T>> probe, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(everyMs);
        }
        throw new IllegalStateException("timed out waiting until " + what);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
