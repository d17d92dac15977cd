package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the real launcher {@code bin/nexus-services} (see {@link Launcher}) as a child process against one
 * test root, with the environment of {@link Launcher#environment} and only the embedded service manager.
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

    Path root() {
        return root;
    }

    Launcher.Result run(String... args) {
        return Launcher.run(builder(args), null, TIMEOUT);
    }

    /** Runs and checks the exit code, showing the whole output when it differs. */
    Launcher.Result expect(int exit, String... args) {
        return run(args).expectExit(exit);
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
        ProcessBuilder pb = Launcher.builder(root, List.of(args));
        // Fixture services must never become units of the developer's own systemd user manager.
        pb.environment().put("NEXUS_MANAGERS", "embedded");
        pb.environment().putAll(extraEnv);
        return pb;
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
