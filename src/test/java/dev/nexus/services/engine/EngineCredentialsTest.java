package dev.nexus.services.engine;

import static dev.nexus.services.engine.EngineFixture.FAST_RESTART;
import static dev.nexus.services.engine.EngineFixture.await;
import static dev.nexus.services.engine.EngineFixture.service;
import static dev.nexus.services.engine.EngineFixture.writeCatalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.JobSpec;
import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.use.InMemoryCredentialStore;
import dev.nexus.services.credentials.use.LoginShellEnvironment;
import dev.nexus.services.credentials.use.StandInShells;
import dev.nexus.services.credentials.use.StoreSecretSource;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.logs.Redactor;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials reach the embedded supervisor's children and nothing else: not the logs, not the
 * process table, not snapshots or any file. Real fixture processes; the credential store is the
 * in-memory TEST DOUBLE (the real stores are tested on their own).
 */
class EngineCredentialsTest {
    @TempDir
    Path root;
    NexusPaths paths;
    final InMemoryCredentialStore store = new InMemoryCredentialStore();
    final List<Engine> engines = new ArrayList<>();
    final String secret = "sk-ant-api03-" + UUID.randomUUID();

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(root);
    }

    @AfterEach
    void tearDown() {
        for (Engine e : engines) {
            try {
                e.down().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closed already: a later engine does the stopping
            }
            e.close();
        }
    }

    private Engine start(Map<String, String> extraEnv) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(NexusPaths.ROOT_VARIABLE, root.toString());
        env.putAll(extraEnv);
        Engine engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(7), env,
                new StoreSecretSource(store)));
        engines.add(engine);
        return engine;
    }

    private ServiceSpec daemon(String name, List<String> command, Map<String, String> env, RestartSpec restart) {
        return new ServiceSpec(name, name, ServiceKind.DAEMON, true, command, paths.home(), env, ManagerKind.EMBEDDED,
                List.of(), null, Probes.NONE, restart, Duration.ofSeconds(3), logs(name), List.of(), null, null);
    }

    private LogSpec logs(String name) {
        return new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP);
    }

    /** A shell that prints the secret itself (as a careless service would), then becomes the fixture. */
    private static List<String> leaky(String... fixtureArgs) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo \"leak: $ANTHROPIC_API_KEY\"; echo \"leak-err: $ANTHROPIC_API_KEY\" >&2; exec \"$@\"", "sh"));
        command.addAll(Fixtures.command(fixtureArgs));
        return command;
    }

    private static final Map<String, String> USES_ANTHROPIC = Map.of("ANTHROPIC_API_KEY", "credential:anthropic/default");

    @Test
    void theSecretReachesTheChildAndNeverTheLogsTheProcessTableOrTheSnapshot() throws Exception {
        store.put("anthropic/default", secret);
        writeCatalog(paths, daemon("gateway", leaky("--print-env", "ANTHROPIC_API_KEY"), USES_ANTHROPIC, RestartSpec.DEFAULT));
        Engine engine = start(Map.of());

        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot up = await(engine, "gateway", "running", s -> s.lifecycle() == Lifecycle.RUNNING);
        awaitLine(paths.stdoutLog("gateway"), "ANTHROPIC_API_KEY sha256=" + sha256(secret));
        awaitLine(paths.stdoutLog("gateway"), "leak: " + Redactor.REPLACEMENT);
        awaitLine(paths.stderrLog("gateway"), "leak-err: " + Redactor.REPLACEMENT);
        String environ = Files.readString(Path.of("/proc", up.pid().toString(), "environ"), StandardCharsets.UTF_8);
        assertTrue(environ.contains("ANTHROPIC_API_KEY=" + secret + "\0"), "the child's own environment has it");

        assertNoProcessArgumentContains(secret);
        assertNoFileUnder(root, secret);
        assertFalse(Json.MAPPER.writeValueAsString(engine.snapshot()).contains(secret));
        assertFalse(Json.MAPPER.writeValueAsString(engine.currentSnapshot().get(5, TimeUnit.SECONDS)).contains(secret));
    }

    @Test
    void aMissingCredentialIsFailedCredentialsNamingTheFixAndNeverRestarted() throws Exception {
        writeCatalog(paths, daemon("gateway", Fixtures.command("--print-env", "ANTHROPIC_API_KEY"), USES_ANTHROPIC,
                FAST_RESTART));
        Engine engine = start(Map.of());

        ServiceSnapshot failed = of(engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS), "gateway");

        assertEquals(Lifecycle.FAILED, failed.lifecycle());
        assertEquals("credentials", failed.failure());
        assertTrue(failed.message().contains("credential anthropic/default is not set"), failed.message());
        assertTrue(failed.message().contains("nexus-services credential set anthropic/default"), failed.message());
        assertEquals("anthropic/default", failed.detail().path("credentials").path(0).path("credential").asText());
        assertEquals("not_set", failed.detail().path("credentials").path(0).path("problem").asText());
        assertNull(failed.pid());
        assertStaysFailedWithoutRestarts(engine, "gateway", 0);
        assertFalse(Files.exists(paths.stdoutLog("gateway")), "no process was started");

        store.put("anthropic/default", secret);
        ServiceSnapshot fixed = of(engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS), "gateway");
        assertEquals(Lifecycle.RUNNING, fixed.lifecycle(), fixed.toString());
        assertNull(fixed.failure());
        assertNull(fixed.detail());
        awaitLine(paths.stdoutLog("gateway"), "ANTHROPIC_API_KEY sha256=" + sha256(secret));
    }

    @Test
    void aLockedKeychainIsFailedCredentialsToo() throws Exception {
        store.put("anthropic/default", secret);
        store.lock(true);
        writeCatalog(paths, daemon("gateway", Fixtures.command(), USES_ANTHROPIC, FAST_RESTART));
        Engine engine = start(Map.of());
        ServiceSnapshot failed = of(engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS), "gateway");
        assertEquals("credentials", failed.failure());
        assertTrue(failed.message().contains("credential anthropic/default cannot be read"), failed.message());
        assertTrue(failed.message().contains("unlock it"), failed.message());
        assertStaysFailedWithoutRestarts(engine, "gateway", 0);
    }

    /** The case that used to loop: a crashing daemon whose credential disappears fails instead of retrying. */
    @Test
    void aCrashingDaemonWhoseCredentialIsGoneStopsAtFailedCredentials() throws Exception {
        store.put("anthropic/default", secret);
        writeCatalog(paths, daemon("gateway", Fixtures.command("--print-env", "ANTHROPIC_API_KEY", "--crash-after", "300ms"),
                USES_ANTHROPIC, FAST_RESTART));
        Engine engine = start(Map.of());
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);
        awaitLine(paths.stdoutLog("gateway"), "ANTHROPIC_API_KEY sha256=" + sha256(secret));

        store.delete(CredentialName.parse("anthropic/default"));

        ServiceSnapshot failed = await(engine, "gateway", "failed(credentials)",
                s -> s.lifecycle() == Lifecycle.FAILED && "credentials".equals(s.failure()));
        assertStaysFailedWithoutRestarts(engine, "gateway", failed.restarts());
    }

    @Test
    void aRotatedCredentialReachesTheRestartedChild() throws Exception {
        store.put("anthropic/default", secret);
        writeCatalog(paths, daemon("gateway", Fixtures.command("--print-env", "ANTHROPIC_API_KEY"), USES_ANTHROPIC,
                RestartSpec.DEFAULT));
        Engine engine = start(Map.of());
        engine.start(List.of("gateway")).get(30, TimeUnit.SECONDS);
        awaitLine(paths.stdoutLog("gateway"), "ANTHROPIC_API_KEY sha256=" + sha256(secret));

        String rotated = "sk-ant-api03-rotated-" + UUID.randomUUID();
        store.put("anthropic/default", rotated);
        engine.restart(List.of("gateway")).get(30, TimeUnit.SECONDS);

        awaitLine(paths.stdoutLog("gateway"), "ANTHROPIC_API_KEY sha256=" + sha256(rotated));
    }

    /** A second engine adopts a running child: its output is still redacted, though nothing is restarted. */
    @Test
    void adoptedOutputStaysRedacted() throws Exception {
        store.put("anthropic/default", secret);
        writeCatalog(paths, daemon("ticker", List.of("/bin/sh", "-c",
                "while :; do echo \"tick: $ANTHROPIC_API_KEY\"; sleep 0.1; done"), USES_ANTHROPIC, RestartSpec.DEFAULT));
        Engine first = start(Map.of());
        first.start(List.of("ticker")).get(30, TimeUnit.SECONDS);
        long pid = await(first, "ticker", "running", s -> s.pid() != null).pid();
        awaitLine(paths.stdoutLog("ticker"), "tick: " + Redactor.REPLACEMENT);
        first.close();
        engines.remove(first);

        Engine second = start(Map.of());
        assertEquals(pid, service(second, "ticker").pid(), "adopted, not restarted");
        long before = Files.size(paths.stdoutLog("ticker"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.size(paths.stdoutLog("ticker")) < before + 200 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.size(paths.stdoutLog("ticker")) >= before + 200, "output after adoption reaches the log");
        assertNoFileUnder(root, secret);
    }

    @Test
    void aJobGetsItsCredentialAndItsOutputIsRedactedInSnapshotsAndSavedResults() throws Exception {
        store.put("gateway/token", secret);
        ServiceSpec job = new ServiceSpec("hub", "hub", ServiceKind.JOB, true, List.of("/bin/sh", "-c",
                "printf '{\"ok\":true,\"token\":\"%s\",\"note\":\"token %s\"}\\n' \"$TOKEN\" \"$TOKEN\""), paths.home(),
                Map.of("TOKEN", "credential:gateway/token"), ManagerKind.EMBEDDED, List.of(), null, Probes.NONE,
                RestartSpec.DEFAULT, Duration.ofSeconds(3), logs("hub"), List.of(), new JobSpec(Duration.ofHours(6),
                Duration.ofSeconds(10)), null);
        writeCatalog(paths, job);
        Engine engine = start(Map.of());

        engine.start(List.of("hub")).get(30, TimeUnit.SECONDS);

        ServiceSnapshot ran = await(engine, "hub", "run once", s -> s.job() != null && s.job().lastOutcome() != null);
        assertEquals("ok", ran.job().lastOutcome(), ran.toString());
        JsonNode detail = ran.detail();
        assertEquals(Redactor.REPLACEMENT, detail.path("token").asText());
        assertEquals("token " + Redactor.REPLACEMENT, detail.path("note").asText());
        assertFalse(Json.MAPPER.writeValueAsString(engine.snapshot()).contains(secret));
        assertNoFileUnder(root, secret);
    }

    @Test
    void aJobWithAMissingCredentialFailsAtStart() throws Exception {
        ServiceSpec job = new ServiceSpec("hub", "hub", ServiceKind.JOB, true, List.of("true"), paths.home(),
                Map.of("TOKEN", "credential:gateway/token"), ManagerKind.EMBEDDED, List.of(), null, Probes.NONE,
                RestartSpec.DEFAULT, Duration.ofSeconds(3), logs("hub"), List.of(), new JobSpec(Duration.ofHours(6),
                Duration.ofSeconds(10)), null);
        writeCatalog(paths, job);
        Engine engine = start(Map.of());
        ServiceSnapshot failed = of(engine.start(List.of("hub")).get(30, TimeUnit.SECONDS), "hub");
        assertEquals(Lifecycle.FAILED, failed.lifecycle());
        assertEquals("credentials", failed.failure());
        assertTrue(failed.message().contains("credential gateway/token is not set"), failed.message());
        assertNull(failed.job().nextRunAt(), "nothing is scheduled");
    }

    /**
     * NEXUS_LOAD_SHELL_ENV=1 with a stand-in login shell that takes a second: a service started meanwhile
     * waits for it, the engine loop keeps answering, and the shell's variables reach the child.
     */
    @Test
    void theLoginShellEnvironmentReachesTheChildWithoutBlockingTheEngine() throws Exception {
        Path shell = StandInShells.noisy(root.resolve("stand-in-shell"), "1.5");
        writeCatalog(paths, daemon("gateway", Fixtures.command("--print-env", "LOGIN_ONLY", "--print-env", "ANTHROPIC_API_KEY"),
                USES_ANTHROPIC, RestartSpec.DEFAULT));
        store.put("anthropic/default", secret);
        Engine engine = start(Map.of(LoginShellEnvironment.FLAG, "1", "SHELL", shell.toString(),
                "HOME", root.toString()));

        CompletableFuture<EngineSnapshot> starting = engine.start(List.of("gateway"));

        ServiceSnapshot waiting = await(engine, "gateway", "waiting for the login shell",
                s -> s.lifecycle() == Lifecycle.STARTING);
        assertEquals("resolving credentials", waiting.message());
        assertNull(waiting.pid());
        long asked = System.nanoTime();
        ServiceSnapshot meanwhile = of(engine.currentSnapshot().get(1, TimeUnit.SECONDS), "gateway");
        assertTrue(System.nanoTime() - asked < Duration.ofMillis(500).toNanos(), "the loop answers at once");
        assertEquals(Lifecycle.STARTING, meanwhile.lifecycle(), "still waiting for the shell");
        assertFalse(starting.isDone());
        starting.get(30, TimeUnit.SECONDS);
        awaitLine(paths.stdoutLog("gateway"), "LOGIN_ONLY sha256=" + sha256("line one\nline two=still the value"));
        awaitLine(paths.stdoutLog("gateway"), "ANTHROPIC_API_KEY sha256=" + sha256(secret));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static ServiceSnapshot of(EngineSnapshot snapshot, String name) {
        return snapshot.services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no service " + name + " in " + snapshot));
    }

    private static void assertStaysFailedWithoutRestarts(Engine engine, String name, int restarts) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < until) {
            ServiceSnapshot s = service(engine, name);
            assertEquals(Lifecycle.FAILED, s.lifecycle(), s.toString());
            assertEquals(restarts, s.restarts(), "no restart after FAILED(credentials)");
            assertNull(s.nextRestartAt());
            Thread.sleep(50);
        }
    }

    static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    static void awaitLine(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + EngineFixture.WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                last = Files.readString(log, StandardCharsets.UTF_8);
                if (last.lines().anyMatch(line::equals)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        fail("no line \"" + line + "\" in " + log + "; it has:\n" + last);
    }

    /** What `ps` shows: every process's command line, read from /proc. */
    static void assertNoProcessArgumentContains(String secret) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    assertFalse(cmdline.contains(secret), "pid " + p.getFileName() + " has the secret in its arguments");
                } catch (IOException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        }
    }

    /** Every regular file under the root (logs, records, results, services.json): no secret on disk. */
    static void assertNoFileUnder(Path dir, String secret) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(f);
                assertFalse(indexOf(content, needle) >= 0, f + " contains the secret");
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
