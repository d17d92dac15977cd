package dev.nexus.services.power;

/**
 * Something that learns of sleep and wake from the operating system (or infers them): one
 * implementation per OS through JNA, plus {@link ClockJumpSleepSource} everywhere. Chosen at run time
 * by {@link SleepWakeSources#forThisSystem}; a source that cannot work here says so from
 * {@link #start} and is left out quietly.
 *
 * <p>Native code is loaded in {@link #start} only, and only on the source's own OS: constructing a
 * source, or asking its id, never loads a library.
 */
public interface SleepWakeSource extends AutoCloseable {
    /** Short and stable, for logs and the status line: "logind", "iokit", "windows-power", "clock". */
    String id();

    /** True when the source hears of a sleep before it happens (and can hold it back briefly). */
    boolean announcesSleep();

    /**
     * Starts listening; events go to {@code listener} on the source's own thread from now on.
     *
     * @throws SourceUnavailableException when the source cannot work on this machine (wrong OS,
     *                                    library missing, no system bus): the caller falls back quietly
     */
    void start(SleepWakeListener listener) throws SourceUnavailableException;

    /** Stops listening and frees everything it holds (threads, handles, locks). Idempotent. */
    @Override
    void close();
}
