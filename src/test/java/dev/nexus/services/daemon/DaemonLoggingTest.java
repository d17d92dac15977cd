package dev.nexus.services.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * The engine's log started again when its directory is deleted while the engine runs (issue 7: the user
 * clears the logs; before, every later line went into the deleted file and {@code logs engine} showed
 * nothing until a restart). A logging context of its own, so the test's logging is left alone.
 */
class DaemonLoggingTest {
    @TempDir
    Path root;

    @Test
    void aDeletedLogDirectoryAndFileAreStartedAgainAtTheNextMessage() throws Exception {
        Path logs = root.resolve("state").resolve("logs");
        Path file = logs.resolve("engine.log");
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            DaemonLogging.toFile(ctx, file);
            Logger log = ctx.getLogger("test");
            log.info("before the delete");
            assertTrue(Files.readString(file).contains("before the delete"), Files.readString(file)
                    + ctx.getStatusManager().getCopyOfStatusList());

            try (Stream<Path> all = Files.walk(logs)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            log.info("after the delete");

            String text = Files.readString(file);
            assertTrue(text.contains("after the delete"), text);
            assertFalse(text.contains("before the delete"), "a new file: " + text);
            assertTrue(PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)).equals("rwx------"),
                    "the directory is made private again");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void aLogFileThatFailedIsFineOnceDeletedAndStartedAgain() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        Path file = Files.createDirectories(root.resolve("logs")).resolve("engine.log");
        Files.createSymbolicLink(file, full);
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        List<String> reported = new CopyOnWriteArrayList<>();
        try {
            DaemonLogging.toFile(ctx, file).reportTo(p -> reported.add(String.valueOf(p)));
            Logger log = ctx.getLogger("test");
            log.info("into the full disk");
            Files.delete(file);
            log.info("into a new file");

            assertEquals(List.of("null", "No space left on device", "null"), reported);
            assertTrue(Files.readString(file).contains("into a new file"), Files.readString(file));
        } finally {
            ctx.stop();
        }
    }

    /**
     * A log file that cannot be written (disk full: here a link to /dev/full) is reported with the
     * system's reason, and cleared at the first message written after it can be again.
     */
    @Test
    void aLogFileThatCannotBeWrittenIsReportedUntilAWriteWorksAgain() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        Path logs = Files.createDirectories(root.resolve("logs"));
        Path file = logs.resolve("engine.log");
        Path real = root.resolve("elsewhere.log");
        Files.createSymbolicLink(file, full);
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        List<String> reported = new CopyOnWriteArrayList<>();
        try {
            EngineLogTrouble trouble = DaemonLogging.toFile(ctx, file);
            trouble.reportTo(p -> reported.add(String.valueOf(p)));
            Logger log = ctx.getLogger("test");
            log.info("into the full disk");
            assertEquals(List.of("null", "No space left on device"), reported);

            Files.createFile(real); // there, so this is the same file with space again, not a new one
            Files.delete(file);
            Files.createSymbolicLink(file, real);
            // Nothing logs meanwhile: the retry line every few seconds is what finds the space again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4 * EngineLogTrouble.RETRY_SECONDS);
            while (!Files.readString(real).contains("could not be written from") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of("null", "No space left on device", "null"), reported);
            assertTrue(Files.readString(real).contains("could not be written from"), "the gap is told once back: "
                    + Files.readString(real));
            log.info("after the space came back");
            assertTrue(Files.readString(real).contains("after the space came back"), Files.readString(real));
        } finally {
            ctx.stop();
        }
    }
}
