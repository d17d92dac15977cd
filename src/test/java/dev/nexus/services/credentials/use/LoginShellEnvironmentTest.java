package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

class LoginShellEnvironmentTest {
    @TempDir
    Path dir;

    private Map<String, String> env(Path shell) {
        Map<String, String> env = new HashMap<>();
        env.put("SHELL", shell.toString());
        env.put("HOME", dir.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("FROM_ENGINE", "kept");
        return env;
    }

    @Test
    void rcNoiseIsSkippedAndExportedValuesArriveWhole() throws Exception {
        Path shell = StandInShells.noisy(dir.resolve("sh"), "0");
        Map<String, String> vars = new LoginShellEnvironment(env(shell), Duration.ofSeconds(10)).loadNow();
        assertEquals("line one\nline two=still the value", vars.get("LOGIN_ONLY"));
        assertTrue(vars.get("PATH").startsWith("/stand-in/bin:"), vars.get("PATH"));
        assertEquals("kept", vars.get("FROM_ENGINE"));
        assertFalse(vars.containsKey("NOT_A_VARIABLE"), "text an rc file printed is not a variable");
        assertFalse(vars.containsKey("FAKE_FROM_NOISE"), "not even with a NUL in front of it");
        for (String own : List.of(LoginShellEnvironment.MARKER_VARIABLE, "PWD", "SHLVL", "_", "OLDPWD")) {
            assertFalse(vars.containsKey(own), own + " describes the loading shell, not the user");
        }
        List<String> args = Files.readAllLines(dir.resolve("sh/args"));
        assertEquals(List.of("-l", "-i", "-c"), args.subList(0, 3), "a login, interactive shell running a command");
    }

    /** The real bash, as a user's login shell, with a profile in a temp HOME that talks and exports. */
    @Test
    @EnabledIf("bashExists")
    void realBashLoginShellWithANoisyProfile() throws Exception {
        Files.writeString(dir.resolve(".bash_profile"), """
                echo "Good morning from .bash_profile"
                echo "fortune: NAME=value is not a variable"
                export FROM_PROFILE="profile value with spaces"
                export MULTI_LINE=$'a\\nb'
                """, StandardCharsets.UTF_8);
        Map<String, String> vars = new LoginShellEnvironment(env(Path.of("/bin/bash")), Duration.ofSeconds(10)).loadNow();
        assertEquals("profile value with spaces", vars.get("FROM_PROFILE"));
        assertEquals("a\nb", vars.get("MULTI_LINE"));
        assertFalse(vars.containsKey("fortune: NAME"));
        assertFalse(vars.containsKey(LoginShellEnvironment.MARKER_VARIABLE));
    }

    static boolean bashExists() {
        return Files.isExecutable(Path.of("/bin/bash"));
    }

    @Test
    void aHangingShellIsKilledAtTheTimeout() throws Exception {
        Path shell = StandInShells.hanging(dir.resolve("sh"));
        long started = System.nanoTime();
        ShellEnvironmentException e = assertThrows(ShellEnvironmentException.class,
                () -> new LoginShellEnvironment(env(shell), Duration.ofMillis(1500)).loadNow());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(e.getMessage().contains("did not finish within 1500 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("rc files"), e.getMessage());
        assertTrue(tookMs >= 1400 && tookMs < 6000, "took " + tookMs + " ms");
        long shellPid = Long.parseLong(Files.readString(dir.resolve("sh/pid")).trim());
        long sleeperPid = Long.parseLong(Files.readString(dir.resolve("sh/sleeper")).trim());
        awaitGone(shellPid);
        awaitGone(sleeperPid); // what the rc file started goes too
    }

    @Test
    void aShellThatExitsEarlyIsReported() throws Exception {
        Path shell = StandInShells.failing(dir.resolve("sh"));
        ShellEnvironmentException e = assertThrows(ShellEnvironmentException.class,
                () -> new LoginShellEnvironment(env(shell), Duration.ofSeconds(10)).loadNow());
        assertTrue(e.getMessage().contains("exited with 3"), e.getMessage());
    }

    @Test
    void loadedOnceThenCached() throws Exception {
        Path shell = StandInShells.noisy(dir.resolve("sh"), "0");
        LoginShellEnvironment loader = new LoginShellEnvironment(env(shell), Duration.ofSeconds(10));
        assertSame(loader.load(), loader.load());
        loader.loadNow();
        loader.loadNow();
        assertEquals(1, Files.readAllLines(dir.resolve("sh/runs")).size());
    }

    @Test
    void loadingNeverBlocksTheCaller() throws Exception {
        Path shell = StandInShells.noisy(dir.resolve("sh"), "1");
        LoginShellEnvironment loader = new LoginShellEnvironment(env(shell), Duration.ofSeconds(10));
        long started = System.nanoTime();
        var future = loader.load();
        assertTrue((System.nanoTime() - started) / 1_000_000 < 500, "load() returns at once");
        assertFalse(future.isDone());
        assertEquals("kept", future.get().get("FROM_ENGINE"));
    }

    @Test
    void onlyTheMarkedPartIsParsed() throws Exception {
        byte[] out = "noise\0X=1\0MARKY=2\0A=b=c\0_=/usr/bin/env\0\n".getBytes(StandardCharsets.UTF_8);
        Map<String, String> vars = LoginShellEnvironment.parse(out, "MARK");
        assertEquals(Map.of("Y", "2", "A", "b=c"), vars);
        assertThrows(ShellEnvironmentException.class,
                () -> LoginShellEnvironment.parse("no marker\0X=1\0".getBytes(StandardCharsets.UTF_8), "MARK"));
        assertThrows(ShellEnvironmentException.class,
                () -> LoginShellEnvironment.parse("MARK env: illegal option -- 0".getBytes(StandardCharsets.UTF_8), "MARK"));
    }

    @Test
    void askedForWithOneOrTrue() {
        assertTrue(LoginShellEnvironment.requested(Map.of(LoginShellEnvironment.FLAG, "1")));
        assertTrue(LoginShellEnvironment.requested(Map.of(LoginShellEnvironment.FLAG, "true")));
        assertFalse(LoginShellEnvironment.requested(Map.of(LoginShellEnvironment.FLAG, "0")));
        assertFalse(LoginShellEnvironment.requested(Map.of()));
    }

    @Test
    void theShellComesFromShellThenPasswd() {
        assertEquals(Path.of("/usr/bin/zsh"), LoginShellEnvironment.shell(Map.of("SHELL", "/usr/bin/zsh")));
        Path fallback = LoginShellEnvironment.shell(Map.of());
        assertTrue(fallback.isAbsolute(), fallback.toString());
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (ProcessHandle.of(pid).map(h -> !h.isAlive() || isZombie(pid)).orElse(true)) {
                return;
            }
            Thread.sleep(20);
        }
        fail("pid " + pid + " still runs after the timeout");
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
