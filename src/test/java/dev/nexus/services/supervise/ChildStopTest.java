package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.await;
import static dev.nexus.services.supervise.TestSupport.awaitFile;
import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildStopTest {
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private final RecordingSinks sinks = new RecordingSinks();
    private final TestSupport.Reaper reaper = new TestSupport.Reaper();
    private ChildLauncher launcher;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(OperatingSystem.CURRENT.isPosix(), "signals are POSIX");
        work = Files.createDirectories(root.resolve("work"));
        launcher = new ChildLauncher(new NexusPaths(root), sinks, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        reaper.close();
    }

    private ChildProcess launch(String service, List<String> command) throws LaunchException {
        ChildProcess child = launcher.launch(request(service, work, command));
        reaper.add(child.pid());
        return child;
    }

    @Test
    void stopEndsANormalChildWithSigterm() throws Exception {
        ChildProcess child = launch("plain", Fixtures.command("--say", "ready"));
        sinks.awaitOut("plain", "ready", START);

        long begin = System.nanoTime();
        ExitStatus status = await(child.stop(Duration.ofSeconds(10)), Duration.ofSeconds(15));
        long tookMillis = (System.nanoTime() - begin) / 1_000_000;

        assertEquals(143, status.code(), status.describe());
        assertTrue(tookMillis < 3000, "a child that honours SIGTERM must not wait out the grace; took " + tookMillis + " ms");
        assertFalse(child.isAlive());
        assertTrue(child.exited().isDone());
        assertTrue(launcher.recordedServices().isEmpty());
        assertTrue(sinks.capture("plain", false).allClosed(), "output pumps finished before stop completed");
    }

    @Test
    void stopKillsAChildThatIgnoresSigtermAfterTheGrace() throws Exception {
        ChildProcess child = launch("stubborn", Fixtures.command("--ignore-term", "--say", "ready"));
        sinks.awaitOut("stubborn", "ready", START);
        Duration grace = Duration.ofMillis(700);

        long begin = System.nanoTime();
        ExitStatus status = await(child.stop(grace), Duration.ofSeconds(15));
        long tookMillis = (System.nanoTime() - begin) / 1_000_000;

        assertEquals(137, status.code(), status.describe());
        assertTrue(tookMillis >= grace.toMillis(), "SIGKILL came before the grace was over: " + tookMillis + " ms");
        assertTrue(tookMillis < grace.toMillis() + 1500, "stop took " + tookMillis + " ms for a grace of " + grace);
        assertFalse(child.isAlive());
    }

    @Test
    void stopReachesAGrandchildThatHoldsAPort() throws Exception {
        Path portFile = root.resolve("port");
        ChildProcess child = launch("parent", Fixtures.command("--grandchild-holds-port", "0", "--port-file", portFile.toString()));
        int port = Integer.parseInt(awaitFile(portFile, START));
        long grandchild = Ports.listenerPid(port).orElseThrow();
        reaper.add(grandchild);
        assertNotEquals(child.pid(), grandchild);
        assertEquals(child.pid(), ProcessHandle.of(grandchild).orElseThrow().parent().orElseThrow().pid());

        // The grandchild ignores SIGTERM, so only the SIGKILL after the grace ends it.
        await(child.stop(Duration.ofMillis(500)), Duration.ofSeconds(15));

        assertFalse(ProcessHandle.of(grandchild).map(ProcessTree::isAlive).orElse(false), "grandchild gone");
        assertFalse(Ports.isListening(port), "port " + port + " free");
        assertFalse(child.isAlive());
    }

    @Test
    void stopReachesAnOrphanedGrandchildThroughTheProcessGroup() throws Exception {
        assumeTrue(launcher.usesProcessGroups(), "needs setsid (process groups)");
        Path portFile = root.resolve("port");
        // The parent exits at once; the grandchild is reparented away and only its process group ties it to us.
        ChildProcess child = launch("orphaner", Fixtures.command(
                "--grandchild-holds-port", "0", "--port-file", portFile.toString(), "--exit-code", "0"));
        int port = Integer.parseInt(awaitFile(portFile, START));
        long grandchild = Ports.listenerPid(port).orElseThrow();
        reaper.add(grandchild);
        assertEquals(0, await(child.exited(), START).code());
        assertTrue(ProcessHandle.of(grandchild).isPresent(), "grandchild outlived its parent");
        assertNotEquals(child.pid(), ProcStat.read(grandchild).orElseThrow().ppid(), "grandchild was reparented");

        await(child.stop(Duration.ofMillis(300)), Duration.ofSeconds(15));

        assertFalse(ProcessHandle.of(grandchild).map(ProcessTree::isAlive).orElse(false), "grandchild gone");
        assertTrue(Ports.awaitFree(port, Duration.ZERO), "port " + port + " free");
    }

    @Test
    void stopTwiceIsOneStopAndStopAfterExitIsImmediate() throws Exception {
        ChildProcess child = launch("twice", Fixtures.command("--say", "ready"));
        sinks.awaitOut("twice", "ready", START);

        CompletableFuture<ExitStatus> first = child.stop(Duration.ofSeconds(5));
        CompletableFuture<ExitStatus> second = child.stop(Duration.ofSeconds(5));
        assertSame(first, second);
        await(first, Duration.ofSeconds(10));

        ChildProcess quick = launch("quick", List.of("/bin/sh", "-c", "exit 4"));
        assertEquals(4, await(quick.exited(), START).code());
        long begin = System.nanoTime();
        assertEquals(4, await(quick.stop(Duration.ofSeconds(10)), Duration.ofSeconds(5)).code());
        assertTrue((System.nanoTime() - begin) / 1_000_000 < 2000);
    }
}
