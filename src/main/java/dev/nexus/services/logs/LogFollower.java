package dev.nexus.services.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a log like {@code tail -F}: hands over complete lines as they are appended, across rotations, and
 * waits for a file that does not exist yet.
 *
 * <p><b>Delivery.</b> Lines arrive in batches ({@code List<String>}, oldest first, never empty) on the
 * follower's own daemon thread, in file order. The CLI prints each batch and blocks in
 * {@link #awaitStopped()} until Ctrl-C ends the JVM; a JavaFX viewer wraps its consumer in
 * {@code Platform.runLater}, one UI update per batch rather than per line. A consumer that throws stops the
 * follower ({@link #failure()}). I/O errors do not stop it: it logs once and keeps trying.
 *
 * <p><b>Why polling and not {@code WatchService}.</b> Rotation renames the file away: a watch on the
 * directory reports names, so the follower still has to work out which inode it has open and where its
 * successors went; on macOS the JDK's WatchService is itself a poller (every 10 s by default), and inotify
 * does not see changes made over NFS or by another machine on a shared mount. A {@code stat} every 200 ms
 * per followed file costs nothing measurable and works the same everywhere.
 *
 * <p><b>Rotation.</b> The follower keeps the file it reads open, so a writer renaming it away does not lose
 * its last lines: when the name points to another file (another file key; on file systems without keys, a
 * size smaller than what was read) it reads the old file to its end, then continues with the file that was
 * rotated after it — found by file key among {@code file.1}, {@code file.2} …, so several rotations between
 * two polls lose nothing as long as the files are kept — and finally with the new file from its start. A
 * file truncated in place is read again from its start. A partial line is held back until its '\n' arrives,
 * and handed over as a line once its file has been rotated away. Lines longer than 64 KiB arrive in pieces.
 * Started while the file does not exist (just rotated away, or not created yet), it treats every file that
 * appears afterwards as new, rotated ones included. Without file keys (Windows) only the newest file after
 * a rotation is found, so rotations faster than the poll interval can skip a file there.
 */
public final class LogFollower implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

    private static final Logger log = LoggerFactory.getLogger(LogFollower.class);
    private static final int MAX_BATCH_LINES = 1000;
    /** Beyond this many rotated files, stop looking for where the followed file went. */
    private static final int MAX_ROTATED_SCAN = 1000;

    private final Path file;
    private final int initialLines;
    private final long pollNanos;
    private final Consumer<List<String>> onLines;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean cancelled;
    private volatile Throwable failure;

    // Follower thread only.
    private FileChannel channel;
    private Object channelKey;
    private long position;
    /** Whether the open file is the log itself (its lines before the start are history) or a rotated one. */
    private boolean channelIsCurrentFile;
    /** The newest rotated file at the start: it and older ones hold the history for the initial lines. */
    private Object newestHistoryKey;
    /** Nothing existed at the start: every file that appears, rotated ones included, is new. */
    private boolean readNewFilesFromOldest;
    /** Rotated files existed at the start on a file system without file keys: find them by name. */
    private boolean historyWithoutFileKeys;
    /** Rounds in a row in which the finished file was not found among the rotated ones. */
    private int successorMisses;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(LogTail.BLOCK_BYTES);
    private byte[] partial = new byte[256];
    private int partialCount;
    private List<String> batch = new ArrayList<>();
    private boolean ioProblemReported;

    private LogFollower(Path file, int initialLines, Duration pollInterval, Consumer<List<String>> onLines) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        if (initialLines < 0) {
            throw new IllegalArgumentException("initial lines must be 0 or more, got " + initialLines
                    + " for " + file);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
        }
        this.initialLines = initialLines;
        this.pollNanos = pollInterval.toNanos();
        this.onLines = Objects.requireNonNull(onLines, "onLines");
        this.thread = new Thread(this::run, "log-follower " + this.file.getFileName());
        thread.setDaemon(true);
    }

    /** Follows {@code file}, polling every {@link #DEFAULT_POLL_INTERVAL}; see {@link #start(Path, int, Duration, Consumer)}. */
    public static LogFollower start(Path file, int initialLines, Consumer<List<String>> onLines) {
        return start(file, initialLines, DEFAULT_POLL_INTERVAL, onLines);
    }

    /**
     * Starts following {@code file}. The first batch holds up to {@code initialLines} last complete lines
     * (from rotated files too, like {@link LogTail#lastLines}); after them come exactly the lines completed
     * after this method returned, none lost or repeated in between. The starting point is fixed here on the
     * caller's thread (open, size, at most 64 KiB read to find the last line end); the initial lines are
     * read on the follower's thread.
     */
    public static LogFollower start(Path file, int initialLines, Duration pollInterval,
                                    Consumer<List<String>> onLines) {
        LogFollower follower = new LogFollower(file, initialLines, pollInterval, onLines);
        follower.positionAtEnd();
        follower.thread.start();
        return follower;
    }

    public Path file() {
        return file;
    }

    /** Stops following soon; returns at once. A batch being delivered at this moment still completes. */
    public void cancel() {
        cancelled = true;
        LockSupport.unpark(thread);
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Waits until the follower thread has ended, after {@link #cancel()} or a failing consumer. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** @return whether the follower thread ended within {@code timeout} */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** What stopped the follower other than {@link #cancel()}: usually an exception thrown by the consumer. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Cancels and waits up to 2 s for the thread to end. */
    @Override
    public void close() {
        cancel();
        try {
            awaitStopped(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            collectInitialLines();
            deliver();
            while (!cancelled) {
                try {
                    poll();
                    ioProblemReported = false;
                } catch (IOException e) {
                    if (!ioProblemReported) {
                        ioProblemReported = true;
                        log.warn("Following log {}: {}; retrying every {} ms", file, e.toString(),
                                TimeUnit.NANOSECONDS.toMillis(pollNanos));
                    }
                }
                deliver();
                if (!cancelled) {
                    LockSupport.parkNanos(this, pollNanos);
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("Following log {} stopped", file, e);
        } finally {
            closeChannel();
            stopped.countDown();
        }
    }

    /**
     * Fixes the starting point: after the last complete line of the file; when the file does not exist (just
     * rotated away), at the end of {@code file.1}, so that files appearing later are found as its successors;
     * when neither exists, at the oldest file that will appear.
     */
    private void positionAtEnd() {
        try {
            Path newestRotated = LogFiles.rotated(file, 1);
            Object rotatedKey = fileKeyOrNull(newestRotated);
            if (use(openVerified(file), true)) {
                position = LogTail.endOfCompleteLines(channel, channel.size());
                newestHistoryKey = rotatedKey;
            } else if (rotatedKey != null && use(openVerified(newestRotated), false)) {
                position = channel.size();
                newestHistoryKey = channelKey;
            } else {
                readNewFilesFromOldest = !Files.exists(newestRotated);
            }
            historyWithoutFileKeys = rotatedKey == null && Files.exists(newestRotated);
        } catch (IOException e) {
            closeChannel();
            ioProblemReported = true;
            log.warn("Following log {}: {}; retrying every {} ms", file, e.toString(),
                    TimeUnit.NANOSECONDS.toMillis(pollNanos));
        }
    }

    /** Collects the last lines before the starting point: of the open file, then of the rotated ones. */
    private void collectInitialLines() {
        if (initialLines == 0) {
            return;
        }
        Deque<String> newestFirst = new ArrayDeque<>();
        try {
            if (channel != null && channelIsCurrentFile) {
                LogTail.collectBackwards(channel, position, initialLines, newestFirst);
            }
            // By file key, not by name: a rotation since the start has shifted the names.
            int newestHistory = newestHistoryKey != null ? rotatedIndexOf(newestHistoryKey)
                    : historyWithoutFileKeys ? 1 : -1;
            if (newestHistory > 0) {
                LogTail.collect(file, newestHistory, initialLines, LogTail.FILES, newestFirst);
            }
        } catch (IOException e) {
            log.warn("Reading the last lines of {} failed: {}; following it from here on", file, e.toString());
        }
        batch.addAll(LogTail.oldestFirst(newestFirst));
    }

    /** One polling round: read what is new, and move on to successors while the open file is rotated away. */
    private void poll() throws IOException {
        if (channel == null && !openFirstFile()) {
            return; // nothing there yet
        }
        for (int hops = 0; hops <= MAX_ROTATED_SCAN && !cancelled; hops++) {
            readToEnd();
            Object currentKey = fileKeyOrNull(file);
            if (currentKey == null && !Files.exists(file)) {
                return; // renamed away, the new one not created yet: wait with the old one open
            }
            if (isStillCurrent(currentKey)) {
                if (channel.size() < position) {
                    log.debug("Log {} was truncated; reading it from its start", file);
                    position = 0;
                    partialCount = 0;
                }
                return;
            }
            // Rotated away. Writers close before renaming, so what is read now is the rest of that file.
            readToEnd();
            if (!moveToSuccessor()) {
                return; // the names changed while looking; try again next round
            }
        }
    }

    /** Opens the first file to read from the start: the log, or the oldest rotated one if all are new. */
    private boolean openFirstFile() throws IOException {
        if (!readNewFilesFromOldest) {
            if (use(openVerified(file), true)) {
                position = 0;
                return true;
            }
            return false;
        }
        int oldest = oldestRotatedIndex();
        Opened opened = openVerified(LogFiles.rotated(file, oldest));
        if (opened == null) {
            return false;
        }
        if (oldestRotatedIndex() != oldest) {
            // A rotation is shifting the names: what was opened may not be the oldest. Next round.
            closeQuietly(opened);
            return false;
        }
        use(opened, oldest == 0);
        readNewFilesFromOldest = false;
        position = 0;
        return true;
    }

    /** The highest n for which {@code file.n} exists (0 if none), looking across one missing name. */
    private int oldestRotatedIndex() {
        int oldest = 0;
        for (int i = 1; i <= MAX_ROTATED_SCAN; i++) {
            if (Files.exists(LogFiles.rotated(file, i))) {
                oldest = i;
            } else if (!Files.exists(LogFiles.rotated(file, i + 1))) {
                break;
            }
        }
        return oldest;
    }

    private boolean isStillCurrent(Object currentKey) throws IOException {
        if (channelKey != null && currentKey != null) {
            return channelKey.equals(currentKey);
        }
        // No file keys here (Windows): a new file after rotation shows as a file smaller than what was read.
        return Files.size(file) >= position;
    }

    /**
     * Switches from the finished file to the one written after it: {@code file.(k-1)} when the finished file
     * is now {@code file.k}, else the current file.
     */
    private boolean moveToSuccessor() throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            int finishedIndex = channelKey == null ? -1 : rotatedIndexOf(channelKey);
            if (finishedIndex < 0 && channelKey != null && ++successorMisses < 3) {
                // Not among the rotated files: deleted, or caught between two renames of a rotation in
                // progress. Look again next round before concluding it is gone.
                return false;
            }
            int successor = finishedIndex > 0 ? finishedIndex - 1 : 0;
            Opened next = openVerified(LogFiles.rotated(file, successor));
            if (next == null) {
                return false;
            }
            if (finishedIndex > 0 && !channelKey.equals(fileKeyOrNull(LogFiles.rotated(file, finishedIndex)))) {
                // Rotation shifts from the oldest name down, so the finished file moved on before its
                // successor's name was reused: what was opened may be one file too new. Look again.
                closeQuietly(next);
                continue;
            }
            successorMisses = 0;
            flushPartialLine();
            use(next, successor == 0);
            position = 0;
            return true;
        }
        return false;
    }

    /** Makes {@code opened} the file being read (closing the previous one); false when it is null. */
    private boolean use(Opened opened, boolean isCurrentFile) {
        if (opened == null) {
            return false;
        }
        closeChannel();
        channel = opened.channel();
        channelKey = opened.key();
        channelIsCurrentFile = isCurrentFile;
        return true;
    }

    /** Where the file with this key is among {@code file.1}, {@code file.2} …; -1 when it is not. */
    private int rotatedIndexOf(Object key) {
        for (int i = 1; i <= MAX_ROTATED_SCAN; i++) {
            Object rotatedKey = fileKeyOrNull(LogFiles.rotated(file, i));
            if (rotatedKey == null && fileKeyOrNull(LogFiles.rotated(file, i + 1)) == null) {
                return -1; // a single missing name is a rotation in progress; two end the list
            }
            if (key.equals(rotatedKey)) {
                return i;
            }
        }
        return -1;
    }

    private static void closeQuietly(Opened opened) {
        if (opened != null) {
            try {
                opened.channel().close();
            } catch (IOException e) {
                log.debug("Closing a log file that was opened too early failed", e);
            }
        }
    }

    /**
     * Opens {@code path} and returns it with its file key, or null when it does not exist or was replaced
     * while opening (then the key would describe another file than the channel).
     */
    private static Opened openVerified(Path path) throws IOException {
        try {
            Object before = fileKey(path);
            FileChannel opened = FileChannel.open(path, StandardOpenOption.READ);
            Object after;
            try {
                after = fileKey(path);
            } catch (NoSuchFileException e) {
                after = null;
            }
            if (!Objects.equals(before, after) || (before == null && !Files.exists(path))) {
                opened.close();
                return null;
            }
            return new Opened(opened, before);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    /** The file key, or null when the file does not exist, cannot be read, or the file system has no keys. */
    private static Object fileKeyOrNull(Path path) {
        try {
            return fileKey(path);
        } catch (IOException e) {
            return null;
        }
    }

    private void readToEnd() throws IOException {
        while (!cancelled) {
            readBuffer.clear();
            int n = channel.read(readBuffer, position);
            if (n <= 0) {
                return;
            }
            position += n;
            splitLines(readBuffer.array(), n);
            if (batch.size() >= MAX_BATCH_LINES) {
                deliver();
            }
        }
    }

    private void splitLines(byte[] bytes, int length) {
        int lineStart = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                if (partialCount == 0) {
                    batch.add(Lines.decode(bytes, lineStart, i - lineStart));
                } else {
                    appendPartial(bytes, lineStart, i - lineStart);
                    flushPartialLine();
                }
                lineStart = i + 1;
            } else if (partialCount + (i + 1 - lineStart) > Lines.MAX_LINE_BYTES) {
                // Byte i would make the line too long: hand out what came before it as a piece, cut before
                // the start of a character. Positions count through partial, then bytes from lineStart.
                int total = partialCount + (i - lineStart);
                int cut = total;
                while (cut > 0 && Lines.isContinuationByte(cut < partialCount
                        ? partial[cut] : bytes[lineStart + cut - partialCount])) {
                    cut--;
                }
                if (cut == 0) {
                    cut = total; // not UTF-8 text at all: cut anywhere
                }
                if (cut >= partialCount) {
                    int fromBytes = cut - partialCount;
                    appendPartial(bytes, lineStart, fromBytes);
                    lineStart += fromBytes;
                    flushPartialLine();
                } else {
                    batch.add(Lines.decode(partial, 0, cut));
                    System.arraycopy(partial, cut, partial, 0, partialCount - cut);
                    partialCount -= cut;
                }
            }
        }
        appendPartial(bytes, lineStart, length - lineStart);
    }

    private void appendPartial(byte[] bytes, int offset, int length) {
        if (partialCount + length > partial.length) {
            byte[] grown = new byte[Math.max(partialCount + length, 2 * partial.length)];
            System.arraycopy(partial, 0, grown, 0, partialCount);
            partial = grown;
        }
        System.arraycopy(bytes, offset, partial, partialCount, length);
        partialCount += length;
    }

    private void flushPartialLine() {
        if (partialCount > 0) {
            batch.add(Lines.decode(partial, 0, partialCount));
            partialCount = 0;
        }
    }

    private void deliver() {
        if (batch.isEmpty() || cancelled) {
            return;
        }
        List<String> handed = Collections.unmodifiableList(batch);
        batch = new ArrayList<>();
        onLines.accept(handed);
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("Closing {} failed", file, e);
            }
            channel = null;
            channelKey = null;
        }
    }

    @Override
    public String toString() {
        return "LogFollower[" + file + (isRunning() ? ", running" : ", stopped") + "]";
    }

    private record Opened(FileChannel channel, Object key) {
    }
}
