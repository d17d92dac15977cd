package dev.nexus.services.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RotatingLogWriterTest {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger writerLogger = (Logger) LoggerFactory.getLogger(RotatingLogWriter.class);

    @BeforeEach
    void captureWarnings() {
        logged.start();
        writerLogger.addAppender(logged);
    }

    @AfterEach
    void stopCapturing() {
        writerLogger.detachAppender(logged);
    }

    @Test
    void rotationKeepsEveryFileWithinItsSizeAndCutsBetweenLines() throws IOException {
        Path file = dir.resolve("logs/app.log");
        long maxBytes = 1000;
        List<String> written = new ArrayList<>();
        try (RotatingLogWriter writer = new RotatingLogWriter(file, maxBytes, 3, Redactor.none())) {
            for (int i = 0; i < 600; i++) {
                String line = "line " + i + " " + "x".repeat(i % 37);
                written.add(line);
                writer.write((line + "\n").getBytes(UTF_8));
            }
        }
        List<Path> files = LogFiles.existing(file);
        assertEquals(List.of(file, LogFiles.rotated(file, 1), LogFiles.rotated(file, 2), LogFiles.rotated(file, 3)),
                files, "the file plus keep=3 rotated ones");
        assertFalse(Files.exists(LogFiles.rotated(file, 4)));
        long total = 0;
        for (Path f : files) {
            String content = Files.readString(f);
            assertTrue(Files.size(f) <= maxBytes, f + " has " + Files.size(f) + " bytes");
            assertTrue(content.endsWith("\n") && content.startsWith("line "), f + " holds whole lines");
            total += content.lines().count();
        }
        for (Path rotated : files.subList(1, files.size())) {
            assertTrue(Files.size(rotated) > maxBytes - 50, rotated + " was filled before rotating");
        }
        // Reading back across file, file.1 … gives the newest lines in the order they were written.
        List<String> back = LogTail.lastLines(file, 10_000);
        assertEquals(total, back.size());
        assertEquals(written.subList(written.size() - back.size(), written.size()), back);
    }

    @Test
    void manyLinesInOneWriteAreSplitAtTheLastLineThatFits() throws IOException {
        // Output pumps hand over whatever a read returned: many lines at once.
        Path file = dir.resolve("app.log");
        StringBuilder chunk = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            chunk.append("chunked line ").append(i).append('\n');
        }
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1000, 20, Redactor.none())) {
            writer.write(chunk.toString().getBytes(UTF_8));
        }
        List<Path> files = LogFiles.existing(file);
        assertTrue(files.size() > 5, files.size() + " files");
        for (Path rotated : files.subList(1, files.size())) {
            long size = Files.size(rotated);
            assertTrue(size <= 1000 && size > 1000 - 20, rotated + " filled up to the last whole line: " + size);
            assertTrue(Files.readString(rotated).endsWith("\n"));
        }
        assertEquals(chunk.toString().lines().toList(), LogTail.lastLines(file, 1000));
    }

    @Test
    void writerContinuesAnExistingFileAndRotatesItWhenFull() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "old line\n".repeat(110)); // 990 bytes
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1000, 2, Redactor.none())) {
            writer.write("new line 1\nnew line 2\n".getBytes(UTF_8));
        }
        assertEquals("old line\n".repeat(110), Files.readString(LogFiles.rotated(file, 1)));
        assertEquals("new line 1\nnew line 2\n", Files.readString(file));
    }

    @Test
    void lineLongerThanAFileIsCutBetweenCharacters() throws IOException {
        Path file = dir.resolve("app.log");
        String line = "é€🔑".repeat(40) + "\n"; // 2 + 3 + 4 bytes per repetition, 361 bytes
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 100, 10, Redactor.none())) {
            writer.write(line.getBytes(UTF_8));
        }
        StringBuilder joined = new StringBuilder();
        List<Path> files = LogFiles.existing(file);
        for (int i = files.size() - 1; i >= 0; i--) {
            byte[] bytes = Files.readAllBytes(files.get(i));
            assertTrue(bytes.length <= 100, files.get(i) + " has " + bytes.length + " bytes");
            String text = new String(bytes, UTF_8);
            assertFalse(text.contains("\uFFFD"), files.get(i) + " starts or ends inside a character");
            joined.append(text);
        }
        assertEquals(line, joined.toString());
    }

    @Test
    void keepZeroKeepsNoRotatedFile() throws IOException {
        Path file = dir.resolve("app.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 50, 0, Redactor.none())) {
            for (int i = 0; i < 20; i++) {
                writer.write(("line " + i + "\n").getBytes(UTF_8));
            }
        }
        assertEquals(List.of(file), LogFiles.existing(file));
        assertTrue(Files.readString(file).endsWith("line 19\n"));
        assertTrue(Files.size(file) <= 50);
    }

    @Test
    void createsPrivateDirectoriesAndFiles() throws IOException {
        Assumptions.assumeTrue(POSIX, "POSIX permissions only");
        Path file = dir.resolve("state/logs/app.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 100, 2, Redactor.none())) {
            for (int i = 0; i < 30; i++) {
                writer.write(("line " + i + "\n").getBytes(UTF_8));
            }
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        for (Path f : LogFiles.existing(file)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
    }

    @Test
    void deletedLogDirectoryIsRecreatedAndWritingGoesOn() throws IOException {
        Path file = dir.resolve("logs/app.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 10_000, 2, Redactor.none())) {
            writer.write("before\n".getBytes(UTF_8));
            deleteTree(file.getParent());
            writer.write("after 1\n".getBytes(UTF_8));
            writer.write("after 2\n".getBytes(UTF_8));
            assertEquals(0, writer.droppedBytes());
        }
        assertEquals("after 1\nafter 2\n", Files.readString(file));
    }

    @Test
    void logDirectoryThatCannotBeCreatedDropsOutputAndRecoversOnItsOwn() throws IOException {
        // A regular file where the directory should be: fails for root too, unlike permissions.
        Path logs = dir.resolve("logs");
        Path file = logs.resolve("app.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 10_000, 2, Redactor.none())) {
            writer.write("first\n".getBytes(UTF_8));
            deleteTree(logs);
            Files.writeString(logs, "not a directory");

            for (int i = 0; i < 50; i++) {
                byte[] line = ("lost " + i + "\n").getBytes(UTF_8);
                assertDoesNotThrow(() -> writer.write(line));
            }
            assertTrue(writer.droppedBytes() >= "lost 0\n".length(), "dropped " + writer.droppedBytes());
            assertEquals(1, warnings(), "one warning for the whole episode, not one per write");

            Files.delete(logs);
            writeUntilPresent(writer, file, "recovered");
            long droppedAfterRecovery = writer.droppedBytes();
            writer.write("later\n".getBytes(UTF_8));
            assertEquals(droppedAfterRecovery, writer.droppedBytes());
        }
        String content = Files.readString(file);
        assertTrue(content.endsWith("recovered\nlater\n"), content);
        assertFalse(content.contains("lost 0\n"));
        assertEquals(1, warnings());
    }

    @Test
    void fullDiskDropsOutputAndRecoversOnItsOwn() throws IOException {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "needs Linux /dev/full to simulate a full disk");
        Path file = dir.resolve("app.log");
        Files.createSymbolicLink(file, full);
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 10_000, 2, Redactor.none())) {
            for (int i = 0; i < 20; i++) {
                byte[] line = ("lost " + i + "\n").getBytes(UTF_8);
                assertDoesNotThrow(() -> writer.write(line));
            }
            assertTrue(writer.droppedBytes() >= "lost 0\n".length(), "dropped " + writer.droppedBytes());
            assertEquals(1, warnings());
            String warning = logged.list.stream().filter(e -> e.getLevel() == Level.WARN).findFirst().orElseThrow()
                    .getFormattedMessage();
            assertTrue(warning.contains(file.toString()) && warning.contains("No space left"), warning);

            Files.delete(file); // space again
            writeUntilPresent(writer, file, "space again");
        }
        assertTrue(Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.readString(file).endsWith("space again\n"));
    }

    @Test
    void readOnlyLogDirectoryDropsOutputAndRecoversWhenWritableAgain() throws IOException {
        Assumptions.assumeTrue(POSIX, "POSIX permissions only");
        Path logs = dir.resolve("logs");
        Path file = logs.resolve("app.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 10_000, 2, Redactor.none())) {
            writer.write("first\n".getBytes(UTF_8));
            Files.delete(file);
            Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("r-x------"));
            try {
                Assumptions.assumeFalse(permissionsAreIgnored(logs),
                        "skipped: running as root (or with CAP_DAC_OVERRIDE), a read-only directory is still "
                                + "writable, so this failure cannot happen here; the failure path is covered by "
                                + "logDirectoryThatCannotBeCreatedDropsOutputAndRecoversOnItsOwn and "
                                + "fullDiskDropsOutputAndRecoversOnItsOwn");
                for (int i = 0; i < 20; i++) {
                    byte[] line = ("lost " + i + "\n").getBytes(UTF_8);
                    assertDoesNotThrow(() -> writer.write(line));
                }
                assertTrue(writer.droppedBytes() >= "lost 0\n".length(), "dropped " + writer.droppedBytes());
                assertEquals(1, warnings());
            } finally {
                Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwx------"));
            }
            writeUntilPresent(writer, file, "writable again");
        }
        assertTrue(Files.readString(file).endsWith("writable again\n"));
    }

    @Test
    void writingAfterCloseIsAnErrorButCloseIsIdempotent() throws IOException {
        Path file = dir.resolve("app.log");
        RotatingLogWriter writer = new RotatingLogWriter(file, 1000, 1, Redactor.none());
        writer.write("partial line".getBytes(UTF_8));
        writer.close();
        writer.close();
        assertEquals("partial line", Files.readString(file), "close writes the buffered partial line");
        IOException e = assertThrows(IOException.class, () -> writer.write('x'));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void rejectsNonsensicalLimitsNamingTheFile() {
        Path file = dir.resolve("app.log");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RotatingLogWriter(file, 0, 1, Redactor.none()));
        assertTrue(e.getMessage().contains("maxBytes") && e.getMessage().contains("app.log"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RotatingLogWriter(file, 10, -1, Redactor.none()));
    }

    @Test
    void concurrentWritersOfWholeLinesNeverInterleaveWithinALine() throws Exception {
        Path file = dir.resolve("app.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1 << 20, 1, Redactor.none())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 500; i++) {
                        try {
                            writer.write(("thread " + id + " line " + i + " " + "z".repeat(i % 50) + "\n")
                                    .getBytes(UTF_8));
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2000, lines.size());
        for (String line : lines) {
            assertTrue(line.matches("thread \\d line (\\d+) z*"), line);
        }
    }

    private long warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).count();
    }

    /** Writes a marker line until it shows up: the writer retries a failed file only every 250 ms. */
    private static void writeUntilPresent(RotatingLogWriter writer, Path file, String marker) {
        Await.until(() -> {
            try {
                writer.write((marker + "\n").getBytes(UTF_8));
                return Files.exists(file) && Files.readString(file).contains(marker + "\n");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, () -> "\"" + marker + "\" written to " + file);
    }

    /** True when this process can create a file in a directory without write permission (root). */
    private static boolean permissionsAreIgnored(Path readOnlyDir) {
        Path probe = readOnlyDir.resolve("permission-probe");
        try {
            Files.createFile(probe);
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
