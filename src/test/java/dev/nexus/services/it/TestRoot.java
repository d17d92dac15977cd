package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineNotRunningException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One NEXUS_ROOT for a test class: its catalog, the CLI bound to it, and the clean-up that proves nothing
 * was left behind (no process that mentions the root, no ~/nexus that was not there before).
 */
final class TestRoot {
    private static final Path USER_NEXUS = Path.of(System.getProperty("user.home"), "nexus");
    private static final Duration GONE_TIMEOUT = Duration.ofSeconds(20);

    private final Path root;
    private final Cli cli;
    private final boolean userNexusExisted;

    private TestRoot(Path root) {
        this.root = root;
        this.cli = new Cli(root);
        this.userNexusExisted = Files.exists(USER_NEXUS);
    }

    /**
     * @param tempDir a JUnit temp dir; its path must be short, because a Unix socket path is limited to
     *                about 100 bytes and the control socket lives at {@code state/run/control.sock} under it
     */
    static TestRoot in(Path tempDir) {
        Path root = tempDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root.resolve("pids"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(root.resolve("state/run/control.sock").toString().length() < 100,
                "the temp dir " + root + " is too deep for a Unix socket path");
        return new TestRoot(root);
    }

    Path path() {
        return root;
    }

    Cli cli() {
        return cli;
    }

    Path catalogFile() {
        return root.resolve("state").resolve("services.json");
    }

    Path socket() {
        return root.resolve("state").resolve("run").resolve("control.sock");
    }

    Path pidFile(String service) {
        return root.resolve("pids").resolve(service + ".pid");
    }

    void writeCatalog(String text) {
        try {
            Files.createDirectories(catalogFile().getParent());
            Files.writeString(catalogFile(), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pid the fixture wrote at its last start, once it has written one. */
    Optional<Long> pidFromFile(String service) {
        try {
            String text = Files.readString(pidFile(service)).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static JsonNode service(JsonNode snapshot, String name) {
        for (JsonNode s : snapshot.path("services")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no service \"" + name + "\" in " + snapshot.toPrettyString());
    }

    /**
     * The engine's snapshot straight from the control socket: what {@code status --json} prints, without
     * starting a JVM per look, so the tests can poll it. Empty when no engine answers.
     */
    Optional<JsonNode> engineSnapshot() {
        try (ControlClient client = ControlClient.connect(socket(), Duration.ofSeconds(5))) {
            return Optional.of(client.call("snapshot", null, Duration.ofSeconds(10)));
        } catch (EngineNotRunningException e) {
            return Optional.empty();
        } catch (IOException | ControlException e) {
            throw new AssertionError("the engine did not answer a snapshot: " + e.getMessage(), e);
        }
    }

    /** Polls the engine's snapshot until {@code wanted} holds for it, and returns that snapshot. */
    JsonNode awaitSnapshot(String what, Predicate<JsonNode> wanted) {
        JsonNode[] last = new JsonNode[1];
        return Wait.forValue(what, Wait.DEFAULT, () -> {
            last[0] = engineSnapshot().orElse(null);
            return last[0] != null && wanted.test(last[0]) ? Optional.of(last[0]) : Optional.empty();
        }, () -> last[0] == null ? "(no engine)" : last[0].toPrettyString());
    }

    static boolean isHealthy(JsonNode service) {
        return service.path("lifecycle").asText().equals("RUNNING") && service.path("status").asText().equals("HEALTHY")
                && (service.path("kind").asText().equals("job") || service.path("pid").isNumber());
    }

    /** Processes (other than this JVM) whose command line or environment mentions the test root. */
    List<String> processesOfThisRoot() {
        String needle = root.toString();
        long self = ProcessHandle.current().pid();
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                String cmdline = readQuietly(proc.resolve("cmdline"));
                String environ = readQuietly(proc.resolve("environ"));
                if (cmdline.contains(needle) || environ.contains(needle)) {
                    found.add(pid + ": " + cmdline.replace('\0', ' ').trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return found;
    }

    /** Fixture processes (by their pid file in the command line) now running for this root. */
    List<Long> fixturePids() {
        String needle = root.resolve("pids").toString();
        List<Long> pids = new ArrayList<>();
        for (String p : processesOfThisRoot()) {
            if (p.contains(needle) && p.contains("FixtureService")) {
                pids.add(Long.parseLong(p.substring(0, p.indexOf(':'))));
            }
        }
        return pids;
    }

    /**
     * {@code down} and {@code daemon stop}, then proves that no process of this root is left and that
     * ~/nexus did not appear. Leftovers are killed so that one failure does not leak into other tests.
     */
    void shutDown() {
        List<String> problems = new ArrayList<>();
        Launcher.Result down = cli.run("down");
        if (down.exit() != 0) {
            problems.add("down: " + down);
        }
        Launcher.Result stop = cli.run("daemon", "stop");
        if (stop.exit() != 0) {
            problems.add("daemon stop: " + stop);
        }
        long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
        List<String> left = processesOfThisRoot();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
            left = processesOfThisRoot();
        }
        if (!left.isEmpty()) {
            problems.add("processes left running " + GONE_TIMEOUT.toSeconds() + " s after down + daemon stop:\n  "
                    + String.join("\n  ", left));
            for (String p : left) {
                ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(':')))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (!userNexusExisted && Files.exists(USER_NEXUS)) {
            problems.add(USER_NEXUS + " appeared during the tests; everything must stay under " + root);
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** For tests that never start an engine: none was started, no process is left, ~/nexus did not appear. */
    void assertNothingLeft() {
        assertFalse(Files.exists(socket()), "no engine should have been started, but " + socket() + " exists");
        assertEquals(List.of(), processesOfThisRoot(), "processes of " + root + " left running");
        if (!userNexusExisted) {
            assertFalse(Files.exists(USER_NEXUS), USER_NEXUS + " appeared; everything must stay under " + root);
        }
    }

    static void awaitGone(long pid) {
        Wait.until("pid " + pid + " to be gone", Duration.ofSeconds(15),
                () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    static void assertSamePids(List<Long> expected, List<Long> actual) {
        assertEquals(expected.stream().sorted().toList(), actual.stream().sorted().toList(),
                "the fixture processes running");
    }

    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // gone meanwhile, or another user's process
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
