package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the real launcher {@code bin/nexus-services} (from the {@code nexus.home} system property) as a
 * child process against one test root. Each child gets its own environment: {@code NEXUS_ROOT} is the test
 * root, and {@code XDG_CACHE_HOME} points into it so that JNA unpacks its native part there instead of in
 * the user's {@code ~/.cache}.
 */
final class Cli {
    /** Longer than any command should take; a hung command fails the test instead of hanging the build. */
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path root;
    private final Map<String, String> extraEnv;

    Cli(Path root) {
        this(root, Map.of());
    }

    private Cli(Path root, Map<String, String> extraEnv) {
        this.root = root;
        this.extraEnv = Map.copyOf(extraEnv);
    }

    /** The same, with these variables set on top of the usual ones (PATH with stand-ins, JVM options). */
    Cli withEnv(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(extraEnv);
        all.putAll(env);
        return new Cli(root, all);
    }

    /** The repository root, where bin/ and target/ are. */
    static Path home() {
        String home = System.getProperty("nexus.home");
        return Path.of(home != null ? home : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    static Path launcher() {
        Path launcher = home().resolve("bin").resolve("nexus-services");
        assertTrue(Files.isExecutable(launcher), "the launcher " + launcher + " is missing or not executable");
        assertTrue(Files.isRegularFile(home().resolve("target").resolve("nexus-services.jar")),
                "the launcher runs target/nexus-services.jar under " + home() + ", which is not built; "
                        + "run the integration tests with mvn verify");
        return launcher;
    }

    Path root() {
        return root;
    }

    /** The outcome of one command. */
    record Result(List<String> command, int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout of " + command + " is not JSON: " + e.getMessage() + "\n" + this, e);
            }
        }

        @Override
        public String toString() {
            return "nexus-services " + String.join(" ", command) + " → exit " + exit
                    + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err + "---";
        }
    }

    Result run(String... args) {
        ProcessBuilder pb = builder(args);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = readAll(p.getInputStream());
            CompletableFuture<String> err = readAll(p.getErrorStream());
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("nexus-services " + String.join(" ", args) + " did not finish within " + TIMEOUT.toSeconds()
                        + " s; output so far:\n" + out.getNow("") + err.getNow(""));
            }
            return new Result(List.of(args), p.exitValue(), out.get(10, TimeUnit.SECONDS),
                    err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running nexus-services " + String.join(" ", args), e);
        } catch (Exception e) {
            throw new AssertionError("could not run nexus-services " + String.join(" ", args) + ": " + e, e);
        }
    }

    /** Runs and checks the exit code, showing the whole output when it differs. */
    Result expect(int exit, String... args) {
        Result r = run(args);
        if (r.exit() != exit) {
            fail("expected exit " + exit + " from " + r);
        }
        return r;
    }

    /** Starts a long-running command (logs -f, status --watch) whose stdout lines the test reads. */
    Background start(String... args) {
        try {
            Process p = builder(args).redirectError(root.resolve("background-" + System.nanoTime() + ".err").toFile())
                    .start();
            p.getOutputStream().close();
            return new Background(List.of(args), p);
        } catch (IOException e) {
            throw new AssertionError("could not start nexus-services " + String.join(" ", args) + ": " + e, e);
        }
    }

    private ProcessBuilder builder(String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        Map<String, String> env = pb.environment();
        env.put("NEXUS_ROOT", root.toString());
        env.put("XDG_CACHE_HOME", root.resolve("cache").toString());
        env.put("NO_COLOR", "1");
        // Fixture services must never become units of the developer's own systemd user manager.
        env.put("NEXUS_MANAGERS", "embedded");
        // The test JVM's own settings must not leak into the product's JVMs.
        env.remove("NEXUS_JAVA_OPTS");
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("NEXUS_SERVICES_HOME");
        env.putAll(extraEnv);
        return pb;
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(reading failed: " + e.getMessage() + ")";
            }
        });
    }

    /** A running command; its stdout lines arrive in a queue. Closing it kills it and waits for the exit. */
    static final class Background implements AutoCloseable {
        private static final String EOF = "\u0000eof";
        private final List<String> command;
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();

        private Background(List<String> command, Process process) {
            this.command = command;
            this.process = process;
            Thread reader = new Thread(this::read, "it-background-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed
            }
            lines.add(EOF);
        }

        /** Waits for a stdout line matching {@code wanted}; returns it. Lines before it are kept in {@link #seen}. */
        String awaitLine(Predicate<String> wanted, String what, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("nexus-services " + String.join(" ", command) + " printed no " + what + " within "
                            + timeout.toSeconds() + " s; it printed:\n" + String.join("\n", seen));
                }
                if (line.equals(EOF)) {
                    lines.add(EOF);
                    fail("nexus-services " + String.join(" ", command) + " ended (exit "
                            + process.waitFor() + ") before printing " + what + "; it printed:\n"
                            + String.join("\n", seen));
                }
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        List<String> seen() {
            return seen;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
