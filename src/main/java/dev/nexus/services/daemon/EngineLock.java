package dev.nexus.services.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guarantees one engine per user: an OS file lock on {@code run/engine.lock}, which also holds the
 * owner's pid. The kernel drops the lock when the process dies, so a crashed engine never leaves a
 * lock that blocks the next one.
 */
public final class EngineLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLock.class);
    private final FileChannel channel;
    private final FileLock lock;

    private EngineLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or returns empty when another live engine holds it. */
    public static Optional<EngineLock> tryAcquire(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.isSymbolicLink(file) || (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))) {
            // The lock is truncated and written: through a planted symlink that would hit any file we can write.
            LOG.warn("{} is not a plain file (a symbolic link or worse); replacing it", file);
            Files.delete(file);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            return Optional.empty();
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return Optional.of(new EngineLock(ch, lock));
    }

    /** The pid written by the engine holding the lock, if one is readable. */
    public static Optional<Long> holderPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
