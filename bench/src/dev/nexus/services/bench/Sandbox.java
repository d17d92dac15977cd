package dev.nexus.services.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A throw-away NEXUS_ROOT under the system temp dir with a catalog, and the engine the real launcher
 * starts for it. {@link #close()} stops everything it started (services, engine, any leftover child)
 * and deletes the root. Never touches ~/nexus.
 */
final class Sandbox implements AutoCloseable {
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);

    final Path root;
    final Path launcher;
    private long enginePid = -1;
    private final Set<Long> seenDescendants = new HashSet<>();
    private final Thread cleanupOnExit = new Thread(this::cleanUpQuietly, "bench-sandbox-cleanup");

    private Sandbox(Path root, Path launcher) {
        this.root = root;
        this.launcher = launcher;
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    /** A fresh root holding {@code servicesJson} as its catalog. */
    static Sandbox create(Path launcher, String servicesJson) throws IOException {
        Path root = Files.createTempDirectory("nexus-bench-");
        Files.createDirectories(root.resolve("state"));
        Files.writeString(root.resolve("state/services.json"), servicesJson, StandardCharsets.UTF_8);
        return new Sandbox(root, launcher);
    }

    /** The environment every command (and so the engine it spawns) runs with. */
    Map<String, String> environment() {
        return Map.of("NEXUS_ROOT", root.toString(),
                // JNA unpacks its native part under the cache dir when the system has none: keep it here.
                "XDG_CACHE_HOME", root.resolve("cache").toString());
    }

    record Run(int exitCode, String output) {
    }

    /** Runs {@code nexus-services args...} against this root and waits for it. */
    Run cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("nexus-services " + String.join(" ", args) + " did not finish in " + CLI_TIMEOUT);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** {@code nexus-services up} (which starts the engine), then asks the engine for its pid. */
    long up() throws IOException, InterruptedException {
        Run r = cli("up");
        try (ControlClient c = connect()) {
            enginePid = c.call("hello", Json.MAPPER.createObjectNode(), Duration.ofSeconds(10)).path("pid").asLong();
        } catch (IOException e) {
            throw new IOException("the engine did not come up: " + r.output(), e);
        } catch (dev.nexus.services.control.ControlException e) {
            throw new IOException("the engine refused hello: " + e.getMessage(), e);
        }
        return enginePid;
    }

    long enginePid() {
        return enginePid;
    }

    ControlClient connect() throws IOException {
        return ControlClient.connect(root.resolve("state/run/control.sock"), Duration.ofSeconds(5));
    }

    JsonNode snapshot() throws IOException {
        try (ControlClient c = connect()) {
            return c.call("snapshot", Json.MAPPER.createObjectNode(), Duration.ofSeconds(30));
        } catch (dev.nexus.services.control.ControlException e) {
            throw new IOException("snapshot refused: " + e.getMessage(), e);
        }
    }

    /** Polls the engine until every service satisfies {@code ok}; fails with the last snapshot's states. */
    void awaitAll(Predicate<JsonNode> ok, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = snapshot();
            boolean all = last.path("services").size() > 0;
            for (JsonNode s : last.path("services")) {
                all &= ok.test(s);
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        StringBuilder states = new StringBuilder();
        if (last != null) {
            for (JsonNode s : last.path("services")) {
                if (!ok.test(s)) {
                    states.append(' ').append(s.path("name").asText()).append('=').append(s.path("status").asText())
                            .append(" (").append(s.path("message").asText()).append(')');
                    if (states.length() > 400) {
                        break;
                    }
                }
            }
        }
        throw new IOException("services not ready within " + timeout.toSeconds() + " s:" + states);
    }

    static boolean healthy(JsonNode service) {
        return "HEALTHY".equals(service.path("status").asText());
    }

    /** Remembers the engine's children now, so close() can make sure none outlives the run. */
    void noteDescendants() {
        if (enginePid > 0) {
            ProcessHandle.of(enginePid).ifPresent(h -> h.descendants().forEach(d -> seenDescendants.add(d.pid())));
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
        cleanUp();
    }

    private void cleanUpQuietly() {
        try {
            cleanUp();
        } catch (IOException | InterruptedException e) {
            System.err.println("bench: cleaning up " + root + " failed: " + e);
        }
    }

    private synchronized void cleanUp() throws IOException, InterruptedException {
        if (!Files.exists(root)) {
            return;
        }
        noteDescendants();
        if (enginePid > 0 && ProcessHandle.of(enginePid).isPresent()) {
            cli("down");
            cli("daemon", "stop");
            ProcessHandle.of(enginePid).ifPresent(h -> {
                try {
                    h.onExit().get(15, TimeUnit.SECONDS);
                } catch (Exception notGone) {
                    System.err.println("bench: engine " + enginePid + " did not stop; killing it");
                    h.destroyForcibly();
                }
            });
        }
        for (long pid : seenDescendants) {
            ProcessHandle.of(pid).ifPresent(h -> {
                System.err.println("bench: killing leftover " + pid + " " + Proc.commandLine(pid));
                h.destroyForcibly();
            });
        }
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
