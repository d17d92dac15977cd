package dev.nexus.services.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log that cannot be written is told to whoever listens (the engine shows it among its problems),
 * once per episode, and so is its recovery. Issue 7's disk-full scenario: before, the only trace was a
 * line in the engine's own log, which was on the same full disk.
 */
class RotatingLogWriterTroubleTest {
    @TempDir
    Path dir;

    @Test
    void aFailingLogIsToldOnceAndItsRecoveryToo() throws Exception {
        Path logs = dir.resolve("logs");
        Path file = logs.resolve("cloud.log");
        List<String> told = Collections.synchronizedList(new ArrayList<>());
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1 << 20, 2, Redactor.none())
                .onTrouble((f, problem) -> told.add(f.getFileName() + ": " + problem))) {
            writer.write("first\n".getBytes(StandardCharsets.UTF_8));
            // Where the directory was, a file: nothing can be created there (as with a read-only or full disk).
            Files.delete(file);
            Files.delete(logs);
            Files.writeString(logs, "in the way");
            writer.write("lost 1\n".getBytes(StandardCharsets.UTF_8));
            writer.write("lost 2\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, told.size(), "one word per episode: " + told);
            assertTrue(told.get(0).startsWith("cloud.log: "), told.toString());
            assertTrue(told.get(0).contains("Exception"), "says why: " + told);

            Files.delete(logs);
            // Retried at most every 250 ms: writing on until a write gets through.
            Await.until(() -> {
                try {
                    writer.write("back\n".getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return told.size() == 2;
            }, () -> "the recovery told: " + told);
            assertEquals("cloud.log: null", told.get(1), "the recovery is told too: " + told);
            assertTrue(Files.readString(file).endsWith("back\n"));
            assertTrue(writer.droppedBytes() >= "lost 1\nlost 2\n".length());
        }
    }

    @Test
    void closingAFailingWriterClearsItsTrouble() throws Exception {
        Path logs = dir.resolve("logs");
        Files.writeString(logs, "in the way");
        List<String> told = Collections.synchronizedList(new ArrayList<>());
        RotatingLogWriter writer = new RotatingLogWriter(logs.resolve("hub.log"), 1 << 20, 2, Redactor.none())
                .onTrouble((f, problem) -> told.add(String.valueOf(problem)));
        writer.write("lost\n".getBytes(StandardCharsets.UTF_8));
        writer.close();
        assertEquals(2, told.size(), told.toString());
        assertEquals("null", told.get(1), "nothing is dropped any more once the service's output is closed");
    }
}
