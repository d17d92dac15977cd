package dev.nexus.services.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directories only the user may enter (the run dir holds the control socket, the engine lock, the key of
 * the encrypted credential file and the child records). A directory found in a state someone else could
 * have arranged is not trusted: a directory another user owns, or a symlink another user made or that leads
 * to a directory not ours (it could lead anywhere, a system directory included when the engine runs as root),
 * is moved aside and replaced by a fresh private one; one of ours that others could write into is made
 * private and cleared of what they could have planted (symlinks, entries of other owners) before anything in
 * it is used.
 */
public final class PrivateDirs {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateDirs.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** The lock a live engine holds inside its run dir (see daemon.EngineLock). */
    private static final String ENGINE_LOCK = "engine.lock";

    private PrivateDirs() {
    }

    /**
     * Creates the directory (and parents) and makes it 0700, also when it already existed looser; an
     * untrusted directory at the path is first moved aside (to {@code <name>.untrusted-<millis>}).
     *
     * @throws IOException when it cannot be made private, or it belongs to another user whose engine is
     *                     running in it (that one is not ours to move)
     */
    public static Path create(Path dir) throws IOException {
        if (POSIX) {
            replaceIfUntrusted(dir);
        }
        Files.createDirectories(dir);
        if (POSIX) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!permissions.equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
                if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                    LOG.warn("{} was {}: others could write into it; made it private and removed what they could have "
                            + "planted", dir, PosixFilePermissions.toString(permissions));
                    removePlanted(dir);
                }
            }
        }
        return dir;
    }

    /**
     * True when this process's user owns {@code path} (itself, not a symlink's target), or when that cannot be
     * told here (no POSIX attributes, or the user has no name to look up).
     */
    public static boolean ownedByCurrentUser(Path path) throws IOException {
        if (!POSIX) {
            return true;
        }
        Optional<UserPrincipal> me = currentUser(path);
        return me.isEmpty() || Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).equals(me.get());
    }

    private static Optional<UserPrincipal> currentUser(Path near) {
        try {
            return Optional.of(near.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name")));
        } catch (IOException | RuntimeException e) {
            // A uid without a passwd entry (some containers): ownership cannot be judged by name.
            return Optional.empty();
        }
    }

    private static void replaceIfUntrusted(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String why;
        if (Files.isSymbolicLink(dir)) {
            // A link of our own to a directory of our own is a choice (logs on another disk); anything else
            // could lead anywhere, a system directory included when the engine runs as root.
            if (ownedByCurrentUser(dir) && Files.isDirectory(dir) && ownedByCurrentUser(dir.toRealPath())) {
                return;
            }
            why = "is a symbolic link (to " + Files.readSymbolicLink(dir) + ") that is not both yours and to a "
                    + "directory of yours";
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            why = "is not a directory";
        } else if (!ownedByCurrentUser(dir)) {
            why = "belongs to " + Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName() + ", not to "
                    + System.getProperty("user.name");
            if (engineRunsIn(dir)) {
                throw new IOException(dir + " " + why + " and an engine is running in it; it is not this user's to use "
                        + "or move: run as its owner, or set NEXUS_ROOT to a directory of your own");
            }
        } else {
            return;
        }
        Path aside = dir.resolveSibling(dir.getFileName() + ".untrusted-" + System.currentTimeMillis());
        try {
            Files.move(dir, aside);
            LOG.warn("{} {}; not using it: moved it to {} and made a new private one", dir, why, aside);
        } catch (NoSuchFileException e) {
            // Another process moved it first; it makes the new one below, or this one does.
        } catch (IOException e) {
            throw new IOException(dir + " " + why + " and cannot be moved aside (" + e.getMessage()
                    + "); remove it and try again", e);
        }
    }

    /** Whether a live engine holds the lock in {@code dir} (a held lock cannot be taken again). */
    private static boolean engineRunsIn(Path dir) {
        Path lock = dir.resolve(ENGINE_LOCK);
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock held = channel.tryLock();
            if (held == null) {
                return true;
            }
            held.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this very process holds it
        } catch (IOException e) {
            // Not ours to open: whoever made it, it sits in our tree and nothing of ours can be running from it.
            return false;
        }
    }

    /** In a directory others could write into: symlinks and entries of other owners are not ours; remove them. */
    private static void removePlanted(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isSymbolicLink(entry) || !ownedByCurrentUser(entry)) {
                    deleteTree(entry);
                    LOG.warn("removed {} from {}: a symbolic link or another user's entry", entry.getFileName(), dir);
                }
            }
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                for (Path entry : entries) {
                    deleteTree(entry);
                }
            }
        }
        Files.deleteIfExists(path);
    }
}
