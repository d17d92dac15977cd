package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceEnvironmentsTest {
    @TempDir
    Path dir;
    private final ExecutorService blocking = Executors.newFixedThreadPool(2);
    private final StoreSecretSource secrets = new StoreSecretSource(new InMemoryCredentialStore()
            .put("anthropic/default", "sk-ant-env-test-0001"));

    @AfterEach
    void tearDown() {
        blocking.shutdownNow();
    }

    private Map<String, String> engineEnv(Path shell) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("FROM_ENGINE", "engine");
        env.put("LOGIN_ONLY", "engine's copy");
        if (shell != null) {
            env.put("SHELL", shell.toString());
            env.put(LoginShellEnvironment.FLAG, "1");
        }
        return env;
    }

    @Test
    void withoutReferencesOrShellTheEnvironmentIsReadyAtOnce() {
        ServiceEnvironments envs = new ServiceEnvironments(engineEnv(null), secrets, blocking);
        CompletableFuture<ResolvedEnvironment> f = envs.resolve("hub", Map.of("A", "1"));
        assertTrue(f.isDone(), "nothing can block, so the engine loop can go straight on");
        assertEquals("1", f.join().env().get("A"));
        assertEquals("engine", f.join().env().get("FROM_ENGINE"));
    }

    @Test
    void referencesResolveOnTheBlockingExecutor() throws Exception {
        ServiceEnvironments envs = new ServiceEnvironments(engineEnv(null), secrets, blocking);
        ResolvedEnvironment env = envs.resolve("gateway", Map.of("K", "credential:anthropic/default"))
                .get(5, TimeUnit.SECONDS);
        assertEquals("sk-ant-env-test-0001", env.env().get("K"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> envs.resolve("gateway",
                Map.of("K", "credential:nope/default")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(MissingCredentialException.class, e.getCause());
    }

    /** A service started while the login shell is still talking waits for it, without holding a thread. */
    @Test
    void theLoginShellIsTheBaseUnderTheCatalog() throws Exception {
        Path shell = StandInShells.noisy(dir.resolve("sh"), "1");
        try (ServiceEnvironments envs = new ServiceEnvironments(engineEnv(shell), secrets, blocking)) {
            long started = System.nanoTime();
            CompletableFuture<ResolvedEnvironment> f = envs.resolve("gateway",
                    Map.of("PATH", "/catalog/bin", "K", "credential:anthropic/default"));
            assertTrue((System.nanoTime() - started) / 1_000_000 < 300, "resolve() returns at once");
            assertFalse(f.isDone(), "the shell is still in its rc files");
            assertFalse(envs.shellSettled());
            ResolvedEnvironment env = f.get(10, TimeUnit.SECONDS);
            assertEquals("line one\nline two=still the value", env.env().get("LOGIN_ONLY"), "the shell's over the engine's");
            assertEquals("/catalog/bin", env.env().get("PATH"), "the catalog's over the shell's");
            assertEquals("engine", env.env().get("FROM_ENGINE"));
            assertEquals("sk-ant-env-test-0001", env.env().get("K"));
            assertTrue(envs.shellSettled());
            assertTrue(envs.resolve("hub", Map.of()).isDone(), "once loaded, it is cached");
            assertEquals(1, java.nio.file.Files.readAllLines(dir.resolve("sh/runs")).size());
        }
    }

    @Test
    void aShellThatTimesOutLeavesTheEngineEnvironment() throws Exception {
        Path shell = StandInShells.hanging(dir.resolve("sh"));
        LoginShellEnvironment loader = new LoginShellEnvironment(engineEnv(shell), Duration.ofMillis(800));
        try (ServiceEnvironments envs = new ServiceEnvironments(engineEnv(shell), secrets, blocking, loader)) {
            ResolvedEnvironment env = envs.resolve("gateway", Map.of("A", "1")).get(10, TimeUnit.SECONDS);
            assertEquals("engine's copy", env.env().get("LOGIN_ONLY"));
            assertEquals("1", env.env().get("A"));
        }
    }

    @Test
    void entriesSayWhereNexusLivesThenTheCatalogsOwn() {
        NexusPaths paths = new NexusPaths(dir);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "1");
        ServiceSpec spec = new ServiceSpec("gateway", "Gateway", ServiceKind.DAEMON, true, List.of("nexus"), null, env,
                ManagerKind.EMBEDDED, List.of(), null, Probes.NONE, RestartSpec.DEFAULT, Duration.ofSeconds(3),
                new LogSpec(paths.stdoutLog("gateway"), paths.stderrLog("gateway"), LogSpec.DEFAULT_MAX_BYTES,
                        LogSpec.DEFAULT_KEEP), List.of(), null, null);
        Map<String, String> entries = ServiceEnvironments.entries(paths, spec);
        assertEquals(List.of("NEXUS_ROOT", "NEXUS_SERVICE", "B", "A"), List.copyOf(entries.keySet()));
        assertEquals(dir.toAbsolutePath().normalize().toString(), entries.get("NEXUS_ROOT"));
        assertEquals("gateway", entries.get("NEXUS_SERVICE"));
    }
}
