package dev.nexus.services.supervise;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls the JDK does not offer: signalling a whole process group and creating FIFOs.
 * Loaded on first use only, and only ever used on POSIX systems (never on the Windows path).
 */
public interface PosixLibc extends Library {
    /** Signal numbers that are the same on Linux and macOS. */
    int SIGTERM = 15;
    int SIGKILL = 9;
    /** errno: no such process (or process group). */
    int ESRCH = 3;

    int kill(int pid, int signal) throws LastErrorException;

    int getpgid(int pid) throws LastErrorException;

    int mkfifo(String path, int mode) throws LastErrorException;

    int getuid();

    /** The shared instance, loaded on first call. */
    static PosixLibc get() {
        return PosixLibcHolder.INSTANCE;
    }
}

/** Lazy holder: nothing is loaded until a POSIX code path asks for libc. */
final class PosixLibcHolder {
    static final PosixLibc INSTANCE = Native.load(Platform.C_LIBRARY_NAME, PosixLibc.class);

    private PosixLibcHolder() {
    }
}
