package dev.nexus.services.power.linux;

import com.sun.jna.Native;
import dev.nexus.services.power.ClockJumpSleepSource;

/**
 * Linux's two clocks that differ by exactly the time spent suspended: CLOCK_BOOTTIME counts it,
 * CLOCK_MONOTONIC does not. Needs a 64-bit system ({@code struct timespec} as two 64-bit fields).
 */
public final class BootTimeClocks implements ClockJumpSleepSource.SuspendClocks {
    private final LinuxLibc libc;

    private BootTimeClocks(LinuxLibc libc) {
        this.libc = libc;
    }

    /**
     * Loads libc and reads both clocks once.
     *
     * @throws IllegalStateException when this is not a 64-bit system or a clock cannot be read
     */
    public static BootTimeClocks load() {
        if (Native.LONG_SIZE != 8) {
            throw new IllegalStateException("CLOCK_BOOTTIME is read as a 64-bit timespec; this JVM is 32-bit");
        }
        BootTimeClocks clocks = new BootTimeClocks(LinuxLibc.get());
        clocks.countingSuspendNanos();
        clocks.notCountingSuspendNanos();
        return clocks;
    }

    @Override
    public long countingSuspendNanos() {
        return read(LinuxLibc.CLOCK_BOOTTIME, "CLOCK_BOOTTIME");
    }

    @Override
    public long notCountingSuspendNanos() {
        return read(LinuxLibc.CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    }

    @Override
    public String describe() {
        return "CLOCK_BOOTTIME vs CLOCK_MONOTONIC";
    }

    private long read(int clock, String name) {
        long[] timespec = new long[2];
        if (libc.clock_gettime(clock, timespec) != 0) {
            int errno = Native.getLastError();
            throw new IllegalStateException("clock_gettime(" + name + ") failed: " + libc.strerror(errno));
        }
        return timespec[0] * 1_000_000_000L + timespec[1];
    }
}
