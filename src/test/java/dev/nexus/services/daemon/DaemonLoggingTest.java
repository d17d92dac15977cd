package dev.nexus.services.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
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
}
