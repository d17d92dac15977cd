package dev.nexus.services.credentials;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mutual exclusion across threads and processes through a lock file beside the data file. The
 * in-process lock comes first because a JVM may hold only one {@link FileLock} per file (a second
 * thread would get {@link java.nio.channels.OverlappingFileLockException}, not a wait). The lock file is
 * never deleted: deleting it would let two processes lock two different files of the same name.
 */
final class FileLocks {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /** A held lock; close it to release. Reentrant within a thread. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock threadLock;
        private final FileChannel channel;
        private final FileLock fileLock;

        private Held(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
            this.threadLock = threadLock;
            this.channel = channel;
            this.fileLock = fileLock;
        }

        @Override
        public void close() throws IOException {
            try {
                if (fileLock != null) {
                    try {
                        fileLock.release();
                    } finally {
                        channel.close();
                    }
                }
            } finally {
                threadLock.unlock();
            }
        }
    }

    /** Blocks until this thread holds the lock of {@code lockFile} in this process and across processes. */
    static Held acquire(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        threadLock.lock();
        if (threadLock.getHoldCount() > 1) {
            // Nested in this thread: the outer acquisition already holds the file lock.
            return new Held(threadLock, null, null);
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = open(key);
            FileLock fileLock = channel.lock();
            return new Held(threadLock, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            threadLock.unlock();
            throw e;
        }
    }

    private static FileChannel open(Path lockFile) throws IOException {
        if (POSIX) {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            return FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly);
        }
        return FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
}
