package dev.nexus.services.credentials.use;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Replaces the running JVM with another program, the way a shell's {@code exec} does: same pid, same
 * stdin/stdout/stderr, nothing of the JVM left. Loaded on first use, POSIX only.
 */
final class PosixExec {
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    /** SIG_SETMASK is 2 on Linux, 3 on macOS and the BSDs. */
    private static final int SIG_SETMASK = Platform.isLinux() ? 2 : 3;
    /** Larger than sigset_t anywhere (128 bytes on glibc, 4 on macOS). */
    private static final int SIGSET_BYTES = 128;

    interface Libc extends Library {
        int execve(Pointer path, Pointer argv, Pointer envp) throws LastErrorException;

        int chdir(Pointer path) throws LastErrorException;

        int fcntl(int fd, int cmd, Object... args) throws LastErrorException;

        /** Returns an error number rather than setting errno. */
        int pthread_sigmask(int how, Pointer set, Pointer oldset);

        int isatty(int fd);
    }

    private static final class Holder {
        static final Libc LIBC = Native.load(Platform.C_LIBRARY_NAME, Libc.class);
    }

    private PosixExec() {
    }

    static boolean isTerminal(int fd) {
        return Holder.LIBC.isatty(fd) == 1;
    }

    /**
     * Never returns on success. Before the exec: change to the working directory, let no descriptor
     * the JVM opened leak into the program (it keeps 0, 1 and 2), and unblock the signals the JVM's
     * threads block (a mask survives exec: the program would otherwise ignore SIGQUIT and friends).
     *
     * @throws IOException when the program cannot be executed; the message names it and errno
     */
    static void exec(Path program, List<String> argv, Map<String, String> env, Path workingDir) throws IOException {
        Libc libc = Holder.LIBC;
        // File names are encoded as the JDK encodes them; argv and environment as UTF-8.
        Charset fileNames = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        try {
            libc.chdir(cString(workingDir.toString(), fileNames));
        } catch (LastErrorException e) {
            throw new IOException("cannot change to " + workingDir + ": " + e.getMessage(), e);
        }
        closeOnExec(libc);
        Memory emptySet = new Memory(SIGSET_BYTES);
        emptySet.clear();
        libc.pthread_sigmask(SIG_SETMASK, emptySet, null);
        StringArray args = new StringArray(argv.toArray(String[]::new), StandardCharsets.UTF_8.name());
        StringArray envp = new StringArray(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .toArray(String[]::new), StandardCharsets.UTF_8.name());
        System.out.flush();
        System.err.flush();
        try {
            libc.execve(cString(program.toString(), fileNames), args, envp);
        } catch (LastErrorException e) {
            throw new IOException("cannot execute " + program + ": " + e.getMessage(), e);
        }
        throw new IOException("execve returned without an error for " + program);
    }

    private static void closeOnExec(Libc libc) {
        Path fds = Files.isDirectory(Path.of("/proc/self/fd")) ? Path.of("/proc/self/fd") : Path.of("/dev/fd");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path entry : entries) {
                int fd;
                try {
                    fd = Integer.parseInt(entry.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (fd <= 2) {
                    continue;
                }
                try {
                    int flags = libc.fcntl(fd, F_GETFD);
                    libc.fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
                } catch (LastErrorException e) {
                    // Closed meanwhile (the directory listing's own descriptor, for one): nothing to leak.
                }
            }
        } catch (IOException e) {
            // Cannot list descriptors here: the JDK opens its own with close-on-exec nearly always.
        }
    }

    private static Memory cString(String text, Charset charset) {
        byte[] bytes = text.getBytes(charset);
        Memory m = new Memory(bytes.length + 1L);
        m.write(0, bytes, 0, bytes.length);
        m.setByte(bytes.length, (byte) 0);
        return m;
    }
}
