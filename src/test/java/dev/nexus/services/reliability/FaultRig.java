package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.daemon.DaemonSpawner;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.it.Launcher.Result;
import dev.nexus.services.it.Wait;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One NEXUS_ROOT for a reliability scenario, driven the way a user drives it: the real launcher
 * {@code bin/nexus-services} (built by {@code mvn package}; failsafe runs after it), the real daemon,
 * and its control socket for the many quick looks a scenario takes. It reads the process table
 * ({@code /proc}) to prove what runs, and its {@link #close()} stops everything of the root and kills
 * what is left, so a failed scenario does not leak into the next.
 */
final class FaultRig implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(40);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration GONE_TIMEOUT = Duration.ofSeconds(20);

    private final Path root;
    private final NexusPaths paths;
    private final Map<String, String> engineEnv = new LinkedHashMap<>();

    private FaultRig(Path root) {
        this.root = root;
        this.paths = new NexusPaths(root);
    }

    /**
     * @param tempDir a JUnit temp dir; short, because the control socket path under it must fit in the
     *                ~100 bytes of a Unix socket address
     */
    static FaultRig in(Path tempDir) {
        Path root = tempDir.toAbsolutePath().normalize();
        assertTrue(root.resolve("state/run/control.sock").toString().length() < 100,
                "the temp dir " + root + " is too deep for a Unix socket path");
        try {
            Files.createDirectories(root.resolve("pids"));
            Files.createDirectories(root.resolve("state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FaultRig(root);
    }

    Path root() {
        return root;
    }

    NexusPaths paths() {
        return paths;
    }

    Path pidFile(String service) {
        return root.resolve("pids").resolve(service + ".pid");
    }

    /** Extra environment for the daemon (and so its children), e.g. a private system bus. */
    FaultRig engineEnv(String name, String value) {
        engineEnv.put(name, value);
        return this;
    }

    void writeCatalog(String text) {
        try {
            Files.writeString(paths.catalogFile(), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the CLI -------------------------------------------------------------------------------

    Result cli(String... args) {
        ProcessBuilder pb = Launcher.builder(root, List.of(args));
        environment(pb.environment());
        return Launcher.run(pb, null, CLI_TIMEOUT);
    }

    Result expect(int exit, String... args) {
        return cli(args).expectExit(exit);
    }

    private void environment(Map<String, String> env) {
        Launcher.environment(env, root);
        env.keySet().removeIf(k -> k.startsWith("DBUS_SYSTEM_BUS"));
        env.putAll(engineEnv);
    }

    /**
     * Starts the daemon in the background exactly as {@code up} does (own session, the daemon's JVM
     * flags, output to logs/engine.out) but without starting any service: what a login item or a
     * crashed engine's successor does. Returns its pid once its control socket answers.
     */
    long startEngine() {
        try {
            Files.createDirectories(paths.logs());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of(Launcher.executable().toString(), "daemon", "--detached"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("engine-starts.out").toFile()))
                .redirectErrorStream(true);
        environment(pb.environment());
        pb.environment().put("NEXUS_JAVA_OPTS", String.join(" ", DaemonSpawner.DAEMON_JVM_FLAGS));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the engine", e);
        }
        try {
            return Wait.forValue("the engine to answer on " + paths.controlSocket(), WAIT, () -> {
                if (!p.isAlive() && p.exitValue() != 0) {
                    fail("the engine exited with " + p.exitValue() + ": " + readQuietly(root.resolve("engine-starts.out")));
                }
                return engineSnapshot().map(s -> s.path("engine").path("pid").asLong());
            });
        } catch (AssertionError e) {
            keepThreadDump(p.pid());
            throw e;
        }
    }

    /** What a daemon that does not answer is doing, next to the scenario's figures. */
    private void keepThreadDump(long pid) {
        try {
            Path logs = Files.createDirectories(ScenarioFigures.directory().resolve("logs"));
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true)
                    .redirectOutput(logs.resolve(root.getFileName() + "-engine-" + pid + "-threads.txt").toFile())
                    .start().waitFor(30, TimeUnit.SECONDS);
            Files.copy(root.resolve("engine-starts.out"), logs.resolve(root.getFileName() + "-engine-starts.out"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Only a diagnosis aid.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the control socket --------------------------------------------------------------------

    /** The engine's snapshot, as {@code status --json} prints it; empty when no engine answers. */
    Optional<JsonNode> engineSnapshot() {
        try (ControlClient client = ControlClient.connect(paths.controlSocket(), Duration.ofSeconds(5))) {
            return Optional.of(client.call("snapshot", null, Duration.ofSeconds(10)));
        } catch (EngineNotRunningException e) {
            return Optional.empty();
        } catch (IOException | ControlException e) {
            throw new AssertionError("the engine did not answer a snapshot: " + e.getMessage(), e);
        }
    }

    JsonNode snapshot() {
        return engineSnapshot().orElseThrow(() -> new AssertionError("no engine answers on " + paths.controlSocket()));
    }

    /** One control operation on a connection of its own (so it may run while others wait). */
    JsonNode call(String op, JsonNode args, Duration timeout) throws IOException, ControlException {
        try (ControlClient client = ControlClient.connect(paths.controlSocket(), Duration.ofSeconds(5))) {
            return client.call(op, args, timeout);
        }
    }

    /** {@code {"services": [names]}}. */
    static JsonNode services(String... names) {
        var args = Json.MAPPER.createObjectNode();
        var list = args.putArray("services");
        for (String n : names) {
            list.add(n);
        }
        return args;
    }

    JsonNode awaitSnapshot(String what, Predicate<JsonNode> wanted) {
        return awaitSnapshot(what, WAIT, wanted);
    }

    JsonNode awaitSnapshot(String what, Duration timeout, Predicate<JsonNode> wanted) {
        JsonNode[] last = new JsonNode[1];
        return Wait.forValue(what, timeout, () -> {
            last[0] = engineSnapshot().orElse(null);
            return last[0] != null && wanted.test(last[0]) ? Optional.of(last[0]) : Optional.empty();
        }, () -> last[0] == null ? "(no engine)" : last[0].toPrettyString());
    }

    static JsonNode service(JsonNode snapshot, String name) {
        for (JsonNode s : snapshot.path("services")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no service \"" + name + "\" in " + snapshot.toPrettyString());
    }

    static boolean healthy(JsonNode service) {
        return service.path("lifecycle").asText().equals("RUNNING") && service.path("status").asText().equals("HEALTHY")
                && service.path("pid").isNumber();
    }

    // ---- the process table ---------------------------------------------------------------------

    /** Processes other than this JVM whose command line or environment names this root, by pid. */
    Map<Long, Proc> processes() {
        String needle = root.toString();
        long self = ProcessHandle.current().pid();
        Map<Long, Proc> found = new LinkedHashMap<>();
        for (Proc p : Proc.all()) {
            if (p.pid() != self && !p.zombie() && (p.cmdline().contains(needle) || p.environ().contains(needle))) {
                found.put(p.pid(), p);
            }
        }
        return found;
    }

    /** Live processes whose command line contains {@code marker}. */
    static List<Proc> withMarker(Map<Long, Proc> processes, String marker) {
        return processes.values().stream().filter(p -> p.cmdline().contains(marker)).toList();
    }

    /**
     * Waits until {@code pid} has fully exited. Not just a zombie leader: the leader of a killed JVM shows
     * as a zombie while its other threads are still exiting and holding its sockets (a client connecting
     * then is reset), so the wait is for the process to be gone or to have no thread but the dead leader.
     */
    static void awaitDead(long pid) {
        Wait.until("pid " + pid + " to be gone", WAIT, () -> {
            Optional<Proc> p = Proc.read(pid);
            if (p.isEmpty()) {
                return true;
            }
            if (!p.get().zombie()) {
                return false;
            }
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                return tasks.count() <= 1;
            } catch (IOException e) {
                return true;
            }
        });
    }

    // ---- tearing down --------------------------------------------------------------------------

    /** {@code down}, {@code daemon stop}, then kills whatever of this root is still alive. */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (engineSnapshot().isPresent()) {
            Result down = cli("down");
            if (down.exit() != 0) {
                problems.add("down: " + down);
            }
            Result stop = cli("daemon", "stop");
            if (stop.exit() != 0) {
                problems.add("daemon stop: " + stop);
            }
        }
        long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
        Map<Long, Proc> left = processes();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
            left = processes();
        }
        if (!left.isEmpty()) {
            problems.add("left running after down + daemon stop: " + left.values());
            left.keySet().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        keepEngineLog();
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** The engine's log goes with the scenario's figures (the temp dir does not survive the test). */
    private void keepEngineLog() {
        Path log = paths.engineLog();
        if (!Files.isRegularFile(log)) {
            return;
        }
        try {
            Path logs = Files.createDirectories(ScenarioFigures.directory().resolve("logs"));
            Files.copy(log, logs.resolve(root.getFileName() + "-engine.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Only a diagnosis aid.
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * One line of the process table, from /proc/PID/stat and cmdline.
     *
     * @param cpuTicks utime + stime, in clock ticks (USER_HZ, 100 on Linux)
     */
    record Proc(long pid, long ppid, long pgrp, char state, long cpuTicks, int threads, String cmdline) {
        /** Its environment now (read on demand: most scans need the command line only). */
        String environ() {
            return readNul(Path.of("/proc", Long.toString(pid), "environ"));
        }

        boolean zombie() {
            return state == 'Z' || state == 'X';
        }

        static List<Proc> all() {
            List<Proc> all = new ArrayList<>();
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                    p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
                for (Path dir : procs) {
                    read(Long.parseLong(dir.getFileName().toString())).ifPresent(all::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list /proc", e);
            }
            return all;
        }

        static Optional<Proc> read(long pid) {
            Path dir = Path.of("/proc", Long.toString(pid));
            try {
                String stat = Files.readString(dir.resolve("stat"));
                // The command name (field 2) is in parentheses and may contain spaces or parentheses.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                // f[0] is field 3 (state), so field n is f[n - 3].
                char state = f[0].charAt(0);
                long ppid = Long.parseLong(f[1]);
                long pgrp = Long.parseLong(f[2]);
                long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                int threads = Integer.parseInt(f[17]);
                return Optional.of(new Proc(pid, ppid, pgrp, state, cpu, threads, readNul(dir.resolve("cmdline"))));
            } catch (IOException | RuntimeException e) {
                return Optional.empty(); // gone meanwhile
            }
        }

        private static String readNul(Path file) {
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ').trim();
            } catch (IOException e) {
                return "";
            }
        }

        boolean alive() {
            return read(pid).map(p -> !p.zombie()).orElse(false);
        }

        @Override
        public String toString() {
            return pid + " (" + state + ", ppid " + ppid + ", pgrp " + pgrp + "): "
                    + (cmdline.length() > 160 ? "…" + cmdline.substring(cmdline.length() - 160) : cmdline);
        }
    }

    /** Threads and open file descriptors of a process now. */
    record Footprint(int threads, int fds) {
        static Footprint of(long pid) {
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"));
                 var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                return new Footprint((int) tasks.count(), (int) fds.count());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc/" + pid, e);
            }
        }
    }
}
