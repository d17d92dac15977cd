package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.await;
import static dev.nexus.services.supervise.TestSupport.awaitTrue;
import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdoptionTest {
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private final RecordingSinks sinksA = new RecordingSinks();
    private final RecordingSinks sinksB = new RecordingSinks();
    private final TestSupport.Reaper reaper = new TestSupport.Reaper();
    private NexusPaths paths;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(OperatingSystem.CURRENT.isPosix(), "FIFO-based adoption is POSIX");
        paths = new NexusPaths(root);
        work = Files.createDirectories(root.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        reaper.close();
    }

    @Test
    void aNewLauncherAdoptsTheChildDrainsWhatWasBufferedAndCanStopIt() throws Exception {
        ChildLauncher a = new ChildLauncher(paths, sinksA, Clock.systemUTC());
        LaunchRequest request = request("chatty", work, Fixtures.command("--chatty", "40"));
        ChildProcess launched = a.launch(request);
        reaper.add(launched.pid());
        sinksA.awaitOut("chatty", "out 3\n", START);
        sinksA.awaitErr("chatty", "err 3\n", START);

        a.detachAll();
        // With no engine reading, the child's output piles up in its FIFO; it must not be hurt by that.
        Path fifo = a.childrenDir().resolve("chatty.out");
        awaitTrue("output to pile up unread in " + fifo, Duration.ofSeconds(5), () -> bufferedBytes(fifo) > 100);
        assertTrue(launched.isAlive(), "the child survives while nobody reads its output");

        ChildLauncher b = new ChildLauncher(paths, sinksB, Clock.systemUTC());
        assertTrue(b.recordedServices().contains("chatty"));
        ChildProcess adopted = b.adopt(request).orElseThrow();

        assertTrue(adopted.adopted());
        assertEquals(launched.pid(), adopted.pid());
        assertEquals(launched.startedAt(), adopted.startedAt());
        sinksB.awaitOut("chatty", "\n", Duration.ofSeconds(5));
        sinksB.awaitErr("chatty", "\n", Duration.ofSeconds(5));
        int lastA = lastLine(sinksA.out("chatty"));
        // What A read plus what B read is the whole output: nothing lost while nobody read, nothing twice.
        sinksB.awaitOut("chatty", "out " + (lastA + 20) + "\n", Duration.ofSeconds(10));
        assertContiguous("out", sinksA.out("chatty") + sinksB.out("chatty"));
        assertContiguous("err", sinksA.err("chatty") + sinksB.err("chatty"));

        ExitStatus status = await(adopted.stop(Duration.ofSeconds(5)), Duration.ofSeconds(15));
        assertFalse(adopted.isAlive());
        assertEquals(null, status.code(), "the exit code of a process that is not our child is unknowable");
        assertFalse(b.recordedServices().contains("chatty"));
        assertTrue(adopted.exited().isDone());
    }

    /** How many bytes wait in a FIFO, looked at without reading any (FIONREAD via available()). */
    private static int bufferedBytes(Path fifo) {
        try (FileInputStream in = new FileInputStream(fifo.toFile())) {
            return in.available();
        } catch (IOException e) {
            throw new AssertionError("cannot look into " + fifo, e);
        }
    }

    @Test
    void adoptionIsRefusedWhenTheStartTimeDiffersAndTheProcessIsLeftAlone() throws Exception {
        Process foreign = startForeign("sleep", "30");
        ChildLauncher launcher = new ChildLauncher(paths, sinksB, Clock.systemUTC());
        LaunchRequest request = request("sleeper", work, List.of("/bin/sleep", "30"));
        ChildRecord truthful = recordFor(launcher, "sleeper", foreign, List.of("/bin/sleep", "30"));

        ChildRecord wrongStart = new ChildRecord("sleeper", foreign.pid(),
                truthful.startInstant().minusSeconds(3600).toString(),
                truthful.startTicks() == null ? null : truthful.startTicks() + 360_000,
                truthful.command(), truthful.executable(), null, null, false, truthful.launchedAt());
        launcher.writeRecord(wrongStart);

        assertEquals(Optional.empty(), launcher.adopt(request));
        assertFalse(launcher.recordedServices().contains("sleeper"), "the unprovable record is forgotten");
        assertTrue(foreign.isAlive(), "a process we cannot prove we started is never touched");

        // Control: with the true start time the very same process would be adopted.
        launcher.writeRecord(truthful);
        ChildProcess adopted = launcher.adopt(request).orElseThrow();
        assertEquals(foreign.pid(), adopted.pid());
        await(adopted.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
        // It is this JVM's own child: gone once the JDK's reaper has collected it.
        assertTrue(foreign.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void adoptionIsRefusedWhenTheCommandDiffers() throws Exception {
        Process foreign = startForeign("sleep", "30");
        ChildLauncher launcher = new ChildLauncher(paths, sinksB, Clock.systemUTC());
        List<String> fixture = Fixtures.command("--hang");
        // The record claims our fixture runs under the foreign pid (right pid, right start time).
        launcher.writeRecord(recordFor(launcher, "svc", foreign, fixture));

        assertEquals(Optional.empty(), launcher.adopt(request("svc", work, fixture)));
        assertTrue(foreign.isAlive());
        assertTrue(launcher.recordedServices().isEmpty());

        // A record whose command is not the one requested now is refused as well.
        launcher.writeRecord(recordFor(launcher, "svc", foreign, List.of("/bin/sleep", "30")));
        assertEquals(Optional.empty(), launcher.adopt(request("svc", work, List.of("/bin/sleep", "31"))));
        assertTrue(foreign.isAlive());
    }

    @Test
    void aRecordOfAGoneProcessIsForgotten() throws Exception {
        // Not startForeign: `true` may exit before its exec could be observed; it only has to be gone.
        Process gone = new ProcessBuilder("true").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gone.waitFor();
        ChildLauncher launcher = new ChildLauncher(paths, sinksB, Clock.systemUTC());
        launcher.writeRecord(new ChildRecord("old", gone.pid(), Instant.now().toString(), null,
                List.of("/bin/true"), "/bin/true", null, null, true, Instant.now().toString()));
        Files.writeString(launcher.childrenDir().resolve("broken.json"), "{ not json");

        assertEquals(Optional.empty(), launcher.adopt(request("old", work, List.of("/bin/true"))));
        assertEquals(Optional.empty(), launcher.adopt(request("broken", work, List.of("/bin/true"))));
        assertTrue(launcher.recordedServices().isEmpty());
        assertEquals(Optional.empty(), launcher.adopt(request("never-recorded", work, List.of("/bin/true"))));
    }

    @Test
    void anAdoptedChildThatDiesIsNoticedPromptly() throws Exception {
        ChildLauncher a = new ChildLauncher(paths, sinksA, Clock.systemUTC());
        LaunchRequest request = request("mortal", work, Fixtures.command("--say", "up"));
        ChildProcess launched = a.launch(request);
        reaper.add(launched.pid());
        sinksA.awaitOut("mortal", "up", START);
        a.detachAll();

        ChildProcess adopted = new ChildLauncher(paths, sinksB, Clock.systemUTC()).adopt(request).orElseThrow();
        ProcessHandle.of(adopted.pid()).orElseThrow().destroyForcibly();

        ExitStatus status = await(adopted.exited(), Duration.ofSeconds(2));
        assertEquals(null, status.code());
        assertFalse(adopted.isAlive());
    }

    @Test
    void aDetachedLauncherLeavesTheRecordForTheNextEngine() throws Exception {
        ChildLauncher a = new ChildLauncher(paths, sinksA, Clock.systemUTC());
        LaunchRequest request = request("left", work, Fixtures.command("--say", "up"));
        ChildProcess launched = a.launch(request);
        reaper.add(launched.pid());
        sinksA.awaitOut("left", "up", START);
        a.detachAll();

        ProcessHandle.of(launched.pid()).orElseThrow().destroyForcibly();
        await(launched.exited(), Duration.ofSeconds(5));

        assertTrue(a.recordedServices().contains("left"), "a detached launcher acts as if it were dead");
        ChildLauncher b = new ChildLauncher(paths, sinksB, Clock.systemUTC());
        assertEquals(Optional.empty(), b.adopt(request));
        assertFalse(b.recordedServices().contains("left"));
    }

    private Process startForeign(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        reaper.add(p.toHandle());
        awaitTrue("the foreign process to have exec'd", Duration.ofSeconds(5),
                () -> p.info().command().map(c -> c.endsWith("/" + command[0])).orElse(false));
        return p;
    }

    private static ChildRecord recordFor(ChildLauncher launcher, String service, Process process, List<String> command) {
        Instant start = process.info().startInstant().orElseThrow();
        Long ticks = ProcStat.read(process.pid()).map(ProcStat::startTicks).orElse(null);
        Path dir = launcher.childrenDir();
        return new ChildRecord(service, process.pid(), start.toString(), ticks, command, command.get(0),
                dir.resolve(service + ".out").toString(), dir.resolve(service + ".err").toString(), false,
                Instant.now().toString());
    }

    private static int lastLine(String text) {
        String[] lines = text.split("\n");
        String last = text.endsWith("\n") ? lines[lines.length - 1] : lines[lines.length - 2];
        return Integer.parseInt(last.substring(last.indexOf(' ') + 1));
    }

    private static void assertContiguous(String prefix, String text) {
        List<String> expected = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length - 1; i++) {
            expected.add(prefix + " " + i);
        }
        List<String> actual = List.of(lines).subList(0, lines.length - 1);
        assertEquals(expected, actual, "lines of " + prefix);
    }

    @Test
    void recordsRoundTripThroughJson() throws Exception {
        ChildRecord r = new ChildRecord("x", 42, "2025-01-01T00:00:00Z", 7L, List.of("a", "b"), "/bin/a",
                "/run/x.out", "/run/x.err", true, "2025-01-01T00:00:01Z");
        assertEquals(r, Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(r), ChildRecord.class));
    }
}
