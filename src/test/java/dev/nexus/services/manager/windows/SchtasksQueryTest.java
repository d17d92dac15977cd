package dev.nexus.services.manager.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Reading {@code schtasks /Query /TN … /FO LIST /V} as Windows prints it (samples in test resources). */
class SchtasksQueryTest {
    static String sample(String name) throws IOException {
        try (InputStream in = SchtasksQueryTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String query(String task, String status, String result, String state) throws IOException {
        return sample("query-list-v.txt").replace("@TASK@", task).replace("@STATUS@", status).replace("@RESULT@", result)
                .replace("@STATE@", state);
    }

    @Test
    void runningTask() throws Exception {
        SchtasksQuery q = SchtasksQuery.parse(query("\\Nexus\\nexus-cloud", "Running", "267009", "Enabled"));

        assertEquals("\\Nexus\\nexus-cloud", q.taskName());
        assertTrue(q.running());
        assertEquals(OptionalInt.empty(), q.lastExit(), "267009 is the scheduler saying 'running', not an exit code");
        assertEquals("3/14/2025 9:22:04 AM", q.lastRunTime(), "the first colon splits, not the time's");
        assertTrue(q.taskToRun().endsWith("nexus-services.exe exec cloud"));
        assertEquals("Running", q.describe());
    }

    @Test
    void readyAfterAFailedRunKeepsTheExitCode() throws Exception {
        SchtasksQuery q = SchtasksQuery.parse(query("\\Nexus\\nexus-cloud", "Ready", "78", "Enabled"));

        assertFalse(q.running());
        assertEquals(OptionalInt.of(78), q.lastExit());
        assertEquals("Ready, last result 78", q.describe());
    }

    @Test
    void aStartThatFailedIsAnHresultPrintedSignedOrUnsigned() throws Exception {
        SchtasksQuery unsigned = SchtasksQuery.parse(query("\\Nexus\\nexus-cloud", "Ready", "2147942402", "Enabled"));
        SchtasksQuery signed = SchtasksQuery.parse(query("\\Nexus\\nexus-cloud", "Ready", "-2147024894", "Enabled"));

        assertEquals(OptionalLong.of(0x80070002L), unsigned.lastResult());
        assertEquals(unsigned.lastResult(), signed.lastResult());
        assertEquals(OptionalInt.of(0x80070002), signed.lastExit());
        assertEquals("Ready, last result 0x80070002", signed.describe());
    }

    @Test
    void disabledAndNeverRunAndEndedByTheUser() throws Exception {
        SchtasksQuery disabled = SchtasksQuery.parse(query("\\Nexus\\nexus-cloud", "Disabled", "267011", "Disabled"));
        assertTrue(disabled.disabled());
        assertFalse(disabled.running());
        assertEquals(OptionalInt.empty(), disabled.lastExit(), "has not run yet: no exit code");

        SchtasksQuery ended = SchtasksQuery.parse(query("\\Nexus\\nexus-cloud", "Ready", "267014", "Enabled"));
        assertEquals("Ready, last run ended by a user", ended.describe());
    }

    @Test
    void germanOutputIsReadByPositionAndRunningByTheResultCode() throws Exception {
        SchtasksQuery q = SchtasksQuery.parse(sample("query-list-v-de.txt"));

        assertEquals("\\Nexus\\nexus-cloud", q.taskName());
        assertEquals("Wird ausgeführt", q.status());
        assertEquals(OptionalLong.of(267009), q.lastResult());
        assertTrue(q.running());
        assertEquals("14.03.2025 09:22:04", q.lastRunTime());
    }
}
