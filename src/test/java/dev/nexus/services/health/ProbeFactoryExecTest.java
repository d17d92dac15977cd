package dev.nexus.services.health;

import static dev.nexus.services.health.ProbeTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the commands are POSIX shell")
class ProbeFactoryExecTest {
    @TempDir
    Path tmp;
    private Path scratch;
    private ScheduledThreadPoolExecutor timer;
    private ProbeFactory factory;

    @BeforeEach
    void setUp() {
        timer = ProbeTestSupport.newTimer();
        scratch = tmp.resolve("scratch");
        factory = new ProbeFactory(timer, scratch, tmp, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        factory.close();
        timer.shutdownNow();
    }

    private ProbeResult sh(String script, Duration timeout) {
        return await(factory.checkOnce(new ProbeCheck.Exec(List.of("sh", "-c", script)), timeout, -1),
                timeout.plusSeconds(3));
    }

    private void assertScratchEmpty() throws IOException {
        ProbeTestSupport.waitUntil(Duration.ofSeconds(3), () -> {
            if (!Files.isDirectory(scratch)) {
                return true;
            }
            try (Stream<Path> files = Files.list(scratch)) {
                return files.findAny().isEmpty();
            } catch (IOException e) {
                return false;
            }
        }, () -> "exec probe output files were left in " + scratch);
    }

    @Test
    void exitZeroIsOk() throws IOException {
        ProbeResult r = sh("echo up to date", Duration.ofSeconds(5));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals("exit 0: up to date", r.message());
        assertNull(r.detail());
        assertTrue(r.latency().compareTo(Duration.ZERO) > 0);
        assertScratchEmpty();
    }

    @Test
    void exitOneIsDegraded() {
        ProbeResult r = sh("echo 2 updates available; exit 1", Duration.ofSeconds(5));
        assertEquals(Outcome.DEGRADED, r.outcome());
        assertEquals("exit 1: 2 updates available", r.message());
    }

    @Test
    void otherExitFailsWithTheFirstLineOfStderr() throws IOException {
        ProbeResult r = sh("echo some stdout; printf '\\n  sync broken  \\nsecond line\\n' >&2; exit 3",
                Duration.ofSeconds(5));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("exit 3: sync broken", r.message());
        assertScratchEmpty();
    }

    @Test
    void jsonStdoutBecomesDetail() {
        ProbeResult r = sh("echo '{\"synced\": true, \"pending\": 2}'", Duration.ofSeconds(5));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals("exit 0", r.message());
        assertNotNull(r.detail());
        assertTrue(r.detail().get("synced").asBoolean());
        assertEquals(2, r.detail().get("pending").asInt());
    }

    @Test
    void jsonArrayIsDetailButAScalarIsNot() {
        assertEquals(3, sh("echo '[1,2,3]'", Duration.ofSeconds(5)).detail().size());
        ProbeResult scalar = sh("echo 42", Duration.ofSeconds(5));
        assertNull(scalar.detail());
        assertEquals("exit 0: 42", scalar.message());
    }

    @Test
    void stdinIsClosedSoACommandReadingItDoesNotHang() {
        ProbeResult r = sh("cat; echo done", Duration.ofSeconds(5));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals("exit 0: done", r.message());
    }

    @Test
    void runsInTheWorkingDirectory() throws IOException {
        ProbeResult r = sh("pwd", Duration.ofSeconds(5));
        assertEquals("exit 0: " + tmp.toRealPath(), r.message());
    }

    @Test
    void missingCommandIsNamed() throws IOException {
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.Exec(List.of("nexus-no-such-command-xyz", "status")),
                Duration.ofSeconds(5), -1), Duration.ofSeconds(5));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("command not found: nexus-no-such-command-xyz", r.message());
        assertScratchEmpty();
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws IOException {
        Path pidFile = tmp.resolve("sleep.pid");
        // The shell stays as the parent and the sleep is its child: both must go.
        String script = "sleep 30 & echo $! > '" + pidFile + "'; wait";
        long start = System.nanoTime();
        ProbeResult r = sh(script, Duration.ofMillis(700));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("timed out after 700 ms", r.message());
        assertTrue(took.compareTo(Duration.ofMillis(1700)) < 0, "took " + took);

        assertTrue(Files.exists(pidFile), "the script never started its sleep");
        long sleepPid = Long.parseLong(Files.readString(pidFile).trim());
        ProbeTestSupport.waitUntil(Duration.ofSeconds(3), () -> ProbeTestSupport.notRunning(sleepPid),
                () -> "sleep (pid " + sleepPid + ") survived the probe timeout");
        assertScratchEmpty();
    }

    @Test
    void emptyCommandFails() {
        ProbeResult r = await(factory.checkOnce(new ProbeCheck.Exec(List.of()), Duration.ofSeconds(1), -1),
                Duration.ofSeconds(2));
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("exec probe has an empty command", r.message());
    }
}
