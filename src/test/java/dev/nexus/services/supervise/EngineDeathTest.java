package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.await;
import static dev.nexus.services.supervise.TestSupport.awaitTrue;
import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real thing: the engine's JVM is SIGKILLed, its child lives on, and a new engine takes over. */
class EngineDeathTest {
    @TempDir
    Path root;
    private final TestSupport.Reaper reaper = new TestSupport.Reaper();

    @AfterEach
    void tearDown() {
        reaper.close();
    }

    @Test
    void aChildOutlivesAKilledEngineAndIsAdoptedByTheNextOne() throws Exception {
        assumeTrue(OperatingSystem.CURRENT.isPosix(), "FIFO-based adoption is POSIX");
        List<String> childCommand = Fixtures.command("--chatty", "40");
        List<String> hostCommand = new ArrayList<>(List.of(Fixtures.javaBinary()));
        hostCommand.addAll(Fixtures.JVM_FLAGS);
        hostCommand.addAll(List.of("-Djna.tmpdir=" + Files.createDirectories(root.resolve("jna")),
                "-cp", System.getProperty("java.class.path"), LauncherHost.class.getName(), root.toString(), "chatty"));
        hostCommand.addAll(childCommand);
        Process host = new ProcessBuilder(hostCommand).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        reaper.add(host.toHandle());
        long childPid = readLaunchedPid(host);
        reaper.add(childPid);
        Path hostOut = root.resolve("host.out");
        awaitTrue("the first engine to capture output", Duration.ofSeconds(20),
                () -> read(hostOut).contains("out 3\n"));

        host.destroyForcibly();
        host.waitFor();
        String before = read(hostOut);

        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
        assertTrue(ProcessTree.isAlive(child), "the child survives its engine");
        assertNotEquals(host.pid(), child.parent().map(ProcessHandle::pid).orElse(-1L), "reparented");

        RecordingSinks sinks = new RecordingSinks();
        ChildProcess adopted = new ChildLauncher(new NexusPaths(root), sinks, Clock.systemUTC())
                .adopt(request("chatty", root, childCommand)).orElseThrow();
        int lastBefore = Integer.parseInt(before.substring(before.lastIndexOf("out ", before.length() - 2) + 4).trim());
        sinks.awaitOut("chatty", "out " + (lastBefore + 10) + "\n", Duration.ofSeconds(10));
        // SIGKILL can land between a pump's read and its write: that one chunk (at most a read buffer)
        // is lost. Everything before and after the handover must be complete and in order.
        assertContiguous(before.substring(0, before.lastIndexOf('\n') + 1), 0);
        String after = sinks.out("chatty");
        int firstAfter = Integer.parseInt(after.substring(4, after.indexOf('\n')));
        assertTrue(firstAfter > lastBefore && firstAfter - lastBefore <= 1 + 64,
                "handover from line " + lastBefore + " to " + firstAfter);
        assertContiguous(after.substring(0, after.lastIndexOf('\n') + 1), firstAfter);

        // A crash of an adopted child (not our child: no exit notification) is still noticed at once.
        long killedAt = System.nanoTime();
        child.destroyForcibly();
        ExitStatus status = await(adopted.exited(), Duration.ofSeconds(5));
        long noticedMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertNull(status.code());
        assertTrue(noticedMillis < 500, "exit noticed after " + noticedMillis + " ms");
        assertFalse(adopted.isAlive());
    }

    private static void assertContiguous(String text, int first) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            assertEquals("out " + (first + i), lines[i], "line " + i + " of " + lines.length);
        }
    }

    private static long readLaunchedPid(Process host) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("launched ")) {
                return Long.parseLong(line.substring("launched ".length()).trim());
            }
        }
        throw new AssertionError("the host engine ended without launching; exit " + host.exitValue());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
