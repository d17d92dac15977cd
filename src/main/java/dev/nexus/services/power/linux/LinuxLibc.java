package dev.nexus.services.power.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc calls the Linux sleep/wake sources make: clocks, file descriptors, eventfd and poll.
 * Loaded on first use of {@link #get()}, which happens on Linux only. Every call returns -1 and sets
 * errno on failure ({@link Native#getLastError()} reads it).
 */
interface LinuxLibc extends Library {
    int CLOCK_MONOTONIC = 1;
    int CLOCK_BOOTTIME = 7;
    int F_DUPFD_CLOEXEC = 1030;
    int EFD_CLOEXEC = 0x80000;
    int EFD_NONBLOCK = 0x800;
    short POLLIN = 0x1;
    int EINTR = 4;
    int EAGAIN = 11;

    /** {@code struct timespec} is two 64-bit integers on the 64-bit systems this is used on. */
    int clock_gettime(int clockId, long[] timespec);

    int close(int fd);

    /** Variadic in C, so called as such: JNA then passes the third argument the variadic way. */
    int fcntl(int fd, int cmd, Object... args);

    int eventfd(int initialValue, int flags);

    int poll(Pointer fds, NativeLong count, int timeoutMillis);

    NativeLong read(int fd, byte[] buffer, NativeLong count);

    NativeLong write(int fd, byte[] buffer, NativeLong count);

    String strerror(int errno);

    static LinuxLibc get() {
        return Holder.INSTANCE;
    }

    /** Lazy: nothing is loaded until a Linux code path asks. */
    final class Holder {
        static final LinuxLibc INSTANCE = Native.load("c", LinuxLibc.class);

        private Holder() {
        }
    }
}
