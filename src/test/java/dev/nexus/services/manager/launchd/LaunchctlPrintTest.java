package dev.nexus.services.manager.launchd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.manager.ManagedState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Reading {@code launchctl print gui/<uid>/<label>} as macOS prints it (samples in test resources). */
class LaunchctlPrintTest {
    static String sample(String name) throws IOException {
        try (InputStream in = LaunchctlPrintTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void runningJobReadsTopLevelLinesOnlyNotTheCoalitionsOrTheEnvironment() throws Exception {
        LaunchctlPrint job = LaunchctlPrint.parse(sample("print-running.txt").replace("@PID@", "48630"));

        assertEquals("running", job.state(), "not the coalitions' 'state = active'");
        assertEquals(OptionalLong.of(48630), job.pid(), "not the 999 in an environment value");
        assertEquals(OptionalInt.of(3), job.runs());
        assertEquals(OptionalInt.of(2), job.restarts());
        assertEquals(OptionalInt.of(1), job.lastExit());
        assertTrue(job.saysRunning());
    }

    @Test
    void exConfigLoopIsSpawnScheduledWithItsExitCode() throws Exception {
        LaunchctlPrint job = LaunchctlPrint.parse(sample("print-ex-config.txt"));

        assertEquals("spawn scheduled", job.state());
        assertEquals(OptionalLong.empty(), job.pid());
        assertEquals(OptionalInt.of(78), job.lastExit());
        assertEquals("78: EX_CONFIG", job.lastExitText());
        assertEquals(OptionalInt.of(213), job.restarts());
        assertFalse(job.saysRunning());
    }

    @Test
    void signalledJobHasNoExitCodeButNamesTheSignal() throws Exception {
        LaunchctlPrint job = LaunchctlPrint.parse(sample("print-signalled.txt"));

        assertEquals("not running", job.state());
        assertEquals(OptionalInt.empty(), job.lastExit());
        assertEquals("Terminated: 15", job.lastSignal());
        assertEquals("state = not running, runs = 2, last exit code = (never exited), last terminating signal = Terminated: 15",
                Launchctl.describe(job));
    }

    @Test
    void garbageIsReadAsNothingKnownRatherThanAFailure() {
        LaunchctlPrint job = LaunchctlPrint.parse("!!! not launchctl output\n{\n}}\n");

        assertEquals("", job.state());
        assertEquals(OptionalLong.empty(), job.pid());
        assertFalse(job.saysRunning());
    }

    @Test
    void runningIsCheckedAgainstTheProcessTable() throws Exception {
        long alive = ProcessHandle.current().pid();
        ManagedState running = LaunchdManager.fromPrint(
                LaunchctlPrint.parse(sample("print-running.txt").replace("@PID@", Long.toString(alive))), true);
        assertTrue(running.running());
        assertEquals(OptionalLong.of(alive), running.pid());

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        ManagedState stale = LaunchdManager.fromPrint(
                LaunchctlPrint.parse(sample("print-running.txt").replace("@PID@", Long.toString(gone.pid()))), true);
        assertFalse(stale.running(), "launchd's word alone is not enough: pid " + gone.pid() + " is gone");
        assertEquals(OptionalLong.empty(), stale.pid());
        assertTrue(stale.detail().contains("no process " + gone.pid() + " exists"), stale.detail());
        assertTrue(stale.installed());
    }
}
