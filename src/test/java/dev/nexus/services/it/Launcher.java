package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real launcher {@code bin/nexus-services} (from the {@code nexus.home} system property failsafe sets)
 * run as a child process against one NEXUS_ROOT, with a timeout, its output collected: what the integration
 * tests' {@link Cli} and the reliability tests' roots have in common. Each of them adds its own environment
 * to {@link #builder} and keeps its own timeout.
 */
public final class Launcher {
    private Launcher() {
    }

    /** The repository root, where bin/ and target/ are. */
    public static Path home() {
        String home = System.getProperty("nexus.home");
        return Path.of(home != null ? home : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    /** {@code bin/nexus-services}; fails the test when it or the jar it runs is missing. */
    public static Path executable() {
        Path launcher = home().resolve("bin").resolve("nexus-services");
        assertTrue(Files.isExecutable(launcher), "the launcher " + launcher + " is missing or not executable");
        assertTrue(Files.isRegularFile(home().resolve("target").resolve("nexus-services.jar")),
                "the launcher runs target/nexus-services.jar under " + home() + ", which is not built; "
                        + "run the integration tests with mvn verify");
        return launcher;
    }

    /**
     * The environment every command of a test root gets: {@code NEXUS_ROOT} is the root, {@code XDG_CACHE_HOME}
     * points into it (JNA unpacks its native part there, not in the user's {@code ~/.cache}), no colours, and
     * none of the test JVM's own settings leak into the product's JVMs.
     */
    public static void environment(Map<String, String> env, Path root) {
        env.put("NEXUS_ROOT", root.toString());
        env.put("XDG_CACHE_HOME", root.resolve("cache").toString());
        env.put("NO_COLOR", "1");
        env.remove("NEXUS_JAVA_OPTS");
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("NEXUS_SERVICES_HOME");
    }

    /** {@code bin/nexus-services args} in {@code root}, with {@link #environment}. */
    public static ProcessBuilder builder(Path root, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        environment(pb.environment(), root);
        return pb;
    }

    /**
     * Runs a command made by {@link #builder} with {@code stdin} (or none) and waits for it. A command that
     * takes longer than {@code timeout} is killed (with whatever it started) and fails the test.
     */
    public static Result run(ProcessBuilder pb, byte[] stdin, Duration timeout) {
        List<String> args = List.copyOf(pb.command().subList(1, pb.command().size()));
        String shown = "nexus-services " + String.join(" ", args);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            CompletableFuture<String> out = readAll(p.getInputStream());
            CompletableFuture<String> err = readAll(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail(shown + " did not finish within " + timeout.toSeconds() + " s; output so far:\n"
                        + out.getNow("") + err.getNow(""));
            }
            return new Result(args, p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + shown, e);
        } catch (Exception e) {
            throw new AssertionError("could not run " + shown + ": " + e, e);
        }
    }

    /**
     * A thread of its own per stream: on the common pool, many commands at once (the concurrency
     * scenario) could leave a pipe undrained, and a child blocked on a full pipe never finishes.
     */
    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(reading failed: " + e.getMessage() + ")";
            }
        }, task -> {
            Thread reader = new Thread(task, "launcher-output");
            reader.setDaemon(true);
            reader.start();
        });
    }

    /** The outcome of one command. */
    public record Result(List<String> args, int exit, String out, String err) {
        public List<String> outLines() {
            return out.lines().toList();
        }

        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout of " + args + " is not JSON: " + e.getMessage() + "\n" + this, e);
            }
        }

        /** This result, or a failed test showing the whole output when the exit code is not {@code exit}. */
        public Result expectExit(int exit) {
            if (this.exit != exit) {
                fail("expected exit " + exit + " from " + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return "nexus-services " + String.join(" ", args) + " → exit " + exit
                    + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err + "---";
        }
    }
}
