package dev.nexus.services.manager.launchd;

import java.time.Duration;

/**
 * How long to wait for launchd, which finishes some requests after {@code launchctl} has returned.
 *
 * @param poll           how often to ask {@code launchctl print} while waiting
 * @param settle         extra time after a job's ExitTimeOut for launchd to let go of its label after a
 *                       {@code bootout} (it SIGTERMs, waits up to ExitTimeOut, SIGKILLs, then cleans up)
 * @param bootstrapRetry how long to retry a {@code bootstrap} that failed with 5 (EIO) or 37 (EALREADY):
 *                       what launchd answers for a few seconds while a label is still being torn down
 */
public record LaunchdTiming(Duration poll, Duration settle, Duration bootstrapRetry) {
    public static final LaunchdTiming DEFAULT = new LaunchdTiming(Duration.ofMillis(100), Duration.ofSeconds(10),
            Duration.ofSeconds(15));
}
