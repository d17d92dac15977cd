package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * `nexus-services exec <service>` for real: the CLI's main runs in a child JVM, as a systemd unit or a
 * launchd plist would start it, and must become the catalog's command (same pid, its command line)
 * with the credential in its environment. The credential is stored through the real facade on a temp
 * NEXUS_ROOT (no session bus, so the file-backed store), and read back by the child process.
 */
@EnabledOnOs(OS.LINUX)
class ExecShimEndToEndTest {
    @TempDir
    Path root;
    NexusPaths paths;
    Map<String, String> env;
    final List<Process> started = new ArrayList<>();
    final String secret = "sk-ant-api03-exec-" + UUID.randomUUID();

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(root);
        env = new HashMap<>();
        env.put(NexusPaths.ROOT_VARIABLE, root.toString());
        env.put("HOME", root.toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    @AfterEach
    void tearDown() {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    private void writeCatalog(List<String> command) throws IOException {
        Files.createDirectories(paths.state());
        StringBuilder json = new StringBuilder();
        for (String arg : command) {
            json.append(json.length() == 0 ? "" : ", ").append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        Files.writeString(paths.catalogFile(), """
                {"version": 1, "services": [
                  {"name": "gateway", "kind": "daemon", "command": [%s],
                   "env": {"ANTHROPIC_API_KEY": "credential:anthropic/default", "PLAIN": "plain value"}}
                ]}
                """.formatted(json));
    }

    /** {@code java -cp <test class path> dev.nexus.services.cli.Main exec SERVICE}, with this test's environment. */
    private Process exec(String service) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Fixtures.javaBinary());
        command.addAll(Fixtures.JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.nexus.services.cli.Main", "exec", service));
        // stderr to a file: destroy() closes the pipes, and what was said must stay readable.
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectError(root.resolve("exec.err").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process p = builder.start();
        started.add(p);
        return p;
    }

    @Test
    void theShimBecomesTheCatalogCommandWithTheCredentialInItsEnvironment() throws Exception {
        Credentials.open(paths, env).set(CredentialName.parse("anthropic/default"), Secret.of(secret));
        List<String> command = Fixtures.command("--print-env", "ANTHROPIC_API_KEY", "--print-env", "PLAIN");
        writeCatalog(command);

        Process p = exec("gateway");
        BlockingQueue<String> lines = lines(p);

        awaitLine(lines, "ANTHROPIC_API_KEY sha256=" + sha256(secret));
        awaitLine(lines, "PLAIN sha256=" + sha256("plain value"));
        Path proc = Path.of("/proc", Long.toString(p.pid()));
        assertEquals(command, cmdline(proc), "same pid, and its command line is the catalog's");
        assertEquals(paths.home(), Files.readSymbolicLink(proc.resolve("cwd")));
        String blocked = Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("SigBlk:"))
                .findFirst().orElseThrow();
        assertTrue(blocked.matches("SigBlk:\\s+0+"), "no signal stays blocked from the JVM: " + blocked);
        assertNoProcessArgumentContains(secret);
        assertTrue(p.isAlive());
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        String stderr = stderr();
        assertFalse(stderr.contains(secret), stderr);
    }

    @Test
    void theLoginShellEnvironmentIsTheBaseThroughTheShimToo() throws Exception {
        Credentials.open(paths, env).set(CredentialName.parse("anthropic/default"), Secret.of(secret));
        writeCatalog(Fixtures.command("--print-env", "LOGIN_ONLY", "--exit-code", "0"));
        env.put(LoginShellEnvironment.FLAG, "1");
        env.put("SHELL", StandInShells.noisy(root.resolve("stand-in-shell"), "0").toString());

        Process p = exec("gateway");
        BlockingQueue<String> lines = lines(p);

        awaitLine(lines, "LOGIN_ONLY sha256=" + sha256("line one\nline two=still the value"));
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "the service's own exit code");
    }

    @Test
    void aMissingCredentialIsExConfigNamingTheFix() throws Exception {
        writeCatalog(Fixtures.command("--print-env", "ANTHROPIC_API_KEY"));
        Process p = exec("gateway");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String stderr = stderr();
        assertEquals(ExecShim.EX_CONFIG, p.exitValue(), stderr);
        assertTrue(stderr.contains("nexus-services exec gateway: credential anthropic/default is not set"), stderr);
        assertTrue(stderr.contains("nexus-services credential set anthropic/default"), stderr);
        assertEquals("", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8), "the service never ran");
    }

    @Test
    void anUnknownServiceIsExConfig() throws Exception {
        writeCatalog(List.of("true"));
        Process p = exec("gatewya");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String stderr = stderr();
        assertEquals(ExecShim.EX_CONFIG, p.exitValue(), stderr);
        assertTrue(stderr.contains("unknown service \"gatewya\"") && stderr.contains("(known: gateway)"), stderr);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String stderr() throws IOException {
        return Files.readString(root.resolve("exec.err"), StandardCharsets.UTF_8);
    }

    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process went away
            }
        }, "exec-test-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static void awaitLine(BlockingQueue<String> lines, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            if (line.equals(expected)) {
                return;
            }
            seen.add(line);
        }
        fail("no line \"" + expected + "\"; saw " + seen);
    }

    private static List<String> cmdline(Path proc) throws IOException {
        String raw = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
        return Arrays.asList(raw.substring(0, raw.length() - 1).split("\0", -1));
    }

    static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
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
}
