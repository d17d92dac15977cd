package dev.nexus.services.logs;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a service's output to a log file, redacting secrets and rotating by size. Thread-safe.
 *
 * <p><b>Lines.</b> Output is handled a line at a time so that a secret split across {@code write} calls is
 * still redacted and rotation happens between lines. A partial line is held until its {@code '\n'} arrives,
 * until it grows past {@value #MAX_PENDING_BYTES} bytes, or until {@link #flush()} / {@link #close()}. On a
 * forced cut (size or flush) the last few bytes are held back when they could be the beginning of a secret
 * (at most the longest secret's length − 1), so a secret straddling the cut is still caught. Output pumps
 * should call {@code flush()} when their source has nothing more ready ({@code available() == 0}), so prompts
 * and progress text without a newline reach the file.
 *
 * <p><b>Rotation.</b> When the next line would take the file past {@code maxBytes}, {@code file.(keep-1)} is
 * renamed to {@code file.keep} … {@code file} to {@code file.1} (the oldest is dropped) and a new file is
 * started. A single line longer than {@code maxBytes} is cut at a UTF-8 character boundary, so no file ever
 * exceeds {@code maxBytes}. Directories are created 0700 and files 0600 where the file system is POSIX.
 *
 * <p><b>Failures.</b> {@code write} never throws for I/O problems: the service keeps running when its log
 * cannot be written. A log file or directory deleted underneath is recreated before the next write (checked
 * with one {@code stat} per write to the file, since writes to a deleted file succeed and vanish). When
 * writing fails (disk full, directory read-only), the bytes are dropped and counted in
 * {@link #droppedBytes()}, one warning is logged per failure episode (and told to {@link #onTrouble}), and
 * writing is retried at most every {@value #RETRY_INTERVAL_MILLIS} ms until it works again. A write that
 * failed half way is cut back, so the file never ends in half a line.
 */
public final class RotatingLogWriter extends OutputStream {
    /** A partial line longer than this is written out without waiting for its end. */
    public static final int MAX_PENDING_BYTES = 64 * 1024;
    static final long RETRY_INTERVAL_MILLIS = 250;

    private static final Logger log = LoggerFactory.getLogger(RotatingLogWriter.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final Redactor redactor;

    // All below guarded by "this".
    private byte[] pending = new byte[256];
    private int pendingCount;
    /** Not a FileChannel: NIO channels close themselves when the writing thread is interrupted. */
    private FileOutputStream out;
    private Object openFileKey;
    private long size;
    private boolean closed;
    private boolean failing;
    private long retryAtNanos;
    private long droppedBytes;
    private long droppedThisEpisode;
    private volatile TroubleListener trouble = (file, problem) -> { };

    /** Hears when writing the log starts failing and when it works again. */
    @FunctionalInterface
    public interface TroubleListener {
        /**
         * @param problem why writing fails (e.g. "IOException: No space left on device"), or null when the
         *                file is written again (or the writer was closed while failing). Called with the
         *                writer's lock held, on the writing thread: must not block.
         */
        void trouble(Path file, String problem);
    }

    public RotatingLogWriter(Path file, long maxBytes, int keep, Redactor redactor) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes + " for log " + file);
        }
        if (keep < 0) {
            throw new IllegalArgumentException("keep must be 0 or more, got " + keep + " for log " + file);
        }
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    public Path file() {
        return file;
    }

    /** Sets who hears of write failures and recoveries (one listener; replaces the previous one). */
    public RotatingLogWriter onTrouble(TroubleListener listener) {
        this.trouble = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Bytes (after redaction) that could not be written because the file was not writable. */
    public synchronized long droppedBytes() {
        return droppedBytes;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** @throws IOException only when this writer has been closed */
    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("log writer for " + file + " is closed");
        }
        int end = off + len;
        int pos = off;
        while (pos < end) {
            int newline = indexOf(b, pos, end, (byte) '\n');
            if (pendingCount == 0 && newline >= 0) {
                // Complete lines go straight from the caller's array: no copy when nothing is redacted.
                int lastNewline = lastIndexOf(b, newline, end, (byte) '\n');
                writeCompleteLines(b, pos, lastNewline + 1 - pos);
                pos = lastNewline + 1;
                continue;
            }
            int take = Math.min((newline >= 0 ? newline + 1 : end) - pos, MAX_PENDING_BYTES - pendingCount);
            appendPending(b, pos, take);
            pos += take;
            if (pending[pendingCount - 1] == '\n') {
                writeCompleteLines(pending, 0, pendingCount);
                pendingCount = 0;
            } else if (pendingCount >= MAX_PENDING_BYTES) {
                writePending(true);
            }
        }
    }

    /** Writes a buffered partial line (except bytes that may begin a secret). Never throws for I/O failures. */
    @Override
    public synchronized void flush() {
        if (!closed && pendingCount > 0) {
            writePending(true);
        }
    }

    /** Writes everything still buffered and closes the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (pendingCount > 0) {
            writePending(false);
        }
        closed = true;
        closeFile();
        if (failing) {
            failing = false;
            tell(null); // nothing is dropped any more
        }
    }

    private void tell(String problem) {
        try {
            trouble.trouble(file, problem);
        } catch (RuntimeException e) {
            log.warn("Log {}: the trouble listener failed", file, e);
        }
    }

    private void writeCompleteLines(byte[] data, int offset, int length) {
        // Secrets never contain a line break, so nothing at the end of a complete line needs holding back.
        Redactor.Redaction r = redactor.redactPrefix(data, offset, length, false);
        writeToFile(r.bytes(), r.offset(), r.length());
    }

    private void writePending(boolean holdPossibleSecret) {
        Redactor.Redaction r = redactor.redactPrefix(pending, 0, pendingCount, holdPossibleSecret);
        if (r.consumed() == 0 && pendingCount >= MAX_PENDING_BYTES) {
            // Only possible with a secret longer than the buffer; progress matters more than that match.
            r = redactor.redactPrefix(pending, 0, pendingCount, false);
        }
        writeToFile(r.bytes(), r.offset(), r.length());
        System.arraycopy(pending, r.consumed(), pending, 0, pendingCount - r.consumed());
        pendingCount -= r.consumed();
    }

    private void appendPending(byte[] b, int off, int len) {
        if (pendingCount + len > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingCount + len, Math.min(2 * pending.length,
                    MAX_PENDING_BYTES)));
        }
        System.arraycopy(b, off, pending, pendingCount, len);
        pendingCount += len;
    }

    private void writeToFile(byte[] data, int offset, int length) {
        if (length == 0) {
            return;
        }
        if (failing && System.nanoTime() - retryAtNanos < 0) {
            drop(length);
            return;
        }
        try {
            ensureFileIsCurrent();
            while (length > 0) {
                long room = maxBytes - size;
                int chunk;
                boolean rotateAfter;
                if (length <= room) {
                    chunk = length;
                    rotateAfter = false;
                } else {
                    int lastNewline = room > 0 ? lastIndexOf(data, offset, offset + (int) room, (byte) '\n') : -1;
                    if (lastNewline >= 0) {
                        chunk = lastNewline + 1 - offset;
                    } else if (size > 0) {
                        chunk = 0;
                    } else {
                        // A line longer than a whole file: cut it, but not inside a character.
                        chunk = characterBoundary(data, offset, (int) Math.min(maxBytes, length));
                    }
                    rotateAfter = true;
                }
                if (chunk > 0) {
                    out.write(data, offset, chunk);
                    size += chunk;
                    offset += chunk;
                    length -= chunk;
                }
                if (rotateAfter) {
                    rotate();
                }
            }
            if (failing) {
                failing = false;
                log.info("Log {} is writable again; {} bytes were dropped while it was not", file,
                        droppedThisEpisode);
                tell(null);
            }
        } catch (IOException e) {
            cutBackToLastWrite();
            closeFile();
            if (!failing) {
                failing = true;
                droppedThisEpisode = 0;
                log.warn("Cannot write log {} ({}); dropping output until it can be written again", file,
                        describe(e));
                tell(describe(e));
            }
            drop(length);
            retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_INTERVAL_MILLIS);
        }
    }

    /**
     * A write that failed half way (the disk filled up during it) leaves part of a line in the file:
     * cut the file back to where the last whole write ended, so no half line is ever kept.
     */
    private void cutBackToLastWrite() {
        if (out == null) {
            return;
        }
        try {
            if (out.getChannel().size() > size) {
                out.getChannel().truncate(size);
            }
        } catch (IOException e) {
            log.debug("Log {}: cannot cut back a partial write", file, e);
        }
    }

    private void drop(int length) {
        droppedBytes += length;
        droppedThisEpisode += length;
    }

    /** Opens the file, or reopens it when it was deleted or replaced since it was opened. */
    private void ensureFileIsCurrent() throws IOException {
        if (out != null) {
            Object key;
            try {
                key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            } catch (NoSuchFileException e) {
                log.info("Log {} disappeared (deleted or moved away); starting it again", file);
                key = null;
            }
            if (key != null && (openFileKey == null || key.equals(openFileKey))) {
                // Still our file (or, without file keys as on Windows, a file that exists: nothing to compare).
                return;
            }
            if (key != null) {
                log.info("Log {} was replaced by another file; continuing in that one", file);
            }
            closeFile();
        }
        openFile();
    }

    private void openFile() throws IOException {
        Path dir = file.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            createPrivate(dir, true);
        }
        try {
            createPrivate(file, false);
        } catch (FileAlreadyExistsException e) {
            // Appending to the existing log is the point.
        }
        out = new FileOutputStream(file.toFile(), true);
        openFileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        size = Files.size(file);
    }

    /** Creates a directory 0700 or a file 0600 where the file system has POSIX permissions. */
    private static void createPrivate(Path path, boolean directory) throws IOException {
        if (POSIX) {
            try {
                if (directory) {
                    Files.createDirectories(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
                } else {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
                }
                return;
            } catch (UnsupportedOperationException e) {
                // A non-POSIX file store mounted on a POSIX system (FAT, SMB): plain creation below.
            }
        }
        if (directory) {
            Files.createDirectories(path);
        } else {
            Files.createFile(path);
        }
    }

    private void rotate() throws IOException {
        closeFile();
        if (keep == 0) {
            Files.deleteIfExists(file);
        } else {
            Files.deleteIfExists(LogFiles.rotated(file, keep));
            for (int i = keep - 1; i >= 1; i--) {
                Path older = LogFiles.rotated(file, i);
                if (Files.exists(older)) {
                    Files.move(older, LogFiles.rotated(file, i + 1), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            try {
                Files.move(file, LogFiles.rotated(file, 1), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                // Deleted underneath us: there is nothing to keep, start the new file all the same.
            }
        }
        openFile();
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                log.debug("Closing log {} failed", file, e);
            }
            out = null;
            openFileKey = null;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Largest length ≤ {@code max} that does not end inside a UTF-8 sequence (never 0). */
    private static int characterBoundary(byte[] data, int offset, int max) {
        int cut = max;
        while (cut > 0 && offset + cut < data.length && Lines.isContinuationByte(data[offset + cut])) {
            cut--;
        }
        return cut == 0 ? max : cut;
    }

    private static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, int from, int to, byte value) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "RotatingLogWriter[" + file + ", " + maxBytes + " bytes × " + keep + "]";
    }
}
