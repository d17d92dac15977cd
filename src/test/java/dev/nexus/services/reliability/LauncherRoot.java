package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.it.Launcher.Result;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * One NEXUS_ROOT driven through the real launcher {@code bin/nexus-services} (built by {@code mvn package};
 * see {@link Launcher}). Every command's output, and every control-API
 * reply this class fetched, is kept in {@link #transcript} so a test can search all of it afterwards.
 */
final class LauncherRoot {
    /** Longer than any command should take: a hung command fails the test instead of the build. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    final Path root;
    final List<String> transcript = new CopyOnWriteArrayList<>();

    private LauncherRoot(Path root) {
        this.root = root;
    }

    /** @param dir a short directory: the control socket path under it must stay below ~100 bytes */
    static LauncherRoot in(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        assertTrue(root.resolve("state/run/control.sock").toString().length() < 100, root + " is too deep for a socket");
        try {
            Files.createDirectories(root.resolve("pids"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LauncherRoot(root);
    }

    Path socket() {
        return root.resolve("state/run/control.sock");
    }

    Path runDir() {
        return root.resolve("state/run");
    }

    Path catalogFile() {
        return root.resolve("state/services.json");
    }

    Path pidFile(String service) {
        return root.resolve("pids").resolve(service + ".pid");
    }

    void writeCatalog(ObjectNode catalog) {
        try {
            Files.createDirectories(catalogFile().getParent());
            Files.writeString(catalogFile(), catalog.toPrettyString() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(String... args) {
        return run(null, args);
    }

    /** Runs a command with {@code stdin} (or none) and waits for it; its output goes to the transcript. */
    Result run(byte[] stdin, String... args) {
        ProcessBuilder pb = Launcher.builder(root, List.of(args));
        environment(pb.environment());
        Result r = Launcher.run(pb, stdin, COMMAND_TIMEOUT);
        transcript.add(r.toString());
        return r;
    }

    /** Runs and fails the test with the whole output unless the exit code is {@code exit}. */
    Result expect(int exit, String... args) {
        return run(args).expectExit(exit);
    }

    /** The environment every command and the engine get: this root, caches inside it, no session keyring. */
    void environment(Map<String, String> env) {
        Launcher.environment(env, root);
        env.remove("DBUS_SESSION_BUS_ADDRESS");
    }

    // ---- the engine over its socket -------------------------------------------------------------------------

    /** One control call; the reply goes to the transcript. Empty when no engine answers. */
    Optional<JsonNode> call(String op, JsonNode args) {
        try (ControlClient client = ControlClient.connect(socket(), Duration.ofSeconds(5))) {
            JsonNode reply = client.call(op, args, Duration.ofSeconds(30));
            transcript.add("control " + op + " " + args + " → " + reply);
            return Optional.of(reply);
        } catch (EngineNotRunningException e) {
            return Optional.empty();
        } catch (IOException | ControlException e) {
            transcript.add("control " + op + " failed: " + e.getMessage());
            throw new AssertionError("the engine did not answer " + op + ": " + e.getMessage(), e);
        }
    }

    Optional<JsonNode> snapshot() {
        return call("snapshot", null);
    }

    JsonNode awaitSnapshot(String what, Duration timeout, Predicate<JsonNode> wanted) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = snapshot().orElse(null);
            if (last != null && wanted.test(last)) {
                return last;
            }
            sleep(100);
        }
        fail("not within " + timeout.toSeconds() + " s: " + what + "; last snapshot:\n"
                + (last == null ? "(no engine)" : last.toPrettyString()));
        return last;
    }

    static JsonNode service(JsonNode snapshot, String name) {
        for (JsonNode s : snapshot.path("services")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no service " + name + " in " + snapshot.toPrettyString());
    }

    static boolean running(JsonNode snapshot, String name) {
        JsonNode s = service(snapshot, name);
        return s.path("lifecycle").asText().equals("RUNNING") && s.path("pid").isNumber();
    }

    // ---- processes ------------------------------------------------------------------------------------------

    /** A process as /proc shows it; {@code ppid} is -1 when it could not be read. */
    record Proc(long pid, long ppid, String cmdline, byte[] environ) {
    }

    /** Every process other than this JVM whose command line or environment mentions this root. */
    List<Proc> processesOfRoot() {
        String needle = root.toString();
        List<Proc> found = new ArrayList<>();
        for (Proc p : allProcesses()) {
            if (p.cmdline().contains(needle) || new String(p.environ(), StandardCharsets.UTF_8).contains(needle)) {
                found.add(p);
            }
        }
        return found;
    }

    static List<Proc> allProcesses() {
        long self = ProcessHandle.current().pid();
        List<Proc> all = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self) {
                    all.add(new Proc(pid, parentOf(proc), new String(read(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').trim(), read(proc.resolve("environ"))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return all;
    }

    private static long parentOf(Path proc) {
        String stat = new String(read(proc.resolve("stat")), StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0]; // gone meanwhile, or not ours to read
        }
    }

    /** {@code down} and {@code daemon stop}, then kills whatever of this root is left. Returns what was left. */
    List<String> shutDown() {
        List<String> left = new ArrayList<>();
        run("down");
        run("daemon", "stop");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Proc> procs = processesOfRoot();
        while (!procs.isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
            procs = processesOfRoot();
        }
        for (Proc p : procs) {
            left.add(p.pid() + ": " + p.cmdline());
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        return left;
    }

    /** A test body run against this root. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body}, then shuts this root down: a failure of the body is reported as it is (not masked by
     * the clean-up), and a body that passed fails when processes of the root are left afterwards.
     */
    void around(Body body) throws Exception {
        try {
            body.run();
        } catch (Exception | Error e) {
            List<String> left = shutDown();
            if (!left.isEmpty()) {
                e.addSuppressed(new AssertionError("also left running: " + left));
            }
            throw e;
        }
        List<String> left = shutDown();
        if (!left.isEmpty()) {
            fail("processes of " + root + " left after down + daemon stop: " + left);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- catalogs ---------------------------------------------------------------------------------------------

    static ObjectNode catalog(ObjectNode... services) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("version", 1);
        ArrayNode list = root.putArray("services");
        for (ObjectNode s : services) {
            list.add(s);
        }
        return root;
    }

    /** A fixture JVM listening on {@code port}, probed over TCP, restarted quickly. */
    ObjectNode fixtureDaemon(String name, int port, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--listen", Integer.toString(port), "--pid-file",
                pidFile(name).toString()));
        args.addAll(Arrays.asList(extraArgs));
        ObjectNode s = Json.MAPPER.createObjectNode().put("name", name).put("kind", "daemon");
        Fixtures.command(args.toArray(String[]::new)).forEach(s.putArray("command")::add);
        s.put("port", port);
        ObjectNode probes = s.putObject("probes");
        probes.putObject("startup").put("type", "tcp").put("port", port).put("period", "200ms").put("timeout", "1s")
                .put("failureThreshold", 150);
        probes.putObject("liveness").put("type", "tcp").put("port", port).put("period", "200ms").put("timeout", "1s")
                .put("failureThreshold", 3);
        s.putObject("restart").put("initialDelay", "100ms").put("maxDelay", "1s");
        s.put("stopTimeout", "5s");
        return s;
    }

    /** A daemon that is {@code sh -c script}, healthy while it lives. */
    static ObjectNode shellDaemon(String name, String script) {
        ObjectNode s = Json.MAPPER.createObjectNode().put("name", name).put("kind", "daemon");
        s.putArray("command").add("sh").add("-c").add(script);
        s.putObject("probes").putObject("liveness").put("type", "process").put("period", "200ms");
        s.putObject("restart").put("initialDelay", "100ms").put("maxDelay", "1s");
        s.put("stopTimeout", "3s");
        return s;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
