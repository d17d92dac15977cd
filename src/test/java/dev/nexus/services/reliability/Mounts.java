package dev.nexus.services.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * File-system faults made with {@code mount(8)}: a tiny tmpfs (a disk that fills up) and a read-only
 * bind mount (a state directory that cannot be written). Both need root or CAP_SYS_ADMIN; a test that
 * needs them checks {@link #available()} and is skipped with the reason otherwise. Mounts are made on
 * directories inside the test's temp dir only, and taken down when closed (lazily if still busy).
 *
 * <p>Why mounts: as root, permissions do not stop writes (root bypasses them), and {@code chattr +i}
 * stops renames into a directory but not writes to files opened before; a read-only bind mount and a
 * full tmpfs fail every write the way a real full disk or read-only mount does (ENOSPC, EROFS).
 */
final class Mounts {
    private static Boolean available;

    private Mounts() {
    }

    /** Whether this process may mount (tried once, on a scratch directory under {@code scratchParent}). */
    static synchronized boolean available(Path scratchParent) {
        if (available == null) {
            available = probe(scratchParent);
        }
        return available;
    }

    private static boolean probe(Path scratchParent) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return false;
        }
        try {
            Path scratch = Files.createTempDirectory(scratchParent, "mount-probe");
            if (run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", scratch.toString()).exit() != 0) {
                Files.delete(scratch);
                return false;
            }
            run("umount", scratch.toString());
            Files.delete(scratch);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A mount that goes away when closed. */
    interface Mount extends AutoCloseable {
        @Override
        void close();
    }

    /** A tmpfs of {@code size} (as mount takes it: 2m, 512k) on {@code dir}, which is hidden meanwhile. */
    static Mount tmpfs(Path dir, String size) {
        require(run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString()), "tmpfs on " + dir);
        return () -> unmount(dir);
    }

    /** {@code dir} turned read-only where it is: a bind mount of itself, remounted read-only. */
    static Mount readOnly(Path dir) {
        require(run("mount", "--bind", dir.toString(), dir.toString()), "bind " + dir);
        Result ro = run("mount", "-o", "remount,ro,bind", dir.toString());
        if (ro.exit() != 0) {
            unmount(dir);
            require(ro, "remount " + dir + " read-only");
        }
        return () -> unmount(dir);
    }

    private static void unmount(Path dir) {
        if (run("umount", dir.toString()).exit() != 0) {
            // Something still holds a file there (a process that outlived its test): detach it anyway.
            run("umount", "-l", dir.toString());
        }
    }

    private static void require(Result r, String what) {
        if (r.exit() != 0) {
            throw new IllegalStateException("mount failed (" + what + "): " + r.output());
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) {
        List<String> argv = new ArrayList<>(List.of(command));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + out);
            }
            return new Result(p.exitValue(), out.trim());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted running " + argv, e));
        }
    }
}
