package dev.nexus.services.power;

import java.util.concurrent.CompletionStage;

/**
 * Told about sleep and wake by a {@link SleepWakeSource} (on the source's own thread: return quickly).
 */
public interface SleepWakeListener {
    /**
     * The machine is about to sleep. The source holds the sleep back (logind's delay lock, IOKit's
     * answer, Windows' callback) until the returned stage completes or the source's own limit passes,
     * whichever comes first; a failed stage counts as done.
     */
    CompletionStage<Void> sleeping(SleepWakeEvent event);

    /** The machine woke. */
    void woke(SleepWakeEvent event);
}
