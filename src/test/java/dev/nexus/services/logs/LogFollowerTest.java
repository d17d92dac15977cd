package dev.nexus.services.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFollowerTest {
    private static final Duration FAST = Duration.ofMillis(10);

    @TempDir
    Path dir;

    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final AtomicReference<Thread> deliveringThread = new AtomicReference<>();
    private final List<LogFollower> followers = new ArrayList<>();

    @AfterEach
    void stopFollowers() {
        followers.forEach(LogFollower::close);
    }

    @Test
    void startsWithTheLastLinesThenDeliversAppendedOnesExactlyOnce() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "one\ntwo\nthree\n");
        follow(file, 2);
        awaitReceived(List.of("two", "three"));
        assertEquals(List.of(2), batchSizes, "the initial lines come as one batch");

        List<String> expected = new ArrayList<>(List.of("two", "three"));
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1 << 20, 2, Redactor.none())) {
            for (int i = 0; i < 200; i++) {
                writer.write(("appended " + i + "\n").getBytes(UTF_8));
                expected.add("appended " + i);
            }
        }
        awaitReceived(expected);
        assertFalse(Thread.currentThread() == deliveringThread.get(), "lines arrive on the follower's thread");
    }

    @Test
    void partialLineWaitsForItsEndAndCrlfIsStripped() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "complete\nhalf a li");
        follow(file, 5);
        awaitReceived(List.of("complete"));
        append(file, "ne\r\nnext\n");
        awaitReceived(List.of("complete", "half a line", "next"));
    }

    @Test
    void waitsForAFileThatDoesNotExistYet() throws IOException {
        Path file = dir.resolve("not/yet/app.log");
        LogFollower follower = follow(file, 10);
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1 << 20, 2, Redactor.none())) {
            writer.write("first\nsecond\n".getBytes(UTF_8));
        }
        awaitReceived(List.of("first", "second"));
        assertTrue(follower.isRunning());
    }

    @Test
    void startingRightAfterARotationShowsTheRotatedFileAndFollowsTheNewOne() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(LogFiles.rotated(file, 2), "oldest\n");
        Files.writeString(LogFiles.rotated(file, 1), "old 1\nold 2\n");
        follow(file, 2); // the writer has renamed app.log away and not yet written the new one
        awaitReceived(List.of("old 1", "old 2"));
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 30, 5, Redactor.none())) {
            for (int i = 0; i < 10; i++) {
                writer.write(("new " + i + "\n").getBytes(UTF_8)); // rotates every 5 lines
            }
        }
        List<String> expected = new ArrayList<>(List.of("old 1", "old 2"));
        for (int i = 0; i < 10; i++) {
            expected.add("new " + i);
        }
        awaitReceived(expected);
    }

    @Test
    void rotationWhileFollowingLosesNoLine() throws IOException {
        Path file = dir.resolve("app.log");
        follow(file, 0);
        List<String> expected = new ArrayList<>();
        // ~26 rotations, in a burst: several happen between two polls, so the follower has to find the
        // files rotated after the one it had open, not only the newest.
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 1000, 40, Redactor.none())) {
            for (int i = 0; i < 1500; i++) {
                String line = "line " + i + " " + "p".repeat(i % 11);
                writer.write((line + "\n").getBytes(UTF_8));
                expected.add(line);
                if (i % 500 == 499) {
                    awaitReceived(expected); // and some rotations with the follower caught up
                }
            }
        }
        awaitReceived(expected);
        assertTrue(Files.exists(LogFiles.rotated(file, 20)), "the test did rotate many times");
    }

    @Test
    void rotationDrainsTheOldFileEvenWhenTheNewOneAppearsLater() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "a\n");
        follow(file, 1);
        awaitReceived(List.of("a"));
        // By hand, the way an external rotator would: append, rename away, append to the old file through
        // an open handle, then create the new file.
        try (FileChannel old = FileChannel.open(file, StandardOpenOption.APPEND)) {
            Files.move(file, LogFiles.rotated(file, 1));
            old.write(java.nio.ByteBuffer.wrap("b\nlast words without newline".getBytes(UTF_8)));
        }
        Files.writeString(file, "c\n");
        awaitReceived(List.of("a", "b", "last words without newline", "c"));
    }

    @Test
    void truncatedFileIsReadAgainFromItsStart() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "old 1\nold 2\n");
        follow(file, 0);
        append(file, "old 3\n");
        awaitReceived(List.of("old 3"));
        Files.writeString(file, "new\n"); // truncates in place: same file, smaller
        awaitReceived(List.of("old 3", "new"));
    }

    @Test
    void aHugeLineArrivesInPiecesCutBetweenCharacters() throws IOException {
        Path file = dir.resolve("app.log");
        follow(file, 0);
        String huge = "€".repeat(100_000); // 300 KB on one line, split across 64 KiB reads
        Files.writeString(file, huge + "\nafter\n");
        Await.until(() -> received.contains("after"), () -> "line after the huge one");
        List<String> pieces = received.subList(0, received.size() - 1);
        assertTrue(pieces.size() >= 5, pieces.size() + " pieces");
        for (String piece : pieces) {
            assertTrue(piece.getBytes(UTF_8).length <= Lines.MAX_LINE_BYTES);
        }
        assertTrue(huge.equals(String.join("", pieces)), "pieces join to the line without broken characters");
    }

    @Test
    void cancelStopsTheThread() throws Exception {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "x\n");
        LogFollower follower = follow(file, 1);
        awaitReceived(List.of("x"));
        Thread thread = deliveringThread.get();
        assertTrue(thread.isAlive() && follower.isRunning());

        follower.cancel();
        assertTrue(follower.awaitStopped(Duration.ofSeconds(5)), "follower thread ends after cancel");
        assertFalse(follower.isRunning());
        thread.join(5_000);
        assertFalse(thread.isAlive(), "the delivering thread is gone, so nothing more can arrive");
        assertTrue(follower.failure().isEmpty());
    }

    @Test
    void consumerThatThrowsStopsTheFollowerAndIsReported() throws Exception {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "boom\n");
        LogFollower follower = LogFollower.start(file, 1, FAST, lines -> {
            throw new IllegalStateException("viewer closed");
        });
        followers.add(follower);
        assertTrue(follower.awaitStopped(Duration.ofSeconds(5)));
        assertEquals("viewer closed", follower.failure().orElseThrow().getMessage());
    }

    private LogFollower follow(Path file, int initialLines) {
        LogFollower follower = LogFollower.start(file, initialLines, FAST, lines -> {
            deliveringThread.set(Thread.currentThread());
            batchSizes.add(lines.size());
            received.addAll(lines);
        });
        followers.add(follower);
        return follower;
    }

    /** Waits until exactly {@code expected} has arrived; more or other lines fail at once. */
    private void awaitReceived(List<String> expected) {
        Await.until(() -> {
            List<String> now = List.copyOf(received);
            for (int i = 0; i < now.size(); i++) {
                if (i >= expected.size() || !expected.get(i).equals(now.get(i))) {
                    throw new AssertionError("line " + i + " is " + quote(now.get(i)) + ", expected "
                            + (i < expected.size() ? quote(expected.get(i)) : "no more lines") + "; received "
                            + describe(now));
                }
            }
            return now.size() == expected.size();
        }, () -> "received " + describe(received) + ", expected " + describe(expected));
    }

    private static String describe(List<String> lines) {
        return lines.size() <= 6 ? lines.toString()
                : lines.size() + " lines " + lines.subList(0, 3) + " … " + lines.subList(lines.size() - 3, lines.size());
    }

    private static String quote(String line) {
        return "\"" + (line.length() > 80 ? line.substring(0, 80) + "…" : line) + "\"";
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.APPEND);
    }
}
