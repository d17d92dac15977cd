package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program runs only once its child record is written: a child a restarted engine could not re-adopt
 * would be started a second time by it (found by the disk-full scenario of issue 7: the record write
 * failed with ENOSPC, the child ran on unrecorded). The launch wrapper waits for the engine's go-ahead.
 */
class RecordBeforeRunTest {
    /** How long the absence of the program is watched: many times what a fixture JVM needs to write its pid file. */
    private static final Duration NEVER_RAN_WINDOW = Duration.ofSeconds(2);

    @TempDir
    Path root;
    private final TestSupport.Reaper reaper = new TestSupport.Reaper();
    private ChildLauncher launcher;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(OperatingSystem.CURRENT.isPosix(), "the go-ahead is the POSIX launch wrapper's");
        launcher = new ChildLauncher(new NexusPaths(root), new RecordingSinks(), Clock.systemUTC());
        work = Files.createDirectories(root.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        reaper.close();
    }

    @Test
    void aChildWhoseRecordCannotBeWrittenNeverRunsAndLeavesNoHalfRecord() throws Exception {
        Path pidFile = root.resolve("solo.pid");
        // Something that is not a file where the record goes: the rename onto it fails, as a full disk would.
        Path children = launcher.childrenDir();
        Files.createDirectories(children.resolve("solo.json").resolve("in-the-way"));

        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(
                request("solo", work, Fixtures.command("--pid-file", pidFile.toString(), "--listen", "0"))));

        assertTrue(e.getMessage().contains("cannot write " + children.resolve("solo.json")), e.getMessage());
        assertTrue(e.getMessage().contains("not starting a process that a restarted engine could not re-adopt"),
                e.getMessage());
        long until = System.nanoTime() + NEVER_RAN_WINDOW.toNanos();
        while (System.nanoTime() < until) {
            assertFalse(Files.exists(pidFile), "the program never ran");
            assertEquals(0, programs(pidFile), "no process runs it");
            Thread.sleep(50); // sampling an absence, not synchronising
        }
        try (Stream<Path> files = Files.list(children)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
                    "no half-written record is left behind");
        }
    }

    @Test
    void aRecordedChildRunsItsProgramWithStdinFromDevNull() throws Exception {
        Path pidFile = root.resolve("solo.pid");
        ChildProcess child = launcher.launch(request("solo", work,
                // Written whole, then renamed: the test must never read a file that is created but still empty.
                List.of("/bin/sh", "-c", "echo $$ > " + pidFile + ".tmp; mv " + pidFile + ".tmp " + pidFile
                        + "; readlink /proc/self/fd/0 > " + pidFile + ".in; mv " + pidFile + ".in " + pidFile
                        + ".stdin; sleep 30")));
        reaper.add(child.pid());
        String pid = TestSupport.awaitFile(pidFile, Duration.ofSeconds(20)).trim();
        assertEquals(String.valueOf(child.pid()), pid, "the program kept the child's pid");
        assertTrue(launcher.recordedServices().contains("solo"));
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "stdin is read from /proc");
        assertEquals("/dev/null", TestSupport.awaitFile(Path.of(pidFile + ".stdin"), Duration.ofSeconds(20)).trim());
        TestSupport.await(child.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    }

    @Test
    void aLaunchErrorNamesTheFileAndTheReasonEvenWhereTheJdkGivesOnlyThePath() {
        assertEquals("/x/run/children/cloud.out: Permission denied",
                ChildLauncher.reason(new java.nio.file.AccessDeniedException("/x/run/children/cloud.out")));
        assertEquals("/x/run: No such file or directory",
                ChildLauncher.reason(new java.nio.file.NoSuchFileException("/x/run")));
        assertEquals("/x/run/children/cloud.json: Read-only file system",
                ChildLauncher.reason(new java.nio.file.FileSystemException("/x/run/children/cloud.json", null,
                        "Read-only file system")));
    }

    /** Processes running the program; the launch wrapper (killed a moment ago, maybe not reaped yet) does not count. */
    private static long programs(Path pidFile) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(pidFile.toString())
                        && !c.contains("read -r go")).orElse(false)).count();
    }
}
