package dev.nexus.services.tray.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.catalog.NexusDefaults;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view model on real files with the real LogFollower: the tail of a large file, appended lines, rotation.
 * UI work queues up and runs on the test thread, as it would on the FX thread.
 */
class LogViewModelFollowTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    private NexusPaths paths;
    private final ConcurrentLinkedQueue<Runnable> uiQueue = new ConcurrentLinkedQueue<>();
    private ExecutorService background;
    private LogViewModel model;

    @BeforeEach
    void setUp() throws IOException {
        paths = new NexusPaths(tmp);
        Files.createDirectories(paths.logs());
        background = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (model != null) {
            model.close();
        }
        background.shutdown();
        background.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    private LogViewModel open(int maxLines) {
        model = new LogViewModel(LogViewModel.FOLLOWER, background, uiQueue::add, maxLines);
        model.setSources(LogSource.of(NexusDefaults.catalog(paths), paths));
        model.open("gateway", false);
        return model;
    }

    /** Runs queued UI work until the condition holds. */
    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Runnable task;
            while ((task = uiQueue.poll()) != null) {
                task.run();
            }
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        fail(what + " within " + WAIT.toSeconds() + " s; lines: " + model.lines().size() + ", last: "
                + (model.lines().isEmpty() ? "none" : model.lines().get(model.lines().size() - 1).text()));
    }

    private void append(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void showsOnlyTheTailOfALargeFileThenFollowsAndSearchFindsNewLines() throws Exception {
        Path log = paths.stdoutLog("gateway");
        StringBuilder big = new StringBuilder();
        for (int i = 1; i <= 60_000; i++) {
            big.append("request ").append(i).append(" served in 3 ms\n");
        }
        Files.writeString(log, big); // about 2 MB
        LogViewModel model = open(200);

        await("the last 200 lines", () -> model.lines().size() == 200);
        assertEquals("request 59801 served in 3 ms", model.lines().get(0).text());
        assertEquals("request 60000 served in 3 ms", model.lines().get(199).text());

        model.queryProperty().set("PANIC");
        append(log, "worker 3 PANIC: out of memory", "restarting worker 3");
        await("the appended lines", () -> model.lines().get(model.lines().size() - 1).text().equals("restarting worker 3"));
        assertEquals(1, model.matchCountProperty().get());
        model.nextMatch();
        assertEquals("worker 3 PANIC: out of memory", model.currentMatchProperty().get().text());
        assertEquals(200, model.lines().size(), "still capped");
    }

    @Test
    void keepsFollowingAcrossARotation() throws Exception {
        Path log = paths.stdoutLog("gateway");
        append(log, "before 1", "before 2");
        LogViewModel model = open(100);
        await("the existing lines", () -> model.lines().size() == 2);

        append(log, "last words of the old file");
        Files.move(log, log.resolveSibling(log.getFileName() + ".1"));
        append(log, "first line of the new file");
        await("the line after the rotation",
                () -> model.lines().get(model.lines().size() - 1).text().equals("first line of the new file"));
        assertEquals(List.of("before 1", "before 2", "last words of the old file", "first line of the new file"),
                model.lines().stream().map(LogLine::text).toList());
    }

    @Test
    void aFileThatDoesNotExistYetIsWaitedFor() throws Exception {
        LogViewModel model = open(100);
        await("the waiting note", () -> model.placeholderProperty().get().contains("has not written"));
        assertTrue(model.statusTextProperty().get().contains("Waiting for the file"), model.statusTextProperty().get());
        append(paths.stdoutLog("gateway"), "hello");
        await("the first line", () -> model.lines().size() == 1);
        assertTrue(model.statusTextProperty().get().endsWith("Following"), model.statusTextProperty().get());
    }
}
