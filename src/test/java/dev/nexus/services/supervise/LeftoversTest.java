package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.await;
import static dev.nexus.services.supervise.TestSupport.awaitTrue;
import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a child leaves in its process group when it dies (a grandchild that ignores SIGTERM and holds a
 * port): the child's record stays until that is gone too, so that an engine killed before it stopped
 * them leaves the next engine the proof to stop them ({@link ChildLauncher#stopLeftovers}). Found by the
 * engine kill -9 scenario of issue 7: the record went with the leader, and the grandchild stayed an orphan.
 */
class LeftoversTest {
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private final TestSupport.Reaper reaper = new TestSupport.Reaper();
    private NexusPaths paths;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(OperatingSystem.CURRENT == OperatingSystem.LINUX, "process groups are listed from /proc");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "children get their own group through setsid");
        paths = new NexusPaths(root);
        work = Files.createDirectories(root.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        reaper.close();
    }

    @Test
    void theRecordOutlivesTheLeaderUntilItsLeftoversAreGoneAndTheNextLauncherStopsThem() throws Exception {
        int port = freePort();
        List<String> command = Fixtures.command("--grandchild-holds-port", String.valueOf(port));
        ChildLauncher first = new ChildLauncher(paths, new RecordingSinks(), Clock.systemUTC());
        ChildProcess child = first.launch(request("family", work, command));
        reaper.add(child.pid());
        awaitTrue("the grandchild to listen", START, () -> Ports.isListening(port));
        long grandchild = Ports.listenerPid(port).orElseThrow();
        reaper.add(grandchild);

        assertTrue(ProcessHandle.of(child.pid()).orElseThrow().destroyForcibly());
        await(child.exited(), START);
        assertEquals(Set.of(grandchild), child.aliveTree(), "what the dead leader left");
        assertTrue(first.recordedServices().contains("family"), "the record stays while its leftovers live");

        // The engine dies here, before stopping them. The next one finds them through the record.
        first.detachAll();
        ChildLauncher next = new ChildLauncher(paths, new RecordingSinks(), Clock.systemUTC());
        LaunchRequest again = request("family", work, command);
        await(next.stopLeftovers(again, Duration.ofMillis(300)), START);
        assertFalse(ProcessHandle.of(grandchild).map(ProcessTree::isAlive).orElse(false),
                "the grandchild, which ignored SIGTERM, was killed");
        assertFalse(Ports.isListening(port), "its port is free");
        assertTrue(next.adopt(again).isEmpty(), "nothing to adopt: the leader is dead");
        assertFalse(next.recordedServices().contains("family"), "the record of the dead child is gone");
    }

    @Test
    void aStopOfTheLeftoversRemovesTheRecordWhenTheTreeIsGone() throws Exception {
        int port = freePort();
        ChildLauncher launcher = new ChildLauncher(paths, new RecordingSinks(), Clock.systemUTC());
        ChildProcess child = launcher.launch(request("family", work,
                Fixtures.command("--grandchild-holds-port", String.valueOf(port))));
        reaper.add(child.pid());
        awaitTrue("the grandchild to listen", START, () -> Ports.isListening(port));
        reaper.add(Ports.listenerPid(port).orElseThrow());

        assertTrue(ProcessHandle.of(child.pid()).orElseThrow().destroyForcibly());
        await(child.exited(), START);
        assertTrue(launcher.recordedServices().contains("family"));
        await(child.stop(Duration.ofMillis(300)), START);
        assertEquals(Set.of(), child.aliveTree());
        assertFalse(Ports.isListening(port));
        assertFalse(launcher.recordedServices().contains("family"), "the record goes with the last of the tree");
    }

    @Test
    void nothingIsStoppedWhenTheRecordedProcessIsAliveOrLeftNothing() throws Exception {
        List<String> command = Fixtures.command("--chatty", "5");
        ChildLauncher launcher = new ChildLauncher(paths, new RecordingSinks(), Clock.systemUTC());
        ChildProcess child = launcher.launch(request("plain", work, command));
        reaper.add(child.pid());
        assertTrue(nextEngine().stopLeftovers(request("plain", work, command), Duration.ofSeconds(1)).isDone(),
                "a live leader is adoption's business");
        assertTrue(child.isAlive());
        await(child.stop(Duration.ofSeconds(5)), START);
        assertTrue(nextEngine().stopLeftovers(request("plain", work, command), Duration.ofSeconds(1)).isDone(),
                "no record, nothing to do");
    }

    private ChildLauncher nextEngine() {
        return new ChildLauncher(paths, new RecordingSinks(), Clock.systemUTC());
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
