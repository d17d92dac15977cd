package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket against another local user (a uid made for the test with useradd; skipped, with the
 * reason, when not root), through the real launcher and daemon: the other user cannot connect, not even
 * when the directory above the socket was left open; a run directory left with loose permissions, planted
 * entries, another owner or a symlink is not trusted and is replaced safely (nothing outside it touched,
 * nobody impersonates the engine); and a socket and lock left by an engine killed with SIGKILL are recovered
 * from on the next start, the services re-adopted.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ControlSocketSecurityReliabilityIT {
    private static final String SCENARIO = "control-socket-security";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HELLO = "{\"v\":1,\"id\":1,\"op\":\"hello\"}\n";

    private static final int TESTS = 5;
    private static final java.util.concurrent.atomic.AtomicInteger PASSED = new java.util.concurrent.atomic.AtomicInteger();

    @TempDir
    static Path temp;
    private static OtherUser other;
    private static ScenarioFigures figures;

    /** A user made for this test, and how to run a command as it. */
    record OtherUser(String name, int uid, int gid) {
        List<String> as(String... command) {
            List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
            c.addAll(List.of(command));
            return c;
        }
    }

    @BeforeAll
    static void makeAnotherUser() throws Exception {
        figures = ScenarioFigures.start(SCENARIO);
        String whoami = exec(List.of("id", "-u")).out().trim();
        String skip = whoami.equals("0") ? null : "creating a second local user needs root (running as uid " + whoami
                + "); run this IT as root, e.g. in a throw-away container";
        for (String tool : List.of("useradd", "userdel", "setpriv", "socat")) {
            if (skip == null && exec(List.of("sh", "-c", "command -v " + tool)).exit() != 0) {
                skip = tool + " is not installed";
            }
        }
        if (skip != null) {
            figures.skipped(skip);
        }
        Assumptions.assumeTrue(skip == null, "skipped: " + skip);
        String name = "nxrel" + ProcessHandle.current().pid();
        Result add = exec(List.of("useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", name));
        assertEquals(0, add.exit(), "useradd: " + add);
        other = new OtherUser(name, Integer.parseInt(exec(List.of("id", "-u", name)).out().trim()),
                Integer.parseInt(exec(List.of("id", "-g", name)).out().trim()));
        figures.put("otherUser", name).put("otherUid", other.uid());
        // The temp dir is 0700 (JUnit): open the way down to state/ so that only the run dir's and the socket's
        // own permissions stand between the other user and the engine.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void removeTheUser() throws Exception {
        try {
            if (other != null) {
                Result del = exec(List.of("userdel", other.name()));
                assertEquals(0, del.exit(), "userdel: " + del);
            }
        } finally {
            if (figures != null) {
                if (PASSED.get() == TESTS) {
                    figures.passed();
                }
                figures.put("testsPassed", PASSED.get());
                figures.close();
            }
        }
    }

    private static LauncherRoot root(String name) throws IOException {
        LauncherRoot r = LauncherRoot.in(temp.resolve(name));
        Files.setPosixFilePermissions(r.root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(r.root.resolve("state"));
        Files.setPosixFilePermissions(r.root.resolve("state"), PosixFilePermissions.fromString("rwxr-xr-x"));
        r.writeCatalog(LauncherRoot.catalog(LauncherRoot.shellDaemon("sleeper", "exec sleep 86401")));
        return r;
    }

    @Test
    void anotherUserCannotConnectEvenWhenTheDirectoryIsOpened() throws Exception {
        LauncherRoot r = root("a");
        r.around(() -> {
            r.expect(0, "up");
            assertEquals("rwx------", mode(r.runDir()));
            assertEquals("rw-------", mode(r.socket()));
            // The owner is served: the same client, as root, gets a reply (so a refusal below means something).
            Result mine = exec(List.of("socat", "-t", "5", "-", "UNIX-CONNECT:" + r.socket()), HELLO);
            assertTrue(mine.out().contains("\"ok\":true"), "the owner's own client is answered: " + mine);

            Result refused = exec(other.as("socat", "-t", "5", "-", "UNIX-CONNECT:" + r.socket()), HELLO);
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("Permission denied"), "the other user is refused: " + refused);
            assertFalse(refused.out().contains("\"v\""), "and hears nothing: " + refused);

            // Someone opens the directory (chmod 755): the socket's own 0600 still keeps the other user out.
            Files.setPosixFilePermissions(r.runDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Result stillRefused = exec(other.as("socat", "-t", "5", "-", "UNIX-CONNECT:" + r.socket()), HELLO);
            assertTrue(stillRefused.exit() != 0 && stillRefused.err().contains("Permission denied"), stillRefused.toString());
            // The real CLI as the other user says so, instead of hanging or pretending.
            Result cli = exec(other.as("env", "NEXUS_ROOT=" + r.root, "HOME=/nonexistent", "XDG_CACHE_HOME=/nonexistent",
                    Launcher.executable().toString(), "daemon", "stop"));
            assertNotEquals(0, cli.exit(), cli.toString());
            assertTrue(cli.err().contains("may not connect") || cli.err().contains("not your engine"), cli.toString());
            assertTrue(r.snapshot().isPresent(), "the engine was not stopped by the other user");
            figures.put("otherUserRefusedPrivateDir", true).put("otherUserRefusedOpenedDir", true);
            PASSED.incrementAndGet();
        });
    }

    /** A run dir left world-writable, with a stale socket file and a lock planted as a symlink to a victim. */
    @Test
    void aLooseRunDirIsTightenedAndWhatOthersPlantedIsReplaced() throws Exception {
        LauncherRoot r = root("b");
        Path run = Files.createDirectories(r.runDir());
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path stale = Files.createFile(r.socket());
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path victim = Files.writeString(temp.resolve("victim.txt"), "precious\n");
        Files.createSymbolicLink(run.resolve("engine.lock"), victim);
        r.around(() -> {
            r.expect(0, "up");
            assertEquals("precious\n", Files.readString(victim), "a planted symlink must never be followed and written");
            assertEquals("rwx------", mode(run), "the run dir is private again");
            assertEquals("rw-------", mode(r.socket()), "the socket is new and private");
            // (The inode number may be reused at once, so: the plain file left behind is a socket now.)
            assertTrue(Files.readAttributes(r.socket(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther(), "the stale file was replaced by the engine's socket");
            assertTrue(r.snapshot().isPresent(), "and the engine answers on it");
            assertFalse(Files.isSymbolicLink(run.resolve("engine.lock")), "the lock is a file of the engine's own");
            Result refused = exec(other.as("socat", "-t", "5", "-", "UNIX-CONNECT:" + r.socket()), HELLO);
            assertTrue(refused.exit() != 0 && refused.err().contains("Permission denied"), refused.toString());
            figures.put("looseRunDirTightened", true).put("plantedLockSymlinkNotFollowed", true);
            PASSED.incrementAndGet();
        });
    }

    /**
     * The run dir belongs to the other user, who listens on a socket of their own there (an impersonator).
     * The engine must not use that directory, and the CLI must not take the impostor for the engine.
     */
    @Test
    void aRunDirOfAnotherOwnerIsNotUsedAndAnImpostorIsNotBelieved() throws Exception {
        LauncherRoot r = root("c");
        Path run = Files.createDirectories(r.runDir());
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(0, exec(List.of("chown", other.uid() + ":" + other.gid(), run.toString())).exit());
        Process impostor = new ProcessBuilder(other.as("socat", "UNIX-LISTEN:" + r.socket() + ",fork,mode=777",
                "SYSTEM:echo '{\"v\":1,\"id\":1,\"ok\":true,\"result\":{\"version\":\"impostor\",\"protocol\":1,\"pid\":1}}'"))
                .redirectErrorStream(true).start();
        try {
            r.around(() -> {
                Deadline.until("the impostor listens", Duration.ofSeconds(10), () -> Files.exists(r.socket()));
                Launcher.Result status = r.run("status", "--json");
                assertFalse(status.out().contains("impostor") || status.err().contains("impostor"),
                        "the CLI must not believe a socket another user owns: " + status);
                r.expect(0, "up");
                JsonNode snapshot = r.snapshot().orElseThrow();
                long engine = snapshot.path("engine").path("pid").asLong();
                assertTrue(ProcessHandle.of(engine).isPresent() && engine != 1, "a real engine answers: " + snapshot);
                assertEquals("0", exec(List.of("stat", "-c", "%u", r.runDir().toString())).out().trim(),
                        "the run dir in use is the engine user's own");
                assertEquals("rwx------", mode(r.runDir()));
                try (Stream<Path> state = Files.list(r.root.resolve("state"))) {
                    List<String> aside = state.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("run.")).toList();
                    assertEquals(1, aside.size(), "the other user's directory is kept aside for inspection: " + aside);
                    figures.put("foreignRunDirMovedAsideAs", aside.get(0));
                }
                assertTrue(impostor.isAlive(), "the impostor was left alone (it is not the engine's to kill)");
                figures.put("impostorBelieved", false);
                PASSED.incrementAndGet();
                impostor.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // before the root is checked for leftovers
            });
        } finally {
            impostor.destroyForcibly();
        }
    }

    /**
     * The state dir was left world-writable and the other user made the run dir a symlink to a directory of
     * theirs: nothing is created or changed there.
     */
    @Test
    void aSymlinkedRunDirIsNotFollowed() throws Exception {
        LauncherRoot r = root("d");
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(0, exec(List.of("chown", other.uid() + ":" + other.gid(), elsewhere.toString())).exit());
        Files.setPosixFilePermissions(r.root.resolve("state"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Result link = exec(other.as("ln", "-s", elsewhere.toString(), r.runDir().toString()));
        assertEquals(0, link.exit(), link.toString());
        r.around(() -> {
            r.expect(0, "up");
            assertFalse(Files.isSymbolicLink(r.runDir()), "the run dir is a real directory now");
            assertEquals("rwx------", mode(r.runDir()));
            try (Stream<Path> there = Files.list(elsewhere)) {
                assertEquals(List.of(), there.toList(), "nothing was created where the symlink pointed");
            }
            assertEquals("rwxrwxrwx", mode(elsewhere), "nor were its permissions changed");
            figures.put("symlinkedRunDirNotFollowed", true);
            PASSED.incrementAndGet();
        });
    }

    /**
     * kill -9 of the engine leaves its socket and lock behind; the next start recovers and re-adopts. The
     * service is {@code sh -c "exec sleep ..."}: the process replaced its program after it started, which
     * once made the next engine refuse to adopt it and start a second copy next to it (the first then ran
     * unsupervised for good).
     */
    @Test
    void aStaleSocketAndLockFromAKilledEngineAreRecoveredFrom() throws Exception {
        LauncherRoot r = root("e");
        int rounds = ReliabilityMode.current().pick(3, 20);
        r.around(() -> {
            r.expect(0, "up");
            long service = LauncherRoot.service(r.snapshot().orElseThrow(), "sleeper").path("pid").asLong();
            long slowest = 0;
            for (int i = 0; i < rounds; i++) {
                long engine = r.snapshot().orElseThrow().path("engine").path("pid").asLong();
                ProcessHandle.of(engine).orElseThrow().destroyForcibly();
                Deadline.until("the engine is gone", Duration.ofSeconds(10), () -> ProcessHandle.of(engine).isEmpty()
                        || !ProcessHandle.of(engine).get().isAlive());
                assertTrue(Files.exists(r.socket()), "the killed engine left its socket behind");
                assertTrue(Files.exists(r.runDir().resolve("engine.lock")), "and its lock file");
                Launcher.Result down = r.run("status", "--json");
                assertTrue(down.out().contains("\"supervising\" : false") || down.out().contains("\"supervising\":false")
                        || down.err().contains("not running") || down.out().contains("not running"),
                        "status tells the engine is not running: " + down);
                long started = System.nanoTime();
                r.expect(0, "up");
                slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
                JsonNode now = r.snapshot().orElseThrow();
                long next = now.path("engine").path("pid").asLong();
                assertNotEquals(engine, next);
                assertEquals(next, Long.parseLong(Files.readString(r.runDir().resolve("engine.lock")).trim()),
                        "the lock names the new engine");
                assertEquals(service, LauncherRoot.service(now, "sleeper").path("pid").asLong(),
                        "the service was re-adopted, not restarted");
            }
            assertEquals(1, LauncherRoot.allProcesses().stream().filter(p -> p.cmdline().equals("sleep 86401")).count(),
                    "exactly one service process");
            figures.put("engineKills", rounds).put("slowestRecoveryUpMs", slowest);
            PASSED.incrementAndGet();
        });
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    record Result(int exit, String out, String err) {
    }

    static Result exec(List<String> command) throws Exception {
        return exec(command, null);
    }

    static Result exec(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // A refused command (socat as the other user) can end before reading its input, and the JDK
            // then closes the pipe ("Stream closed"): its exit status and output say what happened.
        }
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readQuietly(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    private static String readQuietly(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static {
        Json.MAPPER.getNodeFactory(); // loaded before the first deadline
    }
}
